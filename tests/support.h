/*
 * Helpers shared by the cmocka tests: an allocator that counts and fails
 * on request, and fixture files in a fresh directory under /tmp.
 *
 * The functions that say they fail the test do so with cmocka's fail_msg,
 * so call them only from inside a running test (or a group setup whose
 * failure cmocka reports).
 */
#ifndef GEMMNET_TESTS_SUPPORT_H
#define GEMMNET_TESTS_SUPPORT_H

#include <stddef.h>

#include "gemmnet.h"

/* ---- a counting allocator ------------------------------------------------ */

/* The state behind counting_hooks: zero it, set fail_on if one allocation
 * should fail, and read the counts afterwards. */
typedef struct counting_allocator {
    /* Requests so far, the failed and refused ones included. */
    size_t attempts;
    /* The attempt to refuse (1-based; 0 never refuses). */
    size_t fail_on;
    /* Blocks handed out (refused requests and malloc failures excluded). */
    size_t allocations;
    /* Calls to release, NULL pointers included. */
    size_t releases;
    /* The largest size requested. */
    size_t largest;
} counting_allocator;

/* Allocator hooks over malloc that count into *counter. */
gemmnet_allocator counting_hooks(counting_allocator *counter);

/* Fails the test ("WHAT: A allocations but R releases") unless every block
 * handed out was released. */
void assert_no_leak(const counting_allocator *counter, const char *what);

/* ---- fixture files ------------------------------------------------------- */

/* Room for the path fixture_dir_create makes. */
enum { FIXTURE_DIR_SIZE = 64 };

/* Makes a fresh directory /tmp/gemmnet-NAME-XXXXXX; its path goes to
 * dir[FIXTURE_DIR_SIZE]. Returns 0, or -1 (dir is then empty). For group
 * setups: it does not fail the test. */
int fixture_dir_create(char *dir, const char *name);

/* Removes dir, which fixture_dir_create made, and everything in it
 * (subdirectories too; links are removed, not followed). Returns 0, or -1
 * if anything stays or dir is not a fixture directory. */
int fixture_dir_remove(const char *dir);

/* Entries of dir whose name contains text ("" counts them all), "." and
 * ".." excepted. */
size_t fixture_dir_entries(const char *dir, const char *text);

/* Writes "DIR/NAME" to path[size] and returns path; fails the test if it
 * does not fit. */
char *fixture_path(char *path, size_t size, const char *dir, const char *name);

/* Creates or truncates the file at path and writes bytes[0..size) to it;
 * fails the test on any error. */
void write_file(const char *path, const void *bytes, size_t size);

/* The whole file at path, malloc'd with a NUL after its last byte (so a
 * text file is a string); its size in *size. Fails the test if the file
 * cannot be read. */
unsigned char *read_file(const char *path, size_t *size);

/* As read_file, but returns NULL (and *size 0) instead of failing. */
unsigned char *try_read_file(const char *path, size_t *size);

/* Fails the test ("WHAT: the resumed run's file differs from the
 * uninterrupted run's") unless the files at a and b hold the same bytes:
 * a checkpointed run, stopped and resumed, must save exactly what the
 * uninterrupted run saves. */
void expect_same_run_file(const char *a, const char *b, const char *what);

#endif
