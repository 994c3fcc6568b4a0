/* gemmnet import: JSON text (from gemmnet dump), or an ONNX model whose
 * graph is an MLP, into a model file. */
#include "args.h"
#include "commands.h"
#include "model_args.h"

#include <gemmnet.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char import_help[] =
    "usage: gemmnet import [--format json|onnx] FILE|- -o MODEL\n\n"
    "Reads a model in the JSON form 'gemmnet dump' writes (the same keys in the\n"
    "same order; any whitespace) and saves it as a model file, atomically.\n"
    "dump followed by import reproduces the original model file byte for byte.\n"
    "Errors name the place: FILE:LINE:COLUMN.\n\n"
    "With --format onnx, FILE is an ONNX model whose graph is an MLP: Gemm or\n"
    "MatMul+Add layers, Tanh, Relu, LeakyRelu (alpha 0.01) or Sigmoid between\n"
    "them, a final Softmax or none (then gemmnet predicts softmax of the\n"
    "outputs: the same classes), an optional Sub/Div standardisation first -\n"
    "what torch.onnx.export writes for a torch.nn.Sequential MLP, and what\n"
    "'gemmnet export --format onnx' writes. Any other node is refused with a\n"
    "message naming it and its op.\n";

/* What import reads and writes. */
typedef struct import_args {
    const char *input;
    const char *output;
    /* --format: 0 json, 1 onnx. */
    int format;
} import_args;

enum { OPT_FORMAT = 'f' };

static const struct option import_options[] = {
    {"output", required_argument, NULL, 'o'},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* -o MODEL or --format. */
static bool import_option(void *context, int code, const char *value)
{
    static const char *const formats[] = {"json", "onnx"};
    import_args *a = context;
    if (code == OPT_FORMAT)
        return cli_parse_choice("import", "--format", value, formats, 2, &a->format);
    a->output = value;
    return true;
}

/* Returns -1 to go on, else the exit status. */
static int parse_import(int argc, char **argv, import_args *a)
{
    static const cli_syntax syntax = {"import", import_help, import_options, "o:", import_option};
    cli_operands operands;
    int status = cli_parse_options(&syntax, a, argc, argv, &operands);
    if (status >= 0)
        return status;
    if (operands.count != 1)
        return cli_usage_error("import", "expected one input FILE (or -)");
    a->input = operands.values[0];
    if (!a->output || strcmp(a->output, "-") == 0)
        return cli_usage_error("import", "-o MODEL (a file) is required");
    return -1;
}

/* Whether bytes read as JSON look like an ONNX file instead: every ONNX
 * writer starts a ModelProto with field 1 (ir_version) as a varint, the
 * byte 0x08, which no JSON text starts with. */
static bool looks_like_onnx(const char *text, size_t length)
{
    return length > 1 && (unsigned char)text[0] == 0x08;
}

int cmd_import(int argc, char **argv)
{
    import_args a = {0};
    int exit_status = parse_import(argc, argv, &a);
    if (exit_status >= 0)
        return exit_status;
    const char *input = a.input, *output = a.output;
    size_t length = 0;
    char *text = cli_read_all("import", input, &length);
    if (!text)
        return EXIT_FAILURE_RUN;
    gemmnet_model *model = NULL;
    gemmnet_error err = {0};
    int status = a.format == 1 ? gemmnet_model_read_onnx(text, length, NULL, &model, &err)
                               : gemmnet_model_read_json(text, length, NULL, &model, &err);
    if (status != GEMMNET_OK && a.format == 1)
        fprintf(stderr, "gemmnet import: %s: %s\n", strcmp(input, "-") ? input : "<stdin>",
                err.message);
    else if (status != GEMMNET_OK)
        /* Parse errors start with LINE:COLUMN, which follows the name. */
        fprintf(stderr, "gemmnet import: %s:%s%s%s\n", strcmp(input, "-") ? input : "<stdin>",
                err.message[0] >= '0' && err.message[0] <= '9' ? "" : " ", err.message,
                looks_like_onnx(text, length) ? " (this looks like ONNX: add --format onnx)" : "");
    else if ((status = gemmnet_model_save(model, output, &err)) != GEMMNET_OK)
        fprintf(stderr, "gemmnet import: %s\n", err.message);
    gemmnet_model_destroy(model);
    free(text);
    return status == GEMMNET_OK ? 0 : EXIT_FAILURE_RUN;
}
