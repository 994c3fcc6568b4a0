/*
 * Fault injection on the paths that touch files: the CSV readers (whole
 * file and streaming), standardisation, model metadata, model files (load,
 * load_buffer, save) and JSON models. Allocations are failed one at a
 * time, from some point on, and periodically; each run must end with
 * GEMMNET_E_NOMEM and a message, or succeed when nothing failed, with every
 * block released. Then model saving: each system call failed in turn, and
 * the process killed before each step, must leave the previous model file
 * byte for byte intact and loadable. Last, requests beyond physical memory
 * are refused up front, with the bytes they needed.
 *
 * Fixture files live in a fresh directory under /tmp, removed by the group
 * teardown.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io/io.h"
#include "net/net.h"
#include "support.h"

/* ---- fixtures ------------------------------------------------------------ */

static char fixture_dir[FIXTURE_DIR_SIZE];

static void write_fixture(const char *name, const void *bytes, size_t size)
{
    char path[256];
    write_file(fixture_path(path, sizeof path, fixture_dir, name), bytes, size);
}

/* Removes the temporary files a killed save leaves ("NAME.tmp-..."). */
static void remove_temporaries(void)
{
    DIR *listing = opendir(fixture_dir);
    char path[512];
    for (struct dirent *e; listing && (e = readdir(listing)) != NULL;)
        if (strstr(e->d_name, ".tmp-"))
            unlink(fixture_path(path, sizeof path, fixture_dir, e->d_name));
    if (listing)
        closedir(listing);
}

/* A model with everything a file holds: D = 3, hidden 4 (relu), K = 3,
 * a standardisation and class names; allocated through a (NULL: malloc). */
static int make_model(const gemmnet_allocator *a, gemmnet_model **out, gemmnet_error *err)
{
    static const int32_t hidden[] = {4};
    static const gemmnet_activation relu[] = {GEMMNET_ACT_RELU};
    static const char *const names[] = {"cat", "dog", "emu"};
    static const float mean[] = {0.5f, -1.0f, 2.0f}, scale[] = {1.0f, 2.0f, 0.25f};
    gemmnet_architecture arch = {
        .inputs = 3, .classes = 3, .hidden_layers = 1, .hidden = hidden, .activations = relu};
    int status = gemmnet_model_create(&arch, a, out, err);
    if (status != GEMMNET_OK)
        return status;
    gemmnet_model_init(*out, GEMMNET_INIT_TUTORIAL, 3, NULL);
    status = gemmnet_model_set_standardization(*out, mean, scale, err);
    if (status == GEMMNET_OK)
        status = gemmnet_model_set_class_names(*out, names, err);
    if (status != GEMMNET_OK) {
        gemmnet_model_destroy(*out);
        *out = NULL;
    }
    return status;
}

/* Model bytes and JSON text made once by the group setup. */
static unsigned char *model_bytes;
static size_t model_size;
static char *model_json;
static size_t model_json_length;

static void write_csv_fixtures(void)
{
    /* A 700-byte first line makes the line buffer grow 256 → 512 → 1024. */
    char wide[4096] = "";
    for (int i = 0; i < 140; i++)
        strcat(wide, "1.25,");
    strcat(wide, "0\n");
    for (int row = 0; row < 4; row++) {
        for (int i = 0; i < 140; i++)
            strcat(wide, "-2,");
        strcat(wide, row % 2 ? "1\n" : "0\n");
    }
    write_fixture("wide.csv", wide, strlen(wide));
    static const char named[] = "x1,species,x2,x3\n1,dog,2,3\n4,cat,5,6\n7,emu,8,9\n"
                                "1.5,dog,0,0\n\n2,cat,1,1\n";
    write_fixture("named.csv", named, sizeof named - 1);
}

static int group_setup(void **state)
{
    (void)state;
    if (fixture_dir_create(fixture_dir, "faults_io") != 0)
        return -1;
    write_csv_fixtures();
    gemmnet_model *m = NULL;
    if (make_model(NULL, &m, NULL) != GEMMNET_OK)
        return -1;
    model_size = gemmnet_model_file_size(m);
    model_bytes = malloc(model_size);
    FILE *json = open_memstream(&model_json, &model_json_length);
    int status = model_bytes && json ? gemmnet_model_save_buffer(m, model_bytes, model_size, NULL)
                                     : GEMMNET_E_NOMEM;
    if (status == GEMMNET_OK)
        status = gemmnet_model_write_json(m, json, NULL);
    if (json)
        fclose(json);
    gemmnet_model_destroy(m);
    if (status == GEMMNET_OK)
        write_fixture("model.gnet", model_bytes, model_size);
    return status == GEMMNET_OK ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    free(model_bytes);
    free(model_json);
    return fixture_dir_remove(fixture_dir);
}

/* ---- a faulty allocator -------------------------------------------------- */

/* Which allocations fail: only the n-th, every one from the n-th on (as
 * when memory stays exhausted), or every n-th (each retry pattern). */
typedef enum fault_mode { FAIL_ONCE, FAIL_FROM, FAIL_EVERY } fault_mode;

static const char *const mode_names[] = {"only allocation", "every allocation from", "every"};

typedef struct faulty {
    fault_mode mode;
    size_t n;
    /* Requests so far, requests refused, blocks not yet released. */
    size_t attempts;
    size_t failed;
    size_t live;
} faulty;

static void *faulty_alloc(void *context, size_t size)
{
    faulty *f = context;
    size_t i = ++f->attempts;
    bool fail = f->mode == FAIL_ONCE ? i == f->n : f->mode == FAIL_FROM ? i >= f->n : i % f->n == 0;
    if (fail) {
        f->failed++;
        return NULL;
    }
    void *p = malloc(size);
    f->live += p != NULL;
    return p;
}

static void faulty_release(void *context, void *ptr)
{
    faulty *f = context;
    f->live -= ptr != NULL;
    free(ptr);
}

/* One operation under test: allocates only through a, frees all it made,
 * and returns its status (err gets the message). */
typedef int (*scenario)(const gemmnet_allocator *a, gemmnet_error *err);

/* Runs s under every fault pattern until n passes the number of
 * allocations it makes. Any refused allocation must give NOMEM with a
 * message; no refusal must give OK; nothing may leak. */
static void inject_faults(scenario s, const char *name)
{
    size_t runs = 0;
    for (int mode = FAIL_ONCE; mode <= FAIL_EVERY; mode++) {
        for (size_t n = 1;; n++) {
            faulty f = {.mode = (fault_mode)mode, .n = n};
            gemmnet_allocator a = {faulty_alloc, faulty_release, &f};
            gemmnet_error err = {0};
            int status = s(&a, &err);
            runs++;
            if (f.live != 0)
                fail_msg("%s, %s %zu failing: %zu blocks leaked", name, mode_names[mode], n,
                         f.live);
            if (f.failed == 0 && status != GEMMNET_OK)
                fail_msg("%s: %s without a failed allocation: %s", name, gemmnet_strerror(status),
                         err.message);
            if (f.failed == 0)
                break;
            if (status != GEMMNET_E_NOMEM || !err.message[0])
                fail_msg(
                    "%s, %s %zu failing: got %s (\"%s\"), expected out of memory with a message",
                    name, mode_names[mode], n, gemmnet_strerror(status), err.message);
            if (n > 10000)
                fail_msg("%s: more than 10000 allocations", name);
        }
    }
    print_message("%s: %zu runs with failing allocations\n", name, runs);
}

/* ---- the scenarios ------------------------------------------------------- */

static int read_wide_csv(const gemmnet_allocator *a, gemmnet_error *err)
{
    char path[256];
    fixture_path(path, sizeof path, fixture_dir, "wide.csv");
    gemmnet_dataset data;
    int status = gemmnet_dataset_read_csv(&data, path, NULL, a, err);
    if (status == GEMMNET_OK && (data.rows != 5 || data.features != 140))
        fail_msg("wide.csv read as %zu × %zu", data.rows, data.features);
    gemmnet_dataset_free(&data);
    return status;
}

/* Text labels in a named column, mapped to sorted names. */
static int read_named_csv(const gemmnet_allocator *a, gemmnet_error *err)
{
    char path[256];
    fixture_path(path, sizeof path, fixture_dir, "named.csv");
    gemmnet_csv_options options = {.label_name = "species"};
    gemmnet_dataset data;
    int status = gemmnet_dataset_read_csv(&data, path, &options, a, err);
    if (status == GEMMNET_OK && (data.classes != 3 || data.y[1] != 0 || data.y[2] != 2))
        fail_msg("named.csv: wrong classes");
    gemmnet_dataset_free(&data);
    return status;
}

/* Text labels mapped to given class names (a model's), in their order. */
static int read_csv_with_given_names(const gemmnet_allocator *a, gemmnet_error *err)
{
    static const char *const names[] = {"emu", "dog", "cat"};
    char path[256];
    fixture_path(path, sizeof path, fixture_dir, "named.csv");
    gemmnet_csv_options options = {.label_field = 2, .classes = 3, .class_names = names};
    gemmnet_dataset data;
    int status = gemmnet_dataset_read_csv(&data, path, &options, a, err);
    if (status == GEMMNET_OK && (data.y[0] != 1 || data.y[2] != 0))
        fail_msg("named.csv with given names: wrong classes");
    gemmnet_dataset_free(&data);
    return status;
}

/* The streaming reader, two rows a block, skipping the label column. */
static int stream_named_csv(const gemmnet_allocator *a, gemmnet_error *err)
{
    char path[256];
    fixture_path(path, sizeof path, fixture_dir, "named.csv");
    FILE *file = fopen(path, "rb");
    assert_non_null(file);
    gemmnet_csv_options options = {.label_name = "species"};
    gemmnet_csv_reader *reader = NULL;
    float x[2 * 3];
    size_t rows = 1, total = 0;
    int status = gemmnet_csv_reader_create(file, "named.csv", 3, &options, a, &reader, err);
    while (status == GEMMNET_OK && rows > 0) {
        status = gemmnet_csv_reader_read(reader, x, 2, &rows, err);
        total += rows;
    }
    if (status == GEMMNET_OK && total != 5)
        fail_msg("streamed %zu rows of named.csv, expected 5", total);
    gemmnet_csv_reader_destroy(reader);
    fclose(file);
    return status;
}

static int standardize_read_data(const gemmnet_allocator *a, gemmnet_error *err)
{
    char path[256];
    fixture_path(path, sizeof path, fixture_dir, "wide.csv");
    gemmnet_dataset data;
    float mean[140], scale[140];
    int status = gemmnet_dataset_read_csv(&data, path, NULL, a, err);
    if (status == GEMMNET_OK)
        status = gemmnet_dataset_standardize(&data, mean, scale, err);
    gemmnet_dataset_free(&data);
    return status;
}

/* Creation and every metadata setter. */
static int build_model(const gemmnet_allocator *a, gemmnet_error *err)
{
    gemmnet_model *m = NULL;
    int status = make_model(a, &m, err);
    gemmnet_model_destroy(m);
    return status;
}

static int load_model_file(const gemmnet_allocator *a, gemmnet_error *err)
{
    char path[256];
    fixture_path(path, sizeof path, fixture_dir, "model.gnet");
    gemmnet_model *m = NULL;
    int status = gemmnet_model_load(path, a, &m, err);
    if (status == GEMMNET_OK && strcmp(gemmnet_model_class_name(m, 2), "emu") != 0)
        fail_msg("the loaded model lost its class names");
    gemmnet_model_destroy(m);
    return status;
}

static int load_model_buffer(const gemmnet_allocator *a, gemmnet_error *err)
{
    gemmnet_model *m = NULL;
    int status = gemmnet_model_load_buffer(model_bytes, model_size, a, &m, err);
    gemmnet_model_destroy(m);
    return status;
}

static int read_model_json(const gemmnet_allocator *a, gemmnet_error *err)
{
    gemmnet_model *m = NULL;
    int status = gemmnet_model_read_json(model_json, model_json_length, a, &m, err);
    gemmnet_model_destroy(m);
    return status;
}

/* Saves over an older file, which must survive any failure unchanged. */
static int save_over_old_file(const gemmnet_allocator *a, gemmnet_error *err)
{
    static const unsigned char old[] = "an older model";
    write_fixture("save.gnet", old, sizeof old);
    char path[256];
    fixture_path(path, sizeof path, fixture_dir, "save.gnet");
    gemmnet_model *m = NULL;
    int status = make_model(a, &m, err);
    if (status == GEMMNET_OK)
        status = gemmnet_model_save(m, path, err);
    gemmnet_model_destroy(m);
    size_t size = 0;
    unsigned char *now = try_read_file(path, &size);
    bool intact = now && size == sizeof old && memcmp(now, old, size) == 0;
    bool replaced = now && size == model_size && memcmp(now, model_bytes, size) == 0;
    free(now);
    if (status == GEMMNET_OK ? !replaced : !intact)
        fail_msg("after a save that returned %s, the file is neither the old nor the new one",
                 gemmnet_strerror(status));
    if (fixture_dir_entries(fixture_dir, ".tmp-") != 0)
        fail_msg("a failed save left its temporary file");
    return status;
}

static void test_csv_reader_survives_failing_allocations(void **state)
{
    (void)state;
    inject_faults(read_wide_csv, "read_csv (growing line buffer)");
    inject_faults(read_named_csv, "read_csv (text labels, label column by name)");
    inject_faults(read_csv_with_given_names, "read_csv (given class names)");
}

static void test_streaming_reader_survives_failing_allocations(void **state)
{
    (void)state;
    inject_faults(stream_named_csv, "csv_reader");
}

static void test_standardize_and_metadata_survive_failing_allocations(void **state)
{
    (void)state;
    inject_faults(standardize_read_data, "dataset_standardize");
    inject_faults(build_model, "model_create + set_standardization + set_class_names");
}

static void test_model_files_survive_failing_allocations(void **state)
{
    (void)state;
    inject_faults(load_model_file, "model_load");
    inject_faults(load_model_buffer, "model_load_buffer");
    inject_faults(read_model_json, "model_read_json");
    inject_faults(save_over_old_file, "model_save");
}

/* ---- saving with failing system calls ------------------------------------ */

/* System calls counted in order (open, each write, fsync, close, rename);
 * the fail_at-th fails with its errno, or kills the process when
 * kill_at is set instead. Writes are cut to 16 bytes, so a model takes
 * many of them. */
typedef struct syscall_faults {
    size_t calls;
    size_t fail_at;
    size_t kill_at;
    /* Make the first write return EINTR once (which must be retried). */
    bool interrupt_once;
} syscall_faults;

static syscall_faults faults;

/* True if this call must fail; kills the process first if asked. */
static bool next_call_fails(int error)
{
    size_t call = ++faults.calls;
    if (call == faults.kill_at)
        _exit(0);
    if (call != faults.fail_at)
        return false;
    errno = error;
    return true;
}

static int faulty_open(const char *path, int flags, int mode)
{
    return next_call_fails(EACCES) ? -1 : open(path, flags, (mode_t)mode);
}

static long faulty_write(int fd, const void *bytes, size_t size)
{
    if (faults.interrupt_once) {
        faults.interrupt_once = false;
        errno = EINTR;
        return -1;
    }
    return next_call_fails(ENOSPC) ? -1 : (long)write(fd, bytes, size < 16 ? size : 16);
}

static int faulty_fsync(int fd)
{
    return next_call_fails(EIO) ? -1 : fsync(fd);
}

static int faulty_close(int fd)
{
    int status = close(fd); /* the descriptor is gone either way */
    return next_call_fails(EIO) ? -1 : status;
}

static int faulty_rename(const char *from, const char *to)
{
    return next_call_fails(EXDEV) ? -1 : rename(from, to);
}

static const gn_file_ops faulty_ops = {faulty_open, faulty_write, faulty_fsync, faulty_close,
                                       faulty_rename};

/* The file at path must be old[old_size] and load as a model. */
static void assert_previous_file(
    const char *path, const unsigned char *old, size_t old_size, const char *what, size_t step)
{
    size_t size = 0;
    unsigned char *now = try_read_file(path, &size);
    if (!now || size != old_size || memcmp(now, old, size) != 0)
        fail_msg("%s at step %zu changed the previous file", what, step);
    free(now);
    gemmnet_model *m = NULL;
    gemmnet_error err = {0};
    if (gemmnet_model_load(path, NULL, &m, &err) != GEMMNET_OK)
        fail_msg("%s at step %zu: the previous file no longer loads: %s", what, step, err.message);
    gemmnet_model_destroy(m);
}

/* A model saved at durable.gnet (its bytes in *old), then changed: the
 * new model to save over it. */
static gemmnet_model *
new_model_over_old_file(char *path, size_t size, unsigned char **old, size_t *old_size)
{
    fixture_path(path, size, fixture_dir, "durable.gnet");
    gemmnet_model *m = NULL;
    assert_int_equal(make_model(NULL, &m, NULL), GEMMNET_OK);
    assert_int_equal(gemmnet_model_save(m, path, NULL), GEMMNET_OK);
    *old = read_file(path, old_size);
    gemmnet_model_weights(m, 1)[0] += 1.0f;
    return m;
}

static void test_save_failing_at_each_system_call_keeps_the_previous_file(void **state)
{
    (void)state;
    char path[256];
    unsigned char *old = NULL;
    size_t old_size = 0;
    gemmnet_model *m = new_model_over_old_file(path, sizeof path, &old, &old_size);
    faults = (syscall_faults){0};
    assert_int_equal(gn_model_save_with(m, path, &faulty_ops, NULL), GEMMNET_OK);
    size_t steps = faults.calls; /* open, ⌈size/16⌉ writes, fsync, close, rename */
    assert_true(steps >= 4 + model_size / 16);
    /* Put the old file back, then fail each call in turn. */
    write_fixture("durable.gnet", old, old_size);
    for (size_t step = 1; step <= steps; step++) {
        faults = (syscall_faults){.fail_at = step};
        gemmnet_error err = {0};
        int status = gn_model_save_with(m, path, &faulty_ops, &err);
        if (status != GEMMNET_E_IO || !strstr(err.message, path))
            fail_msg("failing call %zu of %zu: %s: \"%s\"", step, steps, gemmnet_strerror(status),
                     err.message);
        assert_previous_file(path, old, old_size, "a failing call", step);
        if (fixture_dir_entries(fixture_dir, ".tmp-") != 0)
            fail_msg("failing call %zu left a temporary file", step);
    }
    /* An interrupted write is retried, not reported. */
    faults = (syscall_faults){.interrupt_once = true};
    assert_int_equal(gn_model_save_with(m, path, &faulty_ops, NULL), GEMMNET_OK);
    free(old);
    gemmnet_model_destroy(m);
}

/* Kills a child process at each step of a save (before that call runs):
 * until the rename the old file must remain, after it the new one. A
 * killed save cannot remove its temporary file; the next save must not
 * mind it. */
static void test_save_killed_at_each_step_keeps_the_previous_file(void **state)
{
    (void)state;
    char path[256];
    unsigned char *old = NULL;
    size_t old_size = 0;
    gemmnet_model *m = new_model_over_old_file(path, sizeof path, &old, &old_size);
    faults = (syscall_faults){0};
    write_fixture("durable.gnet", old, old_size);
    assert_int_equal(gn_model_save_with(m, path, &faulty_ops, NULL), GEMMNET_OK);
    size_t steps = faults.calls;
    for (size_t step = 1; step <= steps; step++) {
        write_fixture("durable.gnet", old, old_size);
        fflush(NULL);
        pid_t child = fork();
        assert_true(child >= 0);
        if (child == 0) {
            faults = (syscall_faults){.kill_at = step};
            gn_model_save_with(m, path, &faulty_ops, NULL);
            _exit(1); /* not reached: the save is killed first */
        }
        int wstatus = 0;
        assert_int_equal(waitpid(child, &wstatus, 0), child);
        if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0)
            fail_msg("the save was not killed at step %zu", step);
        assert_previous_file(path, old, old_size, "killing the save", step);
        if (fixture_dir_entries(fixture_dir, ".tmp-") > 1)
            fail_msg("killing the save at step %zu left more than one temporary file", step);
        /* A later save succeeds next to the leftover, which is then
         * removed here (the library cannot know whose it is). */
        if (step == steps)
            assert_int_equal(gemmnet_model_save(m, path, NULL), GEMMNET_OK);
        remove_temporaries();
    }
    free(old);
    gemmnet_model_destroy(m);
}

/* ---- more than the machine has ------------------------------------------ */

/* Linux overcommit would grant these and kill the process once they are
 * touched: the default allocator and the size checks refuse them first,
 * saying how many bytes were needed. */
static void test_more_than_physical_memory_is_refused_up_front(void **state)
{
    (void)state;
    size_t physical = gn_physical_memory();
    assert_true(physical > ((size_t)1 << 20) && physical < SIZE_MAX / 4);
    gemmnet_allocator malloc_hooks = gn_allocator_or_default(NULL);
    assert_null(gn_alloc(&malloc_hooks, physical + 1));
    assert_false(gn_fits_in_memory(NULL, physical + 1));
    assert_true(gn_fits_in_memory(NULL, physical / 2));
    faulty own = {.mode = FAIL_ONCE};
    gemmnet_allocator hooks = {faulty_alloc, faulty_release, &own};
    assert_true(gn_fits_in_memory(&hooks, physical * 2)); /* its own limits */
    gemmnet_dataset data;
    gemmnet_error err = {0};
    size_t points = physical / 8; /* 28 bytes each at once */
    assert_int_equal(
        gemmnet_dataset_generate(&data, GEMMNET_SYNTH_MOONS, points, 2, 0.2, 0, NULL, &err),
        GEMMNET_E_NOMEM);
    if (!strstr(err.message, "bytes at once, more than the"))
        fail_msg("the message does not give the bytes needed: %s", err.message);
    assert_null(data.x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_reader_survives_failing_allocations),
        cmocka_unit_test(test_streaming_reader_survives_failing_allocations),
        cmocka_unit_test(test_standardize_and_metadata_survive_failing_allocations),
        cmocka_unit_test(test_model_files_survive_failing_allocations),
        cmocka_unit_test(test_save_failing_at_each_system_call_keeps_the_previous_file),
        cmocka_unit_test(test_save_killed_at_each_step_keeps_the_previous_file),
        cmocka_unit_test(test_more_than_physical_memory_is_refused_up_front),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
