/* Data-parallel training through the collective hooks, with threads as
 * the processes (thread_group.h): P shards trained together must match
 * one process up to float32 reassociation, in full-batch and minibatch
 * mode, with class weights too. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"
#include "thread_group.h"

static gemmnet_model *tutorial_model(int32_t hidden)
{
    gemmnet_architecture arch = {.inputs = 2, .classes = 2, .hidden_layers = 1, .hidden = &hidden};
    gemmnet_model *m;
    assert_int_equal(gemmnet_model_create(&arch, NULL, &m, NULL), GEMMNET_OK);
    gemmnet_model_init(m, GEMMNET_INIT_TUTORIAL, 0, NULL);
    return m;
}

/* Rows [first, first + rows) of data as a new data set. */
static void take_shard(const gemmnet_dataset *data, size_t first, size_t rows, gemmnet_dataset *out)
{
    assert_int_equal(gemmnet_dataset_alloc(out, rows, data->features, NULL, NULL), GEMMNET_OK);
    memcpy(out->x, data->x + first * data->features, rows * data->features * sizeof(float));
    memcpy(out->y, data->y + first, rows * sizeof(int32_t));
    out->classes = data->classes;
}

/* Trains P members on contiguous shards of data; returns member 0's
 * model (the caller destroys it) after checking all members agree bit for
 * bit. */
static gemmnet_model *
train_parallel(const gemmnet_dataset *data, const gemmnet_train_options *o, int p, int32_t hidden)
{
    gemmnet_model *models[THREAD_GROUP_MEMBERS] = {NULL};
    gemmnet_dataset shards[THREAD_GROUP_MEMBERS] = {{0}};
    size_t first[THREAD_GROUP_MEMBERS] = {0};
    int status[THREAD_GROUP_MEMBERS] = {0};
    for (int r = 0; r < p; r++) {
        first[r] = data->rows * (size_t)r / (size_t)p;
        size_t last = data->rows * (size_t)(r + 1) / (size_t)p;
        models[r] = tutorial_model(hidden);
        take_shard(data, first[r], last - first[r], &shards[r]);
    }
    thread_group_train(p, models, shards, first, data->rows, o, status);
    size_t count = models[0]->parameter_count;
    for (int r = 0; r < p; r++) {
        assert_int_equal(status[r], GEMMNET_OK);
        if (memcmp(models[r]->parameters, models[0]->parameters, count * sizeof(float)))
            fail_msg("member %d's replica differs from member 0's", r);
        if (r > 0)
            gemmnet_model_destroy(models[r]);
        gemmnet_dataset_free(&shards[r]);
    }
    return models[0];
}

static void
expect_close(const gemmnet_model *a, const gemmnet_model *b, double tolerance, const char *what)
{
    double scale = 0.0, worst = 0.0;
    for (size_t i = 0; i < a->parameter_count; i++) {
        scale = fmax(scale, fabs(a->parameters[i]));
        worst = fmax(worst, fabs(a->parameters[i] - b->parameters[i]));
    }
    if (worst > tolerance * scale)
        fail_msg("%s: parameters differ by %.3g (scale %.3g, tolerance %.1g relative)", what, worst,
                 scale, tolerance);
}

static void test_shards_train_like_one_process_full_batch(void **state)
{
    (void)state;
    gemmnet_dataset data;
    assert_int_equal(
        gemmnet_dataset_generate(&data, GEMMNET_SYNTH_MOONS, 200, 2, 0.2, 0, NULL, NULL),
        GEMMNET_OK);
    gemmnet_train_options o;
    gemmnet_train_options_init(&o);
    o.epochs = 300; /* before the chaotic stretch, where rounding would grow */
    gemmnet_model *single = tutorial_model(3);
    assert_int_equal(gemmnet_train(single, &data, &o, NULL), GEMMNET_OK);
    for (int p = 1; p <= 3; p++) {
        gemmnet_model *parallel = train_parallel(&data, &o, p, 3);
        expect_close(single, parallel, 1e-5,
                     p == 1   ? "1 member"
                     : p == 2 ? "2 members"
                              : "3 members");
        gemmnet_model_destroy(parallel);
    }
    gemmnet_model_destroy(single);
    gemmnet_dataset_free(&data);
}

static void test_shards_train_like_one_process_with_minibatches(void **state)
{
    (void)state;
    gemmnet_dataset data;
    assert_int_equal(
        gemmnet_dataset_generate(&data, GEMMNET_SYNTH_MOONS, 301, 2, 0.2, 4, NULL, NULL),
        GEMMNET_OK);
    gemmnet_train_options o;
    gemmnet_train_options_init(&o);
    o.epochs = 20;
    o.batch_size = 32; /* 301 = 9·32 + 13: a short last batch */
    o.reduction = GEMMNET_REDUCTION_MEAN;
    o.optimizer = GEMMNET_OPT_ADAM;
    o.learning_rate = 0.01f;
    o.shuffle_seed = 7;
    gemmnet_model *single = tutorial_model(16);
    assert_int_equal(gemmnet_train(single, &data, &o, NULL), GEMMNET_OK);
    for (int p = 2; p <= 3; p++) {
        gemmnet_model *parallel = train_parallel(&data, &o, p, 16);
        expect_close(single, parallel, 1e-4, p == 2 ? "2 members" : "3 members");
        gemmnet_model_destroy(parallel);
    }
    gemmnet_model_destroy(single);
    gemmnet_dataset_free(&data);
}

/* Class weights with MEAN minibatches: each batch's divisor is its Σw over
 * every member's rows, so P members match one process; a run with the
 * weights switched off is far from it (the check can fail). */
static void test_weighted_shards_divide_by_the_global_weight_sum(void **state)
{
    (void)state;
    gemmnet_dataset data;
    assert_int_equal(
        gemmnet_dataset_generate(&data, GEMMNET_SYNTH_MOONS, 301, 2, 0.2, 4, NULL, NULL),
        GEMMNET_OK);
    static const float class_weights[2] = {1.0f, 3.0f};
    gemmnet_train_options o;
    gemmnet_train_options_init(&o);
    o.epochs = 20;
    o.batch_size = 32;
    o.reduction = GEMMNET_REDUCTION_MEAN;
    o.optimizer = GEMMNET_OPT_ADAM;
    o.learning_rate = 0.01f;
    o.shuffle_seed = 7;
    o.class_weights = class_weights;
    gemmnet_model *single = tutorial_model(16), *unweighted = tutorial_model(16);
    assert_int_equal(gemmnet_train(single, &data, &o, NULL), GEMMNET_OK);
    gemmnet_train_options off = o;
    off.class_weights = NULL;
    assert_int_equal(gemmnet_train(unweighted, &data, &off, NULL), GEMMNET_OK);
    double gap = 0.0;
    for (size_t i = 0; i < single->parameter_count; i++)
        gap = fmax(gap, fabs(single->parameters[i] - unweighted->parameters[i]));
    if (gap < 1e-2)
        fail_msg("the class weights barely changed the run (%.3g): the test would not notice", gap);
    for (int p = 2; p <= 3; p++) {
        gemmnet_model *parallel = train_parallel(&data, &o, p, 16);
        expect_close(single, parallel, 1e-4, p == 2 ? "2 weighted members" : "3 weighted members");
        gemmnet_model_destroy(parallel);
    }
    gemmnet_model_destroy(single);
    gemmnet_model_destroy(unweighted);
    gemmnet_dataset_free(&data);
}

static int fail_sum(void *context, float *buf, size_t n)
{
    (void)context;
    (void)buf;
    (void)n;
    return -1;
}

/* One process's sum of doubles: the values themselves. */
static int own_doubles(void *context, double *buf, size_t n)
{
    (void)context;
    (void)buf;
    (void)n;
    return 0;
}

static void test_failed_reduction_stops_training(void **state)
{
    (void)state;
    gemmnet_dataset data;
    assert_int_equal(
        gemmnet_dataset_generate(&data, GEMMNET_SYNTH_MOONS, 50, 2, 0.2, 0, NULL, NULL),
        GEMMNET_OK);
    gemmnet_collective c = {.sum_floats = fail_sum, .sum_doubles = own_doubles, .global_rows = 50};
    gemmnet_train_options o;
    gemmnet_train_options_init(&o);
    o.collective = &c;
    gemmnet_model *m = tutorial_model(3);
    gemmnet_error err = {0};
    assert_int_equal(gemmnet_train(m, &data, &o, &err), GEMMNET_E_COLLECTIVE);
    assert_non_null(strstr(err.message, "epoch 0, batch 0"));
    c.global_rows = 40; /* the shard does not fit */
    assert_int_equal(gemmnet_train(m, &data, &o, &err), GEMMNET_E_SHAPE);
    gemmnet_model_destroy(m);
    gemmnet_dataset_free(&data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shards_train_like_one_process_full_batch),
        cmocka_unit_test(test_shards_train_like_one_process_with_minibatches),
        cmocka_unit_test(test_weighted_shards_divide_by_the_global_weight_sum),
        cmocka_unit_test(test_failed_reduction_stops_training),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
