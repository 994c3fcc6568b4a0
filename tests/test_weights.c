/* Sample and class weights (train/weights.c, the weighted kernels) and
 * balanced accuracy: the weighted gradient and reported loss against the
 * oracle, integer weights against duplicated rows, all-ones weights
 * bit-identical to none, MEAN's Σ w divisor and 'balanced' class weights
 * by hand, one worker against two, refused weights, checkpoints that
 * refuse other weights, and balanced accuracy on a hand-made set.
 *
 * Tolerances: the gradient read back from one gradient-descent step with
 * learning rate 1 (Δparams, float32 params of size O(1)) within
 * 1e-4·(1 + max|g|) of the double oracle; duplicated rows and two workers
 * within 2e-5 per weight after their epochs (float32 reassociation only). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reference.h"
#include "train/train.h"

typedef struct run {
    gemmnet_dataset data;
    gemmnet_model *model;
    gemmnet_train_options options;
} run;

static void run_open(run *r, size_t rows, int32_t hidden)
{
    assert_int_equal(
        gemmnet_dataset_generate(&r->data, GEMMNET_SYNTH_MOONS, rows, 2, 0.2, 3, NULL, NULL),
        GEMMNET_OK);
    gemmnet_architecture arch = {
        .inputs = 2, .classes = 2, .hidden_layers = hidden ? 1 : 0, .hidden = &hidden};
    assert_int_equal(gemmnet_model_create(&arch, NULL, &r->model, NULL), GEMMNET_OK);
    gemmnet_model_init(r->model, GEMMNET_INIT_TUTORIAL, 1, NULL);
    gemmnet_train_options_init(&r->options);
    r->options.epochs = 1;
    r->options.report_every = 0;
}

static void run_close(run *r)
{
    gemmnet_model_destroy(r->model);
    gemmnet_dataset_free(&r->data);
}

static void train_ok(gemmnet_model *m, const gemmnet_dataset *d, const gemmnet_train_options *o)
{
    gemmnet_error err = {0};
    int status = gemmnet_train(m, d, o, &err);
    if (status != GEMMNET_OK)
        fail_msg("training failed: %s", err.message);
}

/* Weights in [0, 3) from a fixed sequence. */
static void fill_weights(float *w, size_t n)
{
    ref_rng rng;
    ref_rng_seed(&rng, 11);
    for (size_t i = 0; i < n; i++)
        w[i] = (float)(3.0 * ref_rng_uniform(&rng));
}

static double last_loss;
static int keep_loss(void *context, const gemmnet_progress *p)
{
    (void)context;
    last_loss = p->train.loss;
    return 0;
}

/* One GD step with learning rate 1 gives grad = before − after. */
static void check_gradient(int reduction)
{
    enum { N = 40 };
    run r;
    run_open(&r, N, 3);
    float sample[N], classes[2] = {1.0f, 2.5f};
    fill_weights(sample, N);
    r.options.sample_weights = sample;
    r.options.class_weights = classes;
    r.options.reduction = (gemmnet_reduction)reduction;
    r.options.learning_rate = reduction == GEMMNET_REDUCTION_SUM ? 0.01f : 1.0f;
    r.options.progress = keep_loss;
    r.options.report_every = 1;
    size_t p = gemmnet_model_parameter_count(r.model);
    double *before = malloc(p * sizeof *before), *grad = malloc(p * sizeof *grad);
    double *after = malloc(p * sizeof *after), x[2 * N], w[N];
    for (size_t i = 0; i < p; i++)
        before[i] = r.model->parameters[i];
    for (size_t i = 0; i < 2 * N; i++)
        x[i] = r.data.x[i];
    for (size_t i = 0; i < N; i++)
        w[i] = (double)sample[i] * classes[r.data.y[i]];
    ref_net net;
    size_t hidden = 3;
    ref_net_init(&net, 2, 1, &hidden, 2);
    ref_weighted_gradient(&net, before, x, r.data.y, w, N, 0.01, reduction, grad);
    train_ok(r.model, &r.data, &r.options);
    double worst = 0.0, largest = 0.0, lr = r.options.learning_rate;
    for (size_t i = 0; i < p; i++) {
        after[i] = r.model->parameters[i];
        double engine = (before[i] - after[i]) / lr;
        worst = fmax(worst, fabs(engine - grad[i]));
        largest = fmax(largest, fabs(grad[i]));
    }
    if (worst > 1e-4 * (1.0 + largest))
        fail_msg("weighted gradient off the oracle by %g (max |g| %g)", worst, largest);
    /* The reported loss after the step: Σ w·CE over Σ w. */
    double expected = ref_weighted_gradient(&net, after, x, r.data.y, w, N, 0.01, reduction, grad);
    if (fabs(last_loss - expected) > 1e-5 * fabs(expected))
        fail_msg("reported loss %.9g, oracle %.9g", last_loss, expected);
    free(before);
    free(after);
    free(grad);
    run_close(&r);
}

static void gradient_sum_matches_oracle(void **state)
{
    (void)state;
    check_gradient(GEMMNET_REDUCTION_SUM);
}

static void gradient_mean_matches_oracle(void **state)
{
    (void)state;
    check_gradient(GEMMNET_REDUCTION_MEAN);
}

/* Weight 2 is the row twice (SUM, full batch). */
static void integer_weights_equal_duplicated_rows(void **state)
{
    (void)state;
    enum { N = 30 };
    run r;
    run_open(&r, N, 3);
    float sample[N];
    size_t total = 0;
    for (size_t i = 0; i < N; i++)
        total += (size_t)(sample[i] = (float)(i % 4));
    gemmnet_dataset dup;
    assert_int_equal(gemmnet_dataset_alloc(&dup, total, 2, NULL, NULL), GEMMNET_OK);
    dup.classes = 2;
    for (size_t i = 0, at = 0; i < N; i++)
        for (int c = 0; c < (int)sample[i]; c++, at++) {
            memcpy(dup.x + 2 * at, r.data.x + 2 * i, 2 * sizeof(float));
            dup.y[at] = r.data.y[i];
        }
    gemmnet_model *twin;
    int32_t hidden = 3;
    gemmnet_architecture arch = {.inputs = 2, .classes = 2, .hidden_layers = 1, .hidden = &hidden};
    assert_int_equal(gemmnet_model_create(&arch, NULL, &twin, NULL), GEMMNET_OK);
    memcpy(twin->parameters, r.model->parameters,
           gemmnet_model_parameter_count(twin) * sizeof(float));
    r.options.epochs = 10;
    r.options.learning_rate = 0.01f;
    gemmnet_train_options plain = r.options;
    r.options.sample_weights = sample;
    train_ok(r.model, &r.data, &r.options);
    train_ok(twin, &dup, &plain);
    for (size_t i = 0; i < gemmnet_model_parameter_count(twin); i++)
        assert_float_equal(r.model->parameters[i], twin->parameters[i], 2e-5);
    gemmnet_model_destroy(twin);
    gemmnet_dataset_free(&dup);
    run_close(&r);
}

/* All-ones sample and class weights: the same bits as none, full batch and
 * minibatches (MEAN), with one and two workers. */
static void all_ones_is_bit_identical(void **state)
{
    (void)state;
    enum { N = 300 };
    static float ones[N];
    float class_ones[2] = {1.0f, 1.0f};
    for (size_t i = 0; i < N; i++)
        ones[i] = 1.0f;
    for (int c = 0; c < 4; c++) {
        run a, b;
        run_open(&a, N, 4);
        run_open(&b, N, 4);
        a.options.epochs = b.options.epochs = 20;
        a.options.learning_rate = b.options.learning_rate = 0.005f;
        if (c & 1) {
            a.options.batch_size = b.options.batch_size = 64;
            a.options.reduction = b.options.reduction = GEMMNET_REDUCTION_MEAN;
            a.options.learning_rate = b.options.learning_rate = 0.3f;
        }
        a.options.threads = b.options.threads = c & 2 ? 2 : 1;
        a.options.report_every = b.options.report_every = 5;
        a.options.progress = b.options.progress = keep_loss;
        b.options.sample_weights = ones;
        b.options.class_weights = class_ones;
        train_ok(a.model, &a.data, &a.options);
        double loss_a = last_loss;
        train_ok(b.model, &b.data, &b.options);
        assert_memory_equal(a.model->parameters, b.model->parameters,
                            gemmnet_model_parameter_count(a.model) * sizeof(float));
        assert_memory_equal(&loss_a, &last_loss, sizeof loss_a);
        run_close(&a);
        run_close(&b);
    }
}

/* Softmax regression from zero weights, D = 1, x = {1, 2, 3}, y = {0, 0, 1},
 * w = {1, 1, 4}: P = ½ everywhere, so ∂/∂b₀ = Σ w(½ − [y = 0]) =
 * −½ − ½ + 2 = 1 and ∂/∂W₀ = Σ w·x(½ − [y = 0]) = −½ − 1 + 6 = 4.5; MEAN
 * divides both by Σ w = 6. One step with η = 1, λ = 0. */
static void mean_divides_by_weight_sum(void **state)
{
    (void)state;
    gemmnet_dataset d;
    assert_int_equal(gemmnet_dataset_alloc(&d, 3, 1, NULL, NULL), GEMMNET_OK);
    d.classes = 2;
    const float x[3] = {1, 2, 3};
    const int32_t y[3] = {0, 0, 1};
    memcpy(d.x, x, sizeof x);
    memcpy(d.y, y, sizeof y);
    float w[3] = {1, 1, 4};
    for (int reduction = 0; reduction < 2; reduction++) {
        gemmnet_architecture arch = {.inputs = 1, .classes = 2};
        gemmnet_model *m;
        assert_int_equal(gemmnet_model_create(&arch, NULL, &m, NULL), GEMMNET_OK);
        memset(m->parameters, 0, 4 * sizeof(float)); /* W[1×2], b[2] */
        gemmnet_train_options o;
        gemmnet_train_options_init(&o);
        o.epochs = 1;
        o.report_every = 0;
        o.l2 = 0.0f;
        o.learning_rate = 1.0f;
        o.reduction = (gemmnet_reduction)reduction;
        o.sample_weights = w;
        train_ok(m, &d, &o);
        double div = reduction == GEMMNET_REDUCTION_MEAN ? 6.0 : 1.0;
        assert_float_equal(m->parameters[0], -4.5 / div, 1e-6);
        assert_float_equal(m->parameters[1], 4.5 / div, 1e-6);
        assert_float_equal(m->parameters[2], -1.0 / div, 1e-6);
        assert_float_equal(m->parameters[3], 1.0 / div, 1e-6);
        gemmnet_model_destroy(m);
    }
    gemmnet_dataset_free(&d);
}

/* Labels {0, 0, 0, 1}, K = 3: 4/(3·3), 4/(3·1), and 0 for the empty class. */
static void balanced_class_weights(void **state)
{
    (void)state;
    gemmnet_dataset d;
    assert_int_equal(gemmnet_dataset_alloc(&d, 4, 1, NULL, NULL), GEMMNET_OK);
    const int32_t y[4] = {0, 0, 0, 1};
    memcpy(d.y, y, sizeof y);
    memset(d.x, 0, 4 * sizeof(float));
    d.classes = 3;
    float w[3] = {-1, -1, -1};
    assert_int_equal(gemmnet_class_weights_balanced(&d, 3, w, NULL), GEMMNET_OK);
    assert_float_equal(w[0], 4.0 / 9.0, 1e-7);
    assert_float_equal(w[1], 4.0 / 3.0, 1e-7);
    assert_float_equal(w[2], 0.0, 0.0);
    gemmnet_error err = {0};
    assert_int_equal(gemmnet_class_weights_balanced(&d, 1, w, &err), GEMMNET_E_INVALID);
    d.y[2] = 5;
    assert_int_equal(gemmnet_class_weights_balanced(&d, 3, w, &err), GEMMNET_E_LABEL);
    assert_non_null(strstr(err.message, "row 3: label 5"));
    gemmnet_dataset_free(&d);
}

/* Two workers give one worker's weights up to reassociation. */
static void threads_agree(void **state)
{
    (void)state;
    enum { N = 4000 };
    static float sample[N];
    fill_weights(sample, N);
    float classes[2] = {0.5f, 2.0f};
    run a, b;
    run_open(&a, N, 16);
    run_open(&b, N, 16);
    gemmnet_train_options *o[2] = {&a.options, &b.options};
    for (int i = 0; i < 2; i++) {
        o[i]->epochs = 5;
        o[i]->batch_size = 500;
        o[i]->reduction = GEMMNET_REDUCTION_MEAN;
        o[i]->learning_rate = 0.5f;
        o[i]->sample_weights = sample;
        o[i]->class_weights = classes;
        o[i]->threads = i + 1;
    }
    train_ok(a.model, &a.data, &a.options);
    train_ok(b.model, &b.data, &b.options);
    for (size_t i = 0; i < gemmnet_model_parameter_count(a.model); i++)
        assert_float_equal(a.model->parameters[i], b.model->parameters[i], 2e-5);
    run_close(&a);
    run_close(&b);
}

static void refused(run *r, int status, const char *text)
{
    gemmnet_error err = {0};
    assert_int_equal(gemmnet_train(r->model, &r->data, &r->options, &err), status);
    if (!strstr(err.message, text))
        fail_msg("message '%s' lacks '%s'", err.message, text);
}

static void invalid_weights_refused(void **state)
{
    (void)state;
    enum { N = 10 };
    run r;
    run_open(&r, N, 3);
    float sample[N], classes[2] = {1.0f, -2.0f};
    for (size_t i = 0; i < N; i++)
        sample[i] = 1.0f;
    r.options.sample_weights = sample;
    sample[1] = NAN;
    refused(&r, GEMMNET_E_NONFINITE, "sample_weights[1] = nan");
    sample[1] = INFINITY;
    refused(&r, GEMMNET_E_NONFINITE, "sample_weights[1] = inf");
    sample[1] = -0.5f;
    refused(&r, GEMMNET_E_INVALID, "sample_weights[1] = -0.5: weights must be finite and ≥ 0");
    memset(sample, 0, sizeof sample);
    refused(&r, GEMMNET_E_INVALID, "all 0");
    r.options.sample_weights = NULL;
    r.options.class_weights = classes;
    refused(&r, GEMMNET_E_INVALID, "class_weights[1] = -2");
    /* Class weights that zero every row present. */
    classes[0] = classes[1] = 0.0f;
    refused(&r, GEMMNET_E_INVALID, "all 0");
    run_close(&r);
}

/* A checkpoint refuses to continue with other weights; the same ones
 * continue. */
static void checkpoint_records_weights(void **state)
{
    (void)state;
    enum { N = 50 };
    run r;
    run_open(&r, N, 3);
    float sample[N], other[N];
    fill_weights(sample, N);
    memcpy(other, sample, sizeof other);
    other[7] += 0.25f;
    r.options.sample_weights = sample;
    r.options.epochs = 3;
    gemmnet_trainer *t;
    gemmnet_error err = {0};
    assert_int_equal(gemmnet_trainer_create(r.model, &r.data, &r.options, &t, &err), GEMMNET_OK);
    assert_int_equal(gemmnet_trainer_run(t, 2, &err), GEMMNET_OK);
    char path[] = "/tmp/gemmnet_weights_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(gemmnet_trainer_save(t, path, &err), GEMMNET_OK);
    gemmnet_trainer_destroy(t);
    const float *tries[3] = {other, NULL, sample};
    int expected[3] = {GEMMNET_E_SHAPE, GEMMNET_E_SHAPE, GEMMNET_OK};
    for (int i = 0; i < 3; i++) {
        gemmnet_model *m;
        gemmnet_checkpoint *c;
        assert_int_equal(gemmnet_checkpoint_load(path, NULL, &m, &c, &err), GEMMNET_OK);
        gemmnet_train_options o = r.options;
        o.sample_weights = tries[i];
        assert_int_equal(gemmnet_trainer_create(m, &r.data, &o, &t, &err), GEMMNET_OK);
        int status = gemmnet_trainer_restore(t, c, &err);
        assert_int_equal(status, expected[i]);
        if (status != GEMMNET_OK)
            assert_non_null(strstr(err.message, "weights"));
        gemmnet_trainer_destroy(t);
        gemmnet_checkpoint_free(c);
        gemmnet_model_destroy(m);
    }
    remove(path);
    run_close(&r);
}

/* Softmax regression W = (0, 1), b = 0 predicts class 1 for x > 0. Rows
 * x = {−1, 1, 2, −3, 5}, y = {0, 0, 1, 1, 1}: predictions {0, 1, 1, 0, 1};
 * recall ½ (class 0) and ⅔ (class 1), balanced accuracy 7/12, accuracy 3/5.
 * Counts {3/4, 1/2, class 2 absent} give (0.75 + 0.5)/2. */
static void balanced_accuracy_by_hand(void **state)
{
    (void)state;
    size_t correct[3] = {3, 1, 0}, total[3] = {4, 2, 0};
    assert_float_equal(gn_balanced_accuracy(correct, total, 3), 0.625, 1e-15);
    gemmnet_dataset d;
    assert_int_equal(gemmnet_dataset_alloc(&d, 5, 1, NULL, NULL), GEMMNET_OK);
    d.classes = 2;
    const float x[5] = {-1, 1, 2, -3, 5};
    const int32_t y[5] = {0, 0, 1, 1, 1};
    memcpy(d.x, x, sizeof x);
    memcpy(d.y, y, sizeof y);
    gemmnet_architecture arch = {.inputs = 1, .classes = 2};
    gemmnet_model *m;
    assert_int_equal(gemmnet_model_create(&arch, NULL, &m, NULL), GEMMNET_OK);
    const float p[4] = {0, 1, 0, 0};
    memcpy(m->parameters, p, sizeof p);
    gemmnet_workspace *ws;
    assert_int_equal(gemmnet_workspace_create(m, NULL, &ws, NULL), GEMMNET_OK);
    gemmnet_evaluation e;
    assert_int_equal(gemmnet_evaluate(m, ws, &d, 0.0f, GEMMNET_REDUCTION_SUM, &e, NULL),
                     GEMMNET_OK);
    assert_float_equal(e.accuracy, 0.6, 1e-12);
    assert_float_equal(e.balanced_accuracy, 7.0 / 12.0, 1e-12);
    gemmnet_workspace_destroy(ws);
    gemmnet_model_destroy(m);
    gemmnet_dataset_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gradient_sum_matches_oracle),
        cmocka_unit_test(gradient_mean_matches_oracle),
        cmocka_unit_test(integer_weights_equal_duplicated_rows),
        cmocka_unit_test(all_ones_is_bit_identical),
        cmocka_unit_test(mean_divides_by_weight_sum),
        cmocka_unit_test(balanced_class_weights),
        cmocka_unit_test(threads_agree),
        cmocka_unit_test(invalid_weights_refused),
        cmocka_unit_test(checkpoint_records_weights),
        cmocka_unit_test(balanced_accuracy_by_hand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
