/*
 * embed.c: classify CSV rows with a saved gemmnet model, using only the
 * public API, as an application embedding the library would.
 *
 * Build against an installed gemmnet:
 *     cc -std=c11 embed.c $(pkg-config --cflags --libs gemmnet) -o embed
 * Run:
 *     ./embed MODEL [FILE.csv | -]        (default: stdin)
 * It prints one line per row, the class name (or index when the model has
 * no names): the same output as 'gemmnet predict --model MODEL --data FILE'.
 */
#include <gemmnet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows read and classified per call. */
enum { BLOCK_ROWS = 256 };

/* Reads rows a block at a time and prints each row's class. */
static int classify(const gemmnet_model *model, FILE *in, const char *name, gemmnet_error *err)
{
    size_t d = (size_t)gemmnet_model_width(model, 0);
    gemmnet_workspace *ws = NULL;
    gemmnet_csv_reader *reader = NULL;
    float *x = malloc(BLOCK_ROWS * d * sizeof *x);
    int32_t labels[BLOCK_ROWS];
    int status = x ? gemmnet_workspace_create(model, NULL, &ws, err) : GEMMNET_E_NOMEM;
    if (status == GEMMNET_OK)
        status = gemmnet_csv_reader_create(in, name, d, NULL, NULL, &reader, err);
    for (size_t rows = 1; status == GEMMNET_OK && rows > 0;) {
        status = gemmnet_csv_reader_read(reader, x, BLOCK_ROWS, &rows, err);
        if (status == GEMMNET_OK)
            status = gemmnet_predict(model, ws, x, rows, labels, NULL);
        for (size_t i = 0; status == GEMMNET_OK && i < rows; i++) {
            const char *class_name = gemmnet_model_class_name(model, labels[i]);
            if (class_name)
                printf("%s\n", class_name);
            else
                printf("%d\n", (int)labels[i]);
        }
    }
    gemmnet_csv_reader_destroy(reader);
    gemmnet_workspace_destroy(ws);
    free(x);
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s MODEL [FILE.csv | -]\n", argv[0]);
        return 2;
    }
    const char *path = argc == 3 ? argv[2] : "-";
    gemmnet_error err = {0};
    gemmnet_model *model = NULL;
    int status = gemmnet_model_load(argv[1], NULL, &model, &err);
    FILE *in = NULL;
    if (status == GEMMNET_OK) {
        in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
        if (!in)
            snprintf(err.message, sizeof err.message, "%s: cannot open", path);
        status =
            in ? classify(model, in, strcmp(path, "-") ? path : "<stdin>", &err) : GEMMNET_E_IO;
    }
    if (status != GEMMNET_OK)
        fprintf(stderr, "embed: %s\n", err.message[0] ? err.message : gemmnet_strerror(status));
    if (in && in != stdin)
        fclose(in);
    gemmnet_model_destroy(model);
    return status == GEMMNET_OK ? 0 : 1;
}
