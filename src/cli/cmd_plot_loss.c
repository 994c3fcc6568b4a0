/* gemmnet plot-loss: loss and accuracy curves of a training log. */
#include "args.h"
#include "commands.h"
#include "plot_args.h"
#include "plot/loss.h"

#include <stdio.h>

static const char plot_loss_help[] =
    "usage: gemmnet plot-loss LOG.csv -o FILE.png|.svg|.pdf [--size 860x380] [--title TEXT]\n\n"
    "Draws the loss and the accuracy against the epoch, side by side, from a log\n"
    "written by 'gemmnet train --log LOG.csv': a CSV with the header\n"
    "  " TRAIN_LOG_HEADER "\n"
    "(validation fields empty without --val). Training curves are solid, validation\n"
    "curves dashed. The format follows the extension of -o; the file is written\n"
    "atomically, and the same input gives the same bytes.\n\n"
    "  -o FILE           the picture: .png, .svg or .pdf\n"
    "  --size WxH        pixels (default 860x380)\n"
    "  --title TEXT      a heading above the two panels (default: none)\n";

typedef struct plot_loss_args {
    const char *log_path;
    plot_picture picture;
} plot_loss_args;

static const struct option plot_loss_options[] = {
    {"size", required_argument, NULL, OPT_SIZE},
    {"title", required_argument, NULL, OPT_TITLE},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* A picture option (-o, --size, --title). */
static bool plot_loss_option(void *context, int code, const char *value)
{
    plot_loss_args *a = context;
    return plot_picture_option("plot-loss", code, value, &a->picture) > 0;
}

/* Returns -1 to go on, else the exit status. */
static int parse_plot_loss(int argc, char **argv, plot_loss_args *a)
{
    static const cli_syntax syntax = {"plot-loss", plot_loss_help, plot_loss_options,
                                      "o:", plot_loss_option};
    *a = (plot_loss_args){.picture = {.width = 860, .height = 380}};
    cli_operands operands;
    int status = cli_parse_options(&syntax, a, argc, argv, &operands);
    if (status >= 0)
        return status;
    if (operands.count != 1)
        return cli_usage_error("plot-loss", "expected one log file, got %d", operands.count);
    a->log_path = operands.values[0];
    return plot_picture_check("plot-loss", &a->picture);
}

int cmd_plot_loss(int argc, char **argv)
{
    plot_loss_args a;
    int exit_status = parse_plot_loss(argc, argv, &a);
    if (exit_status >= 0)
        return exit_status;
    train_log log;
    if (!train_log_read("plot-loss", a.log_path, &log))
        return EXIT_FAILURE_RUN;
    exit_status = plot_loss_write("plot-loss", a.picture.output, a.picture.width, a.picture.height,
                                  &log, a.picture.title);
    train_log_free(&log);
    return exit_status;
}
