/* gemmnet import: JSON text (from gemmnet dump) back into a model file. */
#include "args.h"
#include "commands.h"
#include "model_args.h"

#include <gemmnet.h>
#include <stdlib.h>
#include <string.h>

static const char import_help[] =
    "usage: gemmnet import FILE.json|- -o MODEL\n\n"
    "Reads a model in the JSON form 'gemmnet dump' writes (the same keys in the\n"
    "same order; any whitespace) and saves it as a model file, atomically.\n"
    "dump followed by import reproduces the original model file byte for byte.\n"
    "Errors name the place: FILE:LINE:COLUMN.\n";

static const struct option import_options[] = {
    {"output", required_argument, NULL, 'o'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* -o MODEL, the only option; context is where its value goes. */
static bool import_option(void *context, int code, const char *value)
{
    (void)code;
    *(const char **)context = value;
    return true;
}

/* Returns -1 to go on, else the exit status. */
static int parse_import(int argc, char **argv, const char **input, const char **output)
{
    static const cli_syntax syntax = {"import", import_help, import_options, "o:", import_option};
    cli_operands operands;
    int status = cli_parse_options(&syntax, output, argc, argv, &operands);
    if (status >= 0)
        return status;
    if (operands.count != 1)
        return cli_usage_error("import", "expected one input FILE.json (or -)");
    *input = operands.values[0];
    if (!*output || strcmp(*output, "-") == 0)
        return cli_usage_error("import", "-o MODEL (a file) is required");
    return -1;
}

int cmd_import(int argc, char **argv)
{
    const char *input = NULL, *output = NULL;
    int exit_status = parse_import(argc, argv, &input, &output);
    if (exit_status >= 0)
        return exit_status;
    size_t length = 0;
    char *text = cli_read_all("import", input, &length);
    if (!text)
        return EXIT_FAILURE_RUN;
    gemmnet_model *model = NULL;
    gemmnet_error err = {0};
    int status = gemmnet_model_read_json(text, length, NULL, &model, &err);
    if (status != GEMMNET_OK)
        /* Parse errors start with LINE:COLUMN, which follows the name. */
        fprintf(stderr, "gemmnet import: %s:%s%s\n", strcmp(input, "-") ? input : "<stdin>",
                err.message[0] >= '0' && err.message[0] <= '9' ? "" : " ", err.message);
    else if ((status = gemmnet_model_save(model, output, &err)) != GEMMNET_OK)
        fprintf(stderr, "gemmnet import: %s\n", err.message);
    gemmnet_model_destroy(model);
    free(text);
    return status == GEMMNET_OK ? 0 : EXIT_FAILURE_RUN;
}
