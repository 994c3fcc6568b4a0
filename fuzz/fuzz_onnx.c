/*
 * libFuzzer harness: gemmnet_model_read_onnx on arbitrary bytes. A read
 * must fail with a status and a one-line message, or give a model that
 * exports to ONNX, reads back to the identical model file (export →
 * import is exact), and, for a row of zeros, either predicts
 * probabilities in [0, 1] or - where huge weights overflow float32 -
 * refuses with GEMMNET_E_NONFINITE and a one-line message (never hands
 * back NaN as an answer). Seeds: gemmnet's exports and what
 * torch.onnx.export writes (fuzz/corpus/onnx/).
 */
#define _GNU_SOURCE
#include <gemmnet.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(condition) ((condition) ? (void)0 : __builtin_trap())

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* The model file bytes of m, malloc'd, in *size. */
static unsigned char *saved(const gemmnet_model *m, size_t *size)
{
    *size = gemmnet_model_file_size(m);
    unsigned char *bytes = malloc(*size);
    REQUIRE(bytes && gemmnet_model_save_buffer(m, bytes, *size, NULL) == GEMMNET_OK);
    return bytes;
}

static void check_round_trip(const gemmnet_model *m)
{
    char *onnx = NULL;
    size_t length = 0, size = 0, again_size = 0;
    FILE *f = open_memstream(&onnx, &length);
    REQUIRE(f && gemmnet_model_write_onnx(m, f, 0, NULL) == GEMMNET_OK);
    fclose(f);
    gemmnet_model *back = NULL;
    gemmnet_error err = {0};
    REQUIRE(gemmnet_model_read_onnx(onnx, length, NULL, &back, &err) == GEMMNET_OK);
    unsigned char *bytes = saved(m, &size), *again = saved(back, &again_size);
    REQUIRE(size == again_size && memcmp(bytes, again, size) == 0);
    free(bytes);
    free(again);
    free(onnx);
    gemmnet_model_destroy(back);
}

static void check_prediction(const gemmnet_model *m)
{
    size_t d = (size_t)gemmnet_model_width(m, 0);
    size_t k = (size_t)gemmnet_model_width(m, gemmnet_model_layers(m));
    float *x = calloc(d, sizeof *x), *proba = malloc(k * sizeof *proba);
    gemmnet_workspace *ws = NULL;
    REQUIRE(x && proba && gemmnet_workspace_create(m, NULL, &ws, NULL) == GEMMNET_OK);
    gemmnet_error err = {0};
    int status = gemmnet_predict_proba(m, ws, x, 1, proba, &err);
    REQUIRE(status == GEMMNET_OK || status == GEMMNET_E_NONFINITE);
    if (status == GEMMNET_E_NONFINITE)
        REQUIRE(err.message[0] && !strchr(err.message, '\n'));
    for (size_t j = 0; status == GEMMNET_OK && j < k; j++)
        REQUIRE(proba[j] >= 0.0f && proba[j] <= 1.0f);
    gemmnet_workspace_destroy(ws);
    free(x);
    free(proba);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    gemmnet_model *m = NULL;
    gemmnet_error err = {0};
    if (gemmnet_model_read_onnx(data, size, NULL, &m, &err) != GEMMNET_OK) {
        REQUIRE(m == NULL && err.message[0] && !strchr(err.message, '\n'));
        return 0;
    }
    check_round_trip(m);
    /* O(parameters), and the file holds every weight: bounded by size. */
    check_prediction(m);
    gemmnet_model_destroy(m);
    return 0;
}
