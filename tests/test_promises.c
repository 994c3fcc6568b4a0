/* What the header promises about defaults, recorded settings, round trips
 * and early stopping, each checked by running it: a zero-initialised CSV
 * options struct reads the label from the last column; training records
 * its loss convention in the model; dump → import of a checkpoint gives
 * the same file and stays resumable; the best weights are kept when the
 * epochs end before the patience; resuming on other data of the same size
 * is refused; non-finite inputs and answers are errors. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/io.h"
#include "train/train.h"
#include "support.h"

static gemmnet_model *small_model(int32_t hidden, uint32_t seed)
{
    gemmnet_architecture arch = {.inputs = 2, .classes = 2, .hidden_layers = 1, .hidden = &hidden};
    gemmnet_model *m;
    assert_int_equal(gemmnet_model_create(&arch, NULL, &m, NULL), GEMMNET_OK);
    assert_int_equal(gemmnet_model_init(m, GEMMNET_INIT_TUTORIAL, seed, NULL), GEMMNET_OK);
    return m;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* {0} is "label in the last column, classes inferred", as NULL is. */
static void test_zeroed_csv_options_take_the_last_column(void **state)
{
    (void)state;
    char dir[FIXTURE_DIR_SIZE], path[FIXTURE_DIR_SIZE + 16];
    assert_int_equal(fixture_dir_create(dir, "promises"), 0);
    snprintf(path, sizeof path, "%s/abl.csv", dir);
    /* a,b,label: column 0 holds 5 and 7, which as labels would give K = 8. */
    write_text(path, "a,b,label\n5,0.5,1\n7,0.25,0\n5,1.5,2\n");
    gemmnet_csv_options zero = {0};
    gemmnet_dataset with_zero, with_null;
    gemmnet_error err = {0};
    assert_int_equal(gemmnet_dataset_read_csv(&with_zero, path, &zero, NULL, &err), GEMMNET_OK);
    assert_int_equal(gemmnet_dataset_read_csv(&with_null, path, NULL, NULL, &err), GEMMNET_OK);
    assert_int_equal(with_zero.classes, 3);
    assert_int_equal(with_zero.features, 2);
    const int32_t labels[3] = {1, 0, 2};
    const float x[6] = {5.0f, 0.5f, 7.0f, 0.25f, 5.0f, 1.5f};
    assert_memory_equal(with_zero.y, labels, sizeof labels);
    assert_memory_equal(with_zero.x, x, sizeof x);
    assert_memory_equal(with_null.y, labels, sizeof labels);
    /* label_field counts from 1: field 1 is the first column. */
    gemmnet_csv_options first = {.label_field = 1};
    gemmnet_dataset by_first;
    assert_int_equal(gemmnet_dataset_read_csv(&by_first, path, &first, NULL, &err), GEMMNET_OK);
    assert_int_equal(by_first.classes, 8);
    assert_int_equal(by_first.y[1], 7);
    gemmnet_dataset_free(&with_zero);
    gemmnet_dataset_free(&with_null);
    gemmnet_dataset_free(&by_first);
    fixture_dir_remove(dir);
}

/* Training records the reduction and λ it used, so that eval and the
 * model file report the training loss. */
static void test_training_records_its_loss_convention(void **state)
{
    (void)state;
    gemmnet_dataset data;
    assert_int_equal(
        gemmnet_dataset_generate(&data, GEMMNET_SYNTH_MOONS, 100, 2, 0.2, 0, NULL, NULL),
        GEMMNET_OK);
    gemmnet_model *m = small_model(4, 0);
    gemmnet_train_options o;
    gemmnet_train_options_init(&o);
    o.epochs = 5;
    o.reduction = GEMMNET_REDUCTION_MEAN;
    o.l2 = 1e-4f;
    o.report_every = 0;
    gemmnet_error err = {0};
    assert_int_equal(gemmnet_train(m, &data, &o, &err), GEMMNET_OK);
    assert_int_equal(gemmnet_model_reduction(m), GEMMNET_REDUCTION_MEAN);
    assert_true(gemmnet_model_l2(m) == 1e-4f);
    /* ... and the saved bytes carry them: load gives them back. */
    size_t size = gemmnet_model_file_size(m);
    unsigned char *bytes = malloc(size);
    assert_int_equal(gemmnet_model_save_buffer(m, bytes, size, &err), GEMMNET_OK);
    gemmnet_model *loaded;
    assert_int_equal(gemmnet_model_load_buffer(bytes, size, NULL, &loaded, &err), GEMMNET_OK);
    assert_int_equal(gemmnet_model_reduction(loaded), GEMMNET_REDUCTION_MEAN);
    assert_true(gemmnet_model_l2(loaded) == 1e-4f);
    /* The recorded loss is the training one: Σ CE / N + λ/2·Σ‖W‖². */
    gemmnet_workspace *ws;
    gemmnet_evaluation e;
    assert_int_equal(gemmnet_workspace_create(loaded, NULL, &ws, &err), GEMMNET_OK);
    assert_int_equal(gemmnet_evaluate(loaded, ws, &data, gemmnet_model_l2(loaded),
                                      gemmnet_model_reduction(loaded), &e, &err),
                     GEMMNET_OK);
    double penalty = 0.5 * 1e-4f * gn_weight_square_sum(loaded);
    assert_true(fabs(e.loss - (e.cross_entropy + penalty)) < 1e-12);
    gemmnet_workspace_destroy(ws);
    gemmnet_model_destroy(loaded);
    gemmnet_model_destroy(m);
    free(bytes);
    gemmnet_dataset_free(&data);
}

static unsigned char *read_all(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *size = (size_t)ftell(f);
    rewind(f);
    unsigned char *bytes = malloc(*size + 1);
    assert_int_equal(fread(bytes, 1, *size, f), *size);
    fclose(f);
    return bytes;
}

/* gemmnet_model_write_json → gemmnet_model_read_json → save gives the
 * checkpoint byte for byte, and the copy resumes. */
static void test_json_round_trip_of_a_checkpoint_is_byte_identical(void **state)
{
    (void)state;
    char dir[FIXTURE_DIR_SIZE], ck[FIXTURE_DIR_SIZE + 16], copy[FIXTURE_DIR_SIZE + 16],
        json[FIXTURE_DIR_SIZE + 16];
    assert_int_equal(fixture_dir_create(dir, "promises"), 0);
    snprintf(ck, sizeof ck, "%s/ck.gnet", dir);
    snprintf(copy, sizeof copy, "%s/copy.gnet", dir);
    snprintf(json, sizeof json, "%s/ck.json", dir);
    gemmnet_dataset data;
    assert_int_equal(
        gemmnet_dataset_generate(&data, GEMMNET_SYNTH_MOONS, 120, 2, 0.2, 3, NULL, NULL),
        GEMMNET_OK);
    gemmnet_model *m = small_model(5, 1);
    gemmnet_train_options o;
    gemmnet_train_options_init(&o);
    o.epochs = 20;
    o.report_every = 0;
    o.optimizer = GEMMNET_OPT_ADAM;
    o.batch_size = 32;
    gemmnet_trainer *t;
    gemmnet_error err = {0};
    assert_int_equal(gemmnet_trainer_create(m, &data, &o, &t, &err), GEMMNET_OK);
    assert_int_equal(gemmnet_trainer_run(t, 10, &err), GEMMNET_OK);
    assert_int_equal(gemmnet_trainer_save(t, ck, &err), GEMMNET_OK);

    gemmnet_model *loaded;
    assert_int_equal(gemmnet_model_load(ck, NULL, &loaded, &err), GEMMNET_OK);
    FILE *f = fopen(json, "w");
    assert_int_equal(gemmnet_model_write_json(loaded, f, &err), GEMMNET_OK);
    fclose(f);
    size_t text_size, ck_size, copy_size;
    unsigned char *text = read_all(json, &text_size);
    assert_non_null(strstr((char *)text, "\"training_state\": \""));
    gemmnet_model *imported;
    assert_int_equal(gemmnet_model_read_json((char *)text, text_size, NULL, &imported, &err),
                     GEMMNET_OK);
    assert_int_equal(gemmnet_model_save(imported, copy, &err), GEMMNET_OK);
    unsigned char *a = read_all(ck, &ck_size), *b = read_all(copy, &copy_size);
    assert_int_equal(ck_size, copy_size);
    assert_memory_equal(a, b, ck_size);

    /* The copy resumes: the same weights as running on uninterrupted. */
    gemmnet_model *resumed;
    gemmnet_checkpoint *c;
    assert_int_equal(gemmnet_checkpoint_load(copy, NULL, &resumed, &c, &err), GEMMNET_OK);
    gemmnet_train_options ro;
    gemmnet_checkpoint_options(c, &ro);
    gemmnet_trainer *rt;
    assert_int_equal(gemmnet_trainer_create(resumed, &data, &ro, &rt, &err), GEMMNET_OK);
    assert_int_equal(gemmnet_trainer_restore(rt, c, &err), GEMMNET_OK);
    assert_int_equal(gemmnet_trainer_run(rt, 10, &err), GEMMNET_OK);
    assert_int_equal(gemmnet_trainer_run(t, 10, &err), GEMMNET_OK);
    assert_memory_equal(gemmnet_model_weights(m, 1), gemmnet_model_weights(resumed, 1),
                        gemmnet_model_parameter_count(m) * sizeof(float));

    /* Initialising drops the state: it described other weights. */
    assert_int_equal(gemmnet_model_init(imported, GEMMNET_INIT_TUTORIAL, 0, &err), GEMMNET_OK);
    assert_true(gemmnet_model_file_size(imported) < ck_size);

    free(text);
    free(a);
    free(b);
    gemmnet_trainer_destroy(rt);
    gemmnet_checkpoint_free(c);
    gemmnet_model_destroy(resumed);
    gemmnet_model_destroy(imported);
    gemmnet_model_destroy(loaded);
    gemmnet_trainer_destroy(t);
    gemmnet_model_destroy(m);
    gemmnet_dataset_free(&data);
    fixture_dir_remove(dir);
}

/* Validation losses recorded by a progress callback, epoch by epoch. */
typedef struct loss_log {
    double loss[64];
} loss_log;

static int record_loss(void *context, const gemmnet_progress *p)
{
    loss_log *log = context;
    if (p->epoch < 64)
        log->loss[p->epoch] = p->validation.loss;
    return 0;
}

/* With patience left when the epochs end, the model still holds the
 * weights of the best validation epoch, not the last one. */
static void test_early_stopping_keeps_the_best_weights_when_epochs_end(void **state)
{
    (void)state;
    gemmnet_dataset all, train, validation;
    assert_int_equal(
        gemmnet_dataset_generate(&all, GEMMNET_SYNTH_MOONS, 200, 2, 0.45, 1, NULL, NULL),
        GEMMNET_OK);
    assert_int_equal(gemmnet_dataset_split(&all, 0.3, 1, &train, &validation, NULL), GEMMNET_OK);
    gemmnet_train_options o;
    gemmnet_train_options_init(&o);
    o.validation = &validation;
    o.patience = 1000; /* never runs out */
    o.learning_rate = 0.5f; /* large steps: the validation loss goes up and down */
    o.report_every = 1;
    o.epochs = 60;
    loss_log log = {{0}};
    o.progress = record_loss;
    o.progress_context = &log;
    gemmnet_model *m = small_model(10, 2);
    gemmnet_trainer *t;
    gemmnet_error err = {0};
    assert_int_equal(gemmnet_trainer_create(m, &train, &o, &t, &err), GEMMNET_OK);
    assert_int_equal(gemmnet_trainer_run(t, o.epochs, &err), GEMMNET_OK);
    int stopped;
    int32_t best = gemmnet_trainer_best_epoch(t, &stopped);
    assert_false(stopped);
    assert_true(best >= 0 && best < o.epochs - 1); /* the case at hand */
    for (int32_t e = 0; e < o.epochs; e++)
        assert_true(log.loss[best] <= log.loss[e]);
    gemmnet_workspace *ws;
    gemmnet_evaluation now;
    assert_int_equal(gemmnet_workspace_create(m, NULL, &ws, &err), GEMMNET_OK);
    assert_int_equal(gemmnet_evaluate(m, ws, &validation, o.l2, o.reduction, &now, &err),
                     GEMMNET_OK);
    assert_true(now.loss == log.loss[best]);
    gemmnet_workspace_destroy(ws);
    gemmnet_trainer_destroy(t);
    gemmnet_model_destroy(m);
    gemmnet_dataset_free(&all);
    gemmnet_dataset_free(&train);
    gemmnet_dataset_free(&validation);
}

/* Same row count, other values: the checkpoint's fingerprint refuses it. */
static void test_resume_on_other_data_of_the_same_size_is_refused(void **state)
{
    (void)state;
    char dir[FIXTURE_DIR_SIZE], ck[FIXTURE_DIR_SIZE + 16];
    assert_int_equal(fixture_dir_create(dir, "promises"), 0);
    snprintf(ck, sizeof ck, "%s/ck.gnet", dir);
    gemmnet_dataset data, other;
    assert_int_equal(
        gemmnet_dataset_generate(&data, GEMMNET_SYNTH_MOONS, 80, 2, 0.2, 0, NULL, NULL),
        GEMMNET_OK);
    assert_int_equal(
        gemmnet_dataset_generate(&other, GEMMNET_SYNTH_MOONS, 80, 2, 0.2, 0, NULL, NULL),
        GEMMNET_OK);
    other.x[17] = nextafterf(other.x[17], 10.0f); /* one float, one ulp */
    gemmnet_model *m = small_model(4, 0);
    gemmnet_train_options o;
    gemmnet_train_options_init(&o);
    o.epochs = 4;
    o.report_every = 0;
    gemmnet_trainer *t;
    gemmnet_error err = {0};
    assert_int_equal(gemmnet_trainer_create(m, &data, &o, &t, &err), GEMMNET_OK);
    assert_int_equal(gemmnet_trainer_run(t, 2, &err), GEMMNET_OK);
    assert_int_equal(gemmnet_trainer_save(t, ck, &err), GEMMNET_OK);
    for (int same = 0; same < 2; same++) {
        gemmnet_model *resumed;
        gemmnet_checkpoint *c;
        assert_int_equal(gemmnet_checkpoint_load(ck, NULL, &resumed, &c, &err), GEMMNET_OK);
        gemmnet_train_options ro;
        gemmnet_checkpoint_options(c, &ro);
        gemmnet_trainer *rt;
        assert_int_equal(gemmnet_trainer_create(resumed, same ? &data : &other, &ro, &rt, &err),
                         GEMMNET_OK);
        int status = gemmnet_trainer_restore(rt, c, &err);
        if (same) {
            assert_int_equal(status, GEMMNET_OK);
        } else {
            assert_int_equal(status, GEMMNET_E_SHAPE);
            assert_int_equal(err.status, GEMMNET_E_SHAPE);
            assert_non_null(strstr(err.message, "trained on other training data"));
        }
        gemmnet_trainer_destroy(rt);
        gemmnet_checkpoint_free(c);
        gemmnet_model_destroy(resumed);
    }
    gemmnet_trainer_destroy(t);
    gemmnet_model_destroy(m);
    gemmnet_dataset_free(&data);
    gemmnet_dataset_free(&other);
    fixture_dir_remove(dir);
}

/* NaN rows and answers that overflow float32 are errors with a message,
 * the same for predict, predict_proba, hidden activations and evaluate. */
static void test_non_finite_inputs_and_answers_are_errors(void **state)
{
    (void)state;
    gemmnet_model *m = small_model(3, 0);
    gemmnet_workspace *ws;
    gemmnet_error err = {0};
    assert_int_equal(gemmnet_workspace_create(m, NULL, &ws, &err), GEMMNET_OK);
    float x[6] = {0.5f, 0.25f, 1.0f, NAN, -1.0f, 2.0f};
    float proba[6], hidden[9];
    int32_t labels[3];
    assert_int_equal(gemmnet_predict(m, ws, x, 3, labels, &err), GEMMNET_E_NONFINITE);
    assert_int_equal(err.status, GEMMNET_E_NONFINITE);
    assert_non_null(strstr(err.message, "row 2, feature 2"));
    err = (gemmnet_error){0};
    assert_int_equal(gemmnet_predict_proba(m, ws, x, 3, proba, &err), GEMMNET_E_NONFINITE);
    assert_non_null(strstr(err.message, "row 2, feature 2"));
    assert_int_equal(gemmnet_hidden_activations(m, ws, x, 3, 1, hidden, &err), GEMMNET_E_NONFINITE);

    /* Finite weights of 3e38: both logits overflow to +Inf, P is NaN. */
    x[3] = 0.75f;
    float *w = gemmnet_model_weights(m, 2);
    for (int i = 0; i < 6; i++)
        w[i] = 3e38f;
    float *w1 = gemmnet_model_weights(m, 1);
    for (int i = 0; i < 6; i++)
        w1[i] = 3e38f;
    err = (gemmnet_error){0};
    assert_int_equal(gemmnet_predict_proba(m, ws, x, 3, proba, &err), GEMMNET_E_NONFINITE);
    assert_non_null(strstr(err.message, "not finite"));
    err = (gemmnet_error){0};
    assert_int_equal(gemmnet_predict(m, ws, x, 3, labels, &err), GEMMNET_E_NONFINITE);
    gemmnet_dataset data;
    assert_int_equal(gemmnet_dataset_alloc(&data, 3, 2, NULL, NULL), GEMMNET_OK);
    memcpy(data.x, x, sizeof x);
    data.y[0] = data.y[1] = data.y[2] = 1;
    data.classes = 2;
    gemmnet_evaluation e;
    err = (gemmnet_error){0};
    assert_int_equal(gemmnet_evaluate(m, ws, &data, 0.0f, GEMMNET_REDUCTION_SUM, &e, &err),
                     GEMMNET_E_NONFINITE);
    assert_non_null(strstr(err.message, "loss is not finite"));

    /* A workspace of another shape: GEMMNET_E_SHAPE with a message. */
    gemmnet_model *other = small_model(4, 0);
    err = (gemmnet_error){0};
    assert_int_equal(gemmnet_predict(other, ws, x, 3, labels, &err), GEMMNET_E_SHAPE);
    assert_non_null(strstr(err.message, "another shape"));
    gemmnet_model_destroy(other);
    gemmnet_dataset_free(&data);
    gemmnet_workspace_destroy(ws);
    gemmnet_model_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zeroed_csv_options_take_the_last_column),
        cmocka_unit_test(test_training_records_its_loss_convention),
        cmocka_unit_test(test_json_round_trip_of_a_checkpoint_is_byte_identical),
        cmocka_unit_test(test_early_stopping_keeps_the_best_weights_when_epochs_end),
        cmocka_unit_test(test_resume_on_other_data_of_the_same_size_is_refused),
        cmocka_unit_test(test_non_finite_inputs_and_answers_are_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
