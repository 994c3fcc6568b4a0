/* gemmnet dump: a model file as JSON text. */
#include "args.h"
#include "commands.h"
#include "model_args.h"

#include <gemmnet.h>
#include <getopt.h>

static const char dump_help[] =
    "usage: gemmnet dump --model FILE [-o FILE.json]\n\n"
    "Prints a model file as JSON: format version, architecture (inputs, hidden\n"
    "widths and activations, classes), loss convention, standardisation, class\n"
    "names, and each layer's weights (one row of W[in×out] per line) and biases.\n"
    "Floats are printed with %.9g, which float32 survives exactly, with '.' as\n"
    "the decimal point in any locale; 'gemmnet import' turns the text back into\n"
    "the identical model file. -o writes FILE atomically instead of stdout.\n";

/* Returns -1 to go on, else the exit status. */
static int parse_dump(int argc, char **argv, const char **model, const char **output)
{
    static const struct option options[] = {
        {"model", required_argument, NULL, 'm'},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":o:h", options, NULL)) != -1) {
        switch (c) {
        case 'm': *model = optarg; break;
        case 'o': *output = optarg; break;
        case 'h': fputs(dump_help, stdout); return 0;
        case ':': return cli_usage_error("dump", "%s needs a value", argv[optind - 1]);
        default: return cli_usage_error("dump", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage_error("dump", "unexpected argument '%s'", argv[optind]);
    if (!*model)
        return cli_usage_error("dump", "--model FILE is required");
    return -1;
}

int cmd_dump(int argc, char **argv)
{
    const char *model_path = NULL, *output = NULL;
    int exit_status = parse_dump(argc, argv, &model_path, &output);
    if (exit_status >= 0)
        return exit_status;
    gemmnet_model *model = cli_load_model("dump", model_path);
    if (!model)
        return EXIT_FAILURE_RUN;
    char temp[4096];
    FILE *f = cli_open_output(output, temp, sizeof temp);
    gemmnet_error err = {0};
    int status = f ? gemmnet_model_write_json(model, f, &err) : GEMMNET_E_IO;
    if (f && status != GEMMNET_OK) {
        fprintf(stderr, "gemmnet dump: %s\n", err.message);
        if (f != stdout) {
            fclose(f);
            remove(temp);
        }
    } else if (f && cli_commit_output(f, output, temp) != 0) {
        status = GEMMNET_E_IO;
    }
    gemmnet_model_destroy(model);
    return status == GEMMNET_OK ? 0 : EXIT_FAILURE_RUN;
}
