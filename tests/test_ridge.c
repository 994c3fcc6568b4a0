/* The closed-form ridge baseline: the tutorial's 85 % on the moons, and a
 * clear refusal of a singular system. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problem.h"

static void test_ridge_baseline_gets_85_percent_on_the_moons(void **state)
{
    (void)state;
    gemmnet_dataset data;
    gemmnet_model *m;
    assert_int_equal(
        gemmnet_dataset_generate(&data, GEMMNET_SYNTH_MOONS, 200, 2, 0.2, 0, NULL, NULL),
        GEMMNET_OK);
    assert_int_equal(gemmnet_baseline_ridge(&data, 0.01f, NULL, &m, NULL), GEMMNET_OK);
    assert_int_equal(gemmnet_model_layers(m), 1);
    double accuracy = train_accuracy(m, &data);
    /* Logistic regression gets 0.85 on this data set. */
    if (fabs(accuracy - 0.85) > 0.0151)
        fail_msg("ridge baseline accuracy %.4f, expected 0.85 ± 0.015", accuracy);
    gemmnet_model_destroy(m);
    gemmnet_dataset_free(&data);
}

static void test_ridge_rejects_a_singular_system(void **state)
{
    (void)state;
    gemmnet_dataset data;
    assert_int_equal(gemmnet_dataset_alloc(&data, 4, 2, NULL, NULL), GEMMNET_OK);
    for (int i = 0; i < 4; i++) {
        data.x[2 * i] = 1.0f; /* constant features: [X 1] has rank 1 */
        data.x[2 * i + 1] = 1.0f;
        data.y[i] = i % 2;
    }
    data.classes = 2;
    gemmnet_model *m;
    gemmnet_error err = {0};
    assert_int_equal(gemmnet_baseline_ridge(&data, 0.0f, NULL, &m, &err), GEMMNET_E_INVALID);
    assert_null(m);
    assert_non_null(strstr(err.message, "singular"));
    gemmnet_dataset_free(&data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ridge_baseline_gets_85_percent_on_the_moons),
        cmocka_unit_test(test_ridge_rejects_a_singular_system),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
