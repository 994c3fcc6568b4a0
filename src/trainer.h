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
    /* Row-block workers (train_rows.c): the pool (NULL: every batch on the
     * calling thread), its worker count W, workspaces of workers 1..W−1
     * (worker 0 uses workspace) and their private gradients, W − 1 blocks
     * of P floats in one allocation (worker 0 writes grad). */
    gn_pool *pool;
    int32_t workers;
    gemmnet_workspace *worker_workspace[GN_MAX_WORKERS];
    float *worker_grads;
    /* Multiply-adds of one row's forward pass, Σ in·out over the layers. */
    double row_macs;
};

/* Sets up the row-block workers after the trainer's buffers (none when
 * the options and the problem's size call for the calling thread). */
int gn_rows_create(gemmnet_trainer *t, gemmnet_error *err);
void gn_rows_destroy(gemmnet_trainer *t);
/* Whether a batch part of `rows` rows is split over the workers. */
bool gn_rows_split(const gemmnet_trainer *t, size_t rows);
/* t->grad = ∇ over rows x[rows×D], y[rows] with gradient scale `scale`,
 * split over the workers into private gradients summed in worker order. */
void gn_rows_gradient(
    gemmnet_trainer *t, const float *x, const int32_t *y, size_t rows, float scale);
/* Σ CE and the correct count over data's (raw) rows, split over the
 * workers and summed in worker order. */
void gn_rows_evaluate(gemmnet_trainer *t,
                      const gemmnet_dataset *data,
                      double *cross_entropy,
                      double *correct);

#endif /* GEMMNET_TRAINER_H */
