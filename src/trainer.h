/* The trainer's state, shared by the training loop (train.c) and
 * checkpoints (train_state.c). Private. */
#ifndef GEMMNET_TRAINER_H
#define GEMMNET_TRAINER_H

#include "internal.h"

struct gemmnet_trainer {
    /* Allocator of everything below. */
    gemmnet_allocator allocator;
    /* The model being trained and its data (caller-owned). */
    gemmnet_model *model;
    const gemmnet_dataset *data;
    /* A copy of the caller's settings. */
    gemmnet_train_options options;
    /* Rows over all processes, and the global index of this process's
     * first row (N and 0 without a collective). */
    size_t global_rows;
    size_t first_row;
    /* Global rows per update: global_rows for full batch. */
    size_t batch_rows;
    /* Forward/backward buffers for block_rows ≤ batch_rows rows. */
    gemmnet_workspace *workspace;
    /* One float allocation carved into: grad[P] (∇ in the parameter
     * layout), state[S] (optimizer), best[P] (weights at the best
     * validation loss, with patience), previous[P] (the weights before the
     * last update, restored if it made them or the loss non-finite),
     * batch_x[B×D] (gathered minibatch). */
    float *floats;
    float *grad;
    float *state;
    float *best;
    float *previous;
    float *batch_x;
    /* One int allocation: batch_y[B] and order[N] (the epoch's permutation
     * of all global rows); NULL for full batch. */
    int32_t *ints;
    int32_t *batch_y;
    int32_t *order;
    /* Minibatch shuffles. */
    gemmnet_rng rng;
    /* Updates applied so far (Adam's t). */
    int64_t steps;
    /* Epochs completed. */
    int32_t epochs_done;
    /* Early stopping: best validation loss, its epoch, epochs since. */
    double best_loss;
    int32_t best_epoch;
    int32_t since_best;
    int stopped_early;
    /* Fingerprints of the training and validation rows over all processes
     * (0: none), once computed (train_state.c): a checkpoint records them
     * so that resuming on other data is refused. */
    bool fingerprinted;
    uint64_t data_fingerprint;
    uint64_t validation_fingerprint;
};

/* Computes the data fingerprints once (with a collective, every process
 * must call it: gemmnet_trainer_run and gemmnet_trainer_restore do). */
int gn_trainer_fingerprint(gemmnet_trainer *t, gemmnet_error *err);

#endif /* GEMMNET_TRAINER_H */
