/* The per-epoch training log: a CSV with the header
 *     epoch,loss,accuracy,val_loss,val_accuracy
 * and one row per reported epoch, the validation fields empty when there is
 * no validation set. `gemmnet train --log FILE` writes it (training_log.c),
 * `gemmnet plot-loss FILE` draws it (plot/log_read.c reads it back, its
 * format is plot/log.h's). This is the writer (training_log.c). */
#ifndef GEMMNET_CLI_TRAIN_LOG_H
#define GEMMNET_CLI_TRAIN_LOG_H

#include <gemmnet.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "plot/log.h"

/* Opens path with cli_output_open ("-" is stdout; *output receives the
 * handle) and writes the header. Returns the stream to write to, or NULL
 * with the reason in err. */
FILE *train_log_open(const char *path, gemmnet_output **output /* OUT */, gemmnet_error *err);
/* Appends the row of one progress report (what the progress callback
 * receives): the epoch, the training loss and accuracy and, when
 * p->has_validation, the validation loss and accuracy; numbers as %.9g.
 * Write errors are kept by the stream and reported by train_log_close. */
void train_log_write(FILE *log, const gemmnet_progress *p);
/* Flushes, syncs and renames the temporary file over path, so that path
 * shows either the previous log or the whole new one. Returns 0, or -1
 * after printing why (the temporary file is then removed). */
int train_log_close(gemmnet_output *output);

#endif
