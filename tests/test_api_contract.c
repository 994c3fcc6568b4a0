/* The contract at the top of gemmnet.h, function by function: every
 * function the shared library exports has a row in `contract` below that
 * calls it with NULL handles, NULL arguments and sizes out of range and
 * checks the status, what err receives and the OUT handles. The list of
 * functions comes from the library's dynamic symbol table (nm -D), so a
 * new function without a row fails this test.
 *
 * Usage: test_api_contract NM LIBGEMMNET.so */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemmnet.h"

/* A status call that must fail with `status`, write it and a message into
 * err, and (for the OUT handle it was given) leave NULL there. */
#define EXPECT_FAIL(want, call) \
    do { \
        gemmnet_error err_ = {0}; \
        gemmnet_error *err = &err_; \
        assert_int_equal((call), (want)); \
        assert_int_equal(err_.status, (want)); \
        assert_true(err_.message[0] != '\0'); \
        assert_null(strchr(err_.message, '\n')); \
    } while (0)

/* The same for a call that takes no err (its only failure is an argument
 * outside its documented range). */
#define EXPECT_STATUS(want, call) assert_int_equal((call), (want))

/* A valid model, data set and workspace to pair with the bad arguments. */
typedef struct kit {
    gemmnet_model *model;
    gemmnet_dataset data;
    gemmnet_workspace *ws;
} kit;

static kit k;

static void check_activation_name(void)
{
    assert_string_equal(gemmnet_activation_name(GEMMNET_ACT_TANH), "tanh");
    assert_string_equal(gemmnet_activation_name(GEMMNET_ACT_LEAKY_RELU), "leaky_relu");
    assert_null(gemmnet_activation_name((gemmnet_activation)GEMMNET_ACTIVATION_COUNT));
    assert_null(gemmnet_activation_name((gemmnet_activation)-1));
}

static void check_baseline_ridge(void)
{
    gemmnet_model *m = (gemmnet_model *)&k;
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_baseline_ridge(NULL, 0.1f, NULL, &m, err));
    assert_null(m);
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_baseline_ridge(&k.data, 0.1f, NULL, NULL, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_baseline_ridge(&k.data, -1.0f, NULL, &m, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_baseline_ridge(&k.data, NAN, NULL, &m, err));
}

static void check_class_weights_balanced(void)
{
    float w[2];
    gemmnet_dataset empty = {0};
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_class_weights_balanced(NULL, 2, w, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_class_weights_balanced(&k.data, 2, NULL, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_class_weights_balanced(&empty, 2, w, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_class_weights_balanced(&k.data, 1, w, err));
}

static void check_blas_name(void)
{
    assert_non_null(gemmnet_blas_name());
}

static void check_blas_report_get(void)
{
    EXPECT_STATUS(GEMMNET_E_INVALID, gemmnet_blas_report_get(NULL));
}

static void check_blas_set_threads(void)
{
    EXPECT_STATUS(GEMMNET_E_INVALID, gemmnet_blas_set_threads(0));
    EXPECT_STATUS(GEMMNET_E_INVALID, gemmnet_blas_set_threads(-3));
}

static void check_blas_threads(void)
{
    assert_true(gemmnet_blas_threads() >= 1);
}

static void check_checkpoint_epochs_done(void)
{
    assert_int_equal(gemmnet_checkpoint_epochs_done(NULL), 0);
}

static void check_checkpoint_free(void)
{
    gemmnet_checkpoint_free(NULL);
}

static void check_checkpoint_load(void)
{
    gemmnet_model *m = (gemmnet_model *)&k;
    gemmnet_checkpoint *c = (gemmnet_checkpoint *)&k;
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_checkpoint_load(NULL, NULL, &m, &c, err));
    assert_null(m);
    assert_null(c);
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_checkpoint_load("x.gnet", NULL, NULL, &c, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_checkpoint_load("x.gnet", NULL, &m, NULL, err));
}

static void check_checkpoint_options(void)
{
    gemmnet_train_options o, defaults;
    memset(&o, 0x55, sizeof o);
    gemmnet_train_options_init(&defaults);
    gemmnet_checkpoint_options(NULL, &o);
    assert_memory_equal(&o, &defaults, sizeof o);
    gemmnet_checkpoint_options(NULL, NULL);
}

static void check_confusion_matrix(void)
{
    size_t matrix[4];
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_confusion_matrix(NULL, k.ws, &k.data, matrix, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_confusion_matrix(k.model, NULL, &k.data, matrix, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_confusion_matrix(k.model, k.ws, NULL, matrix, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_confusion_matrix(k.model, k.ws, &k.data, NULL, err));
}

static void check_csv_reader_create(void)
{
    gemmnet_csv_reader *r = (gemmnet_csv_reader *)&k;
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_csv_reader_create(NULL, "x", 2, NULL, NULL, &r, err));
    assert_null(r);
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_csv_reader_create(stdin, NULL, 2, NULL, NULL, &r, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_csv_reader_create(stdin, "x", 0, NULL, NULL, &r, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_csv_reader_create(stdin, "x", 2, NULL, NULL, NULL, err));
    gemmnet_csv_options bad = {.label_field = -1};
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_csv_reader_create(stdin, "x", 2, &bad, NULL, &r, err));
}

static void check_csv_reader_destroy(void)
{
    gemmnet_csv_reader_destroy(NULL);
}

static void check_csv_reader_read(void)
{
    float x[2];
    size_t rows = 7;
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_csv_reader_read(NULL, x, 1, &rows, err));
}

static void check_dataset_alloc(void)
{
    gemmnet_dataset d;
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_dataset_alloc(NULL, 2, 2, NULL, err));
    EXPECT_FAIL(GEMMNET_E_OVERFLOW, gemmnet_dataset_alloc(&d, SIZE_MAX / 2, 4, NULL, err));
    assert_null(d.x);
    assert_int_equal(d.rows, 0);
}

static void check_dataset_apply_standardization(void)
{
    float v[2] = {0.0f, 1.0f}, zero[2] = {0.0f, 0.0f};
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_dataset_apply_standardization(NULL, v, v, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_dataset_apply_standardization(&k.data, NULL, v, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_dataset_apply_standardization(&k.data, v, NULL, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_dataset_apply_standardization(&k.data, v, zero, err));
}

static void check_dataset_free(void)
{
    gemmnet_dataset_free(NULL);
}

static void check_dataset_generate(void)
{
    gemmnet_dataset d;
    EXPECT_FAIL(GEMMNET_E_INVALID,
                gemmnet_dataset_generate(NULL, GEMMNET_SYNTH_MOONS, 10, 2, 0.1, 0, NULL, err));
    EXPECT_FAIL(GEMMNET_E_INVALID,
                gemmnet_dataset_generate(&d, GEMMNET_SYNTH_MOONS, 1, 2, 0.1, 0, NULL, err));
    assert_null(d.x);
    EXPECT_FAIL(GEMMNET_E_INVALID,
                gemmnet_dataset_generate(&d, GEMMNET_SYNTH_MOONS, 10, 2, NAN, 0, NULL, err));
    EXPECT_FAIL(GEMMNET_E_INVALID,
                gemmnet_dataset_generate(&d, (gemmnet_synthetic)99, 10, 2, 0.1, 0, NULL, err));
}

static void check_dataset_read_csv(void)
{
    gemmnet_dataset d;
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_dataset_read_csv(NULL, "x.csv", NULL, NULL, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_dataset_read_csv(&d, NULL, NULL, NULL, err));
    assert_null(d.x);
}

static void check_dataset_slice(void)
{
    gemmnet_dataset d;
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_dataset_slice(NULL, 0, 1, &d, err));
    assert_null(d.x);
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_dataset_slice(&k.data, 0, 1, NULL, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_dataset_slice(&k.data, 5, k.data.rows, &d, err));
}

static void check_dataset_split(void)
{
    gemmnet_dataset a, b;
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_dataset_split(NULL, 0.5, 0, &a, &b, err));
    assert_null(a.x);
    assert_null(b.x);
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_dataset_split(&k.data, 0.5, 0, NULL, &b, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_dataset_split(&k.data, 0.5, 0, &a, NULL, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_dataset_split(&k.data, 1.5, 0, &a, &b, err));
}

static void check_dataset_standardize(void)
{
    float mean[2], scale[2];
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_dataset_standardize(NULL, mean, scale, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_dataset_standardize(&k.data, NULL, scale, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_dataset_standardize(&k.data, mean, NULL, err));
}

static void check_dataset_statistics(void)
{
    float mean[2], scale[2];
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_dataset_statistics(NULL, mean, scale, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_dataset_statistics(&k.data, NULL, scale, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_dataset_statistics(&k.data, mean, NULL, err));
}

static void check_evaluate(void)
{
    gemmnet_evaluation e;
    const gemmnet_reduction sum = GEMMNET_REDUCTION_SUM;
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_evaluate(NULL, k.ws, &k.data, 0.0f, sum, &e, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_evaluate(k.model, NULL, &k.data, 0.0f, sum, &e, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_evaluate(k.model, k.ws, NULL, 0.0f, sum, &e, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_evaluate(k.model, k.ws, &k.data, 0.0f, sum, NULL, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_evaluate(k.model, k.ws, &k.data, NAN, sum, &e, err));
    EXPECT_FAIL(GEMMNET_E_INVALID,
                gemmnet_evaluate(k.model, k.ws, &k.data, 0.0f, (gemmnet_reduction)7, &e, err));
}

static void check_generate(void)
{
    double x[4];
    int32_t y[2];
    EXPECT_STATUS(GEMMNET_E_INVALID, gemmnet_generate(GEMMNET_SYNTH_MOONS, 2, 2, 0.1, 0, NULL, y));
    EXPECT_STATUS(GEMMNET_E_INVALID, gemmnet_generate(GEMMNET_SYNTH_MOONS, 2, 2, 0.1, 0, x, NULL));
    EXPECT_STATUS(GEMMNET_E_INVALID, gemmnet_generate(GEMMNET_SYNTH_MOONS, 1, 2, 0.1, 0, x, y));
    EXPECT_STATUS(GEMMNET_E_INVALID, gemmnet_generate(GEMMNET_SYNTH_XOR, 2, 3, 0.1, 0, x, y));
}

static void check_hidden_activations(void)
{
    float x[2] = {0.0f, 0.0f}, out[3];
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_hidden_activations(NULL, k.ws, x, 1, 1, out, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_hidden_activations(k.model, NULL, x, 1, 1, out, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_hidden_activations(k.model, k.ws, NULL, 1, 1, out, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_hidden_activations(k.model, k.ws, x, 1, 1, NULL, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_hidden_activations(k.model, k.ws, x, 1, 2, out, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_hidden_activations(k.model, k.ws, x, 1, 0, out, err));
}

static void check_model_activation(void)
{
    assert_int_equal(gemmnet_model_activation(NULL, 1), GEMMNET_ACT_TANH);
}

static void check_model_biases(void)
{
    assert_null(gemmnet_model_biases(NULL, 1));
    assert_null(gemmnet_model_biases(k.model, 0));
    assert_null(gemmnet_model_biases(k.model, 3));
}

static void check_model_class_name(void)
{
    assert_null(gemmnet_model_class_name(NULL, 0));
    assert_null(gemmnet_model_class_name(k.model, -1));
}

static void check_model_check_architecture(void)
{
    int32_t hidden = 3, wider = 4;
    gemmnet_architecture same = {.inputs = 2, .classes = 2, .hidden_layers = 1, .hidden = &hidden};
    gemmnet_architecture other = same;
    other.hidden = &wider;
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_model_check_architecture(NULL, &same, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_model_check_architecture(k.model, NULL, err));
    EXPECT_FAIL(GEMMNET_E_SHAPE, gemmnet_model_check_architecture(k.model, &other, err));
    assert_int_equal(gemmnet_model_check_architecture(k.model, &same, NULL), GEMMNET_OK);
}

static void check_model_create(void)
{
    int32_t hidden = 3;
    gemmnet_architecture arch = {.inputs = 2, .classes = 2, .hidden_layers = 1, .hidden = &hidden};
    gemmnet_model *m = (gemmnet_model *)&k;
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_model_create(NULL, NULL, &m, err));
    assert_null(m);
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_model_create(&arch, NULL, NULL, err));
    arch.hidden = NULL;
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_model_create(&arch, NULL, &m, err));
    arch = (gemmnet_architecture){.inputs = 0, .classes = 2};
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_model_create(&arch, NULL, &m, err));
    arch = (gemmnet_architecture){.inputs = 2, .classes = 1};
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_model_create(&arch, NULL, &m, err));
}

static void check_model_destroy(void)
{
    gemmnet_model_destroy(NULL);
}

static void check_model_file_size(void)
{
    assert_int_equal(gemmnet_model_file_size(NULL), 0);
}

static void check_model_init(void)
{
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_model_init(NULL, GEMMNET_INIT_TUTORIAL, 0, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_model_init(k.model, (gemmnet_init)42, 0, err));
}

static void check_model_l2(void)
{
    assert_true(gemmnet_model_l2(NULL) == 0.0f);
}

static void check_model_layers(void)
{
    assert_int_equal(gemmnet_model_layers(NULL), 0);
}

static void check_model_load(void)
{
    gemmnet_model *m = (gemmnet_model *)&k;
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_model_load(NULL, NULL, &m, err));
    assert_null(m);
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_model_load("x.gnet", NULL, NULL, err));
}

static void check_model_load_buffer(void)
{
    gemmnet_model *m = (gemmnet_model *)&k;
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_model_load_buffer(NULL, 5, NULL, &m, err));
    assert_null(m);
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_model_load_buffer("abc", 3, NULL, NULL, err));
}

static void check_model_mean(void)
{
    assert_null(gemmnet_model_mean(NULL));
}

static void check_model_parameter_count(void)
{
    assert_int_equal(gemmnet_model_parameter_count(NULL), 0);
}

static void check_model_read_json(void)
{
    gemmnet_model *m = (gemmnet_model *)&k;
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_model_read_json(NULL, 5, NULL, &m, err));
    assert_null(m);
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_model_read_json("{}", 2, NULL, NULL, err));
}

static void check_model_reduction(void)
{
    assert_int_equal(gemmnet_model_reduction(NULL), GEMMNET_REDUCTION_SUM);
}

static void check_model_save(void)
{
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_model_save(NULL, "x.gnet", err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_model_save(k.model, NULL, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_model_save(k.model, "", err));
}

static void check_model_save_buffer(void)
{
    unsigned char buffer[8];
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_model_save_buffer(NULL, buffer, sizeof buffer, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_model_save_buffer(k.model, NULL, 100000, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_model_save_buffer(k.model, buffer, sizeof buffer, err));
}

static void check_model_scale(void)
{
    assert_null(gemmnet_model_scale(NULL));
}

static void check_model_set_class_names(void)
{
    const char *one[1] = {"a"};
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_model_set_class_names(NULL, NULL, err));
    const char *same[2] = {"a", "a"};
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_model_set_class_names(k.model, same, err));
    (void)one;
}

static void check_model_set_loss(void)
{
    EXPECT_STATUS(GEMMNET_E_INVALID, gemmnet_model_set_loss(NULL, GEMMNET_REDUCTION_SUM, 0.0f));
    EXPECT_STATUS(GEMMNET_E_INVALID, gemmnet_model_set_loss(k.model, GEMMNET_REDUCTION_SUM, -1.0f));
    EXPECT_STATUS(GEMMNET_E_INVALID, gemmnet_model_set_loss(k.model, (gemmnet_reduction)5, 0.0f));
}

static void check_model_set_standardization(void)
{
    float v[2] = {0.0f, 1.0f}, bad[2] = {1.0f, INFINITY};
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_model_set_standardization(NULL, v, v, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_model_set_standardization(k.model, v, NULL, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_model_set_standardization(k.model, v, bad, err));
}

static void check_model_weights(void)
{
    assert_null(gemmnet_model_weights(NULL, 1));
    assert_null(gemmnet_model_weights(k.model, 0));
    assert_null(gemmnet_model_weights(k.model, 3));
}

static void check_model_width(void)
{
    assert_int_equal(gemmnet_model_width(NULL, 0), 0);
    assert_int_equal(gemmnet_model_width(k.model, -1), 0);
    assert_int_equal(gemmnet_model_width(k.model, 3), 0);
}

static void check_model_write_json(void)
{
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_model_write_json(NULL, stdout, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_model_write_json(k.model, NULL, err));
}

static void check_model_write_onnx(void)
{
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_model_write_onnx(NULL, stdout, 0, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_model_write_onnx(k.model, NULL, 0, err));
}

static void check_model_read_onnx(void)
{
    gemmnet_model *m = (gemmnet_model *)&k;
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_model_read_onnx(NULL, 5, NULL, &m, err));
    assert_null(m);
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_model_read_onnx("x", 1, NULL, NULL, err));
}

static void check_model_write_c(void)
{
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_model_write_c(NULL, stdout, "net", err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_model_write_c(k.model, NULL, "net", err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_model_write_c(k.model, stdout, NULL, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_model_write_c(k.model, stdout, "2bad", err));
}

static void check_output_open(void)
{
    gemmnet_output *out = (gemmnet_output *)&k;
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_output_open(NULL, &out, err));
    assert_null(out);
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_output_open("x", NULL, err));
    out = (gemmnet_output *)&k;
    EXPECT_FAIL(GEMMNET_E_IO, gemmnet_output_open("/", &out, err));
    assert_null(out);
}

static void check_output_stream(void)
{
    assert_null(gemmnet_output_stream(NULL));
}

static void check_output_commit(void)
{
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_output_commit(NULL, err));
}

static void check_output_discard(void)
{
    gemmnet_output_discard(NULL);
}

static void check_output_remove_temporaries(void)
{
    gemmnet_output_remove_temporaries(); /* nothing in progress: nothing to do */
}

static void check_predict(void)
{
    float x[2] = {0.0f, 0.0f};
    int32_t labels[1];
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_predict(NULL, k.ws, x, 1, labels, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_predict(k.model, NULL, x, 1, labels, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_predict(k.model, k.ws, NULL, 1, labels, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_predict(k.model, k.ws, x, 1, NULL, err));
    x[1] = NAN;
    EXPECT_FAIL(GEMMNET_E_NONFINITE, gemmnet_predict(k.model, k.ws, x, 1, labels, err));
}

static void check_predict_proba(void)
{
    float x[2] = {0.0f, 0.0f}, p[2];
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_predict_proba(NULL, k.ws, x, 1, p, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_predict_proba(k.model, NULL, x, 1, p, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_predict_proba(k.model, k.ws, NULL, 1, p, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_predict_proba(k.model, k.ws, x, 1, NULL, err));
    x[0] = INFINITY;
    EXPECT_FAIL(GEMMNET_E_NONFINITE, gemmnet_predict_proba(k.model, k.ws, x, 1, p, err));
}

static void check_rng_interval(void)
{
    assert_int_equal(gemmnet_rng_interval(NULL, 5), 0);
}

static void check_rng_next32(void)
{
    assert_int_equal(gemmnet_rng_next32(NULL), 0);
}

static void check_rng_normal(void)
{
    assert_true(gemmnet_rng_normal(NULL) == 0.0);
}

static void check_rng_seed(void)
{
    gemmnet_rng_seed(NULL, 1);
}

static void check_rng_shuffle(void)
{
    int32_t items[3] = {0, 1, 2};
    gemmnet_rng rng;
    gemmnet_rng_seed(&rng, 0);
    gemmnet_rng_shuffle(NULL, items, 3);
    gemmnet_rng_shuffle(&rng, NULL, 3);
    assert_int_equal(items[0] + items[1] + items[2], 3);
}

static void check_rng_uniform(void)
{
    assert_true(gemmnet_rng_uniform(NULL) == 0.0);
}

static void check_schedule_rate(void)
{
    assert_true(gemmnet_schedule_rate(NULL, 0.25f, 7) == 0.25f);
}

static void check_strerror(void)
{
    assert_non_null(gemmnet_strerror(-1));
    assert_non_null(gemmnet_strerror(12345));
}

static void check_train(void)
{
    gemmnet_train_options o;
    gemmnet_train_options_init(&o);
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_train(NULL, &k.data, &o, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_train(k.model, NULL, &o, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_train(k.model, &k.data, NULL, err));
    o.epochs = -1;
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_train(k.model, &k.data, &o, err));
}

static void check_train_options_init(void)
{
    gemmnet_train_options_init(NULL);
}

static void check_trainer_best_epoch(void)
{
    int stopped = 5;
    assert_int_equal(gemmnet_trainer_best_epoch(NULL, &stopped), -1);
    assert_int_equal(stopped, 0);
    assert_int_equal(gemmnet_trainer_best_epoch(NULL, NULL), -1);
}

static void check_trainer_create(void)
{
    gemmnet_train_options o;
    gemmnet_train_options_init(&o);
    gemmnet_trainer *t = (gemmnet_trainer *)&k;
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_trainer_create(NULL, &k.data, &o, &t, err));
    assert_null(t);
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_trainer_create(k.model, NULL, &o, &t, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_trainer_create(k.model, &k.data, NULL, &t, err));
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_trainer_create(k.model, &k.data, &o, NULL, err));
    o.learning_rate = NAN;
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_trainer_create(k.model, &k.data, &o, &t, err));
}

static void check_trainer_destroy(void)
{
    gemmnet_trainer_destroy(NULL);
}

static void check_trainer_epochs_done(void)
{
    assert_int_equal(gemmnet_trainer_epochs_done(NULL), 0);
}

static void check_trainer_restore(void)
{
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_trainer_restore(NULL, NULL, err));
}

static void check_trainer_run(void)
{
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_trainer_run(NULL, 1, err));
    gemmnet_train_options o;
    gemmnet_train_options_init(&o);
    gemmnet_trainer *t;
    assert_int_equal(gemmnet_trainer_create(k.model, &k.data, &o, &t, NULL), GEMMNET_OK);
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_trainer_run(t, -1, err));
    gemmnet_trainer_destroy(t);
}

static void check_trainer_save(void)
{
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_trainer_save(NULL, "x.gnet", err));
    gemmnet_train_options o;
    gemmnet_train_options_init(&o);
    gemmnet_trainer *t;
    assert_int_equal(gemmnet_trainer_create(k.model, &k.data, &o, &t, NULL), GEMMNET_OK);
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_trainer_save(t, NULL, err));
    gemmnet_trainer_destroy(t);
}

static void check_workspace_create(void)
{
    gemmnet_workspace *ws = (gemmnet_workspace *)&k;
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_workspace_create(NULL, NULL, &ws, err));
    assert_null(ws);
    EXPECT_FAIL(GEMMNET_E_INVALID, gemmnet_workspace_create(k.model, NULL, NULL, err));
}

static void check_workspace_destroy(void)
{
    gemmnet_workspace_destroy(NULL);
}

/* One row per exported function. */
typedef struct contract_row {
    const char *name;
    void (*check)(void);
} contract_row;

#define ROW(f) \
    { \
        "gemmnet_" #f, check_##f \
    }
static const contract_row contract[] = {
    ROW(activation_name),
    ROW(baseline_ridge),
    ROW(blas_name),
    ROW(blas_report_get),
    ROW(blas_set_threads),
    ROW(blas_threads),
    ROW(checkpoint_epochs_done),
    ROW(checkpoint_free),
    ROW(checkpoint_load),
    ROW(checkpoint_options),
    ROW(class_weights_balanced),
    ROW(confusion_matrix),
    ROW(csv_reader_create),
    ROW(csv_reader_destroy),
    ROW(csv_reader_read),
    ROW(dataset_alloc),
    ROW(dataset_apply_standardization),
    ROW(dataset_free),
    ROW(dataset_generate),
    ROW(dataset_read_csv),
    ROW(dataset_slice),
    ROW(dataset_split),
    ROW(dataset_standardize),
    ROW(dataset_statistics),
    ROW(evaluate),
    ROW(generate),
    ROW(hidden_activations),
    ROW(model_activation),
    ROW(model_biases),
    ROW(model_check_architecture),
    ROW(model_class_name),
    ROW(model_create),
    ROW(model_destroy),
    ROW(model_file_size),
    ROW(model_init),
    ROW(model_l2),
    ROW(model_layers),
    ROW(model_load),
    ROW(model_load_buffer),
    ROW(model_mean),
    ROW(model_parameter_count),
    ROW(model_read_json),
    ROW(model_reduction),
    ROW(model_save),
    ROW(model_save_buffer),
    ROW(model_scale),
    ROW(model_set_class_names),
    ROW(model_set_loss),
    ROW(model_set_standardization),
    ROW(model_weights),
    ROW(model_width),
    ROW(model_write_json),
    ROW(model_write_onnx),
    ROW(model_read_onnx),
    ROW(model_write_c),
    ROW(output_open),
    ROW(output_stream),
    ROW(output_commit),
    ROW(output_discard),
    ROW(output_remove_temporaries),
    ROW(predict),
    ROW(predict_proba),
    ROW(rng_interval),
    ROW(rng_next32),
    ROW(rng_normal),
    ROW(rng_seed),
    ROW(rng_shuffle),
    ROW(rng_uniform),
    ROW(schedule_rate),
    ROW(strerror),
    ROW(train),
    ROW(train_options_init),
    ROW(trainer_best_epoch),
    ROW(trainer_create),
    ROW(trainer_destroy),
    ROW(trainer_epochs_done),
    ROW(trainer_restore),
    ROW(trainer_run),
    ROW(trainer_save),
    ROW(workspace_create),
    ROW(workspace_destroy),
};
enum { CONTRACT_ROWS = sizeof contract / sizeof contract[0] };

static const char *nm_path, *library_path;

static const contract_row *row_of(const char *name)
{
    for (size_t i = 0; i < CONTRACT_ROWS; i++)
        if (strcmp(contract[i].name, name) == 0)
            return &contract[i];
    return NULL;
}

/* Every gemmnet_* function in the library's dynamic symbol table has a
 * row, and every row names an exported function. */
static void test_every_exported_function_has_a_row(void **state)
{
    (void)state;
    char command[1024];
    snprintf(command, sizeof command, "'%s' -D --defined-only '%s'", nm_path, library_path);
    FILE *nm = popen(command, "r");
    assert_non_null(nm);
    char line[512];
    size_t exported = 0;
    bool seen[CONTRACT_ROWS] = {false};
    while (fgets(line, sizeof line, nm)) {
        char address[64], type[8], name[256];
        if (sscanf(line, "%63s %7s %255s", address, type, name) != 3 ||
            strncmp(name, "gemmnet_", 8) != 0)
            continue;
        const contract_row *row = row_of(name);
        if (!row)
            fail_msg("%s is exported but has no row in the API contract test", name);
        seen[row - contract] = true;
        exported++;
    }
    assert_int_equal(pclose(nm), 0);
    for (size_t i = 0; i < CONTRACT_ROWS; i++)
        if (!seen[i])
            fail_msg("%s has a row but is not exported by %s", contract[i].name, library_path);
    assert_int_equal(exported, CONTRACT_ROWS);
}

static void test_every_function_keeps_the_contract(void **state)
{
    (void)state;
    for (size_t i = 0; i < CONTRACT_ROWS; i++) {
        print_message("contract: %s\n", contract[i].name);
        contract[i].check();
    }
}

static int setup(void **state)
{
    (void)state;
    int32_t hidden = 3;
    gemmnet_architecture arch = {.inputs = 2, .classes = 2, .hidden_layers = 1, .hidden = &hidden};
    if (gemmnet_model_create(&arch, NULL, &k.model, NULL) != GEMMNET_OK ||
        gemmnet_model_init(k.model, GEMMNET_INIT_TUTORIAL, 0, NULL) != GEMMNET_OK ||
        gemmnet_dataset_generate(&k.data, GEMMNET_SYNTH_MOONS, 20, 2, 0.2, 0, NULL, NULL) !=
            GEMMNET_OK ||
        gemmnet_workspace_create(k.model, NULL, &k.ws, NULL) != GEMMNET_OK)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    gemmnet_workspace_destroy(k.ws);
    gemmnet_dataset_free(&k.data);
    gemmnet_model_destroy(k.model);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s NM LIBGEMMNET.so\n", argv[0]);
        return 2;
    }
    nm_path = argv[1];
    library_path = argv[2];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_exported_function_has_a_row),
        cmocka_unit_test(test_every_function_keeps_the_contract),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
