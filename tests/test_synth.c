/* Generated data: make_moons against the shared reference files, and the
 * other generators' classes and refusals. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

enum { N = 200 };

/* Reads the 200-row x1,x2,label file as text lines (header skipped). */
static void read_lines(const char *name, char lines[N][80])
{
    char path[1024];
    const char *dir = getenv("GEMMNET_TEST_DATA");
    snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests/data", name);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s (set GEMMNET_TEST_DATA)", path);
    char header[80];
    assert_non_null(fgets(header, sizeof header, f));
    for (int i = 0; i < N; i++) {
        assert_non_null(fgets(lines[i], 80, f));
        lines[i][strcspn(lines[i], "\r\n")] = '\0';
    }
    fclose(f);
}

static void test_moons_equal_the_glibc_file_to_the_last_digit(void **state)
{
    (void)state;
    static char lines[N][80];
    read_lines("moons200_glibc.csv", lines);
    double x[2 * N];
    int32_t y[N];
    assert_int_equal(gemmnet_generate(GEMMNET_SYNTH_MOONS, N, 2, 0.2, 0, x, y), GEMMNET_OK);
    for (int i = 0; i < N; i++) {
        char mine[80];
        snprintf(mine, sizeof mine, "%.17g,%.17g,%d", x[2 * i], x[2 * i + 1], (int)y[i]);
        if (strcmp(mine, lines[i]) != 0)
            fail_msg("row %d: generated '%s', file has '%s'", i + 1, mine, lines[i]);
    }
}

static void test_moons_are_within_4e16_of_numpy(void **state)
{
    (void)state;
    static char lines[N][80];
    read_lines("moons200_numpy.csv", lines);
    double x[2 * N];
    int32_t y[N];
    assert_int_equal(gemmnet_generate(GEMMNET_SYNTH_MOONS, N, 2, 0.2, 0, x, y), GEMMNET_OK);
    int classes[2] = {0, 0};
    for (int i = 0; i < N; i++) {
        double a, b;
        int label;
        assert_int_equal(sscanf(lines[i], "%lf,%lf,%d", &a, &b, &label), 3);
        if (fabs(a - x[2 * i]) > 4.5e-16 || fabs(b - x[2 * i + 1]) > 4.5e-16 || label != y[i])
            fail_msg("row %d: (%.17g, %.17g, %d) vs numpy (%.17g, %.17g, %d)", i + 1, x[2 * i],
                     x[2 * i + 1], (int)y[i], a, b, label);
        classes[y[i]]++;
    }
    assert_int_equal(classes[0], 100);
    assert_int_equal(classes[1], 100);
}

static void test_moons_without_noise_lie_on_the_half_circles(void **state)
{
    (void)state;
    double x[2 * 7];
    int32_t y[7];
    assert_int_equal(gemmnet_generate(GEMMNET_SYNTH_MOONS, 7, 2, 0.0, 3, x, y), GEMMNET_OK);
    int count[2] = {0, 0};
    for (int i = 0; i < 7; i++) {
        /* Outer: unit circle at the origin; inner: unit circle at (1, 0.5). */
        double cx = y[i] ? 1.0 : 0.0, cy = y[i] ? 0.5 : 0.0;
        double r = hypot(x[2 * i] - cx, x[2 * i + 1] - cy);
        if (fabs(r - 1.0) > 1e-15)
            fail_msg("point %d (label %d) is %.17g from its centre", i, (int)y[i], r);
        count[y[i]]++;
    }
    assert_int_equal(count[0], 3); /* n_out = n / 2 */
    assert_int_equal(count[1], 4);
}

static void test_moons_reject_bad_arguments(void **state)
{
    (void)state;
    double x[4];
    int32_t y[2];
    assert_int_equal(gemmnet_generate(GEMMNET_SYNTH_MOONS, 1, 2, 0.2, 0, x, y), GEMMNET_E_INVALID);
    assert_int_equal(gemmnet_generate(GEMMNET_SYNTH_MOONS, 2, 2, -1.0, 0, x, y), GEMMNET_E_INVALID);
    assert_int_equal(gemmnet_generate(GEMMNET_SYNTH_MOONS, 2, 2, NAN, 0, x, y), GEMMNET_E_INVALID);
    assert_int_equal(gemmnet_generate(GEMMNET_SYNTH_MOONS, 2, 2, INFINITY, 0, x, y),
                     GEMMNET_E_INVALID);
    gemmnet_dataset data;
    gemmnet_error err = {0};
    assert_int_equal(gemmnet_dataset_generate(&data, GEMMNET_SYNTH_MOONS, 0, 2, 0.2, 0, NULL, &err),
                     GEMMNET_E_INVALID);
    assert_non_null(strstr(err.message, "n ≥ 2"));
    assert_null(data.x);
}

static void test_moons_dataset_rounds_the_doubles_once(void **state)
{
    (void)state;
    double x[2 * N];
    int32_t y[N];
    gemmnet_dataset data;
    assert_int_equal(gemmnet_generate(GEMMNET_SYNTH_MOONS, N, 2, 0.2, 0, x, y), GEMMNET_OK);
    assert_int_equal(gemmnet_dataset_generate(&data, GEMMNET_SYNTH_MOONS, N, 2, 0.2, 0, NULL, NULL),
                     GEMMNET_OK);
    assert_int_equal(data.rows, N);
    assert_int_equal(data.features, 2);
    assert_int_equal(data.classes, 2);
    for (int i = 0; i < 2 * N; i++)
        assert_true(data.x[i] == (float)x[i]);
    assert_memory_equal(data.y, y, sizeof y);
    gemmnet_dataset_free(&data);
}

static void test_generators_give_the_requested_classes(void **state)
{
    (void)state;
    static const struct {
        gemmnet_synthetic kind;
        int32_t classes;
    } cases[] = {{GEMMNET_SYNTH_SPIRAL, 5},
                 {GEMMNET_SYNTH_BLOBS, 4},
                 {GEMMNET_SYNTH_CIRCLES, 2},
                 {GEMMNET_SYNTH_XOR, 2}};
    for (size_t c = 0; c < 4; c++) {
        double x[2 * 101], again[2 * 101];
        int32_t y[101], y_again[101];
        int count[8] = {0};
        assert_int_equal(gemmnet_generate(cases[c].kind, 101, cases[c].classes, 0.1, 9, x, y),
                         GEMMNET_OK);
        assert_int_equal(
            gemmnet_generate(cases[c].kind, 101, cases[c].classes, 0.1, 9, again, y_again),
            GEMMNET_OK);
        assert_memory_equal(x, again, sizeof x); /* deterministic per seed */
        for (int i = 0; i < 101; i++) {
            assert_in_range(y[i], 0, cases[c].classes - 1);
            count[y[i]]++;
        }
        for (int32_t k = 0; k < cases[c].classes; k++)
            if (count[k] < (cases[c].kind == GEMMNET_SYNTH_XOR ? 30 : 101 / cases[c].classes))
                fail_msg("generator %d: class %d has only %d of 101 rows", (int)cases[c].kind,
                         (int)k, count[k]);
    }
    double x[4];
    int32_t y[2];
    assert_int_equal(gemmnet_generate(GEMMNET_SYNTH_XOR, 2, 3, 0.0, 0, x, y), GEMMNET_E_INVALID);
    assert_int_equal(gemmnet_generate(GEMMNET_SYNTH_SPIRAL, 2, 3, 0.0, 0, x, y), GEMMNET_E_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_moons_equal_the_glibc_file_to_the_last_digit),
        cmocka_unit_test(test_moons_are_within_4e16_of_numpy),
        cmocka_unit_test(test_moons_without_noise_lie_on_the_half_circles),
        cmocka_unit_test(test_moons_reject_bad_arguments),
        cmocka_unit_test(test_moons_dataset_rounds_the_doubles_once),
        cmocka_unit_test(test_generators_give_the_requested_classes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
