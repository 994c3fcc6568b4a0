/* Every activation's gradient: the engine against the double-precision
 * reference, and the reference against central differences. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problem.h"
#include "train/train.h"

static void test_every_activation_gradient_matches_the_reference(void **state)
{
    (void)state;
    static const int32_t hidden[2] = {9, 6};
    for (int f = 0; f < GEMMNET_ACTIVATION_COUNT; f++) {
        for (int reduction = 0; reduction < 2; reduction++) {
            problem p;
            problem_create(&p, 53, 4, hidden, 2, 3, (gemmnet_activation)f, 100u + (uint64_t)f);
            size_t count = ref_parameter_count(&p.net);
            double *expected = malloc(count * sizeof(double));
            float *got = malloc(count * sizeof(float));
            assert_non_null(expected);
            assert_non_null(got);
            ref_gradient(&p.net, p.params, p.xd, p.data.y, 53, 0.05, reduction, expected);
            engine_gradient(&p, 0.05f, (gemmnet_reduction)reduction, got);
            double scale = 0.0;
            for (size_t i = 0; i < count; i++)
                scale = fmax(scale, fabs(expected[i]));
            assert_true(scale > 1e-3); /* a vanishing gradient would prove nothing */
            for (size_t i = 0; i < count; i++)
                if (fabs(got[i] - expected[i]) > 1e-4 * scale)
                    fail_msg("%s, reduction %d: gradient[%zu] = %.9g, reference %.9g",
                             activation_names[f], reduction, i, got[i], expected[i]);
            free(expected);
            free(got);
            problem_destroy(&p);
        }
    }
}

static void test_reference_gradient_matches_central_differences_for_every_activation(void **state)
{
    (void)state;
    static const int32_t hidden[1] = {5};
    for (int f = 0; f < GEMMNET_ACTIVATION_COUNT; f++) {
        problem p;
        problem_create(&p, 20, 3, hidden, 1, 3, (gemmnet_activation)f, 7u + (uint64_t)f);
        size_t count = ref_parameter_count(&p.net);
        double *g = malloc(count * sizeof(double));
        assert_non_null(g);
        ref_gradient(&p.net, p.params, p.xd, p.data.y, 20, 0.1, REF_REDUCTION_SUM, g);
        double worst = 0.0, norm = 0.0;
        for (size_t i = 0; i < count; i++) {
            double saved = p.params[i], h = 1e-6;
            p.params[i] = saved + h;
            double up = ref_objective(&p.net, p.params, p.xd, p.data.y, 20, 0.1, REF_REDUCTION_SUM);
            p.params[i] = saved - h;
            double down =
                ref_objective(&p.net, p.params, p.xd, p.data.y, 20, 0.1, REF_REDUCTION_SUM);
            p.params[i] = saved;
            worst = fmax(worst, fabs((up - down) / (2 * h) - g[i]));
            norm = fmax(norm, fabs(g[i]));
        }
        /* relu's kink can sit within h of a pre-activation: allow 1e-5 of
         * the gradient's scale there, 1e-6 for the smooth functions. */
        double tolerance = (f == GEMMNET_ACT_TANH || f == GEMMNET_ACT_SIGMOID ? 1e-6 : 1e-5) * norm;
        if (norm < 1e-3 || worst > tolerance)
            fail_msg("%s: central differences differ by %.3g (gradient scale %.3g)",
                     activation_names[f], worst, norm);
        free(g);
        problem_destroy(&p);
    }
}

/* One parameter per segment is enough to check a rule: a model with D = 1,
 * K = 2 and no hidden layer has W[1×2] and b[2]. */

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_activation_gradient_matches_the_reference),
        cmocka_unit_test(test_reference_gradient_matches_central_differences_for_every_activation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
