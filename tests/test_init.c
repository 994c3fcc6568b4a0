/* Weight initialisations: orthogonal columns or rows, and each scheme's
 * scale. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"

static double orthogonality_error(const float *w, size_t in, size_t out)
{
    bool columns = in >= out;
    size_t count = columns ? out : in, length = columns ? in : out;
    double worst = 0.0;
    for (size_t a = 0; a < count; a++)
        for (size_t b = 0; b < count; b++) {
            double dot = 0.0;
            for (size_t i = 0; i < length; i++)
                dot += columns ? (double)w[i * out + a] * w[i * out + b]
                               : (double)w[a * out + i] * w[b * out + i];
            worst = fmax(worst, fabs(dot - (a == b ? 1.0 : 0.0)));
        }
    return worst;
}

static void test_orthogonal_init_has_orthonormal_columns_or_rows(void **state)
{
    (void)state;
    static const int32_t hidden[2] = {40, 7};
    gemmnet_architecture arch = {.inputs = 12, .classes = 9, .hidden_layers = 2, .hidden = hidden};
    gemmnet_model *m;
    assert_int_equal(gemmnet_model_create(&arch, NULL, &m, NULL), GEMMNET_OK);
    assert_int_equal(gemmnet_model_init(m, GEMMNET_INIT_ORTHOGONAL, 3, NULL), GEMMNET_OK);
    for (int32_t l = 1; l <= 3; l++) {
        size_t in = (size_t)m->width[l - 1], out = (size_t)m->width[l];
        double e = orthogonality_error(gemmnet_model_weights(m, l), in, out);
        if (e > 2e-6)
            fail_msg("layer %d (%zu×%zu): max |QᵀQ − I| = %.3g", (int)l, in, out, e);
        assert_true(gemmnet_model_biases(m, l)[0] == 0.0f);
    }
    gemmnet_model_destroy(m);
}

static void test_init_schemes_have_their_scales(void **state)
{
    (void)state;
    static const int32_t hidden[1] = {400};
    gemmnet_architecture arch = {.inputs = 300, .classes = 2, .hidden_layers = 1, .hidden = hidden};
    gemmnet_model *m;
    assert_int_equal(gemmnet_model_create(&arch, NULL, &m, NULL), GEMMNET_OK);
    const double expected[3] = {1.0 / sqrt(300.0), sqrt(2.0 / 700.0), sqrt(2.0 / 300.0)};
    for (int scheme = 0; scheme < 3; scheme++) {
        assert_int_equal(gemmnet_model_init(m, (gemmnet_init)scheme, 0, NULL), GEMMNET_OK);
        const float *w = gemmnet_model_weights(m, 1);
        double sum = 0.0;
        for (size_t i = 0; i < 300 * 400; i++)
            sum += (double)w[i] * w[i];
        double std = sqrt(sum / (300 * 400));
        if (fabs(std / expected[scheme] - 1.0) > 0.01)
            fail_msg("scheme %d: weight std %.5f, expected %.5f", scheme, std, expected[scheme]);
    }
    gemmnet_model_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_orthogonal_init_has_orthonormal_columns_or_rows),
        cmocka_unit_test(test_init_schemes_have_their_scales),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
