/* The plot commands of a build without cairo (-Dplot=disabled, or auto
 * without libcairo2-dev): each says how to get them and exits 1. */
#include "args.h"
#include "commands.h"

#include <stdio.h>

static int unavailable(const char *command)
{
    fprintf(stderr,
            "gemmnet %s: built without cairo; install libcairo2-dev and reconfigure with "
            "-Dplot=enabled (plot, sweep, plot-hidden and plot-loss all need it)\n",
            command);
    return EXIT_FAILURE_RUN;
}

/* Defines command function `name`, which says it is unavailable. */
#define UNAVAILABLE_COMMAND(name, command) \
    int name(int argc, char **argv) \
    { \
        (void)argc; \
        (void)argv; \
        return unavailable(command); \
    }

UNAVAILABLE_COMMAND(cmd_plot, "plot")
UNAVAILABLE_COMMAND(cmd_sweep, "sweep")
UNAVAILABLE_COMMAND(cmd_plot_hidden, "plot-hidden")
UNAVAILABLE_COMMAND(cmd_plot_loss, "plot-loss")
