/* gemmnet predict: classify CSV rows with a saved model, streaming. */
#include "args.h"
#include "commands.h"
#include "model_args.h"
#include "streams.h"

#include <errno.h>
#include <gemmnet.h>
#include <stdlib.h>
#include <string.h>

static const char predict_help[] =
    "usage: gemmnet predict --model FILE --data FILE|- [--proba] [--label-col N|NAME]\n"
    "                       [--header auto|yes|no]\n\n"
    "Classifies the rows of a CSV file (or of stdin, with -) with a model saved by\n"
    "'gemmnet train --save' and prints one line per row: the class name, or its\n"
    "index when the model has no names; with --proba, the K class probabilities\n"
    "instead, comma-separated, printed with %.9g. Rows are read and classified a\n"
    "block at a time, so input of any length runs in constant memory.\n\n"
    "  --model FILE      the model file\n"
    "  --data FILE|-     CSV rows; - reads stdin\n"
    "  --proba           print probabilities instead of labels\n"
    "  --label-col N|NAME  where the label column is, if the rows have one\n"
    "                    (0-based index, -1 for the last, or a header name;\n"
    "                    default: the last)\n"
    "  --header auto|yes|no  whether the first line is a header (default auto:\n"
    "                    see docs/data.md)\n\n"
    "A row has D fields (the model's features) or D + 1 (the features and a label\n"
    "column, which is skipped), decided by the first line. A first line whose\n"
    "feature fields are not all numbers, or whose label is text over numbers, is a\n"
    "header (docs/data.md). A model without class names refuses text labels. The\n"
    "model's standardisation, if it has one, is applied to the raw values.\n";

typedef struct predict_args {
    model_input_args input;
    /* --proba: the K class probabilities instead of the label. */
    bool proba;
} predict_args;

enum { OPT_PROBA = 'p' };

static const struct option predict_options[] = {
    MODEL_INPUT_OPTIONS,
    {"proba", no_argument, NULL, OPT_PROBA},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* --proba, or an input option. */
static bool predict_option(void *context, int code, const char *value)
{
    predict_args *a = context;
    if (code != OPT_PROBA)
        return model_input_option("predict", code, value, &a->input);
    a->proba = true;
    return true;
}

/* Returns -1 to go on, else the exit status. */
static int parse_predict(int argc, char **argv, predict_args *a)
{
    static const cli_syntax syntax = {"predict", predict_help, predict_options, "", predict_option};
    *a = (predict_args){0};
    int status = cli_parse_options(&syntax, a, argc, argv, NULL);
    return status >= 0 ? status : model_input_check("predict", &a->input, "FILE|-");
}

/* Buffers for one block: rows[R×D] in, labels[R] or proba[R×K] out. */
typedef struct predict_block {
    size_t rows;
    float *x;
    int32_t *labels;
    float *proba;
} predict_block;

/* Rows per block: up to 1024 (the workspace's), fewer for wide inputs so
 * that x stays near 4 MiB. */
static bool block_create(predict_block *b, size_t d, size_t k)
{
    size_t rows = ((size_t)1 << 20) / d;
    b->rows = rows < 1 ? 1 : rows > 1024 ? 1024 : rows;
    b->x = malloc(b->rows * d * sizeof *b->x);
    b->labels = malloc(b->rows * sizeof *b->labels);
    b->proba = malloc(b->rows * k * sizeof *b->proba);
    return b->x && b->labels && b->proba;
}

static void block_free(predict_block *b)
{
    free(b->x);
    free(b->labels);
    free(b->proba);
}

/* Prints rows labels, or probabilities, of the block. */
static void print_block(const gemmnet_model *model, const predict_block *b, size_t rows, bool proba)
{
    size_t k = (size_t)gemmnet_model_width(model, gemmnet_model_layers(model));
    for (size_t i = 0; i < rows; i++) {
        if (proba) {
            for (size_t j = 0; j < k; j++)
                printf(j ? ",%.9g" : "%.9g", (double)b->proba[i * k + j]);
            putchar('\n');
        } else {
            const char *name = gemmnet_model_class_name(model, b->labels[i]);
            if (name)
                puts(name);
            else
                printf("%d\n", (int)b->labels[i]);
        }
    }
}

/* Reads up to a block of rows into b->x, *rows of them. From a pipe or a
 * terminal it stops early when the next row is not there yet, so that the
 * rows already read are answered before predict waits for more. */
static int read_block(gemmnet_csv_reader *reader,
                      FILE *in,
                      bool interactive,
                      size_t d,
                      predict_block *b,
                      size_t *rows,
                      gemmnet_error *err)
{
    if (!interactive)
        return gemmnet_csv_reader_read(reader, b->x, b->rows, rows, err);
    *rows = 0;
    while (*rows < b->rows && !(*rows > 0 && cli_input_would_wait(in))) {
        size_t got = 0;
        int status = gemmnet_csv_reader_read(reader, b->x + *rows * d, 1, &got, err);
        if (status != GEMMNET_OK || got == 0)
            return status;
        *rows += got;
    }
    return GEMMNET_OK;
}

/* Streams the reader through the model a block at a time. */
static int predict_stream(const gemmnet_model *model,
                          gemmnet_workspace *ws,
                          gemmnet_csv_reader *reader,
                          FILE *in,
                          predict_block *b,
                          const char *name,
                          bool proba,
                          gemmnet_error *err)
{
    size_t d = (size_t)gemmnet_model_width(model, 0);
    bool interactive = !cli_input_is_file(in);
    for (size_t done = 0;;) {
        size_t rows = 0;
        int status = read_block(reader, in, interactive, d, b, &rows, err);
        if (status != GEMMNET_OK || rows == 0)
            return status;
        gemmnet_error detail = {0};
        status = proba ? gemmnet_predict_proba(model, ws, b->x, rows, b->proba, &detail)
                       : gemmnet_predict(model, ws, b->x, rows, b->labels, &detail);
        if (status != GEMMNET_OK) {
            snprintf(err->message, sizeof err->message, "%s: data rows %zu..%zu: %.400s", name,
                     done + 1, done + rows, detail.message);
            return status;
        }
        done += rows;
        print_block(model, b, rows, proba);
        errno = 0;
        if ((interactive && fflush(stdout) != 0) || ferror(stdout)) {
            cli_report_stdout_failure(errno);
            return GEMMNET_E_IO;
        }
    }
}

/* Sets up the workspace, the reader and the buffers, then streams. */
static int
run_predict(const predict_args *a, const gemmnet_model *model, FILE *in, gemmnet_error *err)
{
    size_t d = (size_t)gemmnet_model_width(model, 0);
    size_t k = (size_t)gemmnet_model_width(model, gemmnet_model_layers(model));
    const char *name = strcmp(a->input.data_path, "-") == 0 ? "<stdin>" : a->input.data_path;
    gemmnet_workspace *ws = NULL;
    gemmnet_csv_reader *reader = NULL;
    predict_block b = {0};
    gemmnet_csv_options csv = a->input.csv;
    const char **names = NULL;
    int status = cli_model_labels(model, &csv, &names);
    if (status == GEMMNET_OK)
        status = gemmnet_workspace_create(model, NULL, &ws, err);
    if (status == GEMMNET_OK)
        status = gemmnet_csv_reader_create(in, name, d, &csv, NULL, &reader, err);
    if (status == GEMMNET_OK && !block_create(&b, d, k))
        status = GEMMNET_E_NOMEM;
    if (status == GEMMNET_OK)
        status = predict_stream(model, ws, reader, in, &b, name, a->proba, err);
    block_free(&b);
    gemmnet_csv_reader_destroy(reader);
    free(names);
    gemmnet_workspace_destroy(ws);
    return status;
}

int cmd_predict(int argc, char **argv)
{
    predict_args a;
    int exit_status = parse_predict(argc, argv, &a);
    if (exit_status >= 0)
        return exit_status;
    gemmnet_model *model = cli_load_model("predict", a.input.model_path);
    FILE *in = model ? cli_open_input("predict", a.input.data_path) : NULL;
    if (!in) {
        gemmnet_model_destroy(model);
        return EXIT_FAILURE_RUN;
    }
    gemmnet_error err = {0};
    int status = run_predict(&a, model, in, &err);
    if (status != GEMMNET_OK)
        cli_report_error("predict", status, &err);
    if (in != stdin)
        fclose(in);
    gemmnet_model_destroy(model);
    return status == GEMMNET_OK ? 0 : EXIT_FAILURE_RUN;
}
