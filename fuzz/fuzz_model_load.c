/*
 * libFuzzer harness: gemmnet_model_load_buffer on arbitrary bytes. A load
 * must fail with a status and a one-line message, or give a model that
 * saves back to exactly the same bytes (the format has one encoding per
 * model), survives JSON (dump, then read) unchanged, and predicts finite
 * probabilities for a row of zeros.
 */
#define _GNU_SOURCE
#include <gemmnet.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    REQUIRE(gemmnet_predict_proba(m, ws, x, 1, proba) == GEMMNET_OK);
    /* Probabilities, or NaN where huge weights overflow the logits. */
    for (size_t j = 0; j < k; j++)
        REQUIRE(!(proba[j] < 0.0f) && !(proba[j] > 1.0f));
    gemmnet_workspace_destroy(ws);
    free(x);
    free(proba);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    gemmnet_model *m = NULL;
    gemmnet_error err = {0};
    int status = gemmnet_model_load_buffer(data, size, NULL, &m, &err);
    if (status != GEMMNET_OK) {
        REQUIRE(m == NULL && err.message[0] && !strchr(err.message, '\n'));
        return 0;
    }
    size_t again_size = 0;
    unsigned char *again = saved(m, &again_size);
    REQUIRE(again_size == size && memcmp(again, data, size) == 0);
    check_json_round_trip(m, again, again_size);
    /* Prediction costs O(parameters); the file holds them all, so it is
     * bounded by the input's size. */
    check_prediction(m);
    free(again);
    gemmnet_model_destroy(m);
    return 0;
}
