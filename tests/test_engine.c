/*
 * The float32 sgemm engine against the double-precision oracle
 * (reference.c) on seeded random shapes: N from 1 to 1000, D, H, K up to 64,
 * 1–3 hidden layers, both gradient conventions.
 *
 * Both sides start from identical parameters and data: the engine's floats
 * converted exactly to double. Tolerances (float32 rounding is 6e-8; the
 * engine's tanh/exp approximations are within 2e-7; sums run over up to
 * 1000 rows and 64 features):
 *   probabilities            absolute 1e-5
 *   gradients                1e-4 of the reference gradient's max-abs
 *   the same gradient with different block sizes   1e-5 of its max-abs
 *   parameters after epochs  1e-4 of their max-abs, and the change they
 *                            underwent within 1e-3 of the change's max-abs
 *   losses                   relative 1e-5
 * The seed is fixed (override with GEMMNET_TEST_SEED=n); every failure
 * message names the case's seed and shape.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train/train.h"
#include "net/net.h"
#include "reference.h"

#define PROBABILITY_TOLERANCE 1e-5
#define GRADIENT_TOLERANCE 1e-4
#define BLOCK_GRADIENT_TOLERANCE 1e-5
#define PARAMETER_TOLERANCE 1e-4
#define PARAMETER_CHANGE_TOLERANCE 1e-3
#define LOSS_TOLERANCE 1e-5

/* Random cases per test (plus the smallest and largest shapes). */
#define RANDOM_CASES 10

/* Base seed of the run; case i uses base + i. */
static uint64_t base_seed = 20240601;

/* Largest error ratio (error / allowed) seen per quantity, for the report. */
static double worst_probability = 0.0;
static double worst_gradient = 0.0;
static double worst_block_gradient = 0.0;
static double worst_parameter = 0.0;
static double worst_change = 0.0;
static double worst_loss = 0.0;

static void note_worst(double *worst, double ratio)
{
    *worst = ratio > *worst ? ratio : *worst;
}

/* ---- cases ------------------------------------------------------------- */

/* One comparison problem: a shape, a model and the oracle's copy of its
 * parameters, data in float (engine) and double (oracle). */
typedef struct engine_case {
    /* Seed this case was generated from. */
    uint64_t seed;
    /* The oracle's view of the shape. */
    ref_net net;
    /* The engine's model; its parameters equal params exactly. */
    gemmnet_model *model;
    /* Parameters in double, [ref_parameter_count]. */
    double *params;
    /* Number of examples, N. */
    size_t n;
    /* Inputs [N×D] in float, and the same values in double. */
    float *xf;
    double *xd;
    /* Labels [N]. */
    int32_t *y;
    /* "seed S N=n D=d hidden=[..] K=k" for failure messages. */
    char name[200];
} engine_case;

/* A width in [low, high]: half the time a small one (≤ 8), where edge
 * effects of blocking and vector tails live. */
static size_t random_width(ref_rng *rng, size_t low, size_t high)
{
    size_t small = high < 8 ? high : 8;
    return ref_rng_uniform(rng) < 0.5 ? ref_rng_range(rng, low, small)
                                      : ref_rng_range(rng, low, high);
}

/* Builds case index i of a test from base_seed + i: case 0 is the smallest
 * shape (N=1, D=1, H=1, K=2), case 1 the largest (N=1000, D=64, three
 * hidden layers of 64, K=64), the rest random. */
static void case_create(engine_case *c, size_t index)
{
    memset(c, 0, sizeof *c);
    c->seed = base_seed + index;
    ref_rng rng;
    ref_rng_seed(&rng, c->seed);
    size_t inputs, classes, hidden_layers;
    size_t hidden[3];
    if (index == 0) {
        c->n = 1, inputs = 1, hidden_layers = 1, hidden[0] = 1, classes = 2;
    } else if (index == 1) {
        c->n = 1000, inputs = 64, hidden_layers = 3, classes = 64;
        hidden[0] = hidden[1] = hidden[2] = 64;
    } else {
        c->n = ref_rng_uniform(&rng) < 0.25 ? ref_rng_range(&rng, 1, 16)
                                            : ref_rng_range(&rng, 1, 1000);
        inputs = random_width(&rng, 1, 64);
        hidden_layers = ref_rng_range(&rng, 1, 3);
        for (size_t l = 0; l < hidden_layers; l++) {
            hidden[l] = random_width(&rng, 1, 64);
        }
        classes = random_width(&rng, 2, 64);
    }
    assert_int_equal(ref_net_init(&c->net, inputs, hidden_layers, hidden, classes), 0);
    char shape[128];
    ref_net_describe(&c->net, shape, sizeof shape);
    snprintf(c->name, sizeof c->name, "seed %llu N=%zu %s", (unsigned long long)c->seed, c->n,
             shape);

    int32_t widths[3];
    for (size_t l = 0; l < hidden_layers; l++) {
        widths[l] = (int32_t)hidden[l];
    }
    gemmnet_architecture arch = {
        .inputs = (int32_t)inputs,
        .classes = (int32_t)classes,
        .hidden_layers = (int32_t)hidden_layers,
        .hidden = widths,
        .activations = NULL,
    };
    gemmnet_error err = {0};
    int status = gemmnet_model_create(&arch, NULL, &c->model, &err);
    if (status != GEMMNET_OK) {
        fail_msg("gemmnet_model_create failed (%s: %s) for %s", gemmnet_strerror(status),
                 err.message, c->name);
    }
    size_t count = ref_parameter_count(&c->net);
    if (c->model->parameter_count != count) {
        fail_msg("engine has %zu parameters, reference %zu, for %s", c->model->parameter_count,
                 count, c->name);
    }
    c->params = malloc(count * sizeof(double));
    c->xf = malloc(c->n * inputs * sizeof(float));
    c->xd = malloc(c->n * inputs * sizeof(double));
    c->y = malloc(c->n * sizeof(int32_t));
    assert_non_null(c->params);
    assert_non_null(c->xf);
    assert_non_null(c->xd);
    assert_non_null(c->y);
    /* Draw in double, round to float for the engine, and give the oracle
     * the rounded values so both start from the same point. */
    ref_random_parameters(&c->net, &rng, 1.0, c->params);
    for (size_t i = 0; i < count; i++) {
        c->model->parameters[i] = (float)c->params[i];
        c->params[i] = (double)c->model->parameters[i];
    }
    for (size_t i = 0; i < c->n * inputs; i++) {
        c->xf[i] = (float)ref_rng_normal(&rng);
        c->xd[i] = (double)c->xf[i];
    }
    for (size_t i = 0; i < c->n; i++) {
        c->y[i] = (int32_t)ref_rng_range(&rng, 0, classes - 1);
    }
}

static void case_destroy(engine_case *c)
{
    gemmnet_model_destroy(c->model);
    free(c->params);
    free(c->xf);
    free(c->xd);
    free(c->y);
}

/* Number of cases each test runs. */
static size_t case_count(void)
{
    return 2 + RANDOM_CASES;
}

static const char *reduction_name(int reduction)
{
    return reduction == REF_REDUCTION_SUM ? "sum" : "mean";
}

static double max_abs(const double *v, size_t n)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++) {
        m = fabs(v[i]) > m ? fabs(v[i]) : m;
    }
    return m;
}

/* Index of the largest |a_i − b_i|; its value goes to *difference. */
static size_t worst_difference(const float *a, const double *b, size_t n, double *difference)
{
    size_t worst = 0;
    *difference = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - b[i]);
        if (d > *difference || isnan(d)) {
            *difference = isnan(d) ? INFINITY : d;
            worst = i;
        }
    }
    return worst;
}

/* ---- engine helpers ---------------------------------------------------- */

static gemmnet_workspace *training_workspace(const engine_case *c, size_t block_rows)
{
    gemmnet_workspace *ws = NULL;
    gemmnet_error err = {0};
    int status = gn_workspace_create(c->model, block_rows, true, NULL, &ws, &err);
    if (status != GEMMNET_OK) {
        fail_msg("gn_workspace_create(block_rows=%zu) failed (%s: %s) for %s", block_rows,
                 gemmnet_strerror(status), err.message, c->name);
    }
    return ws;
}

/* probs[N×K] by gn_forward in blocks of block_rows rows; returns the CE
 * sum gn_forward reports. */
static double engine_forward(const engine_case *c, size_t block_rows, float *probs)
{
    gemmnet_workspace *ws = training_workspace(c, block_rows);
    size_t D = c->net.width[0];
    size_t K = c->net.width[c->net.layers];
    double ce = 0.0;
    for (size_t start = 0; start < c->n; start += block_rows) {
        size_t rows = c->n - start < block_rows ? c->n - start : block_rows;
        ce += gn_forward(c->model, ws, c->xf + start * D, c->y + start, rows);
        memcpy(probs + start * K, ws->act[c->net.layers], rows * K * sizeof(float));
    }
    gemmnet_workspace_destroy(ws);
    return ce;
}

/* grad = ∇ΣCE (sum, scale 1) or ∇ΣCE/N (mean, scale 1/N), accumulated over
 * blocks of block_rows rows; returns the CE sum of the forward passes. */
static double engine_gradient(const engine_case *c, size_t block_rows, int reduction, float *grad)
{
    gemmnet_workspace *ws = training_workspace(c, block_rows);
    size_t D = c->net.width[0];
    float scale = reduction == REF_REDUCTION_SUM ? 1.0f : (float)(1.0 / (double)c->n);
    double ce = 0.0;
    for (size_t start = 0; start < c->n; start += block_rows) {
        size_t rows = c->n - start < block_rows ? c->n - start : block_rows;
        ce += gn_forward(c->model, ws, c->xf + start * D, c->y + start, rows);
        gn_backward(c->model, ws, c->xf + start * D, c->y + start, rows, scale, start > 0, grad);
    }
    gemmnet_workspace_destroy(ws);
    return ce;
}

/* A data set holding the case's rows (x copied, K = the model's classes). */
static void case_dataset(const engine_case *c, gemmnet_dataset *data)
{
    gemmnet_error err = {0};
    size_t D = c->net.width[0];
    int status = gemmnet_dataset_alloc(data, c->n, D, NULL, &err);
    if (status != GEMMNET_OK) {
        fail_msg("gemmnet_dataset_alloc failed (%s: %s) for %s", gemmnet_strerror(status),
                 err.message, c->name);
    }
    data->classes = (int32_t)c->net.width[c->net.layers];
    memcpy(data->x, c->xf, c->n * D * sizeof(float));
    memcpy(data->y, c->y, c->n * sizeof(int32_t));
}

/* ---- tests --------------------------------------------------------------- */

static void test_parameter_layout_matches_reference(void **state)
{
    (void)state;
    for (size_t i = 0; i < case_count(); i++) {
        engine_case c;
        case_create(&c, i);
        for (size_t l = 1; l <= c.net.layers; l++) {
            float *W = gemmnet_model_weights(c.model, (int32_t)l);
            float *b = gemmnet_model_biases(c.model, (int32_t)l);
            if (W != c.model->parameters + ref_weight_offset(&c.net, l) ||
                b != c.model->parameters + ref_bias_offset(&c.net, l)) {
                fail_msg("layer %zu: W at %td, b at %td; the layout W_1 b_1 W_2 b_2 … puts them at "
                         "%zu and "
                         "%zu, for %s",
                         l, W - c.model->parameters, b - c.model->parameters,
                         ref_weight_offset(&c.net, l), ref_bias_offset(&c.net, l), c.name);
            }
        }
        case_destroy(&c);
    }
}

static void test_forward_matches_reference_probabilities(void **state)
{
    (void)state;
    for (size_t i = 0; i < case_count(); i++) {
        engine_case c;
        case_create(&c, i);
        size_t K = c.net.width[c.net.layers];
        float *probs = malloc(c.n * K * sizeof(float));
        double *expected = malloc(c.n * K * sizeof(double));
        assert_non_null(probs);
        assert_non_null(expected);
        double ce = engine_forward(&c, c.n, probs);
        assert_int_equal(ref_forward(&c.net, c.params, c.xd, c.n, expected), 0);
        double difference;
        size_t worst = worst_difference(probs, expected, c.n * K, &difference);
        note_worst(&worst_probability, difference / PROBABILITY_TOLERANCE);
        if (!(difference <= PROBABILITY_TOLERANCE)) {
            fail_msg("probability [row %zu, class %zu] is %.9g, reference %.9g (|diff| %.3g > %g) "
                     "for %s",
                     worst / K, worst % K, (double)probs[worst], expected[worst], difference,
                     PROBABILITY_TOLERANCE, c.name);
        }
        double ce_expected = ref_cross_entropy_sum(&c.net, c.params, c.xd, c.y, c.n);
        double ce_error = fabs(ce - ce_expected) / fmax(fabs(ce_expected), 1e-300);
        note_worst(&worst_loss, ce_error / LOSS_TOLERANCE);
        if (!(ce_error <= LOSS_TOLERANCE)) {
            fail_msg(
                "gn_forward's cross-entropy sum %.9g, reference %.9g (relative %.3g > %g) for %s",
                ce, ce_expected, ce_error, LOSS_TOLERANCE, c.name);
        }
        free(probs);
        free(expected);
        case_destroy(&c);
    }
}

static void test_predict_proba_equals_forward(void **state)
{
    (void)state;
    for (size_t i = 0; i < case_count(); i++) {
        engine_case c;
        case_create(&c, i);
        size_t K = c.net.width[c.net.layers];
        float *forward = malloc(c.n * K * sizeof(float));
        float *proba = malloc(c.n * K * sizeof(float));
        double *forward_double = malloc(c.n * K * sizeof(double));
        assert_non_null(forward);
        assert_non_null(proba);
        assert_non_null(forward_double);
        engine_forward(&c, c.n, forward);
        for (size_t j = 0; j < c.n * K; j++) {
            forward_double[j] = (double)forward[j];
        }
        gemmnet_workspace *ws = NULL;
        gemmnet_error err = {0};
        int status = gemmnet_workspace_create(c.model, NULL, &ws, &err);
        if (status != GEMMNET_OK) {
            fail_msg("gemmnet_workspace_create failed (%s: %s) for %s", gemmnet_strerror(status),
                     err.message, c.name);
        }
        status = gemmnet_predict_proba(c.model, ws, c.xf, c.n, proba, NULL);
        if (status != GEMMNET_OK) {
            fail_msg("gemmnet_predict_proba returned %s for %s", gemmnet_strerror(status), c.name);
        }
        /* Blocking may differ, so allow float rounding, not more. */
        double difference;
        size_t worst = worst_difference(proba, forward_double, c.n * K, &difference);
        if (!(difference <= 1e-6)) {
            fail_msg("predict_proba [row %zu, class %zu] is %.9g, gn_forward gave %.9g (|diff| "
                     "%.3g > 1e-6) "
                     "for %s",
                     worst / K, worst % K, (double)proba[worst], forward_double[worst], difference,
                     c.name);
        }
        gemmnet_workspace_destroy(ws);
        free(forward);
        free(proba);
        free(forward_double);
        case_destroy(&c);
    }
}

/* Engine gradient (block_rows rows per block) against the reference's CE
 * gradient (λ = 0: gn_backward leaves λW to the update). */
static void expect_gradient_matches(engine_case *c, size_t block_rows, int reduction, float *grad)
{
    size_t count = ref_parameter_count(&c->net);
    double *expected = malloc(count * sizeof(double));
    assert_non_null(expected);
    ref_gradient(&c->net, c->params, c->xd, c->y, c->n, 0.0, reduction, expected);
    engine_gradient(c, block_rows, reduction, grad);
    double scale = max_abs(expected, count);
    if (!(scale > 1e-6)) {
        fail_msg("reference gradient is (nearly) zero (max-abs %g) for %s %s: the comparison would "
                 "prove "
                 "nothing",
                 scale, c->name, reduction_name(reduction));
    }
    double difference;
    size_t worst = worst_difference(grad, expected, count, &difference);
    note_worst(&worst_gradient, difference / (GRADIENT_TOLERANCE * scale));
    if (!(difference <= GRADIENT_TOLERANCE * scale)) {
        fail_msg("gradient parameter %zu of %zu is %.9g, reference %.9g (|diff| %.3g > %g·max-abs "
                 "%.3g) with "
                 "block_rows=%zu for %s %s",
                 worst, count, (double)grad[worst], expected[worst], difference, GRADIENT_TOLERANCE,
                 scale, block_rows, c->name, reduction_name(reduction));
    }
    free(expected);
}

static void test_gradient_matches_reference(void **state)
{
    (void)state;
    for (size_t i = 0; i < case_count(); i++) {
        engine_case c;
        case_create(&c, i);
        float *grad = malloc(c.model->parameter_count * sizeof(float));
        assert_non_null(grad);
        for (int reduction = REF_REDUCTION_SUM; reduction <= REF_REDUCTION_MEAN; reduction++) {
            expect_gradient_matches(&c, c.n, reduction, grad);
        }
        free(grad);
        case_destroy(&c);
    }
}

/* Accumulating over blocks of 1, 7 or N rows gives the same gradient (up to
 * float summation order), and each matches the reference. */
static void test_gradient_is_independent_of_block_rows(void **state)
{
    (void)state;
    for (size_t i = 0; i < case_count(); i++) {
        engine_case c;
        case_create(&c, i);
        size_t count = c.model->parameter_count;
        const size_t blocks[3] = {1, 7, c.n};
        float *grads[3];
        for (size_t b = 0; b < 3; b++) {
            grads[b] = malloc(count * sizeof(float));
            assert_non_null(grads[b]);
        }
        int reduction = i % 2 == 0 ? REF_REDUCTION_SUM : REF_REDUCTION_MEAN;
        for (size_t b = 0; b < 3; b++) {
            expect_gradient_matches(&c, blocks[b], reduction, grads[b]);
        }
        double *whole = malloc(count * sizeof(double));
        assert_non_null(whole);
        for (size_t j = 0; j < count; j++) {
            whole[j] = (double)grads[2][j];
        }
        double scale = max_abs(whole, count);
        for (size_t b = 0; b < 2; b++) {
            double difference;
            size_t worst = worst_difference(grads[b], whole, count, &difference);
            note_worst(&worst_block_gradient, difference / (BLOCK_GRADIENT_TOLERANCE * scale));
            if (!(difference <= BLOCK_GRADIENT_TOLERANCE * scale)) {
                fail_msg("gradient parameter %zu is %.9g with block_rows=%zu but %.9g with "
                         "block_rows=N (|diff| "
                         "%.3g > %g·max-abs %.3g) for %s %s",
                         worst, (double)grads[b][worst], blocks[b], whole[worst], difference,
                         BLOCK_GRADIENT_TOLERANCE, scale, c.name, reduction_name(reduction));
            }
        }
        for (size_t b = 0; b < 3; b++) {
            free(grads[b]);
        }
        free(whole);
        case_destroy(&c);
    }
}

/* Compares the model's parameters with params (and the change since
 * start[] with the reference's change since start). */
static void expect_parameters_match(const engine_case *c, const double *start, const char *what)
{
    size_t count = ref_parameter_count(&c->net);
    double *change = malloc(count * sizeof(double));
    float *engine_change = malloc(count * sizeof(float));
    assert_non_null(change);
    assert_non_null(engine_change);
    for (size_t j = 0; j < count; j++) {
        change[j] = c->params[j] - start[j];
        engine_change[j] = (float)((double)c->model->parameters[j] - start[j]);
    }
    double scale = max_abs(c->params, count);
    double difference;
    size_t worst = worst_difference(c->model->parameters, c->params, count, &difference);
    note_worst(&worst_parameter, difference / (PARAMETER_TOLERANCE * scale));
    if (!(difference <= PARAMETER_TOLERANCE * scale)) {
        fail_msg(
            "after %s parameter %zu is %.9g, reference %.9g (|diff| %.3g > %g·max-abs %.3g) for %s",
            what, worst, (double)c->model->parameters[worst], c->params[worst], difference,
            PARAMETER_TOLERANCE, scale, c->name);
    }
    /* The parameters barely move in a few epochs, so compare the moves too:
     * an engine that skipped the update would pass the check above. */
    double change_scale = max_abs(change, count);
    if (!(change_scale > 1e-4)) {
        fail_msg(
            "the reference barely moved (max change %.3g) after %s for %s: raise the learning rate",
            change_scale, what, c->name);
    }
    worst = worst_difference(engine_change, change, count, &difference);
    note_worst(&worst_change, difference / (PARAMETER_CHANGE_TOLERANCE * change_scale));
    if (!(difference <= PARAMETER_CHANGE_TOLERANCE * change_scale)) {
        fail_msg("after %s parameter %zu moved by %.9g, the reference by %.9g (|diff| %.3g > "
                 "%g·max-abs %.3g) "
                 "for %s",
                 what, worst, (double)engine_change[worst], change[worst], difference,
                 PARAMETER_CHANGE_TOLERANCE, change_scale, c->name);
    }
    free(change);
    free(engine_change);
}

/* Step sizes giving both conventions the same effective step: the summed
 * gradient is N times the mean one. */
static float learning_rate_for(const engine_case *c, int reduction)
{
    return reduction == REF_REDUCTION_SUM ? (float)(0.2 / (double)c->n) : 0.2f;
}

static void test_gradient_descent_step_matches_reference(void **state)
{
    (void)state;
    for (size_t i = 0; i < case_count(); i++) {
        engine_case c;
        case_create(&c, i);
        size_t count = c.model->parameter_count;
        int reduction = i % 2 == 0 ? REF_REDUCTION_MEAN : REF_REDUCTION_SUM;
        float learning_rate = learning_rate_for(&c, reduction);
        float l2 = 0.05f;
        double *start = malloc(count * sizeof(double));
        float *grad = malloc(count * sizeof(float));
        assert_non_null(start);
        assert_non_null(grad);
        memcpy(start, c.params, count * sizeof(double));
        engine_gradient(&c, c.n, reduction, grad);
        gn_update_gd(c.model, grad, learning_rate, l2);
        double loss = ref_train_epoch(&c.net, c.params, c.xd, c.y, c.n, (double)learning_rate,
                                      (double)l2, reduction);
        assert_true(isfinite(loss));
        char what[64];
        snprintf(what, sizeof what, "one gn_update_gd step (%s, lambda %g)",
                 reduction_name(reduction), (double)l2);
        expect_parameters_match(&c, start, what);
        free(start);
        free(grad);
        case_destroy(&c);
    }
}

static void test_train_matches_reference_epochs(void **state)
{
    (void)state;
    for (size_t i = 0; i < case_count(); i++) {
        engine_case c;
        case_create(&c, i);
        size_t count = c.model->parameter_count;
        int reduction = i % 2 == 0 ? REF_REDUCTION_SUM : REF_REDUCTION_MEAN;
        gemmnet_train_options options;
        gemmnet_train_options_init(&options);
        options.epochs = 5;
        options.learning_rate = learning_rate_for(&c, reduction);
        options.l2 = 0.02f;
        options.reduction =
            reduction == REF_REDUCTION_SUM ? GEMMNET_REDUCTION_SUM : GEMMNET_REDUCTION_MEAN;
        options.report_every = 0;
        options.progress = NULL;
        /* Automatic blocks on even cases, an awkward block size on odd. */
        options.block_rows = i % 2 == 0 ? 0 : 7;
        gemmnet_dataset data;
        case_dataset(&c, &data);
        double *start = malloc(count * sizeof(double));
        assert_non_null(start);
        memcpy(start, c.params, count * sizeof(double));

        gemmnet_error err = {0};
        int status = gemmnet_train(c.model, &data, &options, &err);
        if (status != GEMMNET_OK) {
            fail_msg("gemmnet_train failed (%s: %s) for %s", gemmnet_strerror(status), err.message,
                     c.name);
        }
        for (int32_t epoch = 0; epoch < options.epochs; epoch++) {
            double loss =
                ref_train_epoch(&c.net, c.params, c.xd, c.y, c.n, (double)options.learning_rate,
                                (double)options.l2, reduction);
            assert_true(isfinite(loss));
        }
        char what[96];
        snprintf(what, sizeof what,
                 "5 epochs of gemmnet_train (%s, lr %g, lambda %g, block_rows %zu)",
                 reduction_name(reduction), (double)options.learning_rate, (double)options.l2,
                 options.block_rows);
        expect_parameters_match(&c, start, what);
        free(start);
        gemmnet_dataset_free(&data);
        case_destroy(&c);
    }
}

static void test_evaluate_matches_reference_loss(void **state)
{
    (void)state;
    for (size_t i = 0; i < case_count(); i++) {
        engine_case c;
        case_create(&c, i);
        gemmnet_dataset data;
        case_dataset(&c, &data);
        gemmnet_workspace *ws = NULL;
        gemmnet_error err = {0};
        int status = gemmnet_workspace_create(c.model, NULL, &ws, &err);
        if (status != GEMMNET_OK) {
            fail_msg("gemmnet_workspace_create failed (%s: %s) for %s", gemmnet_strerror(status),
                     err.message, c.name);
        }
        const float l2 = 0.03f;
        for (int reduction = REF_REDUCTION_SUM; reduction <= REF_REDUCTION_MEAN; reduction++) {
            gemmnet_evaluation result;
            status = gemmnet_evaluate(c.model, ws, &data, l2,
                                      reduction == REF_REDUCTION_SUM ? GEMMNET_REDUCTION_SUM
                                                                     : GEMMNET_REDUCTION_MEAN,
                                      &result, NULL);
            if (status != GEMMNET_OK) {
                fail_msg("gemmnet_evaluate returned %s for %s", gemmnet_strerror(status), c.name);
            }
            double loss = ref_loss(&c.net, c.params, c.xd, c.y, c.n, (double)l2, reduction);
            double ce = ref_cross_entropy_sum(&c.net, c.params, c.xd, c.y, c.n) / (double)c.n;
            double loss_error = fabs(result.loss - loss) / loss;
            double ce_error = fabs(result.cross_entropy - ce) / ce;
            note_worst(&worst_loss, fmax(loss_error, ce_error) / LOSS_TOLERANCE);
            if (!(loss_error <= LOSS_TOLERANCE && ce_error <= LOSS_TOLERANCE)) {
                fail_msg("gemmnet_evaluate: loss %.9g (reference %.9g), cross-entropy %.9g "
                         "(reference %.9g); "
                         "relative errors %.3g and %.3g > %g, for %s %s lambda %g",
                         result.loss, loss, result.cross_entropy, ce, loss_error, ce_error,
                         LOSS_TOLERANCE, c.name, reduction_name(reduction), (double)l2);
            }
        }
        /* Correct counts agree except on rows whose top two classes are
         * closer than float rounding can separate. */
        size_t K = c.net.width[c.net.layers];
        double *probs = malloc(c.n * K * sizeof(double));
        assert_non_null(probs);
        assert_int_equal(ref_forward(&c.net, c.params, c.xd, c.n, probs), 0);
        size_t ambiguous = 0;
        for (size_t r = 0; r < c.n; r++) {
            double first = -1.0, second = -1.0;
            for (size_t k = 0; k < K; k++) {
                double p = probs[r * K + k];
                if (p > first) {
                    second = first, first = p;
                } else if (p > second) {
                    second = p;
                }
            }
            ambiguous += first - second < PROBABILITY_TOLERANCE ? 1 : 0;
        }
        size_t correct;
        ref_accuracy(&c.net, c.params, c.xd, c.y, c.n, &correct);
        gemmnet_evaluation result;
        status = gemmnet_evaluate(c.model, ws, &data, l2, GEMMNET_REDUCTION_SUM, &result, NULL);
        assert_int_equal(status, GEMMNET_OK);
        size_t apart =
            result.correct > correct ? result.correct - correct : correct - result.correct;
        if (apart > ambiguous) {
            fail_msg("gemmnet_evaluate counts %zu correct, the reference %zu (only %zu near-ties) "
                     "for %s",
                     result.correct, correct, ambiguous, c.name);
        }
        if (!(fabs(result.accuracy - (double)result.correct / (double)c.n) < 1e-12)) {
            fail_msg("accuracy %.17g is not correct/N = %zu/%zu for %s", result.accuracy,
                     result.correct, c.n, c.name);
        }
        free(probs);
        gemmnet_workspace_destroy(ws);
        gemmnet_dataset_free(&data);
        case_destroy(&c);
    }
}

/* Not a check: prints the worst error ratios so tolerances can be judged. */
static void test_report_worst_errors(void **state)
{
    (void)state;
    print_message(
        "worst error / tolerance: probabilities %.3g, gradients %.3g, block gradients %.3g, "
        "parameters %.3g, parameter changes %.3g, losses %.3g (base seed %llu)\n",
        worst_probability, worst_gradient, worst_block_gradient, worst_parameter, worst_change,
        worst_loss, (unsigned long long)base_seed);
}

int main(void)
{
    const char *seed = getenv("GEMMNET_TEST_SEED");
    if (seed != NULL && *seed != '\0') {
        base_seed = strtoull(seed, NULL, 10);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parameter_layout_matches_reference),
        cmocka_unit_test(test_forward_matches_reference_probabilities),
        cmocka_unit_test(test_predict_proba_equals_forward),
        cmocka_unit_test(test_gradient_matches_reference),
        cmocka_unit_test(test_gradient_is_independent_of_block_rows),
        cmocka_unit_test(test_gradient_descent_step_matches_reference),
        cmocka_unit_test(test_train_matches_reference_epochs),
        cmocka_unit_test(test_evaluate_matches_reference_loss),
        cmocka_unit_test(test_report_worst_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
