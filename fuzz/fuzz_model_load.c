/*
 * libFuzzer harness: gemmnet_model_load_buffer on arbitrary bytes, as they
 * are and with their size field and checksum made right. A load must fail
 * with a status and a one-line message, or give a model that saves back to
 * exactly the same bytes (the format has one encoding per model), survives
 * JSON (dump, then read) unchanged, and predicts probabilities in [0, 1]
 * (or GEMMNET_E_NONFINITE where huge weights overflow) for a row of zeros.
 */
#define _GNU_SOURCE
#include <gemmnet.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define REQUIRE(condition) ((condition) ? (void)0 : __builtin_trap())

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* The file bytes of m, malloc'd, in *size. */
static unsigned char *saved(const gemmnet_model *m, size_t *size)
{
    *size = gemmnet_model_file_size(m);
    unsigned char *bytes = malloc(*size);
    REQUIRE(bytes && gemmnet_model_save_buffer(m, bytes, *size, NULL) == GEMMNET_OK);
    return bytes;
}

/* dump then read: the model must come back saving to bytes[size]. */
static void check_json_round_trip(const gemmnet_model *m, const unsigned char *bytes, size_t size)
{
    char *text = NULL;
    size_t length = 0, again_size = 0;
    FILE *f = open_memstream(&text, &length);
    REQUIRE(f && gemmnet_model_write_json(m, f, NULL) == GEMMNET_OK);
    fclose(f);
    gemmnet_model *back = NULL;
    gemmnet_error err = {0};
    REQUIRE(gemmnet_model_read_json(text, length, NULL, &back, &err) == GEMMNET_OK);
    unsigned char *again = saved(back, &again_size);
    REQUIRE(again_size == size && memcmp(again, bytes, size) == 0);
    free(again);
    free(text);
    gemmnet_model_destroy(back);
}

static void check_prediction(const gemmnet_model *m)
{
    size_t d = (size_t)gemmnet_model_width(m, 0);
    size_t k = (size_t)gemmnet_model_width(m, gemmnet_model_layers(m));
    float *x = calloc(d, sizeof *x), *proba = malloc(k * sizeof *proba);
    gemmnet_workspace *ws = NULL;
    REQUIRE(x && proba && gemmnet_workspace_create(m, NULL, &ws, NULL) == GEMMNET_OK);
    /* Probabilities, or GEMMNET_E_NONFINITE where huge weights overflow
     * the logits: never NaN with GEMMNET_OK. */
    int status = gemmnet_predict_proba(m, ws, x, 1, proba, NULL);
    REQUIRE(status == GEMMNET_OK || status == GEMMNET_E_NONFINITE);
    for (size_t j = 0; status == GEMMNET_OK && j < k; j++)
        REQUIRE(proba[j] >= 0.0f && proba[j] <= 1.0f);
    gemmnet_workspace_destroy(ws);
    free(x);
    free(proba);
}

/* Loads bytes[size]; a model must save back to exactly those bytes, a
 * checkpoint's training state included (the model keeps it). */
static void check_load(const unsigned char *bytes, size_t size)
{
    gemmnet_model *m = NULL;
    gemmnet_error err = {0};
    int status = gemmnet_model_load_buffer(bytes, size, NULL, &m, &err);
    if (status != GEMMNET_OK) {
        REQUIRE(m == NULL && err.message[0] && !strchr(err.message, '\n'));
        return;
    }
    size_t again_size = 0;
    unsigned char *again = saved(m, &again_size);
    REQUIRE(again_size == size && memcmp(again, bytes, size) == 0);
    check_json_round_trip(m, again, again_size);
    /* Prediction costs O(parameters); the file holds them all, so it is
     * bounded by the input's size. */
    check_prediction(m);
    free(again);
    gemmnet_model_destroy(m);
}

/* The fuzzer cannot forge a CRC-32: a copy whose declared size (bytes
 * 16..24) and checksum (the last 4) are made right lets it reach the
 * decoder behind them. */
static void check_load_sealed(const unsigned char *data, size_t size)
{
    if (size < 28)
        return;
    unsigned char *copy = malloc(size);
    REQUIRE(copy != NULL);
    memcpy(copy, data, size);
    for (int i = 0; i < 8; i++)
        copy[16 + i] = (unsigned char)((uint64_t)size >> (8 * i));
    uint32_t crc = (uint32_t)crc32(0, copy, (uInt)(size - 4));
    for (int i = 0; i < 4; i++)
        copy[size - 4 + i] = (unsigned char)(crc >> (8 * i));
    check_load(copy, size);
    free(copy);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    check_load(data, size);
    check_load_sealed(data, size);
    return 0;
}
