/* gemmnet dump: a model file as JSON text. */
#include "args.h"
#include "streams.h"
#include "commands.h"
#include "model_args.h"

#include <gemmnet.h>

#include <errno.h>

static const char dump_help[] =
    "usage: gemmnet dump --model FILE [-o FILE.json]\n\n"
    "Prints a model file as JSON: format version, architecture (inputs, hidden\n"
    "widths and activations, classes), loss convention, standardisation, class\n"
    "names, and each layer's weights (one row of W[in×out] per line) and biases.\n"
    "Floats are printed with %.9g, which float32 survives exactly, with '.' as\n"
    "the decimal point in any locale; 'gemmnet import' turns the text back into\n"
    "the identical model file. -o writes FILE atomically instead of stdout.\n";

/* The files dump reads and writes. */
typedef struct dump_args {
    /* --model FILE. */
    const char *model_path;
    /* -o FILE, or NULL (or "-") for stdout. */
    const char *output;
} dump_args;

static const struct option dump_options[] = {
    {"model", required_argument, NULL, 'm'},
    {"output", required_argument, NULL, 'o'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* --model, or -o and --output. */
static bool dump_option(void *context, int code, const char *value)
{
    dump_args *a = context;
    if (code == 'm')
        a->model_path = value;
    else
        a->output = value;
    return true;
}

/* Returns -1 to go on, else the exit status. */
static int parse_dump(int argc, char **argv, dump_args *a)
{
    static const cli_syntax syntax = {"dump", dump_help, dump_options, "o:", dump_option};
    *a = (dump_args){0};
    int status = cli_parse_options(&syntax, a, argc, argv, NULL);
    if (status < 0 && !a->model_path)
        return cli_usage_error("dump", "--model FILE is required");
    return status;
}

int cmd_dump(int argc, char **argv)
{
    dump_args a;
    int exit_status = parse_dump(argc, argv, &a);
    if (exit_status >= 0)
        return exit_status;
    gemmnet_model *model = cli_load_model("dump", a.model_path);
    if (!model)
        return EXIT_FAILURE_RUN;
    gemmnet_output *out = cli_open_output(a.output);
    gemmnet_error err = {0};
    errno = 0;
    int status =
        out ? gemmnet_model_write_json(model, gemmnet_output_stream(out), &err) : GEMMNET_E_IO;
    int write_errno = errno;
    if (out && status != GEMMNET_OK) {
        /* Standard output follows its one rule (streams.c). */
        if (status == GEMMNET_E_IO && gemmnet_output_stream(out) == stdout)
            cli_report_stdout_failure(write_errno);
        else
            fprintf(stderr, "gemmnet dump: %s\n", err.message);
        cli_discard_output(out);
    } else if (out && cli_commit_output(out) != 0) {
        status = GEMMNET_E_IO;
    }
    gemmnet_model_destroy(model);
    return status == GEMMNET_OK ? 0 : EXIT_FAILURE_RUN;
}
