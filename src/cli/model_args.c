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
        /* --label-col is 0-based with -1 for the last; the library counts
         * fields from 1 with 0 for the last. */
        options->label_field = column < 0 ? 0 : (int32_t)column + 1;
        options->label_name = NULL;
    } else {
        options->label_name = text;
    }
}

bool cli_parse_header(const char *command, const char *text, gemmnet_csv_header *header)
{
    /* In the order of the enum's values. */
    static const char *const names[] = {"auto", "yes", "no"};
    int choice = 0;
    if (!cli_parse_choice(command, "--header", text, names, 3, &choice))
        return false;
    *header = (gemmnet_csv_header)choice;
    return true;
}

int cli_model_labels(const gemmnet_model *model, gemmnet_csv_options *csv, const char ***names)
{
    csv->classes = gemmnet_model_width(model, gemmnet_model_layers(model));
    int status = cli_model_class_names(model, names);
    csv->class_names = *names;
    csv->labels = *names ? GEMMNET_CSV_LABELS_AUTO : GEMMNET_CSV_LABELS_INTEGER;
    return status;
}

bool model_input_option(const char *command, int code, const char *value, model_input_args *a)
{
    switch (code) {
    case OPT_INPUT_MODEL: a->model_path = value; return true;
    case OPT_INPUT_DATA: a->data_path = value; return true;
    case OPT_INPUT_LABEL_COL: cli_set_label_column(value, &a->csv); return true;
    case OPT_INPUT_HEADER: return cli_parse_header(command, value, &a->csv.header);
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

/* Whether text[length] so far can start a JSON object: blanks, then '{'.
 * Garbage stops the reading at once (the parser then says where). */
static bool may_be_object(const char *text, size_t length)
{
    for (size_t i = 0; i < length; i++)
        if (text[i] != ' ' && text[i] != '\t' && text[i] != '\n' && text[i] != '\r')
            return text[i] == '{';
    return true;
}

/* Appends the rest of f to *text[*length], growing it by doubling, up to
 * CLI_READ_ALL_MAX bytes (EFBIG past them). */
static int slurp(FILE *f, char **text, size_t *length)
{
    size_t capacity = 0;
    for (;;) {
        if (*length > CLI_READ_ALL_MAX)
            return EFBIG;
        if (!may_be_object(*text, *length))
            return 0;
        if (*length + 1 >= capacity) {
            capacity = capacity ? 2 * capacity : 65536;
            if (capacity > CLI_READ_ALL_MAX + 2)
                capacity = CLI_READ_ALL_MAX + 2;
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
    if (error == EFBIG)
        fprintf(stderr,
                "gemmnet %s: %s: larger than %zu bytes (256 MiB), the limit of a JSON model\n",
                command, strcmp(path, "-") ? path : "<stdin>", (size_t)CLI_READ_ALL_MAX);
    else if (error)
        fprintf(stderr, "gemmnet %s: %s: cannot read: %s\n", command, path, strerror(error));
    if (error) {
        free(text);
        return NULL;
    }
    text[*length] = '\0';
    return text;
}
