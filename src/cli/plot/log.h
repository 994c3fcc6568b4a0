/* The per-epoch training log as the plot code reads it back
 * (log_read.c): the CSV written by `gemmnet train --log FILE`
 * (../training_log.c), with the header below and one row per reported
 * epoch, the validation fields empty when there was no validation set. */
#ifndef GEMMNET_CLI_PLOT_LOG_H
#define GEMMNET_CLI_PLOT_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The first line of every log. */
#define TRAIN_LOG_HEADER "epoch,loss,accuracy,val_loss,val_accuracy"

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
