/* The gemmnet command: dispatches to a subcommand. */
#include "address_space.h"
#include "args.h"
#include "commands.h"
#include "signals.h"
#include "streams.h"
#include "suggest.h"

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
                 "       gemmnet help [COMMAND] | version\n\n"
                 "Feed-forward neural networks trained with sgemm.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-11s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "  %-11s %s\n  %-11s %s\n", "help", "this list, or 'help COMMAND': its options",
            "version", "the version and the BLAS backend (also --version)");
    fprintf(out, "\n'gemmnet COMMAND --help' describes a command's options.\n");
}

static const command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(name, commands[i].name) == 0)
            return &commands[i];
    return NULL;
}

/* "unknown command 'trian' (did you mean 'train'?)". */
static int unknown_command(const char *name)
{
    enum { COUNT = sizeof commands / sizeof commands[0] };
    const char *names[COUNT + 2] = {"help", "version"};
    for (size_t i = 0; i < COUNT; i++)
        names[i + 2] = commands[i].name;
    const char *guess = cli_suggest(name, names, COUNT + 2);
    if (guess)
        fprintf(stderr, "gemmnet: unknown command '%s' (did you mean '%s'?)\n", name, guess);
    else
        fprintf(stderr, "gemmnet: unknown command '%s' (see 'gemmnet help')\n", name);
    return EXIT_USAGE;
}

/* gemmnet help [COMMAND]: the list, or the command's own --help. */
static int help(int argc, char **argv)
{
    if (argc == 1) {
        print_help(stdout);
        return 0;
    }
    if (argc > 2)
        return cli_usage_error("help", "expected at most one COMMAND, got '%s' too", argv[2]);
    if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "version") == 0) {
        print_help(stdout);
        return 0;
    }
    const command *c = find_command(argv[1]);
    if (!c)
        return unknown_command(argv[1]);
    cli_set_command(c->name);
    static char help_flag[] = "--help";
    char *help_argv[] = {argv[1], help_flag, NULL};
    return c->run(2, help_argv);
}

static int version(int argc, char **argv)
{
    if (argc > 1)
        return cli_usage_error("version", "unexpected argument '%s'", argv[1]);
    printf("gemmnet %s (BLAS: %s)\n", GEMMNET_VERSION, gemmnet_blas_name());
    return 0;
}

/* Runs the command argv[1] names. */
static int run(int argc, char **argv)
{
    cli_handle_signals();
    if (argc < 2) {
        print_help(stderr);
        return EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
        return help(1, argv + 1);
    if (strcmp(name, "help") == 0) {
        cli_set_command("help");
        return help(argc - 1, argv + 1);
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
        cli_set_command(name[0] == '-' ? NULL : "version");
        return version(argc - 1, argv + 1);
    }
    const command *c = find_command(name);
    if (!c)
        return unknown_command(name);
    cli_set_command(c->name);
    int refused = cli_check_address_space(c->name, argv);
    return refused ? refused : c->run(argc - 1, argv + 1);
}

/* Every command's output passes one check on the way out: a failed write
 * of stdout is an error (see streams.h). */
int main(int argc, char **argv)
{
    return cli_finish(run(argc, argv));
}
