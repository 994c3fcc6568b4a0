/* gemmnet export: a model file as an ONNX model or as C99 source. */
#include "args.h"
#include "commands.h"
#include "model_args.h"

#include <gemmnet.h>
#include <string.h>

static const char export_help[] =
    "usage: gemmnet export --format onnx|c MODEL -o FILE [--fold-standardization] [--name NAME]\n\n"
    "Writes the model file MODEL (or --model MODEL) in another form, atomically\n"
    "(-o - writes stdout):\n\n"
    "  --format onnx   an ONNX model (IR 8, opset 13) that ONNX Runtime and other\n"
    "                  runtimes load: input \"input\"[N x D], output\n"
    "                  \"probabilities\"[N x K], N symbolic; Gemm layers, the\n"
    "                  activations, Softmax; the standardisation as Sub and Div\n"
    "                  nodes; class names and gemmnet's version in the metadata.\n"
    "                  'gemmnet import --format onnx' reads it back.\n"
    "  --format c      one self-contained C99 header: static const float weights\n"
    "                  and NAME_predict(x, proba), which returns the class and\n"
    "                  needs no allocation and nothing beyond <math.h>.\n\n"
    "  --fold-standardization  (onnx) fold the standardisation into the first\n"
    "                  layer instead of writing Sub and Div nodes\n"
    "  --name NAME     (c) prefix of the generated names, a C identifier\n"
    "                  (default: model)\n";

typedef enum export_format { FORMAT_ONNX = 0, FORMAT_C = 1 } export_format;

typedef struct export_args {
    const char *model_path;
    const char *output;
    int format;
    bool format_given;
    bool fold;
    const char *name;
} export_args;

enum { OPT_FORMAT = 'f', OPT_FOLD = 'F', OPT_NAME = 'n', OPT_MODEL = 'm' };

static const struct option export_options[] = {
    {"format", required_argument, NULL, OPT_FORMAT},
    {"model", required_argument, NULL, OPT_MODEL},
    {"output", required_argument, NULL, 'o'},
    {"fold-standardization", no_argument, NULL, OPT_FOLD},
    {"name", required_argument, NULL, OPT_NAME},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static bool export_option(void *context, int code, const char *value)
{
    static const char *const formats[] = {"onnx", "c"};
    export_args *a = context;
    switch (code) {
    case OPT_FORMAT:
        a->format_given = true;
        return cli_parse_choice("export", "--format", value, formats, 2, &a->format);
    case OPT_MODEL: a->model_path = value; return true;
    case OPT_FOLD: a->fold = true; return true;
    case OPT_NAME: a->name = value; return true;
    default: a->output = value; return true;
    }
}

/* Returns -1 to go on, else the exit status. */
static int parse_export(int argc, char **argv, export_args *a)
{
    static const cli_syntax syntax = {"export", export_help, export_options, "o:", export_option};
    *a = (export_args){.name = "model"};
    cli_operands operands;
    int status = cli_parse_options(&syntax, a, argc, argv, &operands);
    if (status >= 0)
        return status;
    if (operands.count > 1 || (operands.count == 1 && a->model_path))
        return cli_usage_error("export", "expected one MODEL file");
    if (operands.count == 1)
        a->model_path = operands.values[0];
    if (!a->model_path)
        return cli_usage_error("export", "a MODEL file is required");
    if (!a->format_given)
        return cli_usage_error("export", "--format onnx|c is required");
    if (!a->output)
        return cli_usage_error("export", "-o FILE (or -o - for stdout) is required");
    if (a->fold && a->format != FORMAT_ONNX)
        return cli_usage_error("export", "--fold-standardization goes with --format onnx");
    return -1;
}

int cmd_export(int argc, char **argv)
{
    export_args a;
    int exit_status = parse_export(argc, argv, &a);
    if (exit_status >= 0)
        return exit_status;
    gemmnet_model *model = cli_load_model("export", a.model_path);
    if (!model)
        return EXIT_FAILURE_RUN;
    gemmnet_output *out = cli_open_output(a.output);
    FILE *f = out ? gemmnet_output_stream(out) : NULL;
    gemmnet_error err = {0};
    int status = GEMMNET_E_IO;
    if (f && a.format == FORMAT_ONNX)
        status = gemmnet_model_write_onnx(model, f, a.fold ? GEMMNET_ONNX_FOLD_STANDARDIZATION : 0u,
                                          &err);
    else if (f)
        status = gemmnet_model_write_c(model, f, a.name, &err);
    if (f && status != GEMMNET_OK) {
        cli_report_error("export", status, &err);
        cli_discard_output(out);
    } else if (f && cli_commit_output(out) != 0) {
        status = GEMMNET_E_IO;
    }
    gemmnet_model_destroy(model);
    return status == GEMMNET_OK ? 0 : EXIT_FAILURE_RUN;
}
