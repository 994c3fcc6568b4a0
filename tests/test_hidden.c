/* gemmnet_hidden_activations: the hidden layers prediction computes, for
 * plotting what the network does with the data. Expected values come from
 * plain double loops over the model's weights. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "gemmnet.h"

/* Hidden activations in double: a[n×width(layer)] for rows x[n×D] (raw
 * rows; mean/scale, if not NULL, standardise them first). */
static double activate(gemmnet_activation f, double z)
{
    switch (f) {
    case GEMMNET_ACT_RELU: return z > 0 ? z : 0.0;
    case GEMMNET_ACT_LEAKY_RELU: return z > 0 ? z : 0.01 * z;
    case GEMMNET_ACT_SIGMOID: return 1.0 / (1.0 + exp(-z));
    case GEMMNET_ACT_TANH:
    default: return tanh(z);
    }
}

static double *expected_activations(gemmnet_model *m,
                                    const float *x,
                                    size_t n,
                                    int32_t layer,
                                    const float *mean,
                                    const float *scale)
{
    size_t d = (size_t)gemmnet_model_width(m, 0), widest = d;
    for (int32_t l = 1; l <= layer; l++)
        widest =
            (size_t)gemmnet_model_width(m, l) > widest ? (size_t)gemmnet_model_width(m, l) : widest;
    double *a = calloc(n * widest, sizeof *a), *next = calloc(n * widest, sizeof *next);
    assert_non_null(a);
    assert_non_null(next);
    for (size_t i = 0; i < n * d; i++)
        a[i] = mean ? ((double)x[i] - mean[i % d]) / scale[i % d] : x[i];
    for (int32_t l = 1; l <= layer; l++) {
        size_t in = (size_t)gemmnet_model_width(m, l - 1), out = (size_t)gemmnet_model_width(m, l);
        const float *w = gemmnet_model_weights(m, l), *b = gemmnet_model_biases(m, l);
        for (size_t r = 0; r < n; r++)
            for (size_t j = 0; j < out; j++) {
                double z = b[j];
                for (size_t i = 0; i < in; i++)
                    z += a[r * in + i] * w[i * out + j];
                next[r * out + j] = activate(gemmnet_model_activation(m, l), z);
            }
        double *swap = a;
        a = next;
        next = swap;
    }
    free(next);
    return a;
}

/* Rows x[n×2] on a spiral through [−3, 3]², deterministic. */
static float *make_rows(size_t n)
{
    float *x = malloc(n * 2 * sizeof *x);
    assert_non_null(x);
    for (size_t i = 0; i < n; i++) {
        double t = 0.05 * (double)i, r = 3.0 * (double)i / (double)n;
        x[2 * i] = (float)(r * cos(t));
        x[2 * i + 1] = (float)(r * sin(t));
    }
    return x;
}

static gemmnet_model *
make_model(const int32_t *hidden, int32_t layers, const gemmnet_activation *acts)
{
    gemmnet_architecture arch = {
        .inputs = 2, .classes = 2, .hidden_layers = layers, .hidden = hidden, .activations = acts};
    gemmnet_model *m = NULL;
    assert_int_equal(gemmnet_model_create(&arch, NULL, &m, NULL), GEMMNET_OK);
    gemmnet_model_init(m, GEMMNET_INIT_TUTORIAL, 7, NULL);
    /* Non-zero biases, so that they are checked too. */
    for (int32_t l = 1; l <= layers; l++)
        for (int32_t j = 0; j < hidden[l - 1]; j++)
            gemmnet_model_biases(m, l)[j] = 0.1f * (float)(j + 1) - 0.15f;
    return m;
}

/* Runs gemmnet_hidden_activations on n rows and compares with the double
 * computation within tol (the engine's tanh and exp are float). */
static void check_layer(
    gemmnet_model *m, size_t n, int32_t layer, const float *mean, const float *scale, double tol)
{
    float *x = make_rows(n);
    size_t h = (size_t)gemmnet_model_width(m, layer);
    float *got = malloc(n * h * sizeof *got);
    assert_non_null(got);
    gemmnet_workspace *ws = NULL;
    assert_int_equal(gemmnet_workspace_create(m, NULL, &ws, NULL), GEMMNET_OK);
    assert_int_equal(gemmnet_hidden_activations(m, ws, x, n, layer, got, NULL), GEMMNET_OK);
    double *want = expected_activations(m, x, n, layer, mean, scale);
    for (size_t i = 0; i < n * h; i++)
        if (fabs(got[i] - want[i]) > tol)
            fail_msg("layer %d, row %zu, unit %zu: got %.9g, expected %.9g", (int)layer, i / h,
                     i % h, (double)got[i], want[i]);
    gemmnet_workspace_destroy(ws);
    free(want);
    free(got);
    free(x);
}

static void test_first_layer_is_tanh_of_x_w_plus_b(void **state)
{
    (void)state;
    int32_t hidden[] = {3};
    gemmnet_model *m = make_model(hidden, 1, NULL);
    check_layer(m, 200, 1, NULL, NULL, 1e-6);
    gemmnet_model_destroy(m);
}

static void test_deeper_layers_chain_their_activations(void **state)
{
    (void)state;
    int32_t hidden[] = {5, 3, 2};
    gemmnet_activation acts[] = {GEMMNET_ACT_RELU, GEMMNET_ACT_SIGMOID, GEMMNET_ACT_LEAKY_RELU};
    gemmnet_model *m = make_model(hidden, 3, acts);
    for (int32_t layer = 1; layer <= 3; layer++)
        check_layer(m, 150, layer, NULL, NULL, 2e-6);
    gemmnet_model_destroy(m);
}

static void test_rows_beyond_one_block_are_all_computed(void **state)
{
    (void)state;
    int32_t hidden[] = {2};
    gemmnet_model *m = make_model(hidden, 1, NULL);
    /* The workspace holds 1024 rows: 2500 rows take three blocks. */
    check_layer(m, 2500, 1, NULL, NULL, 1e-6);
    gemmnet_model_destroy(m);
}

static void test_the_model_standardisation_is_applied_as_in_predict(void **state)
{
    (void)state;
    int32_t hidden[] = {3};
    gemmnet_model *m = make_model(hidden, 1, NULL);
    float mean[] = {0.5f, -1.0f}, scale[] = {2.0f, 0.25f};
    assert_int_equal(gemmnet_model_set_standardization(m, mean, scale, NULL), GEMMNET_OK);
    check_layer(m, 100, 1, mean, scale, 1e-6);
    gemmnet_model_destroy(m);
}

static void test_layers_outside_the_hidden_ones_are_refused(void **state)
{
    (void)state;
    int32_t hidden[] = {3};
    gemmnet_model *m = make_model(hidden, 1, NULL);
    gemmnet_workspace *ws = NULL;
    assert_int_equal(gemmnet_workspace_create(m, NULL, &ws, NULL), GEMMNET_OK);
    float x[2] = {0.0f, 0.0f}, out[3];
    assert_int_equal(gemmnet_hidden_activations(m, ws, x, 1, 0, out, NULL), GEMMNET_E_INVALID);
    assert_int_equal(gemmnet_hidden_activations(m, ws, x, 1, 2, out, NULL), GEMMNET_E_INVALID);
    assert_int_equal(gemmnet_hidden_activations(m, ws, x, 1, 1, NULL, NULL), GEMMNET_E_INVALID);
    assert_int_equal(gemmnet_hidden_activations(NULL, ws, x, 1, 1, out, NULL), GEMMNET_E_INVALID);
    assert_int_equal(gemmnet_hidden_activations(m, ws, x, 0, 1, NULL, NULL), GEMMNET_OK);
    gemmnet_workspace_destroy(ws);
    gemmnet_model_destroy(m);
}

static void test_a_workspace_of_another_shape_is_refused(void **state)
{
    (void)state;
    int32_t three[] = {3}, four[] = {4};
    gemmnet_model *m = make_model(three, 1, NULL), *other = make_model(four, 1, NULL);
    gemmnet_workspace *ws = NULL;
    assert_int_equal(gemmnet_workspace_create(other, NULL, &ws, NULL), GEMMNET_OK);
    float x[2] = {0.0f, 0.0f}, out[4];
    assert_int_equal(gemmnet_hidden_activations(m, ws, x, 1, 1, out, NULL), GEMMNET_E_SHAPE);
    gemmnet_workspace_destroy(ws);
    gemmnet_model_destroy(other);
    gemmnet_model_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_layer_is_tanh_of_x_w_plus_b),
        cmocka_unit_test(test_deeper_layers_chain_their_activations),
        cmocka_unit_test(test_rows_beyond_one_block_are_all_computed),
        cmocka_unit_test(test_the_model_standardisation_is_applied_as_in_predict),
        cmocka_unit_test(test_layers_outside_the_hidden_ones_are_refused),
        cmocka_unit_test(test_a_workspace_of_another_shape_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
