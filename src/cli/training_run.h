/* One `gemmnet train` run: its settings, data, model and outputs, shared
 * by the orchestration (cmd_train.c) and the report (training_report.c). */
#ifndef GEMMNET_CLI_TRAIN_RUN_H
#define GEMMNET_CLI_TRAIN_RUN_H

#include "parallel.h"
#include "training_options.h"
#include "training_data.h"

#include <stdio.h>

typedef struct run {
    /* This process's place among the processes of the run. */
    const cli_parallel *parallel;
    /* The MPI hooks with this run's global sizes. */
    gemmnet_collective collective;
    /* The parsed options (with the checkpoint's settings when resuming). */
    train_args args;
    run_data data;
    gemmnet_model *model;
    /* The checkpoint being resumed, or NULL. */
    gemmnet_checkpoint *checkpoint;
    /* --log: the open log (rank 0): its output and stream. */
    gemmnet_output *log_output;
    FILE *log;
} run;

/* The progress callback: prints "Loss after iteration" lines every
 * --print-every epochs and logs every --log-every epochs (rank 0). */
int train_report_progress(void *context, const gemmnet_progress *p);
/* After training: the early stop, the accuracies (over all processes)
 * and the confusion matrix. */
int train_report_results(const run *r, const gemmnet_trainer *trainer, gemmnet_error *err);

#endif
