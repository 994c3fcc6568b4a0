/*
 * libFuzzer harness: gemmnet_dataset_read_csv on arbitrary bytes.
 *
 * The first byte chooses the options (so label columns, given classes, a
 * label column by name and given class names are fuzzed too); the rest is
 * the file. The reader wants a path, so the bytes go into a memfd opened
 * through /proc/self/fd: no disk traffic and nothing to clean up. A read
 * must either fail with a status and a message, leaving the data set
 * zeroed, or give a data set that keeps every documented invariant.
 */
#define _GNU_SOURCE
#include <gemmnet.h>

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* A violated invariant is a finding: stop where the fuzzer sees it. */
#define REQUIRE(condition) ((condition) ? (void)0 : __builtin_trap())

static const char *const given_names[] = {"b", "a", "c d"};

/* Options from one byte: bits 0-1 the label field (last, 1, 2, 3), bit 2
 * given classes ((bits 3-5) + 2), bit 6 the label column named "label",
 * bit 7 three given class names. */
static gemmnet_csv_options options_from(unsigned char b)
{
    gemmnet_csv_options o = {.label_field = (int32_t)(b & 3)}; /* 0: last, else field 1..3 */
    if (b & 4)
        o.classes = (int32_t)((b >> 3) & 7) + 2;
    if (b & 64)
        o.label_name = "label";
    if (b & 128) {
        o.classes = 3;
        o.class_names = given_names;
    }
    return o;
}

static void check_dataset(const gemmnet_dataset *d, const gemmnet_csv_options *o)
{
    REQUIRE(d->rows >= 1 && d->features >= 1 && d->classes >= 2);
    REQUIRE(o->classes == 0 || d->classes == o->classes);
    for (size_t i = 0; i < d->rows; i++)
        REQUIRE(d->y[i] >= 0 && d->y[i] < d->classes);
    for (size_t i = 0; i < d->rows * d->features; i++)
        REQUIRE(isfinite(d->x[i]));
    for (int32_t k = 0; d->class_names && k < d->classes; k++)
        REQUIRE(d->class_names[k] && d->class_names[k][0]);
}

static void check_failure(int status, const gemmnet_error *err, const gemmnet_dataset *d)
{
    REQUIRE(status > 0 && gemmnet_strerror(status) != NULL);
    REQUIRE(memchr(err->message, '\0', sizeof err->message) && err->message[0]);
    REQUIRE(!strchr(err->message, '\n'));
    REQUIRE(d->rows == 0 && d->x == NULL && d->y == NULL && d->class_names == NULL);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("fuzz.csv", 0);
        REQUIRE(fd >= 0);
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    gemmnet_csv_options options = options_from(size ? data[0] : 0);
    size_t length = size ? size - 1 : 0;
    REQUIRE(ftruncate(fd, 0) == 0);
    REQUIRE(length == 0 || pwrite(fd, data + 1, length, 0) == (ssize_t)length);
    gemmnet_dataset d;
    gemmnet_error err = {0};
    int status = gemmnet_dataset_read_csv(&d, path, &options, NULL, &err);
    if (status == GEMMNET_OK)
        check_dataset(&d, &options);
    else
        check_failure(status, &err, &d);
    gemmnet_dataset_free(&d);
    return 0;
}
