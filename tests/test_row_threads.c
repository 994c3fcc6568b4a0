/* Threads over row blocks (train_rows.c, pool.c): a trainer with W workers
 * must give the weights of one worker up to float32 reassociation of the
 * gradient sums, the same bits every time for a given W, allocate nothing
 * during its epochs, choose the calling thread for tiny problems, compose
 * with the collective hooks, and leave the BLAS thread count as it was.
 *
 * Tolerance: after the epochs below, every weight within 2e-5 absolute of
 * the one-worker run (weights are O(1); a gradient summed over 4000 rows in
 * another order differs by a few float32 ulps of the sum: measured max
 * 9e-7 over the cases below with OpenBLAS). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "train/train.h"

#define WEIGHT_TOLERANCE 2e-5

typedef struct run {
    gemmnet_dataset data;
    gemmnet_model *model;
    gemmnet_train_options options;
} run;

static void run_open(run *r, size_t rows, int32_t hidden, int32_t threads)
{
    assert_int_equal(
        gemmnet_dataset_generate(&r->data, GEMMNET_SYNTH_MOONS, rows, 2, 0.2, 7, NULL, NULL),
        GEMMNET_OK);
    gemmnet_architecture arch = {.inputs = 2, .classes = 2, .hidden_layers = 1, .hidden = &hidden};
    assert_int_equal(gemmnet_model_create(&arch, NULL, &r->model, NULL), GEMMNET_OK);
    gemmnet_model_init(r->model, GEMMNET_INIT_TUTORIAL, 1, NULL);
    gemmnet_train_options_init(&r->options);
    r->options.epochs = 10;
    r->options.report_every = 0;
    r->options.learning_rate = (float)(2.0 / (double)rows);
    r->options.threads = threads;
}

static void run_close(run *r)
{
    gemmnet_model_destroy(r->model);
    gemmnet_dataset_free(&r->data);
}

static void train(run *r)
{
    gemmnet_error err;
    int status = gemmnet_train(r->model, &r->data, &r->options, &err);
    if (status != GEMMNET_OK)
        fail_msg("training failed: %s", err.message);
}

static double max_difference(const run *a, const run *b)
{
    double worst = 0.0;
    for (size_t i = 0; i < a->model->parameter_count; i++)
        worst = fmax(worst, fabs((double)a->model->parameters[i] - b->model->parameters[i]));
    return worst;
}

/* Trains the same problem with 1 and with `threads` workers (options set
 * by `setup`) and compares the weights. */
static void compare_with_one_worker(int32_t threads, void (*setup)(run *))
{
    run one, many;
    run_open(&one, 4000, 32, 1);
    run_open(&many, 4000, 32, threads);
    if (setup) {
        setup(&one);
        setup(&many);
    }
    train(&one);
    train(&many);
    double d = max_difference(&one, &many);
    if (!(d <= WEIGHT_TOLERANCE))
        fail_msg("%d workers differ from 1 by %g (tolerance %g)", (int)threads, d,
                 WEIGHT_TOLERANCE);
    run_close(&one);
    run_close(&many);
}

static void test_full_batch_with_2_and_3_workers_equals_one(void **state)
{
    (void)state;
    compare_with_one_worker(2, NULL);
    compare_with_one_worker(3, NULL);
}

static void minibatch_adam(run *r)
{
    r->options.batch_size = 1000;
    r->options.optimizer = GEMMNET_OPT_ADAM;
    r->options.reduction = GEMMNET_REDUCTION_MEAN;
    r->options.learning_rate = 1e-3f;
    r->options.shuffle_seed = 5;
}

static void test_minibatch_adam_with_2_workers_equals_one(void **state)
{
    (void)state;
    compare_with_one_worker(2, minibatch_adam);
}

/* The model's standardisation is applied block by block in each worker's
 * own workspace. */
static void standardised(run *r)
{
    float mean[2], scale[2];
    assert_int_equal(gemmnet_dataset_statistics(&r->data, mean, scale, NULL), GEMMNET_OK);
    assert_int_equal(gemmnet_model_set_standardization(r->model, mean, scale, NULL), GEMMNET_OK);
}

static void test_standardised_model_with_3_workers_equals_one(void **state)
{
    (void)state;
    compare_with_one_worker(3, standardised);
}

static void test_a_given_worker_count_gives_the_same_bits_every_time(void **state)
{
    (void)state;
    run a, b;
    run_open(&a, 4001, 32, 3); /* rows not divisible by the workers */
    run_open(&b, 4001, 32, 3);
    train(&a);
    train(&b);
    assert_memory_equal(a.model->parameters, b.model->parameters,
                        a.model->parameter_count * sizeof(float));
    run_close(&a);
    run_close(&b);
}

static void test_epochs_allocate_nothing(void **state)
{
    (void)state;
    run r;
    run_open(&r, 4000, 32, 2);
    counting_allocator counter = {0};
    gemmnet_allocator hooks = counting_hooks(&counter);
    r.options.allocator = &hooks;
    gemmnet_trainer *t;
    assert_int_equal(gemmnet_trainer_create(r.model, &r.data, &r.options, &t, NULL), GEMMNET_OK);
    assert_int_equal(t->workers, 2);
    size_t before = counter.attempts;
    assert_int_equal(gemmnet_trainer_run(t, 5, NULL), GEMMNET_OK);
    assert_int_equal(counter.attempts, before);
    gemmnet_trainer_destroy(t);
    assert_no_leak(&counter, "a trainer with 2 workers");
    run_close(&r);
}

static int32_t automatic_workers(size_t rows, int32_t hidden)
{
    run r;
    run_open(&r, rows, hidden, 0);
    gemmnet_trainer *t;
    assert_int_equal(gemmnet_trainer_create(r.model, &r.data, &r.options, &t, NULL), GEMMNET_OK);
    int32_t workers = t->workers;
    gemmnet_trainer_destroy(t);
    run_close(&r);
    return workers;
}

static void test_automatic_choice_keeps_tiny_problems_on_the_calling_thread(void **state)
{
    (void)state;
    if (gemmnet_blas_set_threads(2) != GEMMNET_OK)
        skip(); /* a single-threaded backend: automatic means 1 worker */
    /* The tutorial: 200 rows of 2-3-2, 2400 multiply-adds a pass. */
    assert_int_equal(automatic_workers(200, 3), 1);
    /* 20000 rows of 2-64-2: 5.1e6 multiply-adds, 2.6e6 per worker. */
    assert_int_equal(automatic_workers(20000, 64), 2);
    assert_int_equal(gemmnet_blas_set_threads(1), GEMMNET_OK);
    assert_int_equal(automatic_workers(20000, 64), 1);
}

static void test_blas_threads_are_restored_after_a_run(void **state)
{
    (void)state;
    if (gemmnet_blas_set_threads(2) != GEMMNET_OK)
        skip();
    run r;
    run_open(&r, 4000, 32, 2);
    train(&r);
    assert_int_equal(gemmnet_blas_threads(), 2);
    assert_int_equal(gemmnet_blas_set_threads(1), GEMMNET_OK);
    run_close(&r);
}

static void test_threads_outside_0_to_64_are_refused(void **state)
{
    (void)state;
    run r;
    run_open(&r, 200, 3, -1);
    gemmnet_error err;
    assert_int_equal(gemmnet_train(r.model, &r.data, &r.options, &err), GEMMNET_E_INVALID);
    assert_non_null(strstr(err.message, "threads must be in [0, 64]"));
    r.options.threads = 65;
    assert_int_equal(gemmnet_train(r.model, &r.data, &r.options, &err), GEMMNET_E_INVALID);
    run_close(&r);
}

/* A one-process collective whose sums change nothing, and which counts
 * its calls: the workers' summed gradient is what it receives, once per
 * update. */
static int sum_calls;
static int sum_nothing(void *context, float *buf, size_t n)
{
    (void)context, (void)buf, (void)n;
    sum_calls++;
    return 0;
}
static int sum_nothing_doubles(void *context, double *buf, size_t n)
{
    (void)context, (void)buf, (void)n;
    return 0;
}

static void test_workers_compose_with_the_collective_hooks(void **state)
{
    (void)state;
    run plain, hooked;
    run_open(&plain, 4000, 32, 2);
    run_open(&hooked, 4000, 32, 2);
    gemmnet_collective c = {.sum_floats = sum_nothing,
                            .sum_doubles = sum_nothing_doubles,
                            .global_rows = 4000,
                            .first_row = 0};
    hooked.options.collective = &c;
    sum_calls = 0;
    train(&plain);
    train(&hooked);
    assert_int_equal(sum_calls, hooked.options.epochs);
    assert_memory_equal(plain.model->parameters, hooked.model->parameters,
                        plain.model->parameter_count * sizeof(float));
    run_close(&plain);
    run_close(&hooked);
}

/* Reported losses: the progress callback's training and validation
 * evaluations, split over the workers, against one worker's. */
typedef struct losses {
    double train[4], validation[4], accuracy[4];
    int count;
} losses;

static int record_losses(void *context, const gemmnet_progress *p)
{
    losses *l = context;
    if (l->count < 4) {
        l->train[l->count] = p->train.loss;
        l->validation[l->count] = p->validation.loss;
        l->accuracy[l->count++] = p->train.accuracy;
    }
    return 0;
}

static void test_reported_losses_with_2_workers_equal_one(void **state)
{
    (void)state;
    losses got[2];
    memset(got, 0, sizeof got);
    run r[2];
    gemmnet_dataset validation;
    assert_int_equal(
        gemmnet_dataset_generate(&validation, GEMMNET_SYNTH_MOONS, 3000, 2, 0.2, 8, NULL, NULL),
        GEMMNET_OK);
    for (int i = 0; i < 2; i++) {
        run_open(&r[i], 4000, 32, i == 0 ? 1 : 2);
        r[i].options.epochs = 4;
        r[i].options.report_every = 1;
        r[i].options.progress = record_losses;
        r[i].options.progress_context = &got[i];
        r[i].options.validation = &validation;
        train(&r[i]);
    }
    assert_int_equal(got[0].count, 4);
    assert_int_equal(got[1].count, 4);
    for (int e = 0; e < 4; e++) {
        /* Σ CE in double over another cut of the rows, of weights that
         * after e updates differ by float32 reassociation of the gradient
         * sum (the weights agree within 2e-5 above): 5e-6 relative, about
         * 40 float32 epsilons (measured: within 1e-6 with OpenBLAS, BLIS and
         * ATLAS, 1.04e-6 with netlib's reference sgemm). */
        double on_train = fabs(got[0].train[e] - got[1].train[e]) / got[0].train[e];
        double on_validation =
            fabs(got[0].validation[e] - got[1].validation[e]) / got[0].validation[e];
        if (on_train > 5e-6 || on_validation > 5e-6)
            fail_msg("epoch %d: reported losses differ by %.3g (training) and %.3g "
                     "(validation) relative",
                     e + 1, on_train, on_validation);
        assert_true(got[0].accuracy[e] == got[1].accuracy[e]);
    }
    run_close(&r[0]);
    run_close(&r[1]);
    gemmnet_dataset_free(&validation);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_batch_with_2_and_3_workers_equals_one),
        cmocka_unit_test(test_minibatch_adam_with_2_workers_equals_one),
        cmocka_unit_test(test_standardised_model_with_3_workers_equals_one),
        cmocka_unit_test(test_a_given_worker_count_gives_the_same_bits_every_time),
        cmocka_unit_test(test_epochs_allocate_nothing),
        cmocka_unit_test(test_automatic_choice_keeps_tiny_problems_on_the_calling_thread),
        cmocka_unit_test(test_blas_threads_are_restored_after_a_run),
        cmocka_unit_test(test_threads_outside_0_to_64_are_refused),
        cmocka_unit_test(test_workers_compose_with_the_collective_hooks),
        cmocka_unit_test(test_reported_losses_with_2_workers_equal_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
