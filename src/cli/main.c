/* The gemmnet command: dispatches to a subcommand. */
#include "address_space.h"
#include "args.h"
#include "commands.h"
#include "signals.h"

#include <gemmnet.h>
#include <string.h>

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"moons", cmd_generate, "generate the two-moons data set as CSV"},
    {"spiral", cmd_generate, "generate K spiral arms as CSV"},
    {"blobs", cmd_generate, "generate K Gaussian blobs as CSV"},
    {"circles", cmd_generate, "generate a circle inside a circle as CSV"},
    {"xor", cmd_generate, "generate XOR-labelled quadrants as CSV"},
    {"train", cmd_train, "train a network (defaults: the tutorial's)"},
    {"predict", cmd_predict, "classify CSV rows (a file or stdin) with a saved model"},
    {"eval", cmd_eval, "loss, accuracy, precision/recall and confusion matrix of a model"},
    {"dump", cmd_dump, "print a model file as JSON"},
    {"import", cmd_import, "turn JSON from dump (or an ONNX MLP) into a model file"},
    {"export", cmd_export, "write a model as ONNX or as self-contained C99 source"},
    {"info", cmd_info, "show the BLAS backend, its kernel and threads, and the CPU"},
    {"baseline", cmd_baseline, "fit the closed-form ridge least-squares linear classifier"},
    {"plot", cmd_plot, "draw a model's decision regions and the data (PNG, SVG, PDF)"},
    {"sweep", cmd_sweep, "train several hidden sizes; table and a picture of each boundary"},
    {"plot-hidden", cmd_plot_hidden, "draw the data at its 2- or 3-unit hidden-layer activations"},
    {"plot-loss", cmd_plot_loss, "draw loss and accuracy curves from a training log CSV"},
    {"animate", cmd_animate, "an animated GIF of training: boundary, hidden layer or sweep"},
};

static void print_help(FILE *out)
{
    fprintf(out, "usage: gemmnet COMMAND [OPTIONS]\n"
                 "       gemmnet --version | --help\n\n"
                 "Feed-forward neural networks trained with sgemm.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-11s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'gemmnet COMMAND --help' describes a command's options.\n");
}

int main(int argc, char **argv)
{
    cli_handle_signals();
    if (argc < 2) {
        print_help(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        print_help(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("gemmnet %s (BLAS: %s)\n", GEMMNET_VERSION, gemmnet_blas_name());
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0) {
            int refused = cli_check_address_space(argv[1], argv);
            return refused ? refused : commands[i].run(argc - 1, argv + 1);
        }
    fprintf(stderr, "gemmnet: unknown command '%s' (see 'gemmnet --help')\n", argv[1]);
    return EXIT_USAGE;
}
