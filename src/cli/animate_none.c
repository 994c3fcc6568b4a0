/* gemmnet animate in a build without giflib or cairo (-Danimate=disabled,
 * or auto without libgif-dev and libcairo2-dev): says how to get it. */
#include "args.h"
#include "commands.h"

#include <stdio.h>

int cmd_animate(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "gemmnet animate: built without giflib or cairo; install libgif-dev and "
                    "libcairo2-dev and reconfigure with -Danimate=enabled\n");
    return EXIT_FAILURE_RUN;
}
