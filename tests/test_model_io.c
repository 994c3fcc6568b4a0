/*
 * Model files: saving and loading keep every parameter and all metadata;
 * the bytes sit where the documented table says; every kind of damage is
 * refused with its own status, without leaks and without allocating what
 * a damaged header claims; a save that fails at any step leaves the
 * previous file intact.
 *
 * Fixture files live in a fresh directory under /tmp, removed with its
 * contents by the group teardown.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "io/io.h"
#include "net/net.h"
#include "support.h"

/* ---- fixtures ------------------------------------------------------------ */

static char fixture_dir[FIXTURE_DIR_SIZE];

static int make_fixture_dir(void **state)
{
    (void)state;
    return fixture_dir_create(fixture_dir, "model_io");
}

static int remove_fixture_dir(void **state)
{
    (void)state;
    return fixture_dir_remove(fixture_dir);
}

/* ---- a model with everything a file can hold ----------------------------- */

static const char *const sample_names[] = {"alpha", "beta \"b\\c\"", "γάμμα"};

/* D = 3, hidden 5 (relu) and 4 (sigmoid), K = 3, non-zero biases, mean
 * reduction, l2 = 0.125, a standardisation and class names. */
static gemmnet_model *sample_model(void)
{
    int32_t hidden[] = {5, 4};
    gemmnet_activation activations[] = {GEMMNET_ACT_RELU, GEMMNET_ACT_SIGMOID};
    gemmnet_architecture arch = {.inputs = 3,
                                 .classes = 3,
                                 .hidden_layers = 2,
                                 .hidden = hidden,
                                 .activations = activations};
    gemmnet_model *m = NULL;
    gemmnet_error err = {0};
    if (gemmnet_model_create(&arch, NULL, &m, &err) != GEMMNET_OK)
        fail_msg("cannot create the sample model: %s", err.message);
    gemmnet_model_init(m, GEMMNET_INIT_TUTORIAL, 1, NULL);
    for (int32_t l = 1; l <= 3; l++)
        for (int32_t j = 0; j < gemmnet_model_width(m, l); j++)
            gemmnet_model_biases(m, l)[j] = 0.25f * (float)(j + 1) - 0.5f * (float)l;
    const float mean[] = {1.5f, -2.25f, 1e-3f}, scale[] = {0.5f, 3.0f, 1e6f};
    assert_int_equal(gemmnet_model_set_loss(m, GEMMNET_REDUCTION_MEAN, 0.125f), GEMMNET_OK);
    assert_int_equal(gemmnet_model_set_standardization(m, mean, scale, &err), GEMMNET_OK);
    assert_int_equal(gemmnet_model_set_class_names(m, sample_names, &err), GEMMNET_OK);
    return m;
}

/* The sample model's file bytes, malloc'd. */
static unsigned char *sample_bytes(size_t *size)
{
    gemmnet_model *m = sample_model();
    *size = gemmnet_model_file_size(m);
    unsigned char *bytes = malloc(*size);
    assert_non_null(bytes);
    assert_int_equal(gemmnet_model_save_buffer(m, bytes, *size, NULL), GEMMNET_OK);
    gemmnet_model_destroy(m);
    return bytes;
}

static void put_le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_le64(unsigned char *p, uint64_t v)
{
    put_le32(p, (uint32_t)v);
    put_le32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t get_le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Rewrites the trailing CRC-32 after a deliberate edit. */
static void reseal(unsigned char *bytes, size_t size)
{
    put_le32(bytes + size - 4, (uint32_t)crc32(0, bytes, (uInt)(size - 4)));
}

static void assert_same_models(gemmnet_model *a, gemmnet_model *b)
{
    assert_int_equal(gemmnet_model_layers(a), gemmnet_model_layers(b));
    for (int32_t l = 0; l <= gemmnet_model_layers(a); l++)
        assert_int_equal(gemmnet_model_width(a, l), gemmnet_model_width(b, l));
    for (int32_t l = 1; l < gemmnet_model_layers(a); l++)
        assert_int_equal(gemmnet_model_activation(a, l), gemmnet_model_activation(b, l));
    size_t p = gemmnet_model_parameter_count(a);
    assert_int_equal(p, gemmnet_model_parameter_count(b));
    if (memcmp(gemmnet_model_weights(a, 1), gemmnet_model_weights(b, 1), p * sizeof(float)) != 0)
        fail_msg("the parameters differ after a round trip");
    assert_int_equal(gemmnet_model_reduction(a), gemmnet_model_reduction(b));
    assert_true(gemmnet_model_l2(a) == gemmnet_model_l2(b));
    size_t d = (size_t)gemmnet_model_width(a, 0);
    assert_int_equal(!gemmnet_model_mean(a), !gemmnet_model_mean(b));
    if (gemmnet_model_mean(a)) {
        assert_memory_equal(gemmnet_model_mean(a), gemmnet_model_mean(b), d * sizeof(float));
        assert_memory_equal(gemmnet_model_scale(a), gemmnet_model_scale(b), d * sizeof(float));
    }
    for (int32_t k = 0; k < gemmnet_model_width(a, gemmnet_model_layers(a)); k++) {
        const char *x = gemmnet_model_class_name(a, k), *y = gemmnet_model_class_name(b, k);
        assert_int_equal(!x, !y);
        if (x)
            assert_string_equal(x, y);
    }
}

/* ---- round trips --------------------------------------------------------- */

static void test_save_then_load_gives_identical_parameters_and_metadata(void **state)
{
    (void)state;
    char path[256];
    fixture_path(path, sizeof path, fixture_dir, "round_trip.gnet");
    gemmnet_model *m = sample_model(), *loaded = NULL;
    gemmnet_error err = {0};
    if (gemmnet_model_save(m, path, &err) != GEMMNET_OK)
        fail_msg("save failed: %s", err.message);
    if (gemmnet_model_load(path, NULL, &loaded, &err) != GEMMNET_OK)
        fail_msg("load failed: %s", err.message);
    assert_same_models(m, loaded);
    /* A plain model (no standardisation, no names) round-trips too. */
    assert_int_equal(gemmnet_model_set_standardization(m, NULL, NULL, &err), GEMMNET_OK);
    assert_int_equal(gemmnet_model_set_class_names(m, NULL, &err), GEMMNET_OK);
    gemmnet_model_destroy(loaded);
    assert_int_equal(gemmnet_model_save(m, path, &err), GEMMNET_OK);
    assert_int_equal(gemmnet_model_load(path, NULL, &loaded, &err), GEMMNET_OK);
    assert_same_models(m, loaded);
    assert_null(gemmnet_model_mean(loaded));
    assert_null(gemmnet_model_class_name(loaded, 0));
    gemmnet_model_destroy(loaded);
    gemmnet_model_destroy(m);
}

static void test_reloaded_model_predicts_bit_identically(void **state)
{
    (void)state;
    size_t size = 0, n = 2500;
    unsigned char *bytes = sample_bytes(&size);
    gemmnet_model *m = sample_model(), *loaded = NULL;
    assert_int_equal(gemmnet_model_load_buffer(bytes, size, NULL, &loaded, NULL), GEMMNET_OK);
    float *x = malloc(n * 3 * sizeof *x), *p = malloc(n * 3 * sizeof *p),
          *q = malloc(n * 3 * sizeof *q);
    assert_true(x && p && q);
    for (size_t i = 0; i < 3 * n; i++)
        x[i] = (float)sin(0.37 * (double)i) * 4.0f;
    gemmnet_workspace *ws = NULL, *ws2 = NULL;
    assert_int_equal(gemmnet_workspace_create(m, NULL, &ws, NULL), GEMMNET_OK);
    assert_int_equal(gemmnet_workspace_create(loaded, NULL, &ws2, NULL), GEMMNET_OK);
    assert_int_equal(gemmnet_predict_proba(m, ws, x, n, p, NULL), GEMMNET_OK);
    assert_int_equal(gemmnet_predict_proba(loaded, ws2, x, n, q, NULL), GEMMNET_OK);
    if (memcmp(p, q, n * 3 * sizeof *p) != 0)
        fail_msg("the reloaded model's probabilities differ from the original's");
    gemmnet_workspace_destroy(ws);
    gemmnet_workspace_destroy(ws2);
    gemmnet_model_destroy(m);
    gemmnet_model_destroy(loaded);
    free(x);
    free(p);
    free(q);
    free(bytes);
}

/* The README's table, field by field. */
static void test_header_fields_sit_where_the_format_table_says(void **state)
{
    (void)state;
    size_t size = 0;
    unsigned char *b = sample_bytes(&size);
    static const unsigned char magic[8] = {0x89, 'G', 'N', 'E', 'T', '\r', '\n', 0x1a};
    assert_memory_equal(b, magic, 8);
    assert_int_equal(get_le32(b + 8), 1); /* version */
    assert_int_equal(get_le32(b + 12), 3); /* flags: standardisation | names */
    assert_int_equal(get_le32(b + 16), size);
    assert_int_equal(get_le32(b + 20), 0); /* size, high half */
    assert_int_equal(get_le32(b + 24), 3); /* L */
    assert_int_equal(get_le32(b + 28), 1); /* mean */
    assert_int_equal(get_le32(b + 32), 0x3e000000); /* 0.125f */
    assert_int_equal(get_le32(b + 36), 0);
    size_t p = 3 * 5 + 5 + 5 * 4 + 4 + 4 * 3 + 3;
    assert_int_equal(get_le32(b + 40), p);
    const uint32_t widths[] = {3, 5, 4, 3};
    for (int i = 0; i < 4; i++)
        assert_int_equal(get_le32(b + 48 + 4 * i), widths[i]);
    assert_int_equal(get_le32(b + 64), GEMMNET_ACT_RELU);
    assert_int_equal(get_le32(b + 68), GEMMNET_ACT_SIGMOID);
    assert_int_equal(get_le32(b + 72), 0x3fc00000); /* mean[0] = 1.5f at H = 48 + 8L */
    size_t parameters = 72 + 8 * 3;
    float first;
    uint32_t bits = get_le32(b + parameters);
    memcpy(&first, &bits, sizeof first);
    gemmnet_model *m = sample_model();
    assert_true(first == gemmnet_model_weights(m, 1)[0]);
    size_t names = parameters + 4 * p;
    assert_int_equal(get_le32(b + names), 5);
    assert_memory_equal(b + names + 4, "alpha", 5);
    assert_int_equal(get_le32(b + size - 4), (uint32_t)crc32(0, b, (uInt)(size - 4)));
    gemmnet_model_destroy(m);
    free(b);
}

/* ---- damage -------------------------------------------------------------- */

/* Loads bytes[size] from memory and, written to a file, from disk: both
 * must fail with expected, leak nothing and leave *model NULL. */
static void
expect_load_failure(const unsigned char *bytes, size_t size, int expected, const char *what)
{
    char path[256];
    fixture_path(path, sizeof path, fixture_dir, "damaged.gnet");
    write_file(path, bytes, size);
    for (int from_file = 0; from_file < 2; from_file++) {
        counting_allocator counter = {0};
        gemmnet_allocator hooks = counting_hooks(&counter);
        gemmnet_model *m = (gemmnet_model *)&counter;
        gemmnet_error err = {0};
        int status = from_file ? gemmnet_model_load(path, &hooks, &m, &err)
                               : gemmnet_model_load_buffer(bytes, size, &hooks, &m, &err);
        if (status != expected)
            fail_msg("%s (%s): status %d (%s), expected %d (%s): %s", what,
                     from_file ? "file" : "buffer", status, gemmnet_strerror(status), expected,
                     gemmnet_strerror(expected), err.message);
        assert_null(m);
        assert_int_equal(err.status, expected);
        assert_true(err.message[0] != '\0');
        assert_no_leak(&counter, what);
    }
}

static void test_every_truncation_is_reported_as_truncated(void **state)
{
    (void)state;
    size_t size = 0;
    unsigned char *bytes = sample_bytes(&size);
    char what[64];
    for (size_t length = 0; length < size; length++) {
        snprintf(what, sizeof what, "truncated to %zu of %zu bytes", length, size);
        expect_load_failure(bytes, length, GEMMNET_E_TRUNCATED, what);
    }
    free(bytes);
}

/* 2000 seeded single-byte flips: each is refused with a status naming
 * damage; no flip ever loads. */
static void test_random_byte_flips_are_all_refused(void **state)
{
    (void)state;
    size_t size = 0;
    unsigned char *bytes = sample_bytes(&size);
    uint32_t s = 20240601;
    size_t by_status[32] = {0};
    for (int flip = 0; flip < 2000; flip++) {
        s = s * 1664525u + 1013904223u;
        size_t at = (s >> 8) % size;
        s = s * 1664525u + 1013904223u;
        unsigned char mask = (unsigned char)(1 + (s >> 24) % 255);
        bytes[at] ^= mask;
        counting_allocator counter = {0};
        gemmnet_allocator hooks = counting_hooks(&counter);
        gemmnet_model *m = NULL;
        int status = gemmnet_model_load_buffer(bytes, size, &hooks, &m, NULL);
        bytes[at] ^= mask;
        if (status != GEMMNET_E_CHECKSUM && status != GEMMNET_E_FORMAT &&
            status != GEMMNET_E_VERSION && status != GEMMNET_E_TRUNCATED &&
            status != GEMMNET_E_TOO_LARGE)
            fail_msg("flipping byte %zu with 0x%02x gave status %d (%s)", at, mask, status,
                     gemmnet_strerror(status));
        assert_null(m);
        assert_no_leak(&counter, "a byte flip");
        /* Past the 24-byte prefix only the checksum can notice. */
        if (at >= 24 && status != GEMMNET_E_CHECKSUM)
            fail_msg("flipping byte %zu gave %s, expected a checksum mismatch", at,
                     gemmnet_strerror(status));
        by_status[status]++;
    }
    assert_true(by_status[GEMMNET_E_CHECKSUM] > 1500);
    free(bytes);
}

static void test_other_versions_are_unsupported(void **state)
{
    (void)state;
    size_t size = 0;
    unsigned char *bytes = sample_bytes(&size);
    const uint32_t versions[] = {0, 2, 0xffffffffu};
    for (size_t i = 0; i < 3; i++) {
        put_le32(bytes + 8, versions[i]);
        reseal(bytes, size);
        expect_load_failure(bytes, size, GEMMNET_E_VERSION, "another version");
    }
    put_le32(bytes + 8, 1);
    put_le32(bytes + 12,
             3 | 8); /* a feature flag this version does not know (bit 2 is the training state) */
    reseal(bytes, size);
    expect_load_failure(bytes, size, GEMMNET_E_VERSION, "an unknown flag");
    free(bytes);
}

static void test_files_that_are_not_models_are_format_errors(void **state)
{
    (void)state;
    const char csv[] = "x1,x2,label\n0.5,1.5,0\n";
    expect_load_failure((const unsigned char *)csv, sizeof csv - 1, GEMMNET_E_FORMAT, "a CSV file");
    size_t size = 0;
    unsigned char *bytes = sample_bytes(&size);
    expect_load_failure(bytes + 1, size - 1, GEMMNET_E_FORMAT, "a model missing its first byte");
    unsigned char *longer = malloc(size + 3);
    memcpy(longer, bytes, size);
    memcpy(longer + size, "xyz", 3);
    expect_load_failure(longer, size + 3, GEMMNET_E_FORMAT, "stray bytes after a model");
    free(longer);
    free(bytes);
}

/* A header of L = 1 with widths D and K, declaring exactly its own size
 * (no parameters present), sealed with a valid checksum. */
static unsigned char *bare_header(uint32_t d, uint32_t k, uint64_t parameters, size_t *size)
{
    *size = 48 + 8 + 4;
    unsigned char *b = calloc(1, *size);
    static const unsigned char magic[8] = {0x89, 'G', 'N', 'E', 'T', '\r', '\n', 0x1a};
    memcpy(b, magic, 8);
    put_le32(b + 8, 1);
    put_le64(b + 16, *size);
    put_le32(b + 24, 1);
    put_le64(b + 40, parameters);
    put_le32(b + 48, d);
    put_le32(b + 52, k);
    reseal(b, *size);
    return b;
}

/* Loads from a file with a counting allocator and checks that nothing
 * bigger than the file itself was ever requested. */
static void expect_refused_without_allocating(const unsigned char *bytes,
                                              size_t size,
                                              int expected,
                                              const char *what)
{
    expect_load_failure(bytes, size, expected, what);
    char path[256];
    fixture_path(path, sizeof path, fixture_dir, "absurd.gnet");
    write_file(path, bytes, size);
    counting_allocator counter = {0};
    gemmnet_allocator hooks = counting_hooks(&counter);
    gemmnet_model *m = NULL;
    assert_int_equal(gemmnet_model_load(path, &hooks, &m, NULL), expected);
    if (counter.largest > size + 1)
        fail_msg("%s: a %zu-byte allocation was attempted for a %zu-byte file", what,
                 counter.largest, size);
    assert_int_equal(gemmnet_model_load_buffer(bytes, size, &hooks, &m, NULL), expected);
    assert_true(counter.largest <= size + 1);
}

static void test_terabyte_shapes_are_too_large_and_never_allocated(void **state)
{
    (void)state;
    size_t size = 0;
    /* 2^20 × 2^20 weights: 4 TiB of parameters claimed by a 60-byte file. */
    uint64_t p = (UINT64_C(1) << 40) + (UINT64_C(1) << 20);
    unsigned char *b = bare_header(1u << 20, 1u << 20, p, &size);
    expect_refused_without_allocating(b, size, GEMMNET_E_TOO_LARGE, "terabyte parameters");
    free(b);
    b = bare_header((1u << 24) + 1, 2, 0, &size);
    expect_refused_without_allocating(b, size, GEMMNET_E_TOO_LARGE, "a width above 2^24");
    free(b);
    b = bare_header(2, 0xffffffffu, 0, &size);
    expect_refused_without_allocating(b, size, GEMMNET_E_TOO_LARGE, "a width of 2^32 - 1");
    free(b);
    b = bare_header(2, 2, 6, &size);
    put_le32(b + 24, 1000);
    reseal(b, size);
    expect_refused_without_allocating(b, size, GEMMNET_E_TOO_LARGE, "1000 layers");
    free(b);
}

static void test_header_claiming_a_terabyte_file_is_truncated_without_allocating(void **state)
{
    (void)state;
    size_t size = 0;
    unsigned char *b = sample_bytes(&size);
    put_le64(b + 16, UINT64_C(1) << 40);
    expect_refused_without_allocating(b, size, GEMMNET_E_TRUNCATED, "a terabyte file size");
    free(b);
}

/* Contents that pass the checksum yet contradict themselves. */
static void test_checked_but_inconsistent_contents_are_refused(void **state)
{
    (void)state;
    size_t size = 0;
    unsigned char *b = sample_bytes(&size);
    unsigned char *edit = malloc(size);
    struct {
        size_t at;
        uint32_t value;
        int expected;
        const char *what;
    } cases[] = {
        {64, 7, GEMMNET_E_FORMAT, "an unknown activation"},
        {28, 2, GEMMNET_E_FORMAT, "an unknown reduction"},
        {36, 1, GEMMNET_E_FORMAT, "a non-zero reserved field"},
        {40, 5, GEMMNET_E_FORMAT, "a parameter count that disagrees with the widths"},
        {24, 0, GEMMNET_E_FORMAT, "zero layers"},
        {60, 1, GEMMNET_E_FORMAT, "one class"},
        {48 + 4, 0, GEMMNET_E_FORMAT, "a zero width"},
        {32, 0xbf800000u, GEMMNET_E_FORMAT, "a negative l2"},
        {72 + 12, 0, GEMMNET_E_FORMAT, "a zero scale"},
        {96, 0x7fc00000u, GEMMNET_E_NONFINITE, "a NaN weight"},
        {12, 1, GEMMNET_E_FORMAT, "names present but not flagged"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(edit, b, size);
        put_le32(edit + cases[i].at, cases[i].value);
        reseal(edit, size);
        expect_load_failure(edit, size, cases[i].expected, cases[i].what);
    }
    /* Two equal class names: "alpha" → "beta ..." cannot be made equal by
     * one field, so rename the third name's first bytes to "alpha"'s. */
    memcpy(edit, b, size);
    size_t names = 72 + 24 + 4 * 59;
    assert_int_equal(get_le32(edit + names), 5);
    memcpy(edit + names + 4, "beta ", 5); /* "beta " has a trailing blank: invalid */
    reseal(edit, size);
    expect_load_failure(edit, size, GEMMNET_E_FORMAT, "a name ending in a blank");
    free(edit);
    free(b);
}

static void test_duplicate_class_names_in_a_file_are_refused(void **state)
{
    (void)state;
    gemmnet_model *m = sample_model();
    const char *const names[] = {"aa", "bb", "cc"};
    assert_int_equal(gemmnet_model_set_class_names(m, names, NULL), GEMMNET_OK);
    size_t size = gemmnet_model_file_size(m);
    unsigned char *b = malloc(size);
    assert_int_equal(gemmnet_model_save_buffer(m, b, size, NULL), GEMMNET_OK);
    size_t last = size - 4 - 2;
    assert_memory_equal(b + last, "cc", 2);
    memcpy(b + last, "aa", 2);
    reseal(b, size);
    expect_load_failure(b, size, GEMMNET_E_FORMAT, "duplicate class names");
    free(b);
    gemmnet_model_destroy(m);
}

/* ---- memory -------------------------------------------------------------- */

static void test_allocation_failure_at_every_step_of_load_leaks_nothing(void **state)
{
    (void)state;
    char path[256];
    fixture_path(path, sizeof path, fixture_dir, "nomem.gnet");
    gemmnet_model *m = sample_model();
    assert_int_equal(gemmnet_model_save(m, path, NULL), GEMMNET_OK);
    size_t failures = 0;
    for (size_t fail_on = 1;; fail_on++) {
        counting_allocator counter = {.fail_on = fail_on};
        gemmnet_allocator hooks = counting_hooks(&counter);
        gemmnet_model *loaded = NULL;
        gemmnet_error err = {0};
        int status = gemmnet_model_load(path, &hooks, &loaded, &err);
        if (status == GEMMNET_OK) {
            assert_same_models(m, loaded);
            gemmnet_model_destroy(loaded);
            assert_no_leak(&counter, "a successful load");
            break;
        }
        if (status != GEMMNET_E_NOMEM)
            fail_msg("failing allocation %zu gave %s: %s", fail_on, gemmnet_strerror(status),
                     err.message);
        assert_null(loaded);
        assert_no_leak(&counter, "a failed load");
        failures++;
    }
    if (failures < 5)
        fail_msg("only %zu allocations could be failed, expected at least 5", failures);
    gemmnet_model_destroy(m);
}

/* ---- saving -------------------------------------------------------------- */

/* System calls that fail at a chosen step: 1 open, 2 write (after 10
 * bytes), 3 write returning 0, 4 fsync, 5 close, 6 rename. */
static int failing_step;
static size_t written;

static int test_open(const char *path, int flags, int mode)
{
    if (failing_step == 1) {
        errno = EACCES;
        return -1;
    }
    return open(path, flags, (mode_t)mode);
}

static long test_write(int fd, const void *bytes, size_t size)
{
    if ((failing_step == 2 && written >= 10) || failing_step == 3) {
        errno = ENOSPC;
        return failing_step == 2 ? -1 : 0;
    }
    size_t n = failing_step == 2 && size > 10 ? 10 : size;
    written += n;
    return (long)write(fd, bytes, n);
}

static int test_fsync(int fd)
{
    if (failing_step == 4) {
        errno = EIO;
        return -1;
    }
    return fsync(fd);
}

static int test_close(int fd)
{
    int status = close(fd);
    if (failing_step == 5) {
        errno = EIO;
        return -1;
    }
    return status;
}

static int test_rename(const char *from, const char *to)
{
    if (failing_step == 6) {
        errno = EXDEV;
        return -1;
    }
    return rename(from, to);
}

static void test_interrupted_save_leaves_the_previous_file_intact(void **state)
{
    (void)state;
    char path[256];
    fixture_path(path, sizeof path, fixture_dir, "keep.gnet");
    gemmnet_model *old_model = sample_model(), *new_model = sample_model();
    gemmnet_model_weights(new_model, 1)[0] += 1.0f;
    assert_int_equal(gemmnet_model_save(old_model, path, NULL), GEMMNET_OK);
    size_t old_size = 0, entries = fixture_dir_entries(fixture_dir, "");
    unsigned char *old_bytes = read_file(path, &old_size);
    const gn_file_ops ops = {test_open, test_write, test_fsync, test_close, test_rename};
    const char *steps[] = {"", "temporary file", "write", "write", "fsync", "close", "rename"};
    for (failing_step = 1; failing_step <= 6; failing_step++) {
        written = 0;
        gemmnet_error err = {0};
        int status = gn_model_save_with(new_model, path, &ops, &err);
        if (status != GEMMNET_E_IO || !strstr(err.message, steps[failing_step]))
            fail_msg("failing %s: status %d, message \"%s\"", steps[failing_step], status,
                     err.message);
        size_t size = 0;
        unsigned char *bytes = read_file(path, &size);
        if (size != old_size || memcmp(bytes, old_bytes, size) != 0)
            fail_msg("failing %s changed the previous file", steps[failing_step]);
        free(bytes);
        if (fixture_dir_entries(fixture_dir, "") != entries)
            fail_msg("failing %s left a temporary file behind", steps[failing_step]);
        gemmnet_model *loaded = NULL;
        assert_int_equal(gemmnet_model_load(path, NULL, &loaded, NULL), GEMMNET_OK);
        assert_same_models(old_model, loaded);
        gemmnet_model_destroy(loaded);
    }
    /* With every step working, the same hooks replace the file. */
    failing_step = 0;
    assert_int_equal(gn_model_save_with(new_model, path, &ops, NULL), GEMMNET_OK);
    gemmnet_model *loaded = NULL;
    assert_int_equal(gemmnet_model_load(path, NULL, &loaded, NULL), GEMMNET_OK);
    assert_same_models(new_model, loaded);
    gemmnet_model_destroy(loaded);
    free(old_bytes);
    gemmnet_model_destroy(old_model);
    gemmnet_model_destroy(new_model);
}

static void test_saving_over_a_directory_or_into_none_fails_cleanly(void **state)
{
    (void)state;
    char path[256];
    fixture_path(path, sizeof path, fixture_dir, "a_directory");
    assert_int_equal(mkdir(path, 0755), 0);
    size_t entries = fixture_dir_entries(fixture_dir, "");
    gemmnet_model *m = sample_model();
    gemmnet_error err = {0};
    assert_int_equal(gemmnet_model_save(m, path, &err), GEMMNET_E_IO);
    assert_non_null(strstr(err.message, "is a directory; only a regular file is replaced"));
    assert_int_equal(fixture_dir_entries(fixture_dir, ""), entries);
    fixture_path(path, sizeof path, fixture_dir, "no/such/dir/m.gnet");
    assert_int_equal(gemmnet_model_save(m, path, &err), GEMMNET_E_IO);
    assert_non_null(strstr(err.message, "cannot create a temporary file"));
    assert_int_equal(gemmnet_model_save(m, "", &err), GEMMNET_E_INVALID);
    gemmnet_model_destroy(m);
}

static void test_saved_file_gets_ordinary_permissions(void **state)
{
    (void)state;
    char path[256];
    fixture_path(path, sizeof path, fixture_dir, "mode.gnet");
    mode_t old_mask = umask(022);
    gemmnet_model *m = sample_model();
    assert_int_equal(gemmnet_model_save(m, path, NULL), GEMMNET_OK);
    umask(old_mask);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    gemmnet_model_destroy(m);
}

static void test_save_refuses_nonfinite_parameters_and_small_buffers(void **state)
{
    (void)state;
    char path[256];
    fixture_path(path, sizeof path, fixture_dir, "nan.gnet");
    gemmnet_model *m = sample_model();
    unsigned char small[16];
    gemmnet_error err = {0};
    assert_int_equal(gemmnet_model_save_buffer(m, small, sizeof small, &err), GEMMNET_E_INVALID);
    gemmnet_model_biases(m, 2)[1] = NAN;
    assert_int_equal(gemmnet_model_save(m, path, &err), GEMMNET_E_NONFINITE);
    assert_int_equal(access(path, F_OK), -1);
    gemmnet_model_destroy(m);
}

static void test_allocation_failure_during_save_leaks_nothing(void **state)
{
    (void)state;
    char path[256];
    fixture_path(path, sizeof path, fixture_dir, "save_nomem.gnet");
    for (size_t fail_on = 1; fail_on <= 3; fail_on++) {
        int32_t hidden[] = {4};
        gemmnet_architecture arch = {
            .inputs = 2, .classes = 2, .hidden_layers = 1, .hidden = hidden};
        counting_allocator counter = {0};
        gemmnet_allocator hooks = counting_hooks(&counter);
        gemmnet_model *m = NULL;
        assert_int_equal(gemmnet_model_create(&arch, &hooks, &m, NULL), GEMMNET_OK);
        counter.fail_on = counter.attempts + fail_on;
        int status = gemmnet_model_save(m, path, NULL);
        assert_int_equal(status, fail_on <= 2 ? GEMMNET_E_NOMEM : GEMMNET_OK);
        gemmnet_model_destroy(m);
        assert_no_leak(&counter, "save");
    }
}

/* ---- metadata ------------------------------------------------------------ */

static void test_metadata_setters_refuse_invalid_values(void **state)
{
    (void)state;
    gemmnet_model *m = sample_model();
    gemmnet_error err = {0};
    const char *const duplicate[] = {"a", "b", "a"};
    const char *const comma[] = {"a", "b,c", "d"};
    const char *const empty[] = {"a", "", "d"};
    const char *const control[] = {"a", "b\tc", "d"};
    const char *const blank[] = {"a", " b", "d"};
    const char *const *bad[] = {duplicate, comma, empty, control, blank};
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(gemmnet_model_set_class_names(m, bad[i], &err), GEMMNET_E_INVALID);
    assert_string_equal(gemmnet_model_class_name(m, 1), sample_names[1]);
    assert_null(gemmnet_model_class_name(m, 3));
    const float mean[] = {0, 0, 0}, zero[] = {1, 0, 1}, nan_scale[] = {1, NAN, 1};
    assert_int_equal(gemmnet_model_set_standardization(m, mean, zero, &err), GEMMNET_E_INVALID);
    assert_int_equal(gemmnet_model_set_standardization(m, mean, nan_scale, &err),
                     GEMMNET_E_INVALID);
    assert_int_equal(gemmnet_model_set_standardization(m, mean, NULL, &err), GEMMNET_E_INVALID);
    assert_true(gemmnet_model_scale(m)[2] == 1e6f);
    assert_int_equal(gemmnet_model_set_loss(m, (gemmnet_reduction)7, 0.0f), GEMMNET_E_INVALID);
    assert_int_equal(gemmnet_model_set_loss(m, GEMMNET_REDUCTION_SUM, -1.0f), GEMMNET_E_INVALID);
    assert_int_equal(gemmnet_model_reduction(m), GEMMNET_REDUCTION_MEAN);
    gemmnet_model_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_save_then_load_gives_identical_parameters_and_metadata),
        cmocka_unit_test(test_reloaded_model_predicts_bit_identically),
        cmocka_unit_test(test_header_fields_sit_where_the_format_table_says),
        cmocka_unit_test(test_every_truncation_is_reported_as_truncated),
        cmocka_unit_test(test_random_byte_flips_are_all_refused),
        cmocka_unit_test(test_other_versions_are_unsupported),
        cmocka_unit_test(test_files_that_are_not_models_are_format_errors),
        cmocka_unit_test(test_terabyte_shapes_are_too_large_and_never_allocated),
        cmocka_unit_test(test_header_claiming_a_terabyte_file_is_truncated_without_allocating),
        cmocka_unit_test(test_checked_but_inconsistent_contents_are_refused),
        cmocka_unit_test(test_duplicate_class_names_in_a_file_are_refused),
        cmocka_unit_test(test_allocation_failure_at_every_step_of_load_leaks_nothing),
        cmocka_unit_test(test_interrupted_save_leaves_the_previous_file_intact),
        cmocka_unit_test(test_saving_over_a_directory_or_into_none_fails_cleanly),
        cmocka_unit_test(test_saved_file_gets_ordinary_permissions),
        cmocka_unit_test(test_save_refuses_nonfinite_parameters_and_small_buffers),
        cmocka_unit_test(test_allocation_failure_during_save_leaks_nothing),
        cmocka_unit_test(test_metadata_setters_refuse_invalid_values),
    };
    return cmocka_run_group_tests(tests, make_fixture_dir, remove_fixture_dir);
}
