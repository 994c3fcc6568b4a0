/*
 * The CSV front end beyond integer labels: text labels numbered in sorted
 * order and kept as class names, a label column found by its header name,
 * given class names (a model's), the streaming reader (D or D + 1 fields,
 * a pipe, block sizes), and standardisation: computed on training data,
 * carried by the model and applied to raw rows by predict and evaluate.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/net.h"
#include "support.h"

/* ---- fixtures ------------------------------------------------------------ */

static char fixture_dir[FIXTURE_DIR_SIZE];

static int make_fixture_dir(void **state)
{
    (void)state;
    return fixture_dir_create(fixture_dir, "labels");
}

static int remove_fixture_dir(void **state)
{
    (void)state;
    return fixture_dir_remove(fixture_dir);
}

/* Writes text to NAME in the fixture directory; the path goes to path[256]. */
static void write_text(const char *name, const char *text, char *path)
{
    write_file(fixture_path(path, 256, fixture_dir, name), text, strlen(text));
}

static int read_text(const char *name,
                     const char *text,
                     const gemmnet_csv_options *options,
                     gemmnet_dataset *data,
                     gemmnet_error *err)
{
    char path[256];
    write_text(name, text, path);
    return gemmnet_dataset_read_csv(data, path, options, NULL, err);
}

static void expect_read(const char *name,
                        const char *text,
                        const gemmnet_csv_options *options,
                        gemmnet_dataset *data)
{
    gemmnet_error err = {0};
    if (read_text(name, text, options, data, &err) != GEMMNET_OK)
        fail_msg("reading %s failed: %s", name, err.message);
}

static void expect_failure(const char *name,
                           const char *text,
                           const gemmnet_csv_options *options,
                           int expected,
                           const char *what)
{
    gemmnet_dataset data;
    gemmnet_error err = {0};
    int status = read_text(name, text, options, &data, &err);
    if (status != expected || !strstr(err.message, what))
        fail_msg("%s: status %d (%s) and \"%s\", expected %d and \"%s\"", name, status,
                 gemmnet_strerror(status), err.message, expected, what);
    assert_null(data.x);
    assert_null(data.class_names);
}

static void assert_labels(const gemmnet_dataset *data, const int32_t *y, size_t n)
{
    assert_int_equal(data->rows, n);
    for (size_t i = 0; i < n; i++)
        if (data->y[i] != y[i])
            fail_msg("y[%zu] is %d, expected %d", i, (int)data->y[i], (int)y[i]);
}

/* ---- text labels --------------------------------------------------------- */

static void test_text_labels_are_numbered_in_sorted_order(void **state)
{
    (void)state;
    gemmnet_dataset data;
    expect_read("iris.csv",
                "sepal,petal,species\n5.1,1.4,setosa\n7.0,4.7,versicolor\n6.3,6.0,virginica\n"
                "4.9,1.4,setosa\n",
                NULL, &data);
    assert_int_equal(data.classes, 3);
    assert_int_equal(data.features, 2);
    assert_string_equal(data.class_names[0], "setosa");
    assert_string_equal(data.class_names[1], "versicolor");
    assert_string_equal(data.class_names[2], "virginica");
    const int32_t y[] = {0, 1, 2, 0};
    assert_labels(&data, y, 4);
    assert_true(data.x[2] == 7.0f);
    gemmnet_dataset_free(&data);
    /* Row order does not change the numbering; names may look numeric
     * once the first label is text. */
    expect_read("order.csv", "1,zebra\n2,10\n3,apple\n4,zebra\n", NULL, &data);
    assert_int_equal(data.classes, 3);
    assert_string_equal(data.class_names[0], "10");
    assert_string_equal(data.class_names[1], "apple");
    assert_string_equal(data.class_names[2], "zebra");
    const int32_t y2[] = {2, 0, 1, 2};
    assert_labels(&data, y2, 4);
    gemmnet_dataset_free(&data);
}

static void test_headerless_file_with_text_labels_keeps_its_first_row(void **state)
{
    (void)state;
    gemmnet_dataset data;
    expect_read("no_header.csv", "5.1,3.5,setosa\n6.2,2.9,versicolor\n", NULL, &data);
    assert_int_equal(data.rows, 2);
    assert_true(data.x[0] == 5.1f);
    gemmnet_dataset_free(&data);
}

static void test_integer_labels_stay_integers_without_names(void **state)
{
    (void)state;
    gemmnet_dataset data;
    expect_read("ints.csv", "x,y,label\n1,2,1\n3,4,0\n", NULL, &data);
    assert_null(data.class_names);
    assert_int_equal(data.classes, 2);
    gemmnet_dataset_free(&data);
    expect_failure(
        "mixed.csv", "1,2,0\n3,4,one\n", NULL, GEMMNET_E_PARSE,
        "mixed.csv:2:3: \"one\" is not a number, expected an integer label as on line 1");
}

static void test_bad_text_labels_are_refused_where_they_are(void **state)
{
    (void)state;
    expect_failure("single.csv", "x,label\n1,cat\n2,cat\n", NULL, GEMMNET_E_LABEL,
                   "single.csv: the labels name a single class (\"cat\")");
    expect_failure("empty_label.csv", "x,label\n1,cat\n2,\n", NULL, GEMMNET_E_LABEL,
                   "empty_label.csv:3:2: empty label");
    expect_failure("control.csv", "x,label\n1,cat\n2,d\x01g\n", NULL, GEMMNET_E_PARSE,
                   "control.csv:3:2: byte 0x01 is not text");
    char text[1200] = "x,label\n1,cat\n2,";
    memset(text + strlen(text), 'd', 1100);
    strcat(text, "\n");
    expect_failure("long.csv", text, NULL, GEMMNET_E_LABEL, "long.csv:3:2: label \"ddd");
    gemmnet_csv_options three = {.classes = 3};
    expect_failure("count.csv", "x,l\n1,a\n2,b\n", &three, GEMMNET_E_LABEL,
                   "count.csv: the labels name 2 classes, expected 3");
}

static void test_label_column_is_found_by_header_name(void **state)
{
    (void)state;
    gemmnet_dataset data;
    gemmnet_csv_options by_name = {.label_name = "kind"};
    expect_read("named.csv", "a, kind ,b\n1,x,2\n3,y,4\n", &by_name, &data);
    assert_int_equal(data.features, 2);
    assert_true(data.x[0] == 1.0f && data.x[1] == 2.0f && data.x[3] == 4.0f);
    const int32_t y[] = {0, 1};
    assert_labels(&data, y, 2);
    gemmnet_dataset_free(&data);
    expect_failure("missing_name.csv", "a,b,c\n1,2,0\n", &by_name, GEMMNET_E_INVALID,
                   "missing_name.csv:1: no column named \"kind\"");
    expect_failure("twice.csv", "kind,b,kind\n1,2,0\n", &by_name, GEMMNET_E_INVALID,
                   "twice.csv:1:3: label column \"kind\" appears twice");
    /* With a name, the first line is a header even if it looks numeric. */
    gemmnet_csv_options numeric_name = {.label_name = "2"};
    expect_read("numeric_header.csv", "1,2\n5,0\n6,1\n", &numeric_name, &data);
    assert_int_equal(data.rows, 2);
    gemmnet_dataset_free(&data);
}

static void test_given_class_names_map_labels_to_their_index(void **state)
{
    (void)state;
    const char *const names[] = {"zebra", "apple", "mango"};
    gemmnet_csv_options given = {.classes = 3, .class_names = names};
    gemmnet_dataset data;
    expect_read("given.csv", "x,l\n1,apple\n2,apple\n", &given, &data);
    const int32_t y[] = {1, 1};
    assert_labels(&data, y, 2);
    assert_int_equal(data.classes, 3);
    assert_string_equal(data.class_names[0], "zebra");
    gemmnet_dataset_free(&data);
    expect_failure("unknown.csv", "x,l\n1,apple\n2,pear\n", &given, GEMMNET_E_LABEL,
                   "unknown.csv:3:2: unknown class \"pear\"");
    expect_failure("integers.csv", "x,l\n1,0\n", &given, GEMMNET_E_LABEL, "unknown class \"0\"");
}

static void test_allocation_failures_with_text_labels_leak_nothing(void **state)
{
    (void)state;
    char path[256], text[4096] = "x,label\n";
    /* Enough distinct names to grow the name table's buffers. */
    for (int i = 0; i < 150; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "%d,class%03d\n", i,
                 (i * 7) % 150);
    write_text("many.csv", text, path);
    size_t failures = 0;
    for (size_t fail_on = 1;; fail_on++) {
        counting_allocator counter = {.fail_on = fail_on};
        gemmnet_allocator hooks = counting_hooks(&counter);
        gemmnet_dataset data;
        int status = gemmnet_dataset_read_csv(&data, path, NULL, &hooks, NULL);
        if (status == GEMMNET_OK) {
            assert_int_equal(data.classes, 150);
            assert_string_equal(data.class_names[149], "class149");
            assert_int_equal(data.y[1], 7);
            gemmnet_dataset_free(&data);
        }
        if (counter.allocations != counter.releases)
            fail_msg("failing allocation %zu: %zu allocations, %zu releases", fail_on,
                     counter.allocations, counter.releases);
        if (status == GEMMNET_OK)
            break;
        assert_int_equal(status, GEMMNET_E_NOMEM);
        failures++;
    }
    assert_true(failures >= 8);
}

/* ---- the streaming reader ------------------------------------------------ */

/* A pipe holding text (≤ 64 KiB), its write end closed: not seekable. */
static FILE *pipe_with(const char *text)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(write(fds[1], text, strlen(text)), (ssize_t)strlen(text));
    close(fds[1]);
    FILE *f = fdopen(fds[0], "r");
    assert_non_null(f);
    return f;
}

/* Reads all rows of text (D features) through blocks of block rows. */
static int stream_all(const char *text,
                      size_t d,
                      const gemmnet_csv_options *options,
                      size_t block,
                      float *x,
                      size_t *rows,
                      gemmnet_error *err)
{
    FILE *f = pipe_with(text);
    gemmnet_csv_reader *r = NULL;
    int status = gemmnet_csv_reader_create(f, "pipe", d, options, NULL, &r, err);
    *rows = 0;
    for (size_t got = 1; status == GEMMNET_OK && got > 0; *rows += got)
        status = gemmnet_csv_reader_read(r, x + *rows * d, block, &got, err);
    gemmnet_csv_reader_destroy(r);
    fclose(f);
    return status;
}

static void test_stream_reads_rows_with_or_without_a_label_column(void **state)
{
    (void)state;
    const char *with_label = "a,b,label\n1,2,cat\n\n3,4,dog\r\n5,6,bird\n7,8,x\n9,10,y\n";
    const char *without = "\xef\xbb\xbf"
                          "1,2\n3,4\n5,6\n7,8\n9,10";
    const float expected[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    for (size_t block = 1; block <= 6; block++) {
        float x[16];
        size_t rows = 0;
        gemmnet_error err = {0};
        const char *texts[] = {with_label, without};
        for (int t = 0; t < 2; t++) {
            if (stream_all(texts[t], 2, NULL, block, x, &rows, &err) != GEMMNET_OK)
                fail_msg("block %zu, text %d: %s", block, t, err.message);
            assert_int_equal(rows, 5);
            assert_memory_equal(x, expected, sizeof expected);
        }
    }
    float x[16];
    size_t rows = 0;
    gemmnet_csv_options first = {.label_field = 1};
    assert_int_equal(stream_all("5,1,2\n1,3,4\n", 2, &first, 4, x, &rows, NULL), GEMMNET_OK);
    assert_true(rows == 2 && x[0] == 1.0f && x[3] == 4.0f);
    gemmnet_csv_options by_name = {.label_name = "y"};
    assert_int_equal(stream_all("p,y,q\n1,z,2\n", 2, &by_name, 4, x, &rows, NULL), GEMMNET_OK);
    assert_true(rows == 1 && x[0] == 1.0f && x[1] == 2.0f);
    assert_int_equal(stream_all("", 2, NULL, 4, x, &rows, NULL), GEMMNET_OK);
    assert_int_equal(rows, 0);
}

static void test_stream_errors_name_file_line_and_column(void **state)
{
    (void)state;
    float x[64];
    size_t rows = 0;
    struct {
        const char *text;
        int expected;
        const char *what;
    } cases[] = {
        {"1,2\n3,x\n", GEMMNET_E_PARSE, "pipe:2:2: \"x\" is not a number"},
        {"1,2,3,4\n", GEMMNET_E_PARSE,
         "pipe:1: row has 4 fields, expected 2 (the model's features) or 3"},
        {"1,2\n3,4,5\n", GEMMNET_E_PARSE, "pipe:2: row has 3 fields, expected 2 like line 1"},
        {"1,2\n3,nan\n", GEMMNET_E_NONFINITE, "pipe:2:2: \"nan\" is not finite"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gemmnet_error err = {0};
        int status = stream_all(cases[i].text, 2, NULL, 8, x, &rows, &err);
        if (status != cases[i].expected || !strstr(err.message, cases[i].what))
            fail_msg("case %zu: status %d \"%s\", expected %d \"%s\"", i, status, err.message,
                     cases[i].expected, cases[i].what);
    }
}

/* The stream and the whole-file reader agree on every row of the moons. */
static void test_stream_matches_the_whole_file_reader(void **state)
{
    (void)state;
    const char *dir = getenv("GEMMNET_TEST_DATA");
    char path[512];
    snprintf(path, sizeof path, "%s/moons200_glibc.csv", dir ? dir : "tests/data");
    gemmnet_dataset data;
    assert_int_equal(gemmnet_dataset_read_csv(&data, path, NULL, NULL, NULL), GEMMNET_OK);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    gemmnet_csv_reader *r = NULL;
    assert_int_equal(gemmnet_csv_reader_create(f, path, 2, NULL, NULL, &r, NULL), GEMMNET_OK);
    float x[2 * 37];
    size_t total = 0, got = 0;
    do {
        assert_int_equal(gemmnet_csv_reader_read(r, x, 37, &got, NULL), GEMMNET_OK);
        assert_true(total + got <= data.rows);
        assert_memory_equal(x, data.x + 2 * total, got * 2 * sizeof(float));
        total += got;
    } while (got > 0);
    assert_int_equal(total, 200);
    gemmnet_csv_reader_destroy(r);
    fclose(f);
    gemmnet_dataset_free(&data);
}

/* ---- standardisation ----------------------------------------------------- */

static void test_standardize_uses_population_statistics(void **state)
{
    (void)state;
    gemmnet_dataset data;
    assert_int_equal(gemmnet_dataset_alloc(&data, 4, 3, NULL, NULL), GEMMNET_OK);
    const float x[] = {1, 10, 5, 2, 20, 5, 3, 30, 5, 4, 40, 5};
    memcpy(data.x, x, sizeof x);
    memset(data.y, 0, 4 * sizeof *data.y);
    float mean[3], scale[3];
    assert_int_equal(gemmnet_dataset_standardize(&data, mean, scale, NULL), GEMMNET_OK);
    assert_true(mean[0] == 2.5f && mean[1] == 25.0f && mean[2] == 5.0f);
    assert_true(scale[0] == (float)sqrt(1.25) && scale[1] == (float)sqrt(125.0));
    assert_true(scale[2] == 1.0f); /* a constant feature is only centred */
    for (size_t j = 0; j < 3; j++) {
        double sum = 0, square = 0;
        for (size_t i = 0; i < 4; i++) {
            sum += data.x[i * 3 + j];
            square += (double)data.x[i * 3 + j] * data.x[i * 3 + j];
        }
        assert_true(fabs(sum / 4) < 1e-6);
        assert_true(j == 2 ? square == 0 : fabs(square / 4 - 1) < 1e-6);
    }
    /* The same statistics applied to another set transform it identically. */
    gemmnet_dataset other;
    assert_int_equal(gemmnet_dataset_alloc(&other, 4, 3, NULL, NULL), GEMMNET_OK);
    memcpy(other.x, x, sizeof x);
    assert_int_equal(gemmnet_dataset_apply_standardization(&other, mean, scale, NULL), GEMMNET_OK);
    assert_memory_equal(other.x, data.x, sizeof x);
    const float bad_scale[] = {1, 0, 1};
    assert_int_equal(gemmnet_dataset_apply_standardization(&other, mean, bad_scale, NULL),
                     GEMMNET_E_INVALID);
    other.x[4] = NAN;
    assert_int_equal(gemmnet_dataset_standardize(&other, mean, scale, NULL), GEMMNET_E_NONFINITE);
    gemmnet_dataset_free(&other);
    gemmnet_dataset_free(&data);
}

/* A model with a standardisation on raw rows gives bit for bit what the
 * same weights give on rows standardised beforehand, in predict,
 * predict_proba and evaluate; the training-side evaluation does not
 * standardise. */
static void test_predict_applies_the_model_standardization_to_raw_rows(void **state)
{
    (void)state;
    gemmnet_dataset raw, prepared;
    assert_int_equal(
        gemmnet_dataset_generate(&raw, GEMMNET_SYNTH_MOONS, 3000, 2, 0.2, 5, NULL, NULL),
        GEMMNET_OK);
    for (size_t i = 0; i < 2 * raw.rows; i++)
        raw.x[i] = raw.x[i] * 100.0f + 7.0f; /* far from standard */
    assert_int_equal(
        gemmnet_dataset_generate(&prepared, GEMMNET_SYNTH_MOONS, 3000, 2, 0.2, 5, NULL, NULL),
        GEMMNET_OK);
    memcpy(prepared.x, raw.x, 2 * raw.rows * sizeof(float));
    float mean[2], scale[2];
    assert_int_equal(gemmnet_dataset_standardize(&prepared, mean, scale, NULL), GEMMNET_OK);
    int32_t hidden[] = {6};
    gemmnet_architecture arch = {.inputs = 2, .classes = 2, .hidden_layers = 1, .hidden = hidden};
    gemmnet_model *plain = NULL, *carrying = NULL;
    assert_int_equal(gemmnet_model_create(&arch, NULL, &plain, NULL), GEMMNET_OK);
    assert_int_equal(gemmnet_model_create(&arch, NULL, &carrying, NULL), GEMMNET_OK);
    gemmnet_model_init(plain, GEMMNET_INIT_TUTORIAL, 2, NULL);
    gemmnet_model_init(carrying, GEMMNET_INIT_TUTORIAL, 2, NULL);
    assert_int_equal(gemmnet_model_set_standardization(carrying, mean, scale, NULL), GEMMNET_OK);
    gemmnet_workspace *ws = NULL;
    assert_int_equal(gemmnet_workspace_create(plain, NULL, &ws, NULL), GEMMNET_OK);
    size_t n = raw.rows;
    float *p = malloc(2 * n * sizeof *p), *q = malloc(2 * n * sizeof *q);
    assert_int_equal(gemmnet_predict_proba(plain, ws, prepared.x, n, p, NULL), GEMMNET_OK);
    assert_int_equal(gemmnet_predict_proba(carrying, ws, raw.x, n, q, NULL), GEMMNET_OK);
    assert_memory_equal(p, q, 2 * n * sizeof *p);
    gemmnet_evaluation a, b, c;
    assert_int_equal(gemmnet_evaluate(plain, ws, &prepared, 0.01f, GEMMNET_REDUCTION_SUM, &a, NULL),
                     GEMMNET_OK);
    assert_int_equal(gemmnet_evaluate(carrying, ws, &raw, 0.01f, GEMMNET_REDUCTION_SUM, &b, NULL),
                     GEMMNET_OK);
    assert_int_equal(
        gn_evaluate_prepared(carrying, ws, &prepared, 0.01f, GEMMNET_REDUCTION_SUM, &c),
        GEMMNET_OK);
    assert_true(a.loss == b.loss && a.correct == b.correct && a.loss == c.loss);
    /* The caller's rows are left as they were. */
    assert_true(raw.x[0] != prepared.x[0]);
    free(p);
    free(q);
    gemmnet_workspace_destroy(ws);
    gemmnet_model_destroy(plain);
    gemmnet_model_destroy(carrying);
    gemmnet_dataset_free(&raw);
    gemmnet_dataset_free(&prepared);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_labels_are_numbered_in_sorted_order),
        cmocka_unit_test(test_headerless_file_with_text_labels_keeps_its_first_row),
        cmocka_unit_test(test_integer_labels_stay_integers_without_names),
        cmocka_unit_test(test_bad_text_labels_are_refused_where_they_are),
        cmocka_unit_test(test_label_column_is_found_by_header_name),
        cmocka_unit_test(test_given_class_names_map_labels_to_their_index),
        cmocka_unit_test(test_allocation_failures_with_text_labels_leak_nothing),
        cmocka_unit_test(test_stream_reads_rows_with_or_without_a_label_column),
        cmocka_unit_test(test_stream_errors_name_file_line_and_column),
        cmocka_unit_test(test_stream_matches_the_whole_file_reader),
        cmocka_unit_test(test_standardize_uses_population_statistics),
        cmocka_unit_test(test_predict_applies_the_model_standardization_to_raw_rows),
    };
    return cmocka_run_group_tests(tests, make_fixture_dir, remove_fixture_dir);
}
