/* Helpers of the model commands: loading, the input options, whole
 * inputs. */
#include "model_args.h"

#include "args.h"
#include "streams.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

gemmnet_model *cli_load_model(const char *command, const char *path)
{
    gemmnet_model *model = NULL;
    gemmnet_error err = {0};
    const char *open_path = cli_input_path(path, &err);
    int status = open_path ? gemmnet_model_load(open_path, NULL, &model, &err) : GEMMNET_E_IO;
    cli_fix_message(&err);
    if (status != GEMMNET_OK)
        cli_report_error(command, status, &err);
    return model;
}

int cli_model_class_names(const gemmnet_model *model, const char ***names)
{
    *names = NULL;
    if (!gemmnet_model_class_name(model, 0))
        return GEMMNET_OK;
    int32_t k = gemmnet_model_width(model, gemmnet_model_layers(model));
    *names = malloc((size_t)k * sizeof **names);
    if (!*names)
        return GEMMNET_E_NOMEM;
    for (int32_t i = 0; i < k; i++)
        (*names)[i] = gemmnet_model_class_name(model, i);
    return GEMMNET_OK;
}

void cli_set_label_column(const char *text, gemmnet_csv_options *options)
{
    char *end;
    errno = 0;
    long column = strtol(text, &end, 10);
    if (!errno && end != text && !*end && column >= -1 && column < INT32_MAX) {
        options->label_column = (int32_t)column;
        options->label_name = NULL;
    } else {
        options->label_name = text;
    }
}

bool model_input_option(int code, const char *value, model_input_args *a)
{
    switch (code) {
    case OPT_INPUT_MODEL: a->model_path = value; return true;
    case OPT_INPUT_DATA: a->data_path = value; return true;
    case OPT_INPUT_LABEL_COL: cli_set_label_column(value, &a->csv); return true;
    default: return false;
    }
}

int model_input_check(const char *command, const model_input_args *a, const char *data_form)
{
    if (!a->model_path || !a->data_path)
        return cli_usage_error(command, "--model FILE and --data %s are required", data_form);
    return -1;
}

FILE *cli_open_input(const char *command, const char *path)
{
    if (strcmp(path, "-") == 0 && cli_claim_stdin())
        return stdin;
    if (strcmp(path, "-") == 0) {
        fprintf(stderr, "gemmnet %s: only one input can be - (stdin)\n", command);
        return NULL;
    }
    FILE *f = fopen(path, "rb");
    if (!f)
        fprintf(stderr, "gemmnet %s: %s: cannot open: %s\n", command, path, strerror(errno));
    return f;
}

/* Appends the rest of f to *text[*length], growing it by doubling. */
static int slurp(FILE *f, char **text, size_t *length)
{
    size_t capacity = 0;
    for (;;) {
        if (*length + 1 >= capacity) {
            capacity = capacity ? 2 * capacity : 65536;
            char *grown = realloc(*text, capacity);
            if (!grown)
                return ENOMEM;
            *text = grown;
        }
        size_t n = fread(*text + *length, 1, capacity - 1 - *length, f);
        *length += n;
        if (n == 0)
            return ferror(f) ? (errno ? errno : EIO) : 0;
    }
}

char *cli_read_all(const char *command, const char *path, size_t *length)
{
    FILE *f = cli_open_input(command, path);
    if (!f)
        return NULL;
    char *text = NULL;
    *length = 0;
    int error = slurp(f, &text, length);
    if (f != stdin)
        fclose(f);
    if (error) {
        fprintf(stderr, "gemmnet %s: %s: cannot read: %s\n", command, path, strerror(error));
        free(text);
        return NULL;
    }
    text[*length] = '\0';
    return text;
}
