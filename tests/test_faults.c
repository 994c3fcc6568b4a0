/* Fault injection through the allocator hooks: every allocation a
 * training run, a prediction, a split, an orthogonal initialisation and
 * the ridge baseline make is failed in turn; each must return
 * GEMMNET_E_NOMEM (or succeed once no allocation fails) with nothing
 * leaked. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "base/base.h"
#include "support.h"

/* One scenario: builds what it needs with allocator a and returns the
 * status of the operation under test, freeing everything it made. */
typedef int (*scenario)(const gemmnet_allocator *a);

static int make_moons(const gemmnet_allocator *a, gemmnet_dataset *data)
{
    return gemmnet_dataset_generate(data, GEMMNET_SYNTH_MOONS, 60, 2, 0.2, 0, a, NULL);
}

static int make_model(const gemmnet_allocator *a, int32_t hidden, gemmnet_model **m)
{
    int32_t widths[2] = {hidden, hidden};
    gemmnet_architecture arch = {.inputs = 2, .classes = 2, .hidden_layers = 2, .hidden = widths};
    return gemmnet_model_create(&arch, a, m, NULL);
}

static int train_minibatch_adam_with_validation(const gemmnet_allocator *a)
{
    gemmnet_dataset all = {0}, train = {0}, val = {0};
    gemmnet_model *m = NULL;
    int status = make_moons(a, &all);
    if (status == GEMMNET_OK)
        status = gemmnet_dataset_split(&all, 0.25, 1, &train, &val, NULL);
    if (status == GEMMNET_OK)
        status = make_model(a, 5, &m);
    if (status == GEMMNET_OK) {
        gemmnet_train_options o;
        gemmnet_train_options_init(&o);
        o.epochs = 3;
        o.batch_size = 16;
        o.optimizer = GEMMNET_OPT_ADAM;
        o.validation = &val;
        o.patience = 2;
        o.allocator = a;
        status = gemmnet_train(m, &train, &o, NULL);
    }
    gemmnet_model_destroy(m);
    gemmnet_dataset_free(&all);
    gemmnet_dataset_free(&train);
    gemmnet_dataset_free(&val);
    return status;
}

static int predict_and_evaluate(const gemmnet_allocator *a)
{
    gemmnet_dataset data = {0};
    gemmnet_model *m = NULL;
    gemmnet_workspace *ws = NULL;
    int32_t labels[60];
    int status = make_moons(a, &data);
    if (status == GEMMNET_OK)
        status = make_model(a, 4, &m);
    if (status == GEMMNET_OK)
        status = gemmnet_workspace_create(m, a, &ws, NULL);
    if (status == GEMMNET_OK)
        status = gemmnet_predict(m, ws, data.x, data.rows, labels, NULL);
    gemmnet_workspace_destroy(ws);
    gemmnet_model_destroy(m);
    gemmnet_dataset_free(&data);
    return status;
}

static int orthogonal_init(const gemmnet_allocator *a)
{
    gemmnet_model *m = NULL;
    int status = make_model(a, 9, &m);
    if (status == GEMMNET_OK)
        status = gemmnet_model_init(m, GEMMNET_INIT_ORTHOGONAL, 0, NULL);
    gemmnet_model_destroy(m);
    return status;
}

static int ridge_baseline(const gemmnet_allocator *a)
{
    gemmnet_dataset data = {0};
    gemmnet_model *m = NULL;
    int status = make_moons(a, &data);
    if (status == GEMMNET_OK)
        status = gemmnet_baseline_ridge(&data, 0.01f, a, &m, NULL);
    gemmnet_model_destroy(m);
    gemmnet_dataset_free(&data);
    return status;
}

/* Fails allocation 1, 2, … until the scenario succeeds; every failure
 * must be NOMEM and every run must release what it allocated. */
static void fail_every_allocation(scenario run, const char *name)
{
    size_t n;
    for (n = 1; n < 10000; n++) {
        counting_allocator c = {.fail_on = n};
        gemmnet_allocator a = counting_hooks(&c);
        int status = run(&a);
        if (c.attempts != c.releases + (c.attempts >= n ? 1 : 0))
            fail_msg("%s, allocation %zu failed: %zu allocation attempts, %zu releases", name, n,
                     c.attempts, c.releases);
        if (c.attempts < n) {
            if (status != GEMMNET_OK)
                fail_msg("%s: %s without any failed allocation", name, gemmnet_strerror(status));
            break;
        }
        if (status != GEMMNET_E_NOMEM)
            fail_msg("%s, allocation %zu failed: got %s, expected out of memory", name, n,
                     gemmnet_strerror(status));
    }
    assert_true(n > 2); /* the scenario did allocate */
    print_message("%s: %zu allocations, each failed in turn\n", name, n - 1);
}

static void test_training_survives_every_failed_allocation(void **state)
{
    (void)state;
    fail_every_allocation(train_minibatch_adam_with_validation, "training");
}

static void test_prediction_survives_every_failed_allocation(void **state)
{
    (void)state;
    fail_every_allocation(predict_and_evaluate, "prediction");
}

static void test_orthogonal_init_survives_every_failed_allocation(void **state)
{
    (void)state;
    fail_every_allocation(orthogonal_init, "orthogonal init");
}

static void test_ridge_baseline_survives_every_failed_allocation(void **state)
{
    (void)state;
    fail_every_allocation(ridge_baseline, "ridge baseline");
}

static void test_absurd_sizes_fail_before_allocating(void **state)
{
    (void)state;
    counting_allocator c = {0};
    gemmnet_allocator a = counting_hooks(&c);
    gemmnet_dataset data;
    gemmnet_error err = {0};
    /* 2⁶² rows × 8 features × 4 bytes overflows size_t. */
    assert_int_equal(gemmnet_dataset_alloc(&data, (size_t)1 << 62, 8, &a, &err),
                     GEMMNET_E_OVERFLOW);
    assert_non_null(strstr(err.message, "does not fit in memory"));
    /* Wider than a model file can hold: refused before anything else. */
    int32_t too_wide[1] = {(1 << 24) + 1};
    gemmnet_architecture wide = {.inputs = 2, .classes = 2, .hidden_layers = 1, .hidden = too_wide};
    gemmnet_model *m;
    assert_int_equal(gemmnet_model_create(&wide, &a, &m, &err), GEMMNET_E_INVALID);
    assert_non_null(strstr(err.message, "1..2^24"));
    /* 2²⁴-wide layers need 3·2⁴⁸ weights (4 PB): refused, saying how much. */
    int32_t widths[2] = {1 << 24, 1 << 24};
    gemmnet_architecture arch = {
        .inputs = 1 << 24, .classes = 2, .hidden_layers = 2, .hidden = widths};
    int status = gemmnet_model_create(&arch, &a, &m, &err);
    assert_true(status == GEMMNET_E_NOMEM || status == GEMMNET_E_OVERFLOW);
    assert_non_null(strstr(err.message, "bytes"));
    assert_int_equal(c.attempts, c.releases + (status == GEMMNET_E_NOMEM ? 1 : 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_training_survives_every_failed_allocation),
        cmocka_unit_test(test_prediction_survives_every_failed_allocation),
        cmocka_unit_test(test_orthogonal_init_survives_every_failed_allocation),
        cmocka_unit_test(test_ridge_baseline_survives_every_failed_allocation),
        cmocka_unit_test(test_absurd_sizes_fail_before_allocating),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
