/* Validation: a seeded, disjoint and complete split, and early stopping
 * that restores the best weights. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"

typedef struct losses {
    int count;
    double best;
    int32_t best_epoch;
} losses;

static int track_validation(void *context, const gemmnet_progress *p)
{
    losses *l = context;
    assert_true(p->has_validation);
    if (l->count++ == 0 || p->validation.loss < l->best) {
        l->best = p->validation.loss;
        l->best_epoch = p->epoch;
    }
    return 0;
}

static void test_early_stopping_restores_the_best_weights(void **state)
{
    (void)state;
    gemmnet_dataset all, train, val;
    assert_int_equal(
        gemmnet_dataset_generate(&all, GEMMNET_SYNTH_MOONS, 120, 2, 0.45, 1, NULL, NULL),
        GEMMNET_OK);
    assert_int_equal(gemmnet_dataset_split(&all, 0.5, 1, &train, &val, NULL), GEMMNET_OK);
    static const int32_t hidden[1] = {64};
    gemmnet_architecture arch = {.inputs = 2, .classes = 2, .hidden_layers = 1, .hidden = hidden};
    gemmnet_model *m;
    assert_int_equal(gemmnet_model_create(&arch, NULL, &m, NULL), GEMMNET_OK);
    gemmnet_model_init(m, GEMMNET_INIT_TUTORIAL, 0, NULL);
    gemmnet_train_options o;
    gemmnet_train_options_init(&o);
    /* No L2 and a strong optimizer on noisy data: it overfits. */
    o.epochs = 5000;
    o.l2 = 0.0f;
    o.optimizer = GEMMNET_OPT_ADAM;
    o.reduction = GEMMNET_REDUCTION_MEAN;
    o.learning_rate = 0.05f;
    o.validation = &val;
    o.patience = 50;
    o.report_every = 1;
    losses seen = {0};
    o.progress = track_validation;
    o.progress_context = &seen;
    gemmnet_trainer *t;
    assert_int_equal(gemmnet_trainer_create(m, &train, &o, &t, NULL), GEMMNET_OK);
    assert_int_equal(gemmnet_trainer_run(t, o.epochs, NULL), GEMMNET_OK);
    int stopped;
    int32_t best = gemmnet_trainer_best_epoch(t, &stopped);
    assert_true(stopped);
    assert_int_equal(best, seen.best_epoch);
    assert_int_equal(gemmnet_trainer_epochs_done(t), best + 1 + 50);
    gemmnet_workspace *ws;
    gemmnet_evaluation e;
    assert_int_equal(gemmnet_workspace_create(m, NULL, &ws, NULL), GEMMNET_OK);
    assert_int_equal(gemmnet_evaluate(m, ws, &val, o.l2, o.reduction, &e, NULL), GEMMNET_OK);
    if (e.loss != seen.best)
        fail_msg("restored model has validation loss %.9g, best seen %.9g", e.loss, seen.best);
    gemmnet_workspace_destroy(ws);
    gemmnet_trainer_destroy(t);
    gemmnet_model_destroy(m);
    gemmnet_dataset_free(&all);
    gemmnet_dataset_free(&train);
    gemmnet_dataset_free(&val);
}

static void test_split_is_seeded_disjoint_and_complete(void **state)
{
    (void)state;
    gemmnet_dataset all, a, b, c, d;
    assert_int_equal(gemmnet_dataset_alloc(&all, 10, 1, NULL, NULL), GEMMNET_OK);
    for (int i = 0; i < 10; i++) {
        all.x[i] = (float)i;
        all.y[i] = i % 2;
    }
    all.classes = 2;
    assert_int_equal(gemmnet_dataset_split(&all, 0.3, 5, &a, &b, NULL), GEMMNET_OK);
    assert_int_equal(a.rows, 7);
    assert_int_equal(b.rows, 3);
    int seen[10] = {0};
    for (size_t i = 0; i < 7; i++)
        seen[(int)a.x[i]]++;
    for (size_t i = 0; i < 3; i++)
        seen[(int)b.x[i]]++;
    for (int i = 0; i < 10; i++)
        assert_int_equal(seen[i], 1);
    assert_int_equal(gemmnet_dataset_split(&all, 0.3, 5, &c, &d, NULL), GEMMNET_OK);
    assert_memory_equal(b.x, d.x, 3 * sizeof(float));
    gemmnet_dataset_free(&c);
    gemmnet_dataset_free(&d);
    gemmnet_error err = {0};
    assert_int_equal(gemmnet_dataset_split(&all, 0.01, 5, &c, &d, &err), GEMMNET_E_INVALID);
    assert_non_null(strstr(err.message, "empty part"));
    gemmnet_dataset_free(&all);
    gemmnet_dataset_free(&a);
    gemmnet_dataset_free(&b);
    gemmnet_dataset_free(&c);
    gemmnet_dataset_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_early_stopping_restores_the_best_weights),
        cmocka_unit_test(test_split_is_seeded_disjoint_and_complete),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
