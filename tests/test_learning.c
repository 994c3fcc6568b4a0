/* What the exercises' networks learn: three classes on the spiral, three
 * hidden layers on the moons. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problem.h"

static void test_three_class_spiral_reaches_95_percent(void **state)
{
    (void)state;
    gemmnet_dataset data;
    assert_int_equal(
        gemmnet_dataset_generate(&data, GEMMNET_SYNTH_SPIRAL, 300, 3, 0.2, 0, NULL, NULL),
        GEMMNET_OK);
    static const int32_t hidden[1] = {64};
    gemmnet_activation relu = GEMMNET_ACT_RELU;
    gemmnet_architecture arch = {
        .inputs = 2, .classes = 3, .hidden_layers = 1, .hidden = hidden, .activations = &relu};
    gemmnet_model *m;
    assert_int_equal(gemmnet_model_create(&arch, NULL, &m, NULL), GEMMNET_OK);
    assert_int_equal(gemmnet_model_init(m, GEMMNET_INIT_HE, 1, NULL), GEMMNET_OK);
    gemmnet_train_options o;
    gemmnet_train_options_init(&o);
    o.epochs = 1500;
    o.optimizer = GEMMNET_OPT_ADAM;
    o.reduction = GEMMNET_REDUCTION_MEAN;
    o.learning_rate = 0.02f;
    o.l2 = 1e-4f;
    o.batch_size = 64;
    assert_int_equal(gemmnet_train(m, &data, &o, NULL), GEMMNET_OK);
    double accuracy = train_accuracy(m, &data);
    if (accuracy < 0.95)
        fail_msg("3-class spiral training accuracy %.4f < 0.95", accuracy);
    gemmnet_model_destroy(m);
    gemmnet_dataset_free(&data);
}

static void test_three_hidden_layers_learn_the_moons(void **state)
{
    (void)state;
    gemmnet_dataset data;
    assert_int_equal(
        gemmnet_dataset_generate(&data, GEMMNET_SYNTH_MOONS, 200, 2, 0.2, 0, NULL, NULL),
        GEMMNET_OK);
    static const int32_t hidden[3] = {16, 16, 8};
    gemmnet_architecture arch = {.inputs = 2, .classes = 2, .hidden_layers = 3, .hidden = hidden};
    gemmnet_model *m;
    assert_int_equal(gemmnet_model_create(&arch, NULL, &m, NULL), GEMMNET_OK);
    assert_int_equal(gemmnet_model_init(m, GEMMNET_INIT_XAVIER, 0, NULL), GEMMNET_OK);
    gemmnet_train_options o;
    gemmnet_train_options_init(&o);
    o.epochs = 3000;
    o.reduction = GEMMNET_REDUCTION_MEAN;
    o.optimizer = GEMMNET_OPT_NESTEROV;
    o.learning_rate = 0.1f;
    o.l2 = 1e-4f;
    assert_int_equal(gemmnet_train(m, &data, &o, NULL), GEMMNET_OK);
    double accuracy = train_accuracy(m, &data);
    if (accuracy < 0.97)
        fail_msg("3 hidden layers on moons: training accuracy %.4f < 0.97", accuracy);
    gemmnet_model_destroy(m);
    gemmnet_dataset_free(&data);
}

/* max |WᵀW − I| (columns) when in ≥ out, max |WWᵀ − I| (rows) otherwise. */

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_three_class_spiral_reaches_95_percent),
        cmocka_unit_test(test_three_hidden_layers_learn_the_moons),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
