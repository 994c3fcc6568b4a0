/* The per-epoch training log: a CSV with the header
 *     epoch,loss,accuracy,val_loss,val_accuracy
 * and one row per reported epoch, the validation fields empty when there is
 * no validation set. `gemmnet train --log FILE` writes it (train_log.c),
 * `gemmnet plot-loss FILE` draws it (train_log_read.c). */
#ifndef GEMMNET_CLI_TRAIN_LOG_H
#define GEMMNET_CLI_TRAIN_LOG_H

#include <gemmnet.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The first line of every log. */
#define TRAIN_LOG_HEADER "epoch,loss,accuracy,val_loss,val_accuracy"

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

/* One row of a log; the validation values are NaN when absent. */
typedef struct train_log_row {
    int32_t epoch;
    double loss;
    double accuracy;
    double val_loss;
    double val_accuracy;
} train_log_row;

/* A whole log as read back. */
typedef struct train_log {
    /* rows[count], in file order. */
    train_log_row *rows;
    size_t count;
    /* Whether any row has validation values. */
    bool has_validation;
} train_log;

/* Reads the log at path: the header above, then rows of 5 fields (epoch an
 * integer ≥ 0, the others finite numbers, the two validation fields both
 * empty or both numbers), at least one row. On failure prints
 * "gemmnet COMMAND: FILE:LINE:FIELD: what is wrong" and returns false. */
bool train_log_read(const char *command, const char *path, train_log *log /* OUT */);
/* Frees what train_log_read allocated. */
void train_log_free(train_log *log);

#endif
