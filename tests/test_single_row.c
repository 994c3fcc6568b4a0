/* Single rows through the BLAS seam: gn_sgemm sends m = 1 products to
 * gn_sgemv (a matrix-vector product needs no packing of B), so every
 * transpose, alpha and beta must still give op(A)·op(B) exactly as the
 * general GEMM does; and a one-row predict must equal the same row
 * predicted inside a block of many rows. Numbers are hand-computed
 * (small integers, exact in float). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "blas/blas.h"
#include "net/net.h"

/* a[1×3] = (1 2 3); B[3×2] = ((7 8) (9 10) (11 12)), and Bᵀ stored 2×3
 * (ldb 3); a·B = (58 64). As A stored 3×1 (trans_a, lda 1) too. */
static const float row[3] = {1, 2, 3};
static const float b[6] = {7, 8, 9, 10, 11, 12}, bt[6] = {7, 9, 11, 8, 10, 12};

static void test_one_row_gemm_matches_hand_numbers_for_every_transpose(void **state)
{
    (void)state;
    for (int t = 0; t < 4; t++) {
        bool ta = t & 1, tb = t & 2;
        float c[2] = {1, -2};
        /* c = 2·op(A)·op(B) + 0.5·c */
        gn_sgemm(ta, tb, 1, 2, 3, 2.0f, row, ta ? 1 : 3, tb ? bt : b, tb ? 3 : 2, 0.5f, c, 2);
        const float want[2] = {2 * 58 + 0.5f, 2 * 64 - 1.0f};
        for (int j = 0; j < 2; j++)
            if (c[j] != want[j])
                fail_msg("1-row sgemm (trans_a=%d, trans_b=%d) gave c[%d] = %g, expected %g", ta,
                         tb, j, (double)c[j], (double)want[j]);
    }
}

static void test_one_row_gemm_with_beta_zero_ignores_nan_in_c(void **state)
{
    (void)state;
    /* BLAS's beta = 0 means C is not read: a NaN there must not leak. */
    for (int tb = 0; tb < 2; tb++) {
        float c[2] = {NAN, NAN};
        gn_sgemm(false, tb, 1, 2, 3, 1.0f, row, 3, tb ? bt : b, tb ? 3 : 2, 0.0f, c, 2);
        assert_true(c[0] == 58.0f && c[1] == 64.0f);
    }
}

static void test_sgemv_and_full_gemm_agree(void **state)
{
    (void)state;
    float y[2] = {0, 0}, z[2] = {0, 0}, w[3] = {0, 0, 0};
    gn_sgemv(true, 3, 2, 1.0f, b, 2, row, 0.0f, y); /* Bᵀ·a */
    gn_sgemm_full(false, false, 1, 2, 3, 1.0f, row, 3, b, 2, 0.0f, z, 2); /* a·B */
    assert_true(y[0] == 58.0f && y[1] == 64.0f);
    assert_true(z[0] == 58.0f && z[1] == 64.0f);
    const float v[2] = {1, -1};
    gn_sgemv(false, 3, 2, 1.0f, b, 2, v, 0.0f, w); /* B·v = (−1 −1 −1) */
    assert_true(w[0] == -1.0f && w[1] == -1.0f && w[2] == -1.0f);
}

/* A 784-256-10 net: each row predicted alone (the sgemv path) equals its
 * probabilities inside a block of 64 rows (the GEMM path) within float
 * reassociation: 1e-5 absolute on probabilities in [0, 1]. */
static void test_one_row_predict_equals_the_row_in_a_block(void **state)
{
    (void)state;
    int32_t hidden = 256;
    gemmnet_architecture arch = {
        .inputs = 784, .classes = 10, .hidden_layers = 1, .hidden = &hidden};
    gemmnet_model *m;
    gemmnet_workspace *ws;
    assert_int_equal(gemmnet_model_create(&arch, NULL, &m, NULL), GEMMNET_OK);
    gemmnet_model_init(m, GEMMNET_INIT_TUTORIAL, 3, NULL);
    assert_int_equal(gemmnet_workspace_create(m, NULL, &ws, NULL), GEMMNET_OK);
    enum { ROWS = 64 };
    float *x = malloc(ROWS * 784 * sizeof *x), block[ROWS * 10], one[10];
    assert_non_null(x);
    gemmnet_rng rng;
    gemmnet_rng_seed(&rng, 4);
    for (size_t i = 0; i < ROWS * 784; i++)
        x[i] = (float)gemmnet_rng_uniform(&rng);
    assert_int_equal(gemmnet_predict_proba(m, ws, x, ROWS, block, NULL), GEMMNET_OK);
    double worst = 0.0;
    for (size_t r = 0; r < ROWS; r++) {
        assert_int_equal(gemmnet_predict_proba(m, ws, x + r * 784, 1, one, NULL), GEMMNET_OK);
        for (size_t k = 0; k < 10; k++)
            worst = fmax(worst, fabs((double)one[k] - block[r * 10 + k]));
    }
    if (worst > 1e-5)
        fail_msg("a row alone differs from the same row in a block by %g", worst);
    free(x);
    gemmnet_workspace_destroy(ws);
    gemmnet_model_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_row_gemm_matches_hand_numbers_for_every_transpose),
        cmocka_unit_test(test_one_row_gemm_with_beta_zero_ignores_nan_in_c),
        cmocka_unit_test(test_sgemv_and_full_gemm_agree),
        cmocka_unit_test(test_one_row_predict_equals_the_row_in_a_block),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
