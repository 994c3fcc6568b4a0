/*
 * libFuzzer harness: gemmnet_model_read_json on arbitrary text. A read
 * must fail with a status and a "LINE:COLUMN: ..." message, or give a
 * model whose file loads back, and whose JSON reads back to the same file.
 */
#define _GNU_SOURCE
#include <gemmnet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(condition) ((condition) ? (void)0 : __builtin_trap())

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static unsigned char *saved(const gemmnet_model *m, size_t *size)
{
    *size = gemmnet_model_file_size(m);
    unsigned char *bytes = malloc(*size);
    REQUIRE(bytes && gemmnet_model_save_buffer(m, bytes, *size, NULL) == GEMMNET_OK);
    return bytes;
}

/* "LINE:COLUMN: " with both numbers ≥ 1, or a message that is not about
 * the text (out of memory). */
static void check_message(int status, const gemmnet_error *err)
{
    unsigned long line = 0, column = 0;
    REQUIRE(err->message[0] && !strchr(err->message, '\n'));
    if (status != GEMMNET_E_NOMEM)
        REQUIRE(sscanf(err->message, "%lu:%lu: ", &line, &column) == 2 && line >= 1 && column >= 1);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    gemmnet_model *m = NULL;
    gemmnet_error err = {0};
    int status = gemmnet_model_read_json((const char *)data, size, NULL, &m, &err);
    if (status != GEMMNET_OK) {
        REQUIRE(m == NULL);
        check_message(status, &err);
        return 0;
    }
    size_t bytes_size = 0, again_size = 0;
    unsigned char *bytes = saved(m, &bytes_size);
    gemmnet_model *loaded = NULL;
    REQUIRE(gemmnet_model_load_buffer(bytes, bytes_size, NULL, &loaded, &err) == GEMMNET_OK);
    char *text = NULL;
    size_t length = 0;
    FILE *f = open_memstream(&text, &length);
    REQUIRE(f && gemmnet_model_write_json(loaded, f, NULL) == GEMMNET_OK);
    fclose(f);
    gemmnet_model *back = NULL;
    REQUIRE(gemmnet_model_read_json(text, length, NULL, &back, NULL) == GEMMNET_OK);
    unsigned char *again = saved(back, &again_size);
    REQUIRE(again_size == bytes_size && memcmp(again, bytes, bytes_size) == 0);
    free(again);
    free(text);
    free(bytes);
    gemmnet_model_destroy(back);
    gemmnet_model_destroy(loaded);
    gemmnet_model_destroy(m);
    return 0;
}
