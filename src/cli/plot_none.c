/* The plot commands of a build without cairo (-Dplot=disabled, or auto
 * without libcairo2-dev): each says how to get them and exits 1. */
#include "args.h"
#include "commands.h"

#include <stdio.h>

static int unavailable(const char *command)
{
    fprintf(stderr,
            "gemmnet %s: built without cairo; install libcairo2-dev and reconfigure with "
            "-Dplot=enabled\n",
            command);
    return EXIT_FAILURE_RUN;
}

int cmd_plot(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return unavailable("plot");
}

int cmd_sweep(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return unavailable("sweep");
}

int cmd_plot_hidden(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return unavailable("plot-hidden");
}

int cmd_plot_loss(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return unavailable("plot-loss");
}
