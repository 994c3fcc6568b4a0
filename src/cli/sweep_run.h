/* Training the networks of `gemmnet sweep`, one per hidden size, in
 * parallel threads: the library has no global state, so independent
 * models train concurrently, each in its own trainer. */
#ifndef GEMMNET_CLI_SWEEP_TRAIN_H
#define GEMMNET_CLI_SWEEP_TRAIN_H

#include <gemmnet.h>

/* One network of the sweep and what came of it. */
typedef struct sweep_job {
    /* Width of its single tanh hidden layer. */
    int32_t hidden;
    /* The trained model (owned; NULL until trained). */
    gemmnet_model *model;
    /* Loss (the training convention's) and accuracy on the training set
     * after the last epoch. */
    gemmnet_evaluation result;
    /* GEMMNET_OK, or the failure and its message. */
    int status;
    gemmnet_error err;
} sweep_job;

/* What every job trains with. */
typedef struct sweep_settings {
    /* The training set (shared read-only by all threads). */
    const gemmnet_dataset *data;
    /* gemmnet_train_options_init's settings with this many epochs. */
    int32_t epochs;
    /* Seed of the tutorial initialisation. */
    uint32_t seed;
    /* Threads to train in, ≥ 1. */
    int threads;
} sweep_settings;

/* Trains jobs[count] (hidden set) with the tutorial's initialisation and
 * settings. With more than one thread, BLAS is set to 1 thread first so
 * the threads do not oversubscribe the cores. Returns the first failing
 * job's status, or GEMMNET_OK. */
int sweep_train_all(sweep_job *jobs, int count, const sweep_settings *settings);
/* Frees the jobs' models. */
void sweep_jobs_free(sweep_job *jobs, int count);

#endif
