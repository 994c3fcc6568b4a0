/*
 * The JSON form of a model: write → read → save gives the original model
 * file byte for byte, in any locale; the reader refuses every malformed or
 * truncated text with "LINE:COLUMN: ..." and its own status, leaks nothing
 * (also when allocations fail), and never allocates for absurd widths.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemmnet.h"
#include "support.h"

/* ---- helpers ------------------------------------------------------------- */

/* D = 3, hidden 4 (leaky relu) and 2 (tanh), K = 3, awkward floats
 * (subnormal, −0, huge, tiny), a standardisation and names that need
 * escapes. */
static gemmnet_model *sample_model(bool metadata)
{
    int32_t hidden[] = {4, 2};
    gemmnet_activation activations[] = {GEMMNET_ACT_LEAKY_RELU, GEMMNET_ACT_TANH};
    gemmnet_architecture arch = {.inputs = 3,
                                 .classes = 3,
                                 .hidden_layers = 2,
                                 .hidden = hidden,
                                 .activations = activations};
    gemmnet_model *m = NULL;
    assert_int_equal(gemmnet_model_create(&arch, NULL, &m, NULL), GEMMNET_OK);
    gemmnet_model_init(m, GEMMNET_INIT_TUTORIAL, 3, NULL);
    float *w = gemmnet_model_weights(m, 1);
    w[0] = 1.4e-45f; /* the smallest subnormal */
    w[1] = -0.0f;
    w[2] = 3.4028235e38f;
    w[3] = 1.17549435e-38f;
    w[4] = 0.1f;
    gemmnet_model_biases(m, 3)[2] = -123456.789f;
    assert_int_equal(gemmnet_model_set_loss(m, GEMMNET_REDUCTION_SUM, 0.01f), GEMMNET_OK);
    if (metadata) {
        const float mean[] = {0.1f, -7.5f, 3e-20f}, scale[] = {1.0f / 3.0f, 2.0f, 9e20f};
        const char *const names[] = {"quote\"d", "back\\slash", "ünïcødé 😀"};
        assert_int_equal(gemmnet_model_set_standardization(m, mean, scale, NULL), GEMMNET_OK);
        assert_int_equal(gemmnet_model_set_class_names(m, names, NULL), GEMMNET_OK);
    }
    return m;
}

/* The model's JSON text, malloc'd. */
static char *json_of(const gemmnet_model *m, size_t *length)
{
    char *text = NULL;
    FILE *f = open_memstream(&text, length);
    assert_non_null(f);
    gemmnet_error err = {0};
    if (gemmnet_model_write_json(m, f, &err) != GEMMNET_OK)
        fail_msg("write_json failed: %s", err.message);
    assert_int_equal(fclose(f), 0);
    return text;
}

/* The model file bytes, malloc'd. */
static unsigned char *file_of(const gemmnet_model *m, size_t *size)
{
    *size = gemmnet_model_file_size(m);
    unsigned char *bytes = malloc(*size);
    assert_int_equal(gemmnet_model_save_buffer(m, bytes, *size, NULL), GEMMNET_OK);
    return bytes;
}

/* Reads text; it must give exactly the file of m. */
static void
expect_same_file(const gemmnet_model *m, const char *text, size_t length, const char *what)
{
    gemmnet_model *read = NULL;
    gemmnet_error err = {0};
    if (gemmnet_model_read_json(text, length, NULL, &read, &err) != GEMMNET_OK)
        fail_msg("%s: read_json failed: %s", what, err.message);
    size_t a_size = 0, b_size = 0;
    unsigned char *a = file_of(m, &a_size), *b = file_of(read, &b_size);
    if (a_size != b_size || memcmp(a, b, a_size) != 0)
        fail_msg("%s: the model read back saves differently", what);
    free(a);
    free(b);
    gemmnet_model_destroy(read);
}

/* Reading text must fail with expected and a message containing where. */
static void expect_failure(const char *text, int expected, const char *where)
{
    counting_allocator counter = {0};
    gemmnet_allocator hooks = counting_hooks(&counter);
    gemmnet_model *m = NULL;
    gemmnet_error err = {0};
    int status = gemmnet_model_read_json(text, strlen(text), &hooks, &m, &err);
    if (status != expected)
        fail_msg("status %d (%s), expected %d (%s): %s", status, gemmnet_strerror(status), expected,
                 gemmnet_strerror(expected), err.message);
    assert_null(m);
    if (!strstr(err.message, where))
        fail_msg("message \"%s\" lacks \"%s\"", err.message, where);
    if (counter.allocations != counter.releases)
        fail_msg("%zu allocations, %zu releases", counter.allocations, counter.releases);
}

/* text with the first occurrence of from replaced by to, malloc'd. */
static char *replaced(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    assert_non_null(at);
    size_t head = (size_t)(at - text), n = strlen(text) - strlen(from) + strlen(to);
    char *out = malloc(n + 1);
    memcpy(out, text, head);
    strcpy(out + head, to);
    strcat(out, at + strlen(from));
    return out;
}

/* ---- round trips --------------------------------------------------------- */

static void test_dump_then_read_gives_the_identical_model_file(void **state)
{
    (void)state;
    for (int metadata = 0; metadata < 2; metadata++) {
        gemmnet_model *m = sample_model(metadata);
        size_t length = 0;
        char *text = json_of(m, &length);
        expect_same_file(m, text, length, metadata ? "with metadata" : "without metadata");
        free(text);
        gemmnet_model_destroy(m);
    }
}

static void test_softmax_regression_has_an_empty_hidden_list(void **state)
{
    (void)state;
    gemmnet_architecture arch = {.inputs = 2, .classes = 4};
    gemmnet_model *m = NULL;
    assert_int_equal(gemmnet_model_create(&arch, NULL, &m, NULL), GEMMNET_OK);
    gemmnet_model_init(m, GEMMNET_INIT_TUTORIAL, 0, NULL);
    size_t length = 0;
    char *text = json_of(m, &length);
    assert_non_null(strstr(text, "\"hidden\": [],"));
    expect_same_file(m, text, length, "no hidden layer");
    free(text);
    gemmnet_model_destroy(m);
}

static void test_any_whitespace_and_escaped_names_read_the_same(void **state)
{
    (void)state;
    gemmnet_model *m = sample_model(true);
    size_t length = 0;
    char *text = json_of(m, &length);
    /* More whitespace everywhere between tokens. */
    char *spaced = malloc(4 * length + 1);
    size_t n = 0;
    for (size_t i = 0; i < length; i++) {
        if (text[i] == '\n') {
            memcpy(spaced + n, "\r\n\t ", 4);
            n += 4;
        } else {
            spaced[n++] = text[i];
        }
    }
    spaced[n] = '\0';
    expect_same_file(m, spaced, n, "extra whitespace");
    /* The same names spelled with \u escapes, a surrogate pair and \/. */
    char *escaped =
        replaced(text, "\"ünïcødé 😀\"", "\"\\u00fcn\\u00efc\\u00f8d\\u00e9 \\ud83d\\ude00\"");
    expect_same_file(m, escaped, strlen(escaped), "\\u escapes");
    free(escaped);
    free(spaced);
    free(text);
    gemmnet_model_destroy(m);
}

/* A decimal-comma locale must change neither the text nor how it reads. */
static void test_json_does_not_depend_on_the_locale(void **state)
{
    (void)state;
    gemmnet_model *m = sample_model(true);
    size_t length = 0, local_length = 0;
    char *text = json_of(m, &length);
    const char *names[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8", "de_DE"};
    const char *found = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !found; i++)
        found = setlocale(LC_NUMERIC, names[i]);
    char *local = json_of(m, &local_length);
    assert_int_equal(length, local_length);
    assert_memory_equal(text, local, length);
    expect_same_file(m, local, local_length, "under a decimal-comma locale");
    setlocale(LC_NUMERIC, "C");
    free(text);
    free(local);
    gemmnet_model_destroy(m);
    if (!found)
        skip(); /* no decimal-comma locale installed: only the C locale was checked */
}

/* ---- refusals ------------------------------------------------------------ */

static void test_every_truncation_is_refused_without_leaks(void **state)
{
    (void)state;
    gemmnet_model *m = sample_model(true);
    size_t length = 0;
    char *text = json_of(m, &length);
    /* Cutting the text anywhere but in the trailing newline breaks it. */
    for (size_t cut = 0; cut + 1 < length; cut++) {
        counting_allocator counter = {0};
        gemmnet_allocator hooks = counting_hooks(&counter);
        gemmnet_model *read = NULL;
        gemmnet_error err = {0};
        int status = gemmnet_model_read_json(text, cut, &hooks, &read, &err);
        if (status == GEMMNET_OK)
            fail_msg("the text cut to %zu of %zu bytes was accepted", cut, length);
        assert_null(read);
        if (counter.allocations != counter.releases)
            fail_msg("cut at %zu: %zu allocations, %zu releases", cut, counter.allocations,
                     counter.releases);
    }
    free(text);
    gemmnet_model_destroy(m);
}

static void test_malformed_texts_are_refused_with_line_and_column(void **state)
{
    (void)state;
    gemmnet_model *m = sample_model(true);
    size_t length = 0;
    char *text = json_of(m, &length);
    struct {
        const char *from, *to;
        int expected;
        const char *where;
    } cases[] = {
        {"\"gemmnet-model\"", "\"other\"", GEMMNET_E_FORMAT, "2:"},
        {"\"version\": 1", "\"version\": 2", GEMMNET_E_VERSION, "3:"},
        {"\"leaky_relu\"", "\"swish\"", GEMMNET_E_PARSE, "unknown value \"swish\""},
        {"\"reduction\": \"sum\"", "\"reduction\": \"max\"", GEMMNET_E_PARSE, "unknown value"},
        {"\"inputs\"", "\"input\"", GEMMNET_E_PARSE, "4:3: expected key \"inputs\""},
        {"\"l2\": ", "\"l2\": +", GEMMNET_E_PARSE, "expected a number"},
        {"\"l2\": 0.00999999978", "\"l2\": -1", GEMMNET_E_PARSE, "l2 must be"},
        {"\"l2\": 0.00999999978", "\"l2\": 1e39", GEMMNET_E_NONFINITE, "overflows float32"},
        {"\"l2\": 0.00999999978", "\"l2\": 01", GEMMNET_E_PARSE, "expected a number"},
        {"\"quote\\\"d\"", "\"back\\\\slash\"", GEMMNET_E_PARSE, "appears twice"},
        {"\"quote\\\"d\"", "\"bad\\q\"", GEMMNET_E_PARSE, "unknown escape"},
        {"\"quote\\\"d\"", "\"a,b\"", GEMMNET_E_PARSE, "contains a comma"},
        {"\"quote\\\"d\"", "\"\\ud800x\"", GEMMNET_E_PARSE, "surrogate"},
        {"\"classes\": 3", "\"classes\": 1", GEMMNET_E_PARSE, "not an integer in 2.."},
        {"\"classes\": 3", "\"classes\": 16777217", GEMMNET_E_TOO_LARGE, "not an integer"},
        {"\"width\": 4", "\"width\": 4.5", GEMMNET_E_PARSE, "4.5 is not an integer"},
        {"\"biases\": [", "\"biases\": [1, ", GEMMNET_E_PARSE, "expected ']' after"},
        {"\n}\n", "\n},\n", GEMMNET_E_PARSE, "unexpected text after the model"},
        {"\"scale\": [", "\"scale\": [0, ", GEMMNET_E_PARSE, "expected ']' after 3 values"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *bad = replaced(text, cases[i].from, cases[i].to);
        expect_failure(bad, cases[i].expected, cases[i].where);
        free(bad);
    }
    expect_failure("", GEMMNET_E_PARSE, "1:1: expected '{'");
    expect_failure("[]", GEMMNET_E_PARSE, "1:1: expected '{'");
    free(text);
    gemmnet_model_destroy(m);
}

static void test_too_few_weights_name_the_place(void **state)
{
    (void)state;
    gemmnet_model *m = sample_model(false);
    size_t length = 0;
    char *text = json_of(m, &length);
    /* Drop the last value of the first weight row. */
    char *row = strstr(text, "\"weights\": [\n        [");
    assert_non_null(row);
    char *close = strchr(row + 22, ']');
    char *comma = close;
    while (*comma != ',')
        comma--;
    memmove(comma, close, strlen(close) + 1);
    expect_failure(text, GEMMNET_E_PARSE, "expected 4 values, found 3");
    free(text);
    gemmnet_model_destroy(m);
}

static void test_absurd_widths_are_refused_before_allocating(void **state)
{
    (void)state;
    const char *text = "{\"format\": \"gemmnet-model\", \"version\": 1, \"inputs\": 16777216,"
                       " \"hidden\": [{\"width\": 16777216, \"activation\": \"tanh\"}],"
                       " \"classes\": 16777216, \"reduction\": \"sum\", \"l2\": 0}";
    counting_allocator counter = {0};
    gemmnet_allocator hooks = counting_hooks(&counter);
    gemmnet_model *m = NULL;
    gemmnet_error err = {0};
    assert_int_equal(gemmnet_model_read_json(text, strlen(text), &hooks, &m, &err),
                     GEMMNET_E_TOO_LARGE);
    assert_non_null(strstr(err.message, "more than the rest of the text holds"));
    assert_int_equal(counter.attempts, 0);
}

static void test_allocation_failure_at_every_step_leaks_nothing(void **state)
{
    (void)state;
    gemmnet_model *m = sample_model(true);
    size_t length = 0, failures = 0;
    char *text = json_of(m, &length);
    for (size_t fail_on = 1;; fail_on++) {
        counting_allocator counter = {.fail_on = fail_on};
        gemmnet_allocator hooks = counting_hooks(&counter);
        gemmnet_model *read = NULL;
        int status = gemmnet_model_read_json(text, length, &hooks, &read, NULL);
        gemmnet_model_destroy(read);
        if (counter.allocations != counter.releases)
            fail_msg("failing allocation %zu: %zu allocations, %zu releases", fail_on,
                     counter.allocations, counter.releases);
        if (status == GEMMNET_OK)
            break;
        assert_int_equal(status, GEMMNET_E_NOMEM);
        failures++;
    }
    assert_true(failures >= 4);
    free(text);
    gemmnet_model_destroy(m);
}

static void test_nonfinite_parameters_are_not_written(void **state)
{
    (void)state;
    gemmnet_model *m = sample_model(false);
    gemmnet_model_weights(m, 2)[0] = INFINITY;
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(gemmnet_model_write_json(m, f, NULL), GEMMNET_E_NONFINITE);
    fclose(f);
    gemmnet_model_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dump_then_read_gives_the_identical_model_file),
        cmocka_unit_test(test_softmax_regression_has_an_empty_hidden_list),
        cmocka_unit_test(test_any_whitespace_and_escaped_names_read_the_same),
        cmocka_unit_test(test_json_does_not_depend_on_the_locale),
        cmocka_unit_test(test_every_truncation_is_refused_without_leaks),
        cmocka_unit_test(test_malformed_texts_are_refused_with_line_and_column),
        cmocka_unit_test(test_too_few_weights_name_the_place),
        cmocka_unit_test(test_absurd_widths_are_refused_before_allocating),
        cmocka_unit_test(test_allocation_failure_at_every_step_leaks_nothing),
        cmocka_unit_test(test_nonfinite_parameters_are_not_written),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
