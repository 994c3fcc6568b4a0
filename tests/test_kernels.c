/* The elementwise kernels against double-precision libm and hand values. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"

/* Every step-th float in [0, limit], and its negation. */
static float *float_grid(float limit, uint32_t step, size_t *n)
{
    size_t cap = 2 * ((size_t)0x43000000u / step + 2), count = 0;
    float *x = malloc(cap * sizeof *x);
    assert_non_null(x);
    for (uint32_t u = 0; count + 2 <= cap; u += step) {
        float f;
        memcpy(&f, &u, sizeof f);
        if (f > limit)
            break;
        x[count++] = f;
        x[count++] = -f;
    }
    *n = count;
    return x;
}

static void test_tanh_is_within_4e7_relative_of_libm(void **state)
{
    (void)state;
    size_t n;
    float *x = float_grid(100.0f, 997, &n), *y = malloc(n * sizeof *y);
    assert_non_null(y);
    gn_tanh(y, x, n);
    for (size_t i = 0; i < n; i++) {
        double t = tanh((double)x[i]), e = fabs(y[i] - t);
        if (e > 4e-7 * fabs(t))
            fail_msg("tanh(%.9g) = %.9g, libm %.9g: relative error %.3g > 4e-7", x[i], y[i], t,
                     e / fabs(t));
    }
    free(x);
    free(y);
}

static void test_tanh_handles_infinities_and_nan(void **state)
{
    (void)state;
    float x[5] = {-INFINITY, INFINITY, NAN, -1e30f, 1e-40f}, y[5];
    gn_tanh(y, x, 5);
    assert_true(y[0] == -1.0f && y[1] == 1.0f && isnan(y[2]) && y[3] == -1.0f);
    assert_true(fabsf(y[4] - 1e-40f) <= 1e-45f);
}

static void test_exp_is_within_1_5e7_relative_of_libm(void **state)
{
    (void)state;
    size_t n;
    float *x = float_grid(87.3f, 997, &n), *y = malloc(n * sizeof *y);
    assert_non_null(y);
    gn_exp(y, x, n);
    for (size_t i = 0; i < n; i++) {
        double t = exp((double)x[i]), e = fabs(y[i] - t) / t;
        if (e > 1.5e-7)
            fail_msg("exp(%.9g) = %.9g, libm %.9g: relative error %.3g", x[i], y[i], t, e);
    }
    free(x);
    free(y);
}

static void test_exp_flushes_underflow_and_saturates_overflow(void **state)
{
    (void)state;
    float x[6] = {-INFINITY, -90.0f, 89.0f, INFINITY, NAN, 88.7f}, y[6];
    gn_exp(y, x, 6);
    assert_true(y[0] == 0.0f && y[1] == 0.0f);
    assert_true(isinf(y[2]) && isinf(y[3]) && isnan(y[4]));
    assert_true(fabs(y[5] - exp((double)x[5])) <= 1.5e-7 * exp((double)x[5]));
}

static void test_softmax_is_stable_for_large_logits(void **state)
{
    (void)state;
    /* Two rows of logits ±1e4 around the bias: the literal formula would
     * overflow to Inf/Inf. */
    float z[4] = {1e4f, -1e4f, -1e4f, 1e4f}, b[2] = {0.5f, -0.5f};
    int32_t y[2] = {1, 1};
    double ce = gn_bias_softmax(z, b, y, 2, 2);
    assert_true(z[0] == 1.0f && z[1] == 0.0f && z[2] == 0.0f && z[3] == 1.0f);
    /* Row 1: −log softmax = 2e4 + 1; row 2: log(1 + e^(−2e4 − 1)) ≈ 0. */
    assert_true(fabs(ce - 20001.0) < 1e-3);
}

static void test_softmax_matches_the_formula(void **state)
{
    (void)state;
    float z[6] = {0.1f, -0.7f, 2.0f, 3.0f, 3.0f, -1.0f}, b[3] = {0.2f, 0.0f, -0.1f};
    int32_t y[2] = {2, 0};
    double ce = gn_bias_softmax(z, b, y, 2, 3), expected_ce = 0.0;
    const double logits[2][3] = {{0.3, -0.7, 1.9}, {3.2, 3.0, -1.1}};
    for (int r = 0; r < 2; r++) {
        double sum = 0.0;
        for (int j = 0; j < 3; j++)
            sum += exp(logits[r][j]);
        for (int j = 0; j < 3; j++)
            if (fabs(z[r * 3 + j] - exp(logits[r][j]) / sum) > 2e-7)
                fail_msg("P[%d][%d] = %.9g, expected %.9g", r, j, z[r * 3 + j],
                         exp(logits[r][j]) / sum);
        expected_ce += log(sum) - logits[r][y[r]];
    }
    assert_true(fabs(ce - expected_ce) < 1e-6);
}

static void test_softmax_grad_is_scaled_p_minus_y_with_column_sums(void **state)
{
    (void)state;
    float p[4] = {0.25f, 0.75f, 0.5f, 0.5f}, db[2] = {100.0f, 200.0f};
    int32_t y[2] = {1, 0};
    gn_softmax_grad(p, y, 2, 2, 0.5f, false, db);
    assert_true(p[0] == 0.125f && p[1] == -0.125f && p[2] == -0.25f && p[3] == 0.25f);
    assert_true(db[0] == -0.125f && db[1] == 0.125f);
    float q[4] = {0.25f, 0.75f, 0.5f, 0.5f};
    gn_softmax_grad(q, y, 2, 2, 1.0f, true, db); /* accumulates */
    assert_true(db[0] == -0.375f && db[1] == 0.375f);
}

static void test_tanh_grad_folds_the_derivative_and_sums_columns(void **state)
{
    (void)state;
    float a[6] = {0.5f, -0.5f, 0.0f, 0.9f, 0.1f, -1.0f};
    const float da[6] = {1.0f, 2.0f, 3.0f, -1.0f, 4.0f, 5.0f};
    float db[3];
    gn_activation_grad(a, da, 2, 3, GEMMNET_ACT_TANH, false, db);
    const float expected[6] = {0.75f, 1.5f, 3.0f, -(1.0f - 0.81f), 4.0f * 0.99f, 0.0f};
    for (int i = 0; i < 6; i++)
        if (fabsf(a[i] - expected[i]) > 1e-6f)
            fail_msg("dZ[%d] = %.9g, expected %.9g", i, a[i], expected[i]);
    assert_true(fabsf(db[0] - (0.75f - 0.19f)) < 1e-6f);
    assert_true(fabsf(db[1] - (1.5f + 3.96f)) < 1e-6f);
    assert_true(fabsf(db[2] - 3.0f) < 1e-6f);
}

static void test_bias_tanh_adds_the_bias_per_column(void **state)
{
    (void)state;
    float z[4] = {0.0f, 1.0f, -1.0f, 2.0f};
    const float b[2] = {0.5f, -1.0f};
    gn_bias_activation(z, b, 2, 2, GEMMNET_ACT_TANH);
    const double expected[4] = {tanh(0.5), tanh(0.0), tanh(-0.5), tanh(1.0)};
    for (int i = 0; i < 4; i++)
        assert_true(fabs(z[i] - expected[i]) < 2e-7);
}

static void test_all_finite_finds_nan_and_inf_anywhere(void **state)
{
    (void)state;
    float v[37];
    for (int i = 0; i < 37; i++)
        v[i] = (float)i - 18.0f;
    assert_true(gn_all_finite(v, 37));
    for (int i = 0; i < 37; i++) {
        float saved = v[i];
        v[i] = i % 2 ? NAN : -INFINITY;
        if (gn_all_finite(v, 37))
            fail_msg("non-finite value at %d not found", i);
        v[i] = saved;
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tanh_is_within_4e7_relative_of_libm),
        cmocka_unit_test(test_tanh_handles_infinities_and_nan),
        cmocka_unit_test(test_exp_is_within_1_5e7_relative_of_libm),
        cmocka_unit_test(test_exp_flushes_underflow_and_saturates_overflow),
        cmocka_unit_test(test_softmax_is_stable_for_large_logits),
        cmocka_unit_test(test_softmax_matches_the_formula),
        cmocka_unit_test(test_softmax_grad_is_scaled_p_minus_y_with_column_sums),
        cmocka_unit_test(test_tanh_grad_folds_the_derivative_and_sums_columns),
        cmocka_unit_test(test_bias_tanh_adds_the_bias_per_column),
        cmocka_unit_test(test_all_finite_finds_nan_and_inf_anywhere),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
