/* gemmnet plot: a model's decision regions with the data on top. */
#include "args.h"
#include "commands.h"
#include "plot_args.h"
#include "plot/boundary.h"

#include <gemmnet.h>
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

static const struct option plot_options[] = {
    PLOT_SOURCE_OPTIONS,
    {"size", required_argument, NULL, OPT_SIZE},
    {"title", required_argument, NULL, OPT_TITLE},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* A source or picture option. */
static bool plot_option(void *context, int code, const char *value)
{
    return plot_request_option("plot", code, value, context);
}

/* Returns -1 to go on, else the exit status. */
static int parse_plot(int argc, char **argv, plot_request *r)
{
    static const cli_syntax syntax = {"plot", plot_help, plot_options, "o:", plot_option};
    plot_request_init(r, 640, 480);
    int status = cli_parse_options(&syntax, r, argc, argv, NULL);
    return status >= 0 ? status : plot_request_check("plot", r);
}

/* The decision regions with the data on top. */
static int draw_boundary(const void *context, gemmnet_model *model, const gemmnet_dataset *data)
{
    const plot_picture *picture = &((const plot_request *)context)->picture;
    if (!plot_check_two_features("plot", model, data))
        return EXIT_FAILURE_RUN;
    char title[256], hidden[160];
    plot_describe_hidden(model, hidden, sizeof hidden);
    snprintf(title, sizeof title, "Decision boundary, %s", hidden);
    return plot_boundary_write("plot", picture->output, picture->width, picture->height, model,
                               data, picture->title ? picture->title : title);
}

int cmd_plot(int argc, char **argv)
{
    plot_request r;
    int exit_status = parse_plot(argc, argv, &r);
    if (exit_status >= 0)
        return exit_status;
    return plot_source_draw("plot", &r.source, draw_boundary, &r);
}
