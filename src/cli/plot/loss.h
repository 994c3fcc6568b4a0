/* Loss curves: a training log drawn as two panels, loss and accuracy,
 * training solid and validation dashed. */
#ifndef GEMMNET_CLI_PLOT_LOSS_H
#define GEMMNET_CLI_PLOT_LOSS_H

#include "log.h"

/* Writes a width×height picture of log to path (format by extension,
 * atomically), with title above the panels when not NULL. Prints why and
 * returns 1 on failure, else 0. */
int plot_loss_write(const char *command,
                    const char *path,
                    int width,
                    int height,
                    const train_log *log,
                    const char *title);

#endif
