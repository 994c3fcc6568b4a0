/*
 * src/train/: training — the trainer and its epochs (trainer.c), update
 * rules and learning-rate schedules (optim.c), checkpoints of the
 * trainer's state (checkpoint.c) and the closed-form ridge baseline
 * (ridge.c). The top library layer: nothing below includes this header.
 * Private.
 */
#ifndef GEMMNET_TRAIN_H
#define GEMMNET_TRAIN_H

#include "base/base.h"
#include "net/net.h"

#include <stdbool.h>
#include <stdint.h>

/* ---- updates (optim.c) ---------------------------------------------- */

/* Adam's constants for one update. */
typedef struct gn_adam {
    float beta1;
    float beta2;
    float epsilon;
    /* Bias corrections 1/(1 − β₁ᵗ) and 1/(1 − β₂ᵗ) for the current t. */
    float c1;
    float c2;
} gn_adam;

/* Everything one update needs besides the buffers. */
typedef struct gn_update {
    gemmnet_optimizer rule;
    /* Scheduled η for this epoch. */
    float learning_rate;
    /* λ, applied to weights only. */
    float l2;
    /* μ for momentum and Nesterov. */
    float momentum;
    gn_adam adam;
    /* AdamW's decoupled λ_wd, applied to weights only (other rules ignore
     * it). */
    float weight_decay;
} gn_update;

/* Floats of optimizer state for a rule: 0 (gd), P (momentum, Nesterov:
 * velocity) or 2P (Adam: first moments, then second moments). */
size_t gn_optimizer_state_floats(gemmnet_optimizer rule, size_t parameters);
/* Applies one update to the whole parameter block from grad (same layout),
 * with state as laid out by gn_optimizer_state_floats (NULL for gd). */
void gn_optimizer_step(gemmnet_model *m, const float *grad, float *state, const gn_update *u);
/* ‖grad[n]‖₂, summed in double. */
double gn_gradient_norm(const float *grad, size_t n);
/* Scales grad[n] by C/‖grad‖ when its norm exceeds C = max_norm > 0;
 * returns whether it did. */
bool gn_clip_gradient(float *grad, size_t n, float max_norm);
/* Sets a->c1, a->c2 for update number step (from 1). */
void gn_adam_corrections(gn_adam *a, int64_t step);
/* Gradient descent: W ← W − ε·(∇W + λ·W), b ← b − ε·∇b. */
void gn_update_gd(gemmnet_model *m, const float *grad, float learning_rate, float l2);

/* ---- the worker pool (pool.c) ----------------------------------------- */

/* Most workers a pool (a trainer's row-block split) has. */
#define GN_MAX_WORKERS 64

typedef struct gn_pool gn_pool;
/* A task for every worker: called once with each worker index. */
typedef void (*gn_pool_task)(void *context, int worker);

/* Starts workers − 1 threads (2 ≤ workers ≤ GN_MAX_WORKERS); the caller
 * of gn_pool_run is worker 0. */
int gn_pool_create(int workers,
                   const gemmnet_allocator *allocator,
                   gn_pool **out,
                   gemmnet_error *err);
/* Runs task(context, w) for every worker w and returns when all are done. */
void gn_pool_run(gn_pool *pool, gn_pool_task task, void *context);
/* Worker count; 1 for NULL. */
int gn_pool_workers(const gn_pool *pool);
void gn_pool_destroy(gn_pool *pool);

/* ---- the trainer (trainer.c, checkpoint.c) -------------------------- */

/* The trainer's state, shared by the training loop (trainer.c) and
 * checkpoints (checkpoint.c). */
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
     * (0: none), once computed (checkpoint.c): a checkpoint records them
     * so that resuming on other data is refused. */
    bool fingerprinted;
    uint64_t data_fingerprint;
    uint64_t validation_fingerprint;
    /* Row-block workers (rows.c): the pool (NULL: every batch on the
     * calling thread), its worker count W, workspaces of workers 1..W−1
     * (worker 0 uses workspace) and their private gradients, W − 1 blocks
     * of P floats in one allocation (worker 0 writes grad). */
    gn_pool *pool;
    int32_t workers;
    gemmnet_workspace *worker_workspace[GN_MAX_WORKERS];
    float *worker_grads;
    /* Multiply-adds of one row's forward pass, Σ in·out over the layers. */
    double row_macs;
    /* Effective row weights (weights.c), all NULL without sample or class
     * weights: row_weight[N] of the training rows, batch_weight[B] of the
     * gathered minibatch, validation_weight[Nv] (class weights only). */
    float *row_weight;
    float *batch_weight;
    float *validation_weight;
};

/* Computes the data fingerprints once (with a collective, every process
 * must call it: gemmnet_trainer_run and gemmnet_trainer_restore do). */
int gn_trainer_fingerprint(gemmnet_trainer *t, gemmnet_error *err);

/* ---- row-block workers (rows.c) ---------------------------------------- */

/* Sets up the row-block workers after the trainer's buffers (none when
 * the options and the problem's size call for the calling thread). */
int gn_rows_create(gemmnet_trainer *t, gemmnet_error *err);
void gn_rows_destroy(gemmnet_trainer *t);
/* Whether a batch part of `rows` rows is split over the workers. */
bool gn_rows_split(const gemmnet_trainer *t, size_t rows);
/* t->grad = ∇ over rows x[rows×D], y[rows] (row weights w[rows], or
 * NULL) with gradient scale `scale`, split over the workers into private
 * gradients summed in worker order. */
void gn_rows_gradient(
    gemmnet_trainer *t, const float *x, const int32_t *y, const float *w, size_t rows, float scale);
/* Σ w·CE (w[N] row weights, NULL: 1) and the correct count over data's
 * (raw) rows, split over the workers and summed in worker order. */
void gn_rows_evaluate(gemmnet_trainer *t,
                      const gemmnet_dataset *data,
                      const float *w,
                      double *cross_entropy,
                      double *correct);

/* ---- sample and class weights (weights.c) ------------------------------ */

/* Checks options' sample and class weights and, when either is given,
 * fills t->row_weight[N] = sample·class and t->validation_weight[Nv]
 * (class weights of the validation labels), and allocates
 * t->batch_weight[B] for minibatches. Nothing when both are NULL. */
int gn_weights_create(gemmnet_trainer *t, gemmnet_error *err);
void gn_weights_destroy(gemmnet_trainer *t);
/* Σ w[n] over n < rows in double. */
double gn_weight_sum(const float *w, size_t rows);

#endif /* GEMMNET_TRAIN_H */
