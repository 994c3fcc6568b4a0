/*
 * One const model, many threads: each thread predicts with its own
 * workspace, over and over, and every result must equal the
 * single-threaded one bit for bit. The model carries a standardisation,
 * so the per-workspace input copy is exercised too. (OPENBLAS_NUM_THREADS
 * is 1 in the test environment: the threads here are the caller's.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "gemmnet.h"

enum { THREADS = 8, REPEATS = 20, ROWS = 3000 };

/* What the threads share (read-only) and what each reports. */
typedef struct shared_input {
    const gemmnet_model *model;
    const float *x;
    const float *expected_proba;
    const int32_t *expected_labels;
} shared_input;

typedef struct thread_job {
    const shared_input *in;
    /* Repeats whose probabilities or labels differed from the reference. */
    int mismatches;
    int status;
} thread_job;

static void *predict_repeatedly(void *argument)
{
    thread_job *job = argument;
    const shared_input *in = job->in;
    size_t k = (size_t)gemmnet_model_width(in->model, gemmnet_model_layers(in->model));
    gemmnet_workspace *ws = NULL;
    float *proba = malloc(ROWS * k * sizeof *proba);
    int32_t *labels = malloc(ROWS * sizeof *labels);
    job->status =
        proba && labels ? gemmnet_workspace_create(in->model, NULL, &ws, NULL) : GEMMNET_E_NOMEM;
    for (int r = 0; r < REPEATS && job->status == GEMMNET_OK; r++) {
        job->status = gemmnet_predict_proba(in->model, ws, in->x, ROWS, proba, NULL);
        if (job->status == GEMMNET_OK)
            job->status = gemmnet_predict(in->model, ws, in->x, ROWS, labels, NULL);
        job->mismatches += memcmp(proba, in->expected_proba, ROWS * k * sizeof *proba) != 0;
        job->mismatches += memcmp(labels, in->expected_labels, ROWS * sizeof *labels) != 0;
    }
    gemmnet_workspace_destroy(ws);
    free(proba);
    free(labels);
    return NULL;
}

/* A trained model with a standardisation, on moons scaled far from 0. */
static gemmnet_model *trained_model(gemmnet_dataset *data)
{
    assert_int_equal(
        gemmnet_dataset_generate(data, GEMMNET_SYNTH_MOONS, ROWS, 2, 0.2, 11, NULL, NULL),
        GEMMNET_OK);
    for (size_t i = 0; i < 2 * ROWS; i++)
        data->x[i] = data->x[i] * 50.0f - 3.0f;
    gemmnet_dataset train = *data;
    size_t bytes = 2 * ROWS * sizeof(float);
    train.x = malloc(bytes);
    memcpy(train.x, data->x, bytes);
    float mean[2], scale[2];
    assert_int_equal(gemmnet_dataset_standardize(&train, mean, scale, NULL), GEMMNET_OK);
    int32_t hidden[] = {16, 8};
    gemmnet_architecture arch = {.inputs = 2, .classes = 2, .hidden_layers = 2, .hidden = hidden};
    gemmnet_model *m = NULL;
    assert_int_equal(gemmnet_model_create(&arch, NULL, &m, NULL), GEMMNET_OK);
    gemmnet_model_init(m, GEMMNET_INIT_TUTORIAL, 4, NULL);
    gemmnet_train_options o;
    gemmnet_train_options_init(&o);
    o.epochs = 50;
    o.learning_rate = 0.5f;
    o.reduction = GEMMNET_REDUCTION_MEAN;
    o.report_every = 0;
    assert_int_equal(gemmnet_train(m, &train, &o, NULL), GEMMNET_OK);
    assert_int_equal(gemmnet_model_set_standardization(m, mean, scale, NULL), GEMMNET_OK);
    free(train.x);
    return m;
}

static void test_threads_predicting_from_one_model_agree_bit_for_bit(void **state)
{
    (void)state;
    gemmnet_dataset data;
    gemmnet_model *model = trained_model(&data);
    float *proba = malloc(ROWS * 2 * sizeof *proba);
    int32_t *labels = malloc(ROWS * sizeof *labels);
    gemmnet_workspace *ws = NULL;
    assert_int_equal(gemmnet_workspace_create(model, NULL, &ws, NULL), GEMMNET_OK);
    assert_int_equal(gemmnet_predict_proba(model, ws, data.x, ROWS, proba, NULL), GEMMNET_OK);
    assert_int_equal(gemmnet_predict(model, ws, data.x, ROWS, labels, NULL), GEMMNET_OK);
    gemmnet_workspace_destroy(ws);
    shared_input in = {model, data.x, proba, labels};
    pthread_t threads[THREADS];
    thread_job jobs[THREADS];
    for (int t = 0; t < THREADS; t++) {
        jobs[t] = (thread_job){.in = &in};
        assert_int_equal(pthread_create(&threads[t], NULL, predict_repeatedly, &jobs[t]), 0);
    }
    for (int t = 0; t < THREADS; t++) {
        assert_int_equal(pthread_join(threads[t], NULL), 0);
        if (jobs[t].status != GEMMNET_OK || jobs[t].mismatches != 0)
            fail_msg("thread %d: status %d, %d of %d results differ from the single-threaded ones",
                     t, jobs[t].status, jobs[t].mismatches, 2 * REPEATS);
    }
    /* Training reached a useful model, so agreement is not trivial. */
    size_t correct = 0;
    for (size_t i = 0; i < ROWS; i++)
        correct += labels[i] == data.y[i];
    if (correct < ROWS * 8 / 10)
        fail_msg("only %zu/%d correct: the model did not learn", correct, ROWS);
    free(proba);
    free(labels);
    gemmnet_model_destroy(model);
    gemmnet_dataset_free(&data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_predicting_from_one_model_agree_bit_for_bit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
