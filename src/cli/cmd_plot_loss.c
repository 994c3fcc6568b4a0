/* gemmnet plot-loss: loss and accuracy curves of a training log. */
#include "args.h"
#include "commands.h"
#include "plot_args.h"
#include "plot_loss.h"
#include "train_log.h"

#include <getopt.h>
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

/* Returns -1 to go on, else the exit status. */
static int parse_plot_loss(int argc, char **argv, plot_loss_args *a)
{
    static const struct option options[] = {
        {"size", required_argument, NULL, OPT_SIZE},
        {"title", required_argument, NULL, OPT_TITLE},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    *a = (plot_loss_args){.picture = {.width = 860, .height = 380}};
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":ho:", options, NULL)) != -1) {
        if (c == 'h') {
            fputs(plot_loss_help, stdout);
            return 0;
        }
        if (c == ':')
            return cli_usage_error("plot-loss", "%s needs a value", argv[optind - 1]);
        int taken = plot_picture_option("plot-loss", c, optarg, &a->picture);
        if (taken < 0)
            return EXIT_USAGE;
        if (taken == 0)
            return cli_usage_error("plot-loss", "unknown option '%s'", argv[optind - 1]);
    }
    if (argc - optind != 1)
        return cli_usage_error("plot-loss", "expected one log file, got %d", argc - optind);
    a->log_path = argv[optind];
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
