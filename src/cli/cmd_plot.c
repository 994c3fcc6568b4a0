/* gemmnet plot: a model's decision regions with the data on top. */
#include "args.h"
#include "commands.h"
#include "plot_args.h"
#include "plot_boundary.h"

#include <gemmnet.h>
#include <getopt.h>
#include <stdio.h>

static const char plot_help[] =
    "usage: gemmnet plot (--model FILE | --hidden LIST [--epochs E])\n"
    "                    (--data FILE | --moons N [--noise 0.2]) -o FILE.png|.svg|.pdf\n"
    "                    [--size 640x480] [--title TEXT] [--seed 0]\n\n"
    "Draws the model's decision regions over the data's range padded by 0.5 (every\n"
    "pixel classified in one batch), the data points coloured by label on top, as in\n"
    "the tutorial's plot_decision_boundary. The format follows the extension of -o;\n"
    "the file is written atomically, and the same input gives the same bytes.\n"
    "Model and data need 2 features.\n\n" PLOT_SOURCE_HELP
    "  -o FILE           the picture: .png, .svg or .pdf\n"
    "  --size WxH        pixels (default 640x480)\n"
    "  --title TEXT      default: \"Decision boundary, hidden layer size H\"\n";

typedef struct plot_command_args {
    plot_source source;
    plot_picture picture;
} plot_command_args;

/* Returns -1 to go on, else the exit status. */
static int parse_plot(int argc, char **argv, plot_command_args *a)
{
    static const struct option options[] = {
        PLOT_SOURCE_OPTIONS,
        {"size", required_argument, NULL, OPT_SIZE},
        {"title", required_argument, NULL, OPT_TITLE},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    plot_source_init(&a->source);
    a->picture = (plot_picture){.width = 640, .height = 480};
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":ho:", options, NULL)) != -1) {
        if (c == 'h') {
            fputs(plot_help, stdout);
            return 0;
        }
        if (c == ':')
            return cli_usage_error("plot", "%s needs a value", argv[optind - 1]);
        int taken = plot_source_option("plot", c, optarg, &a->source);
        if (taken == 0)
            taken = plot_picture_option("plot", c, optarg, &a->picture);
        if (taken < 0)
            return EXIT_USAGE;
        if (taken == 0)
            return cli_usage_error("plot", "unknown option '%s'", argv[optind - 1]);
    }
    if (optind < argc)
        return cli_usage_error("plot", "unexpected argument '%s'", argv[optind]);
    int status = plot_source_check("plot", &a->source);
    return status >= 0 ? status : plot_picture_check("plot", &a->picture);
}

int cmd_plot(int argc, char **argv)
{
    plot_command_args a;
    int exit_status = parse_plot(argc, argv, &a);
    if (exit_status >= 0)
        return exit_status;
    gemmnet_model *model;
    gemmnet_dataset data;
    if (!plot_source_load("plot", &a.source, &model, &data))
        return EXIT_FAILURE_RUN;
    exit_status = EXIT_FAILURE_RUN;
    if (plot_check_two_features("plot", model, &data)) {
        char title[256], hidden[160];
        plot_describe_hidden(model, hidden, sizeof hidden);
        snprintf(title, sizeof title, "Decision boundary, %s", hidden);
        exit_status =
            plot_boundary_write("plot", a.picture.output, a.picture.width, a.picture.height, model,
                                &data, a.picture.title ? a.picture.title : title);
    }
    gemmnet_model_destroy(model);
    gemmnet_dataset_free(&data);
    return exit_status;
}
