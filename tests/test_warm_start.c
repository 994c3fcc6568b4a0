/* Warm starts: training a loaded model continues from its weights (one
 * gradient-descent epoch against the oracle's step from those weights),
 * and gemmnet_model_check_architecture names the first difference. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "problem.h"
#include "support.h"

/* A model saved to a file and loaded back trains on from the saved
 * weights: after one epoch it holds the oracle's step from them. */
static void test_a_loaded_model_trains_on_from_its_weights(void **state)
{
    (void)state;
    static const int32_t hidden[2] = {4, 3};
    problem p;
    problem_create(&p, 30, 2, hidden, 2, 3, GEMMNET_ACT_TANH, 23);
    char dir[FIXTURE_DIR_SIZE], path[128];
    assert_int_equal(fixture_dir_create(dir, "warm"), 0);
    fixture_path(path, sizeof path, dir, "start.gnet");
    assert_int_equal(gemmnet_model_save(p.model, path, NULL), GEMMNET_OK);
    gemmnet_model *m;
    assert_int_equal(gemmnet_model_load(path, NULL, &m, NULL), GEMMNET_OK);
    /* No gemmnet_model_init: the trainer starts from what m holds. */
    gemmnet_train_options o;
    gemmnet_train_options_init(&o);
    o.epochs = 1;
    o.learning_rate = 0.05f;
    o.l2 = 0.01f;
    assert_int_equal(gemmnet_train(m, &p.data, &o, NULL), GEMMNET_OK);
    size_t count = ref_parameter_count(&p.net);
    double *expected = malloc(count * sizeof *expected);
    assert_non_null(expected);
    memcpy(expected, p.params, count * sizeof *expected);
    ref_train_epoch(&p.net, expected, p.xd, p.data.y, p.data.rows, 0.05, 0.01,
                    GEMMNET_REDUCTION_SUM);
    double worst = 0.0, moved = 0.0;
    for (size_t i = 0; i < count; i++) {
        worst = fmax(worst, fabs(m->parameters[i] - expected[i]));
        moved = fmax(moved, fabs(expected[i] - p.params[i]));
    }
    if (worst > 1e-5)
        fail_msg("the warm-started epoch differs from the oracle's step by %.3g", worst);
    assert_true(moved > 1e-3); /* the step is large enough to tell */
    free(expected);
    gemmnet_model_destroy(m);
    fixture_dir_remove(dir);
    problem_destroy(&p);
}

static void
expect_difference(const gemmnet_model *m, const gemmnet_architecture *arch, const char *message)
{
    gemmnet_error err = {0};
    assert_int_equal(gemmnet_model_check_architecture(m, arch, &err), GEMMNET_E_SHAPE);
    if (strcmp(err.message, message) != 0)
        fail_msg("message '%s', expected '%s'", err.message, message);
}

static void test_architecture_differences_are_named(void **state)
{
    (void)state;
    int32_t hidden[2] = {8, 4};
    gemmnet_activation acts[2] = {GEMMNET_ACT_RELU, GEMMNET_ACT_TANH};
    gemmnet_architecture arch = {
        .inputs = 3, .classes = 4, .hidden_layers = 2, .hidden = hidden, .activations = acts};
    gemmnet_model *m;
    assert_int_equal(gemmnet_model_create(&arch, NULL, &m, NULL), GEMMNET_OK);
    assert_int_equal(gemmnet_model_check_architecture(m, &arch, NULL), GEMMNET_OK);

    gemmnet_architecture other = arch;
    other.inputs = 2;
    expect_difference(m, &other, "inputs: 3 in the model, 2 expected");
    other = arch;
    other.classes = 5;
    expect_difference(m, &other, "classes: 4 in the model, 5 expected");
    other = arch;
    other.hidden_layers = 1;
    expect_difference(m, &other, "hidden layers: 2 in the model, 1 expected");
    int32_t wider[2] = {8, 5};
    other = arch;
    other.hidden = wider;
    expect_difference(m, &other, "width of hidden layer 2: 4 in the model, 5 expected");
    /* NULL activations mean tanh everywhere. */
    other = arch;
    other.activations = NULL;
    expect_difference(m, &other, "activation of hidden layer 1: relu in the model, tanh expected");
    assert_int_equal(gemmnet_model_check_architecture(NULL, &arch, NULL), GEMMNET_E_INVALID);
    gemmnet_model_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_loaded_model_trains_on_from_its_weights),
        cmocka_unit_test(test_architecture_differences_are_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
