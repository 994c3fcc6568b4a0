/*
 * libFuzzer harness: the streaming reader (gemmnet_csv_reader_*) on
 * arbitrary bytes through fmemopen. The first byte chooses D (1..8, bits
 * 0-2), the block size (1..4, bits 3-4), the label column (bit 5: the
 * first; bit 6: named "label") and integer labels of 3 classes (bit 7);
 * the rest is the stream. Every block must
 * hold at most the rows asked for, all finite; after an error or the end,
 * reads give no more rows.
 */
#define _GNU_SOURCE
#include <gemmnet.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#define REQUIRE(condition) ((condition) ? (void)0 : __builtin_trap())

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* Reads blocks until the end or an error; returns the final status. */
static int read_all(gemmnet_csv_reader *reader, size_t d, size_t block)
{
    float x[4 * 8];
    for (;;) {
        size_t rows = 99;
        gemmnet_error err = {0};
        int status = gemmnet_csv_reader_read(reader, x, block, &rows, &err);
        REQUIRE(rows <= block);
        if (status != GEMMNET_OK) {
            REQUIRE(err.message[0] && !strchr(err.message, '\n'));
            return status;
        }
        for (size_t i = 0; i < rows * d; i++)
            REQUIRE(isfinite(x[i]));
        if (rows == 0)
            return status;
    }
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size < 2)
        return 0; /* fmemopen wants at least one byte */
    unsigned char b = data[0];
    size_t d = (b & 7) + 1, block = ((b >> 3) & 3) + 1;
    gemmnet_csv_options options = {.label_field = (b & 32) ? 1 : 0,
                                   .label_name = (b & 64) ? "label" : NULL};
    /* Bit 7: a model's view, 3 integer classes (text labels refused). */
    if (b & 128) {
        options.classes = 3;
        options.labels = GEMMNET_CSV_LABELS_INTEGER;
    }
    FILE *stream = fmemopen((void *)(data + 1), size - 1, "rb");
    if (!stream)
        return 0;
    gemmnet_csv_reader *reader = NULL;
    gemmnet_error err = {0};
    if (gemmnet_csv_reader_create(stream, "fuzz.csv", d, &options, NULL, &reader, &err) ==
        GEMMNET_OK) {
        read_all(reader, d, block);
        float x[8];
        size_t rows = 99;
        /* The stream has ended or failed: nothing more comes. */
        REQUIRE(gemmnet_csv_reader_read(reader, x, 1, &rows, NULL) == GEMMNET_OK && rows == 0);
    }
    gemmnet_csv_reader_destroy(reader);
    fclose(stream);
    return 0;
}
