/* gemmnet import: JSON text (from gemmnet dump) back into a model file. */
#include "args.h"
#include "commands.h"
#include "model_args.h"

#include <gemmnet.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char import_help[] =
    "usage: gemmnet import FILE.json|- -o MODEL\n\n"
    "Reads a model in the JSON form 'gemmnet dump' writes (the same keys in the\n"
    "same order; any whitespace) and saves it as a model file, atomically.\n"
    "dump followed by import reproduces the original model file byte for byte.\n"
    "Errors name the place: FILE:LINE:COLUMN.\n";

/* Returns -1 to go on, else the exit status. */
static int parse_import(int argc, char **argv, const char **input, const char **output)
{
    static const struct option options[] = {
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":o:h", options, NULL)) != -1) {
        switch (c) {
        case 'o': *output = optarg; break;
        case 'h': fputs(import_help, stdout); return 0;
        case ':': return cli_usage_error("import", "%s needs a value", argv[optind - 1]);
        default: return cli_usage_error("import", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind + 1 != argc)
        return cli_usage_error("import", "expected one input FILE.json (or -)");
    *input = argv[optind];
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
