/*
 * Tests of the oracle itself (reference.c), so that the engine tests can
 * trust it: its gradient against central differences of its own loss, its
 * numerical stability, its wiring on a hand-computed example, and the
 * tutorial's printed numbers reproduced in double precision.
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

#include "reference.h"

/* ---- central differences ------------------------------------------------ */

/* Step of the central difference. Its truncation error is h²/6·f''' (about
 * 2e-11·f''') and its rounding error about 1e-16·|f|/h (1e-11·|f|), both far
 * below the tolerance for the objectives used here (|f| ≲ 50). */
#define FD_STEP 1e-5
/* Each component must agree to this relative error... */
#define FD_RELATIVE_TOLERANCE 1e-6
/* ...measured against max(|fd_i|, FD_FLOOR·‖fd‖∞), so that components near
 * zero are held to 1e-8 of the gradient's scale rather than to 1e-6 of
 * themselves (which rounding in the difference cannot meet). */
#define FD_FLOOR 1e-2

/* One gradient-check problem: a shape, parameters, data and a convention. */
typedef struct check_case {
    /* Network shape. */
    ref_net net;
    /* Parameters [ref_parameter_count]. */
    double *params;
    /* Inputs [n×D]. */
    double *x;
    /* Labels [n]. */
    int32_t *y;
    /* Number of examples. */
    size_t n;
    /* L2 strength λ. */
    double l2;
    /* REF_REDUCTION_SUM or REF_REDUCTION_MEAN. */
    int reduction;
    /* Printable description of the case for failure messages. */
    char name[160];
} check_case;

static void describe_case(check_case *c, uint64_t seed)
{
    char shape[96];
    ref_net_describe(&c->net, shape, sizeof shape);
    snprintf(c->name, sizeof c->name, "seed %llu N=%zu %s lambda=%g %s", (unsigned long long)seed,
             c->n, shape, c->l2, c->reduction == REF_REDUCTION_SUM ? "sum" : "mean");
}

/* A random problem of the given depth, class count and convention; every
 * label in [0, K) appears in the data when n ≥ K. */
static void make_case(
    check_case *c, uint64_t seed, size_t hidden_layers, size_t classes, double l2, int reduction)
{
    ref_rng rng;
    ref_rng_seed(&rng, seed);
    size_t hidden[REF_MAX_LAYERS];
    for (size_t l = 0; l < hidden_layers; l++) {
        hidden[l] = ref_rng_range(&rng, 1, 6);
    }
    size_t inputs = ref_rng_range(&rng, 1, 5);
    assert_int_equal(ref_net_init(&c->net, inputs, hidden_layers, hidden, classes), 0);
    c->n = ref_rng_range(&rng, 1, 12);
    c->l2 = l2;
    c->reduction = reduction;
    size_t count = ref_parameter_count(&c->net);
    c->params = malloc(count * sizeof(double));
    c->x = malloc(c->n * inputs * sizeof(double));
    c->y = malloc(c->n * sizeof(int32_t));
    assert_non_null(c->params);
    assert_non_null(c->x);
    assert_non_null(c->y);
    /* Scale 1.5 puts the tanh units in their curved range, not the linear. */
    ref_random_parameters(&c->net, &rng, 1.5, c->params);
    for (size_t i = 0; i < c->n * inputs; i++) {
        c->x[i] = ref_rng_normal(&rng);
    }
    for (size_t i = 0; i < c->n; i++) {
        c->y[i] = (int32_t)(i < classes ? i : ref_rng_range(&rng, 0, classes - 1));
    }
    describe_case(c, seed);
}

static void free_case(check_case *c)
{
    free(c->params);
    free(c->x);
    free(c->y);
}

/* fd[count] = central differences of ref_objective at c->params. */
static void central_differences(check_case *c, double *fd)
{
    size_t count = ref_parameter_count(&c->net);
    for (size_t i = 0; i < count; i++) {
        double saved = c->params[i];
        c->params[i] = saved + FD_STEP;
        double up = ref_objective(&c->net, c->params, c->x, c->y, c->n, c->l2, c->reduction);
        c->params[i] = saved - FD_STEP;
        double down = ref_objective(&c->net, c->params, c->x, c->y, c->n, c->l2, c->reduction);
        c->params[i] = saved;
        fd[i] = (up - down) / (2.0 * FD_STEP);
    }
}

static double max_abs(const double *v, size_t n)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++) {
        m = fabs(v[i]) > m ? fabs(v[i]) : m;
    }
    return m;
}

/* Worst ratio, over components, of |grad_i − fd_i| to the allowed error
 * FD_RELATIVE_TOLERANCE·max(|fd_i|, FD_FLOOR·‖fd‖∞); ≤ 1 means agreement.
 * The index of the worst component goes to *worst. An all-zero fd (which
 * the callers rule out first) gives an infinite ratio unless grad is zero. */
static double
gradient_error_ratio(const double *grad, const double *fd, size_t count, size_t *worst)
{
    double scale = max_abs(fd, count);
    double ratio = 0.0;
    *worst = 0;
    for (size_t i = 0; i < count; i++) {
        double reference = fabs(fd[i]) > FD_FLOOR * scale ? fabs(fd[i]) : FD_FLOOR * scale;
        double error = fabs(grad[i] - fd[i]);
        double r = error == 0.0 ? 0.0 : error / (FD_RELATIVE_TOLERANCE * reference);
        if (r > ratio || isnan(r)) {
            ratio = isnan(r) ? INFINITY : r;
            *worst = i;
        }
    }
    return ratio;
}

/* Largest error ratio seen by the positive check, reported at the end. */
static double worst_ratio_seen = 0.0;

static void
check_gradient(uint64_t seed, size_t hidden_layers, size_t classes, double l2, int reduction)
{
    check_case c;
    make_case(&c, seed, hidden_layers, classes, l2, reduction);
    size_t count = ref_parameter_count(&c.net);
    double *grad = malloc(count * sizeof(double));
    double *fd = malloc(count * sizeof(double));
    assert_non_null(grad);
    assert_non_null(fd);

    double loss = ref_gradient(&c.net, c.params, c.x, c.y, c.n, l2, reduction, grad);
    central_differences(&c, fd);
    if (!isfinite(loss)) {
        fail_msg("ref_gradient returned a non-finite loss %g for %s", loss, c.name);
    }
    /* A check that a zero gradient could pass would prove nothing. */
    if (!(max_abs(grad, count) > 1e-3 && max_abs(fd, count) > 1e-3)) {
        fail_msg("gradient is (nearly) zero for %s: max|grad| = %g, max|fd| = %g", c.name,
                 max_abs(grad, count), max_abs(fd, count));
    }
    size_t worst;
    double ratio = gradient_error_ratio(grad, fd, count, &worst);
    if (!(ratio <= 1.0)) {
        fail_msg("gradient disagrees with central differences for %s: parameter %zu of %zu has "
                 "grad %.12g vs fd %.12g (%.3g times the tolerance %g)",
                 c.name, worst, count, grad[worst], fd[worst], ratio, FD_RELATIVE_TOLERANCE);
    }
    worst_ratio_seen = ratio > worst_ratio_seen ? ratio : worst_ratio_seen;
    free(grad);
    free(fd);
    free_case(&c);
}

static void test_gradient_matches_central_differences(void **state)
{
    (void)state;
    const double l2s[2] = {0.0, 0.3};
    uint64_t seed = 1000;
    /* 0–3 hidden layers × K = 2..5 × both conventions × λ = 0 and λ > 0. */
    for (size_t hidden_layers = 0; hidden_layers <= 3; hidden_layers++) {
        for (size_t classes = 2; classes <= 5; classes++) {
            for (int reduction = REF_REDUCTION_SUM; reduction <= REF_REDUCTION_MEAN; reduction++) {
                for (size_t i = 0; i < 2; i++) {
                    check_gradient(seed++, hidden_layers, classes, l2s[i], reduction);
                }
            }
        }
    }
    print_message("worst gradient error: %.3g of the tolerance (relative %g)\n", worst_ratio_seen,
                  FD_RELATIVE_TOLERANCE);
}

/* The check must fail for gradients that are wrong in the ways that matter:
 * all zero, missing λW, averaged when they should be summed, or off by a
 * small relative amount in one component. */
static void test_gradient_check_rejects_wrong_gradients(void **state)
{
    (void)state;
    for (int reduction = REF_REDUCTION_SUM; reduction <= REF_REDUCTION_MEAN; reduction++) {
        check_case c;
        make_case(&c, 77, 2, 3, 0.3, reduction);
        size_t count = ref_parameter_count(&c.net);
        double *grad = malloc(count * sizeof(double));
        double *wrong = malloc(count * sizeof(double));
        double *fd = malloc(count * sizeof(double));
        assert_non_null(grad);
        assert_non_null(wrong);
        assert_non_null(fd);
        central_differences(&c, fd);
        size_t worst;

        ref_gradient(&c.net, c.params, c.x, c.y, c.n, c.l2, reduction, grad);
        if (!(gradient_error_ratio(grad, fd, count, &worst) <= 1.0)) {
            fail_msg("the correct gradient failed the check for %s", c.name);
        }

        memset(wrong, 0, count * sizeof(double));
        if (gradient_error_ratio(wrong, fd, count, &worst) <= 1.0) {
            fail_msg("an all-zero gradient passed the check for %s", c.name);
        }

        /* Drop the L2 term: the gradient of λ = 0 against the λ objective. */
        ref_gradient(&c.net, c.params, c.x, c.y, c.n, 0.0, reduction, wrong);
        if (gradient_error_ratio(wrong, fd, count, &worst) <= 1.0) {
            fail_msg("a gradient without the L2 term passed the check for %s", c.name);
        }

        /* The other convention's gradient (scaled by N or 1/N). */
        int other = reduction == REF_REDUCTION_SUM ? REF_REDUCTION_MEAN : REF_REDUCTION_SUM;
        ref_gradient(&c.net, c.params, c.x, c.y, c.n, c.l2, other, wrong);
        if (c.n > 1 && gradient_error_ratio(wrong, fd, count, &worst) <= 1.0) {
            fail_msg("the %s-convention gradient passed the check for %s",
                     other == REF_REDUCTION_SUM ? "sum" : "mean", c.name);
        }

        /* One component off by 1e-5 relative (ten times the tolerance). */
        memcpy(wrong, grad, count * sizeof(double));
        size_t largest = 0;
        for (size_t i = 1; i < count; i++) {
            largest = fabs(grad[i]) > fabs(grad[largest]) ? i : largest;
        }
        wrong[largest] *= 1.0 + 1e-5;
        if (gradient_error_ratio(wrong, fd, count, &worst) <= 1.0) {
            fail_msg("a gradient with parameter %zu off by 1e-5 relative passed the check for %s",
                     largest, c.name);
        }
        free(grad);
        free(wrong);
        free(fd);
        free_case(&c);
    }
}

/* ---- forward pass -------------------------------------------------------- */

/* D = 1, H = 1, K = 2 worked by hand, checking the parameter layout
 * W_1 b_1 W_2 b_2 and the wiring of every stage. */
static void test_forward_matches_hand_computation(void **state)
{
    (void)state;
    ref_net net;
    const size_t hidden[1] = {1};
    assert_int_equal(ref_net_init(&net, 1, 1, hidden, 2), 0);
    assert_int_equal(ref_parameter_count(&net), 6);
    /* W_1 = [2], b_1 = [0.5], W_2 = [1, −1], b_2 = [0, 0.25] */
    const double params[6] = {2.0, 0.5, 1.0, -1.0, 0.0, 0.25};
    const double x[1] = {0.3};
    const int32_t y[1] = {1};
    double a = tanh(2.0 * 0.3 + 0.5);
    double z0 = a, z1 = -a + 0.25;
    double p1 = exp(z1) / (exp(z0) + exp(z1));
    double probs[2];
    assert_int_equal(ref_forward(&net, params, x, 1, probs), 0);
    if (!(fabs(probs[1] - p1) < 1e-15 && fabs(probs[0] - (1.0 - p1)) < 1e-15)) {
        fail_msg("probabilities (%.17g, %.17g), expected (%.17g, %.17g)", probs[0], probs[1],
                 1.0 - p1, p1);
    }
    /* Loss (sum, λ = 0.5): (−log p1 + 0.25·(4 + 1 + 1)) / 1. */
    double loss = ref_loss(&net, params, x, y, 1, 0.5, REF_REDUCTION_SUM);
    double expected = -log(p1) + 0.25 * 6.0;
    if (!(fabs(loss - expected) < 1e-14)) {
        fail_msg("loss %.17g, expected %.17g", loss, expected);
    }
}

static void test_softmax_is_stable_for_large_logits(void **state)
{
    (void)state;
    /* Softmax regression with logits (1e4, −1e4, 0) for x = 1 and their
     * negatives for x = −1. */
    ref_net net;
    assert_int_equal(ref_net_init(&net, 1, 0, NULL, 3), 0);
    const double params[6] = {1e4, -1e4, 0.0, 0.0, 0.0, 0.0};
    const double x[2] = {1.0, -1.0};
    const int32_t y[2] = {1, 0};
    double probs[6];
    assert_int_equal(ref_forward(&net, params, x, 2, probs), 0);
    for (size_t i = 0; i < 6; i++) {
        if (!isfinite(probs[i])) {
            fail_msg("probability %zu is %g for logits of ±1e4", i, probs[i]);
        }
    }
    if (!(probs[0] == 1.0 && probs[1] == 0.0 && probs[2] == 0.0 && probs[4] == 1.0)) {
        fail_msg("probabilities (%g %g %g | %g %g %g), expected (1 0 0 | 0 1 0)", probs[0],
                 probs[1], probs[2], probs[3], probs[4], probs[5]);
    }
    /* Both rows pick the least likely class: CE = 2e4 each, exactly. */
    double loss = ref_loss(&net, params, x, y, 2, 0.0, REF_REDUCTION_MEAN);
    if (!(fabs(loss - 2e4) < 1e-9)) {
        fail_msg("mean cross-entropy %.17g for logits of ±1e4, expected 2e4", loss);
    }
    double grad[6];
    ref_gradient(&net, params, x, y, 2, 0.0, REF_REDUCTION_SUM, grad);
    /* dZ = P − Y = (1, −1, 0) and (−1, 1, 0): dW = (2, −2, 0), db = 0. */
    const double expected[6] = {2.0, -2.0, 0.0, 0.0, 0.0, 0.0};
    for (size_t i = 0; i < 6; i++) {
        if (!(grad[i] == expected[i])) {
            fail_msg("gradient %zu is %g for logits of ±1e4, expected %g", i, grad[i], expected[i]);
        }
    }
}

/* Sum and mean differ exactly by where N divides: loss_sum = ΣCE/N +
 * λ/2·‖W‖²/N, loss_mean = ΣCE/N + λ/2·‖W‖², grad_sum − λW = N·(grad_mean − λW). */
static void test_reductions_differ_only_in_normalisation(void **state)
{
    (void)state;
    check_case c;
    make_case(&c, 4242, 2, 4, 0.2, REF_REDUCTION_SUM);
    size_t count = ref_parameter_count(&c.net);
    double *sum = malloc(count * sizeof(double));
    double *mean = malloc(count * sizeof(double));
    assert_non_null(sum);
    assert_non_null(mean);
    double n = (double)c.n;
    double squares = ref_weight_square_sum(&c.net, c.params);
    double ce = ref_cross_entropy_sum(&c.net, c.params, c.x, c.y, c.n);
    double loss_sum = ref_gradient(&c.net, c.params, c.x, c.y, c.n, c.l2, REF_REDUCTION_SUM, sum);
    double loss_mean =
        ref_gradient(&c.net, c.params, c.x, c.y, c.n, c.l2, REF_REDUCTION_MEAN, mean);
    if (!(fabs(loss_sum - (ce + 0.1 * squares) / n) < 1e-12 * (1.0 + loss_sum))) {
        fail_msg("sum loss %.17g, expected (ΣCE + λ/2‖W‖²)/N = %.17g for %s", loss_sum,
                 (ce + 0.1 * squares) / n, c.name);
    }
    if (!(fabs(loss_mean - (ce / n + 0.1 * squares)) < 1e-12 * (1.0 + loss_mean))) {
        fail_msg("mean loss %.17g, expected ΣCE/N + λ/2‖W‖² = %.17g for %s", loss_mean,
                 ce / n + 0.1 * squares, c.name);
    }
    /* Remove λW from both and compare the CE parts. */
    for (size_t l = 1; l <= c.net.layers; l++) {
        size_t offset = ref_weight_offset(&c.net, l);
        for (size_t i = offset; i < offset + c.net.width[l - 1] * c.net.width[l]; i++) {
            sum[i] -= c.l2 * c.params[i];
            mean[i] -= c.l2 * c.params[i];
        }
    }
    double scale = max_abs(sum, count);
    for (size_t i = 0; i < count; i++) {
        if (!(fabs(sum[i] - n * mean[i]) <= 1e-12 * scale)) {
            fail_msg("parameter %zu: summed CE gradient %.17g is not N = %zu times the mean %.17g "
                     "for %s",
                     i, sum[i], c.n, mean[i], c.name);
        }
    }
    free(sum);
    free(mean);
    free_case(&c);
}

/* ---- the tutorial ---------------------------------------------------------- */

#define MOONS_ROWS 200

/* Reads GEMMNET_TEST_DATA/name, a CSV of "x1,x2,label" with a header line,
 * into x[rows×2] and y[rows]; fails the test with a message on any fault. */
static void read_moons(const char *name, double *x, int32_t *y, size_t rows)
{
    const char *dir = getenv("GEMMNET_TEST_DATA");
    if (dir == NULL) {
        fail_msg("GEMMNET_TEST_DATA is not set: point it at tests/data (meson test sets it)");
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fail_msg("cannot open %s: check GEMMNET_TEST_DATA", path);
    }
    char line[512];
    size_t row = 0;
    size_t line_number = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        line_number++;
        if (line_number == 1) {
            continue; /* header x1,x2,label */
        }
        if (row == rows) {
            fclose(f);
            fail_msg("%s: more than %zu data rows", path, rows);
        }
        char *end;
        x[2 * row] = strtod(line, &end);
        int ok = *end == ',';
        x[2 * row + 1] = ok ? strtod(end + 1, &end) : 0.0;
        ok = ok && *end == ',';
        long label = ok ? strtol(end + 1, &end, 10) : -1;
        ok = ok && (*end == '\n' || *end == '\r' || *end == '\0') && (label == 0 || label == 1);
        if (!ok) {
            fclose(f);
            fail_msg("%s:%zu: expected two numbers and a 0/1 label", path, line_number);
        }
        y[row++] = (int32_t)label;
    }
    fclose(f);
    if (row != rows) {
        fail_msg("%s: %zu data rows, expected %zu", path, row, rows);
    }
}

/* The tutorial's h = 3 network and initial weights (data/README.md). */
static void tutorial_network(ref_net *net, double *params)
{
    const size_t hidden[1] = {3};
    assert_int_equal(ref_net_init(net, 2, 1, hidden, 2), 0);
    assert_int_equal(ref_parameter_count(net), 6 + 3 + 6 + 2);
    const double W1[6] = {1.2473733762017727, 0.28295387557714186, 0.69207226556601953,
                          1.5845507770701677, 1.3205629190941615,  -0.69103981596422237};
    const double W2[6] = {0.54853380361234461, -0.087386124954466141, -0.059593431868454713,
                          0.23705915562297636, 0.083163594584767922,  0.8396252007204148};
    memset(params, 0, ref_parameter_count(net) * sizeof(double));
    memcpy(params + ref_weight_offset(net, 1), W1, sizeof W1);
    memcpy(params + ref_weight_offset(net, 2), W2, sizeof W2);
}

/* |value − printed| ≤ 5e-7 and "%f" of value is exactly printed. */
static void expect_printed(const char *what, double value, const char *printed)
{
    char text[64];
    snprintf(text, sizeof text, "%f", value);
    if (!(fabs(value - strtod(printed, NULL)) <= 5e-7 && strcmp(text, printed) == 0)) {
        fail_msg("%s is %.9f (prints %s), the tutorial printed %s", what, value, text, printed);
    }
}

static void test_tutorial_initial_loss(void **state)
{
    (void)state;
    double x[MOONS_ROWS * 2];
    int32_t y[MOONS_ROWS];
    read_moons("moons200_numpy.csv", x, y, MOONS_ROWS);
    ref_net net;
    double params[17];
    tutorial_network(&net, params);
    double loss = ref_loss(&net, params, x, y, MOONS_ROWS, 0.01, REF_REDUCTION_SUM);
    print_message("tutorial initial loss: %.9f\n", loss);
    expect_printed("the loss at the initial weights", loss, "0.583940");
}

/* 20000 passes, ε = 0.01, λ = 0.01, summed gradients, from the h = 3 weights:
 * the notebook prints 0.432387 after the first update and 0.068947 after
 * update 1001; the run ends in a 2-cycle whose phase depends on rounding, so
 * the last line is one of two values, and 195 of 200 are classified right. */
static void test_tutorial_run_reproduces_notebook_losses(void **state)
{
    (void)state;
    double x[MOONS_ROWS * 2];
    int32_t y[MOONS_ROWS];
    read_moons("moons200_numpy.csv", x, y, MOONS_ROWS);
    ref_net net;
    double params[17];
    tutorial_network(&net, params);
    double printed[20];
    for (int32_t epoch = 0; epoch < 20000; epoch++) {
        double before =
            ref_train_epoch(&net, params, x, y, MOONS_ROWS, 0.01, 0.01, REF_REDUCTION_SUM);
        if (!isfinite(before)) {
            fail_msg("loss %g before update %d", before, epoch + 1);
        }
        if (epoch % 1000 == 0) {
            printed[epoch / 1000] =
                ref_loss(&net, params, x, y, MOONS_ROWS, 0.01, REF_REDUCTION_SUM);
        }
    }
    print_message(
        "tutorial in double: line 0 %.9f, line 1000 %.9f, line 2000 %.9f, line 19000 %.9f\n",
        printed[0], printed[1], printed[2], printed[19]);
    expect_printed("the loss after iteration 0", printed[0], "0.432387");
    expect_printed("the loss after iteration 1000", printed[1], "0.068947");
    char last[64];
    snprintf(last, sizeof last, "%f", printed[19]);
    if (strcmp(last, "0.071316") != 0 && strcmp(last, "0.070758") != 0) {
        fail_msg("the loss after iteration 19000 prints %s, expected 0.071316 or 0.070758 "
                 "(either phase of the final 2-cycle)",
                 last);
    }
    size_t correct;
    ref_accuracy(&net, params, x, y, MOONS_ROWS, &correct);
    if (correct != 195) {
        fail_msg("%zu of 200 training examples classified right after 20000 passes, expected 195",
                 correct);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gradient_matches_central_differences),
        cmocka_unit_test(test_gradient_check_rejects_wrong_gradients),
        cmocka_unit_test(test_forward_matches_hand_computation),
        cmocka_unit_test(test_softmax_is_stable_for_large_logits),
        cmocka_unit_test(test_reductions_differ_only_in_normalisation),
        cmocka_unit_test(test_tutorial_initial_loss),
        cmocka_unit_test(test_tutorial_run_reproduces_notebook_losses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
