/*
 * Whether a CSV file's first line is a header, in both readers: a label
 * of another kind than the rows below (pandas' `0,1,label` over integer
 * labels), column numbers (pandas' `0,1,2` or `0,1,species`) whose label
 * no row has, the ambiguous case that asks for the header option, the
 * option itself, and integer-only labels (a model without class names).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gemmnet.h"
#include "support.h"

static char fixture_dir[FIXTURE_DIR_SIZE];

static int make_fixture_dir(void **state)
{
    (void)state;
    return fixture_dir_create(fixture_dir, "header");
}

static int remove_fixture_dir(void **state)
{
    (void)state;
    return fixture_dir_remove(fixture_dir);
}

/* Moons-like rows under a first line: labels 0/1 (or cat/dog). */
static const char int_rows[] = "0.5,-1.25,1\n2,3e2,0\n-0.75,1.5,1\n";
static const char text_rows[] = "0.5,-1.25,dog\n2,3e2,cat\n-0.75,1.5,dog\n";

/* Reads first + rows from a fixture file. */
static int read_lines(const char *first,
                      const char *rows,
                      const gemmnet_csv_options *options,
                      gemmnet_dataset *data,
                      gemmnet_error *err)
{
    char path[256], text[512];
    snprintf(text, sizeof text, "%s%s", first, rows);
    write_file(fixture_path(path, sizeof path, fixture_dir, "h.csv"), text, strlen(text));
    return gemmnet_dataset_read_csv(data, path, options, NULL, err);
}

/* The first line is a header: 3 rows, K = 2, names (if any) cat and dog. */
static void expect_header(const char *first, const char *rows, const gemmnet_csv_options *options)
{
    gemmnet_dataset data;
    gemmnet_error err = {0};
    if (read_lines(first, rows, options, &data, &err) != GEMMNET_OK)
        fail_msg("%s: %s", first, err.message);
    if (data.rows != 3 || data.classes != 2)
        fail_msg("%s: %zu rows, %d classes, expected 3 and 2", first, data.rows, (int)data.classes);
    if (data.class_names)
        assert_true(strcmp(data.class_names[0], "cat") == 0 &&
                    strcmp(data.class_names[1], "dog") == 0);
    assert_true(data.x[0] == 0.5f && data.y[1] == 0);
    gemmnet_dataset_free(&data);
}

/* Reading fails with status and a message containing what. */
static void expect_error(const char *first,
                         const char *rows,
                         const gemmnet_csv_options *options,
                         int status,
                         const char *what)
{
    gemmnet_dataset data;
    gemmnet_error err = {0};
    int got = read_lines(first, rows, options, &data, &err);
    if (got != status || !strstr(err.message, what))
        fail_msg("%s: status %d \"%s\", expected %d \"%s\"", first, got, err.message, status, what);
    assert_null(data.x);
}

static void test_text_label_over_integer_labels_is_a_header(void **state)
{
    (void)state;
    /* pandas: pd.DataFrame(X).assign(label=y).to_csv(index=False). */
    expect_header("0,1,label\n", int_rows, NULL);
    /* Numeric column names that are not column numbers (wavelengths). */
    expect_header("400,410,class\n", int_rows, NULL);
    gemmnet_csv_options first = {.label_field = 1};
    gemmnet_dataset data;
    gemmnet_error err = {0};
    assert_int_equal(
        read_lines("label,0,1\n", "1,0.5,-1.25\n0,2,3e2\n1,-0.75,1.5\n", &first, &data, &err),
        GEMMNET_OK);
    assert_true(data.rows == 3 && data.classes == 2 && !data.class_names);
    gemmnet_dataset_free(&data);
}

static void test_column_numbers_over_text_labels_are_a_header(void **state)
{
    (void)state;
    /* No class "species", no class "2". */
    expect_header("0,1,species\n", text_rows, NULL);
    expect_header("0,1,2\n", text_rows, NULL);
    /* The model's names given: "species" is not one of them. */
    const char *names[] = {"cat", "dog"};
    gemmnet_csv_options given = {.classes = 2, .class_names = names};
    expect_header("0,1,species\n", text_rows, &given);
}

static void test_column_numbers_whose_label_no_row_has_are_a_header(void **state)
{
    (void)state;
    /* pd.DataFrame(np.c_[X, y]).to_csv(index=False) over labels 0/1. */
    expect_header("0,1,2\n", int_rows, NULL);
    gemmnet_csv_options k2 = {.classes = 2};
    expect_header("0,1,2\n", int_rows, &k2);
}

static void test_column_numbers_a_row_shares_are_ambiguous(void **state)
{
    (void)state;
    const char *rows = "0.5,-1.25,1\n2,3e2,0\n-0.75,1.5,2\n";
    expect_error("0,1,2\n", rows, NULL, GEMMNET_E_PARSE,
                 "h.csv:1: column numbers 0,1,... (a pandas header) or a data row? ambiguous");
    expect_error("0,1,dog\n", text_rows, NULL, GEMMNET_E_PARSE, "h.csv:1: column numbers");
    /* The option decides. */
    gemmnet_csv_options yes = {.header = GEMMNET_CSV_HEADER_YES};
    gemmnet_csv_options no = {.header = GEMMNET_CSV_HEADER_NO};
    gemmnet_dataset data;
    gemmnet_error err = {0};
    assert_int_equal(read_lines("0,1,2\n", rows, &yes, &data, &err), GEMMNET_OK);
    assert_true(data.rows == 3 && data.classes == 3);
    gemmnet_dataset_free(&data);
    assert_int_equal(read_lines("0,1,2\n", rows, &no, &data, &err), GEMMNET_OK);
    assert_true(data.rows == 4 && data.classes == 3 && data.x[1] == 1.0f && data.y[0] == 2);
    gemmnet_dataset_free(&data);
}

static void test_header_option_overrides_the_rules(void **state)
{
    (void)state;
    gemmnet_csv_options yes = {.header = GEMMNET_CSV_HEADER_YES};
    gemmnet_csv_options no = {.header = GEMMNET_CSV_HEADER_NO};
    /* A line of data taken as a header, and a header taken as data. */
    expect_header("9,9,1\n", int_rows, &yes);
    expect_error("x1,x2,label\n", int_rows, &no, GEMMNET_E_PARSE, "h.csv:1:1: \"x1\" is not");
    gemmnet_csv_options named = {.label_name = "y", .header = GEMMNET_CSV_HEADER_NO};
    expect_error("a,y\n", "1,0\n", &named, GEMMNET_E_INVALID, "needs a header");
    gemmnet_csv_options bad = {.header = 7};
    expect_error("a,y\n", "1,0\n", &bad, GEMMNET_E_INVALID, "header option 7");
}

static void test_data_first_lines_stay_data(void **state)
{
    (void)state;
    gemmnet_dataset data;
    gemmnet_error err = {0};
    /* Integer features, a first row like "0,1,1" (XOR) is not column
     * numbers: its label is not 2. */
    assert_int_equal(read_lines("0,1,1\n", "0,0,0\n1,0,1\n1,1,0\n", NULL, &data, &err), GEMMNET_OK);
    assert_true(data.rows == 4 && data.y[0] == 1);
    gemmnet_dataset_free(&data);
    /* One feature: "0,1" stays a row. */
    assert_int_equal(read_lines("0,1\n", "1,0\n2,1\n", NULL, &data, &err), GEMMNET_OK);
    assert_int_equal(data.rows, 3);
    gemmnet_dataset_free(&data);
    /* Mixed labels (a text label below the numbers) are all names. */
    assert_int_equal(read_lines("1,zebra\n", "2,10\n3,apple\n", NULL, &data, &err), GEMMNET_OK);
    assert_true(data.rows == 3 && data.classes == 3 && data.y[0] == 2);
    gemmnet_dataset_free(&data);
    /* A text-label first row over text labels is a row. */
    assert_int_equal(read_lines("7,dog\n", "2,cat\n", NULL, &data, &err), GEMMNET_OK);
    assert_true(data.rows == 2 && data.classes == 2);
    gemmnet_dataset_free(&data);
    /* Errors stay at their place: the first line's feature is checked
     * before the next line decides. */
    expect_error("1,nan,0\n", "1,2,x\n", NULL, GEMMNET_E_NONFINITE, "h.csv:1:2: \"nan\"");
}

static void test_integer_labels_refuse_text(void **state)
{
    (void)state;
    gemmnet_csv_options integer = {.classes = 2, .labels = GEMMNET_CSV_LABELS_INTEGER};
    expect_error("", text_rows, &integer, GEMMNET_E_LABEL,
                 "h.csv:1:3: \"dog\" is not a number, expected an integer label 0..1");
    expect_error("0,1,species\n", text_rows, &integer, GEMMNET_E_LABEL, "h.csv:2:3: \"dog\"");
    expect_header("0,1,label\n", int_rows, &integer);
    const char *names[] = {"cat", "dog"};
    gemmnet_csv_options both = {
        .classes = 2, .class_names = names, .labels = GEMMNET_CSV_LABELS_INTEGER};
    expect_error("", text_rows, &both, GEMMNET_E_INVALID, "exclude each other");
}

/* ---- the streaming reader ------------------------------------------------ */

/* All rows of first + rows through a pipe, 2 at a time; x[16]. */
static int stream(const char *first,
                  const char *rows,
                  size_t d,
                  const gemmnet_csv_options *options,
                  float *x,
                  size_t *count,
                  gemmnet_error *err)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    dprintf(fds[1], "%s%s", first, rows);
    close(fds[1]);
    FILE *f = fdopen(fds[0], "r");
    assert_non_null(f);
    gemmnet_csv_reader *r = NULL;
    int status = gemmnet_csv_reader_create(f, "pipe", d, options, NULL, &r, err);
    *count = 0;
    for (size_t got = 1; status == GEMMNET_OK && got > 0 && *count < 8; *count += got)
        status = gemmnet_csv_reader_read(r, x + *count * d, 2, &got, err);
    gemmnet_csv_reader_destroy(r);
    fclose(f);
    return status;
}

/* The stream has 3 rows, the first being 0.5, -1.25. */
static void expect_stream_rows(const char *first,
                               const char *rows,
                               size_t d,
                               const gemmnet_csv_options *options,
                               size_t expected)
{
    float x[16];
    size_t count = 0;
    gemmnet_error err = {0};
    if (stream(first, rows, d, options, x, &count, &err) != GEMMNET_OK)
        fail_msg("%s: %s", first, err.message);
    if (count != expected)
        fail_msg("%s: %zu rows, expected %zu", first, count, expected);
    if (expected == 3)
        assert_true(x[0] == 0.5f && x[1] == -1.25f && x[4] == -0.75f);
}

static void expect_stream_error(const char *first,
                                const char *rows,
                                size_t d,
                                const gemmnet_csv_options *options,
                                const char *what)
{
    float x[16];
    size_t count = 0;
    gemmnet_error err = {0};
    int status = stream(first, rows, d, options, x, &count, &err);
    if (status == GEMMNET_OK || !strstr(err.message, what))
        fail_msg("%s: status %d \"%s\", expected \"%s\"", first, status, err.message, what);
}

static void test_stream_never_returns_a_header_row(void **state)
{
    (void)state;
    expect_stream_rows("0,1,label\n", int_rows, 2, NULL, 3);
    expect_stream_rows("", int_rows, 2, NULL, 3);
    expect_stream_rows("7,8,1\n", int_rows, 2, NULL, 4);
    /* Column numbers whose label cannot be one of the model's classes. */
    gemmnet_csv_options k2 = {.classes = 2};
    expect_stream_rows("0,1,2\n", int_rows, 2, &k2, 3);
    const char *names[] = {"cat", "dog"};
    gemmnet_csv_options given = {.classes = 2, .class_names = names};
    expect_stream_rows("0,1,species\n", text_rows, 2, &given, 3);
    expect_stream_rows("0,1,2\n", text_rows, 2, &given, 3);
    /* A first row with one of the names stays a row. */
    expect_stream_rows("7,8,dog\n", int_rows, 2, &given, 4);
    /* A one-line input. */
    expect_stream_rows("0,1,label\n", "", 2, NULL, 0);
    expect_stream_rows("7,8,1\n", "", 2, NULL, 1);
}

static void test_stream_ambiguous_and_forced_headers(void **state)
{
    (void)state;
    gemmnet_csv_options k3 = {.classes = 3};
    expect_stream_error("0,1,2\n", int_rows, 2, &k3, "pipe:1: column numbers");
    expect_stream_error("0,1\n", "0.5,-1.25\n", 2, NULL, "pipe:1: column numbers");
    gemmnet_csv_options yes = {.classes = 3, .header = GEMMNET_CSV_HEADER_YES};
    gemmnet_csv_options no = {.classes = 3, .header = GEMMNET_CSV_HEADER_NO};
    expect_stream_rows("0,1,2\n", int_rows, 2, &yes, 3);
    expect_stream_rows("0,1,2\n", int_rows, 2, &no, 4);
    expect_stream_rows("0,1\n", "0.5,-1.25\n2,3\n-0.75,1.5\n", 2, &yes, 3);
}

static void test_stream_integer_labels_refuse_text(void **state)
{
    (void)state;
    gemmnet_csv_options integer = {.classes = 2, .labels = GEMMNET_CSV_LABELS_INTEGER};
    expect_stream_error("", text_rows, 2, &integer,
                        "pipe:1:3: \"dog\" is not a number, expected an integer label 0..1");
    expect_stream_error("0,1,species\n", text_rows, 2, &integer,
                        "pipe:2:3: \"dog\" is not a number");
    expect_stream_rows("0,1,label\n", int_rows, 2, &integer, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_label_over_integer_labels_is_a_header),
        cmocka_unit_test(test_column_numbers_over_text_labels_are_a_header),
        cmocka_unit_test(test_column_numbers_whose_label_no_row_has_are_a_header),
        cmocka_unit_test(test_column_numbers_a_row_shares_are_ambiguous),
        cmocka_unit_test(test_header_option_overrides_the_rules),
        cmocka_unit_test(test_data_first_lines_stay_data),
        cmocka_unit_test(test_integer_labels_refuse_text),
        cmocka_unit_test(test_stream_never_returns_a_header_row),
        cmocka_unit_test(test_stream_ambiguous_and_forced_headers),
        cmocka_unit_test(test_stream_integer_labels_refuse_text),
    };
    return cmocka_run_group_tests(tests, make_fixture_dir, remove_fixture_dir);
}
