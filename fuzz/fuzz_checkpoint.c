/*
 * libFuzzer harness: gemmnet_checkpoint_load on arbitrary model files
 * (with their size field and checksum made right, which the fuzzer cannot
 * forge), then gemmnet_trainer_restore and two epochs of training when the
 * checkpoint's sizes are small. A load must fail with a status and a
 * one-line message or give a state that a trainer either refuses with a
 * status or continues from without crashing, overflowing or leaking.
 */
#define _GNU_SOURCE
#include <gemmnet.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#define REQUIRE(condition) ((condition) ? (void)0 : __builtin_trap())

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* bytes[size] into a memfd, sealed: size field and CRC-32 made right. */
static const char *sealed_file(const unsigned char *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("fuzz.gnet", 0);
        REQUIRE(fd >= 0);
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    unsigned char *copy = malloc(size + 1);
    REQUIRE(copy != NULL);
    memcpy(copy, data, size);
    if (size >= 28) {
        for (int i = 0; i < 8; i++)
            copy[16 + i] = (unsigned char)((uint64_t)size >> (8 * i));
        uint32_t crc = (uint32_t)crc32(0, copy, (uInt)(size - 4));
        for (int i = 0; i < 4; i++)
            copy[size - 4 + i] = (unsigned char)(crc >> (8 * i));
    }
    REQUIRE(ftruncate(fd, 0) == 0);
    REQUIRE(size == 0 || pwrite(fd, copy, size, 0) == (ssize_t)size);
    free(copy);
    return path;
}

/* rows × D zeros labelled 0, 1, …, K−1, 0, … */
static void make_data(gemmnet_dataset *d, size_t rows, const gemmnet_model *m)
{
    int32_t k = gemmnet_model_width(m, gemmnet_model_layers(m));
    REQUIRE(gemmnet_dataset_alloc(d, rows, (size_t)gemmnet_model_width(m, 0), NULL, NULL) ==
            GEMMNET_OK);
    memset(d->x, 0, rows * d->features * sizeof(float));
    for (size_t i = 0; i < rows; i++)
        d->y[i] = (int32_t)(i % (size_t)k);
    d->classes = k;
}

/* A trainer on rows (+ validation) rows with the checkpoint's settings,
 * restored and run for two epochs. Returns the restore's status. */
static int resume(gemmnet_model *m,
                  const gemmnet_checkpoint *c,
                  size_t rows,
                  size_t validation,
                  gemmnet_error *err)
{
    gemmnet_dataset train = {0}, held_out = {0};
    gemmnet_train_options o;
    gemmnet_checkpoint_options(c, &o);
    make_data(&train, rows, m);
    if (validation > 0)
        make_data(&held_out, validation, m);
    o.validation = validation > 0 ? &held_out : NULL;
    gemmnet_trainer *t = NULL;
    int status = gemmnet_trainer_create(m, &train, &o, &t, err);
    if (status == GEMMNET_OK)
        status = gemmnet_trainer_restore(t, c, err);
    if (status == GEMMNET_OK)
        (void)gemmnet_trainer_run(t, 2, NULL); /* any status; no crash */
    gemmnet_trainer_destroy(t);
    gemmnet_dataset_free(&train);
    gemmnet_dataset_free(&held_out);
    return status;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    gemmnet_model *m = NULL;
    gemmnet_checkpoint *c = NULL;
    gemmnet_error err = {0};
    int status = gemmnet_checkpoint_load(sealed_file(data, size), NULL, &m, &c, &err);
    if (status != GEMMNET_OK) {
        REQUIRE(m == NULL && c == NULL && err.message[0] && !strchr(err.message, '\n'));
        return 0;
    }
    /* The row counts are private to the checkpoint; a restore onto one row
     * (and one validation row, which patience needs) names them ("trained
     * on N rows (+V for validation)"). Small ones are then resumed. */
    size_t rows = 0, validation = 0;
    if (gemmnet_model_parameter_count(m) <= 4096 && resume(m, c, 1, 1, &err) == GEMMNET_E_SHAPE &&
        sscanf(err.message, "the checkpoint was trained on %zu rows (+%zu", &rows, &validation) ==
            2 &&
        rows >= 1 && rows <= 64 && validation <= 64)
        resume(m, c, rows, validation, &err);
    gemmnet_checkpoint_free(c);
    gemmnet_model_destroy(m);
    return 0;
}
