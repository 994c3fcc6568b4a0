/*
 * src/net/: the network — the model object, its parameter layout and
 * metadata (model.c, model_meta.c), initialisation (init.c), the forward
 * and backward passes as sgemm sequences and their buffers (passes.c),
 * the elementwise kernels between the products (kernels.c), inference
 * (predict.c, hidden.c), metrics (metrics.c) and the data/model fit check
 * (check.c). This header declares what other layers use, and the kernels
 * passes.c calls. Private.
 */
#ifndef GEMMNET_NET_H
#define GEMMNET_NET_H

#include "base/base.h"
#include "blas/blas.h"
#include "data/data.h"

#include <stdint.h>

/* ---- the model and its buffers (model.c, passes.c) ------------------ */

struct gemmnet_model {
    /* Allocator the model (and its parameter block) came from. */
    gemmnet_allocator allocator;
    /* Number of weight layers, L = hidden layers + 1. */
    int32_t layers;
    /* width[0] = D, width[1..L-1] hidden widths, width[L] = K. */
    int32_t width[GEMMNET_MAX_LAYERS + 1];
    /* Activation of hidden layer l in activation[l − 1], l in [1, L−1]. */
    gemmnet_activation activation[GEMMNET_MAX_LAYERS];
    /* Offset of W_l[width[l−1]×width[l]] in parameters, at index l − 1. */
    size_t weight_offset[GEMMNET_MAX_LAYERS];
    /* Offset of b_l[width[l]] in parameters, at index l − 1. */
    size_t bias_offset[GEMMNET_MAX_LAYERS];
    /* Total floats in parameters: W_1 b_1 W_2 b_2 … W_L b_L. */
    size_t parameter_count;
    /* Largest width over layers 1..L (hidden and output). */
    int32_t max_width;
    /* The contiguous parameter block. */
    float *parameters;
    /* Loss convention and L2 strength it was trained with (model files). */
    gemmnet_reduction reduction;
    float l2;
    /* Standardisation of raw rows, (x − mean[D]) / scale[D], or both NULL;
     * one allocation of 2D floats starting at mean (model_meta.c). */
    float *mean;
    float *scale;
    /* Class names [K] (pointers, then the strings, in one allocation), or
     * NULL. */
    char **class_names;
    /* The training-state section of the checkpoint file the model came
     * from (train/checkpoint.c's layout, kept opaque here), or NULL: saved
     * and dumped with the model so that a copy stays resumable. */
    unsigned char *training_state;
    size_t training_state_size;
};

/* Inverted dropout for one update: unit j of hidden layer l in global row
 * n is kept iff gn_dropout_keep(seed, step, n, l, j, p); base is the
 * global index of the walked x's row 0 and row that of the block's first
 * row (base + r, set by gn_forward_blocks). */
typedef struct gn_dropout {
    float p;
    uint32_t seed;
    int64_t step;
    size_t base;
    size_t row;
} gn_dropout;
/* Whether the unit is kept: a counter-based hash of (seed, step, row,
 * layer, unit) compared with p, so that a mask depends on nothing else
 * (not the block or thread that computes it). */
bool gn_dropout_keep(uint32_t seed, int64_t step, size_t row, int32_t layer, size_t unit, float p);
/* a[rows×n] of hidden layer l ← a ⊙ M / (1 − p) (forward). */
void gn_dropout_forward(const gn_dropout *d, int32_t layer, float *a, size_t rows, size_t n);
/* Backward through the mask of layer l: da ← da ⊙ M / (1 − p), and a
 * (the dropped A_l) back to A_l on kept units, for the activation
 * derivative (dropped units have da = 0). */
void gn_dropout_backward(
    const gn_dropout *d, int32_t layer, float *a, float *da, size_t rows, size_t n);

/* Per-block buffers of the forward and backward passes. */
struct gemmnet_workspace {
    /* Allocator the buffers came from. */
    gemmnet_allocator allocator;
    /* Rows per block the buffers hold, R. */
    size_t block_rows;
    /* Shape the workspace was made for (checked by predict). */
    int32_t layers;
    int32_t width[GEMMNET_MAX_LAYERS + 1];
    /* act[l][R×width[l]] for l in [1, L]: hidden activations, and the
     * softmax probabilities at l = L. The backward pass overwrites act[l]
     * with dZ_l once A_l is no longer needed. */
    float *act[GEMMNET_MAX_LAYERS + 1];
    /* dA[R×max hidden width]: dZ_{l+1}·W_{l+1}ᵀ before the activation
     * derivative; NULL for workspaces made only for inference. */
    float *delta;
    /* input[R×D]: a block of standardised rows for the first layer; only in
     * inference workspaces (NULL with delta). */
    float *input;
    /* The single allocation all the above point into. */
    float *block;
    /* Inverted dropout of the hidden activations in gn_forward and
     * gn_backward (dropout.c); p = 0 (inference, evaluation) is off. */
    gn_dropout dropout;
};

/* Parameter block layout for a shape: fills the offsets and count of m
 * from m->layers and m->width. False if the count overflows. */
bool gn_model_layout(gemmnet_model *m);

/* Rows per block for a shape when the caller asks for 0: enough rows that
 * the weight-gradient GEMMs have depth, few enough that a block's
 * activations stay in cache. Never more than rows_total (and ≥ 1). */
size_t gn_auto_block_rows(const gemmnet_model *m, size_t rows_total);

/* Creates a workspace of block_rows rows; with_delta adds the backward
 * pass's buffer. */
int gn_workspace_create(const gemmnet_model *m,
                        size_t block_rows,
                        bool with_delta,
                        const gemmnet_allocator *allocator,
                        gemmnet_workspace **out,
                        gemmnet_error *err);

/* Forward pass of rows ≤ ws->block_rows rows x[rows×D]: leaves the hidden
 * activations in ws->act[1..L−1] and probabilities in ws->act[L]. If y is
 * not NULL, returns Σ −log P[n, y_n] over the rows (from the max-shifted
 * logits, so it stays finite for any finite logits), else 0. */
double gn_forward(
    const gemmnet_model *m, gemmnet_workspace *ws, const float *x, const int32_t *y, size_t rows);

/* Backward pass after gn_forward on the same rows: turns act[L] into
 * dZ_L = scale·(P − Y) and writes every layer's gradient into grad (same
 * layout as m->parameters): grad = ∇ if !accumulate, grad += ∇ if
 * accumulate (row blocks of one batch). The L2 term is not included. */
void gn_backward(const gemmnet_model *m,
                 gemmnet_workspace *ws,
                 const float *x,
                 const int32_t *y,
                 size_t rows,
                 float scale,
                 bool accumulate,
                 float *grad);

/* gn_forward whose returned loss weights row n by w[n] (NULL: 1). */
double gn_forward_weighted(const gemmnet_model *m,
                           gemmnet_workspace *ws,
                           const float *x,
                           const int32_t *y,
                           const float *w,
                           size_t rows);
/* gn_backward with dZ_L = scale·w_n·(P − Y) row by row, w[rows]. */
void gn_backward_weighted(const gemmnet_model *m,
                          gemmnet_workspace *ws,
                          const float *x,
                          const int32_t *y,
                          const float *w,
                          size_t rows,
                          float scale,
                          bool accumulate,
                          float *grad);

/* Σ over layers of ‖W_l‖² (biases excluded), in double. */
double gn_weight_square_sum(const gemmnet_model *m);

/* ---- elementwise kernels (kernels.c) -------------------------------- */

/* Slope of leaky relu for z ≤ 0. */
#define GN_LEAKY_SLOPE 0.01f

/* z[rows×n] ← f(z + b) with b[n] broadcast over rows. */
void gn_bias_activation(float *z, const float *b, size_t rows, size_t n, gemmnet_activation f);
/* z[rows×K] ← softmax(z + b) row by row (max-shifted). If y is not NULL,
 * returns Σ −log softmax[n, y_n] = Σ (log Σ_j e^(z_j − max) − (z_y − max)),
 * else 0. */
double gn_bias_softmax(float *z, const float *b, const int32_t *y, size_t rows, size_t k);
/* p[rows×K] ← scale·(P − onehot(y)); db[K] = (or +=, if accumulate)
 * column sums of the result. */
void gn_softmax_grad(
    float *p, const int32_t *y, size_t rows, size_t k, float scale, bool accumulate, float *db);
/* gn_bias_softmax with row weights w[rows] (NULL: all 1): returns
 * Σ w_n·(−log softmax[n, y_n]). */
double gn_bias_softmax_weighted(
    float *z, const float *b, const int32_t *y, const float *w, size_t rows, size_t k);
/* gn_softmax_grad with row weights: p[r, ·] ← scale·w[r]·(P − onehot(y))[r, ·]. */
void gn_softmax_grad_weighted(float *p,
                              const int32_t *y,
                              const float *w,
                              size_t rows,
                              size_t k,
                              float scale,
                              bool accumulate,
                              float *db);
/* a[rows×n] ← da ⊙ f'(a) (dZ of a hidden layer, written over its
 * activations a = f(z)), db[n] = (or +=, if accumulate) column sums. */
void gn_activation_grad(float *a,
                        const float *da,
                        size_t rows,
                        size_t n,
                        gemmnet_activation f,
                        bool accumulate,
                        float *db);
/* Vectorisable tanh of a flat array: y[i] = tanh(x[i]) with relative
 * error below 4e-7 (measured max 3.5e-7 over every 97th float in
 * [−100, 100]); exactly ±1 beyond |x| > 9; NaN propagates; x and y may
 * alias. */
void gn_tanh(float *y, const float *x, size_t n);
/* Vectorisable exp of a flat array, x and y may alias; relative error
 * below 1.5e-7 (measured max 9.9e-8) where the result is a normal float;
 * 0 below −87.33654 (no subnormals), +Inf above 88.72283, NaN stays NaN. */
void gn_exp(float *y, const float *x, size_t n);

/* ---- metadata, inference, evaluation (model_meta.c, predict.c) ------ */

/* Frees the model's standardisation and class names (gemmnet_model_destroy). */
void gn_model_free_metadata(gemmnet_model *m);

/* Checks an inference call: a model, a workspace made for its shape
 * (GEMMNET_E_SHAPE otherwise), and rows x unless n is 0. */
int gn_check_inference(const gemmnet_model *m,
                       const gemmnet_workspace *ws,
                       const void *x,
                       size_t n,
                       gemmnet_error *err);

/* What the first layer reads for rows x[rows×D]: x itself, or with a
 * standardisation its transformed copy in ws->input[R×D]; NULL when the
 * model needs the copy but the workspace has no room for it (passes.c). */
const float *
gn_first_layer_input(const gemmnet_model *m, gemmnet_workspace *ws, const float *x, size_t rows);

/* ---- the block walk (blocks.c): every loop over rows in blocks --------- */

/* Rows [first, end) of x[·×D] (labels y) walked one workspace block at a
 * time: predict, predict_proba, hidden activations, evaluation and the
 * trainer's gradients (with or without row-block threads) all go through
 * gn_forward_blocks. */
typedef struct gn_blocks {
    const float *x;
    /* Labels: each forward pass adds its Σ −log P[n, y_n]; or NULL. */
    const int32_t *y;
    size_t first, end;
    /* The rows are raw: apply the model's standardisation (into ws->input). */
    bool raw;
    /* Refuse non-finite rows first (GEMMNET_E_NONFINITE, rows counted from
     * 1); callers whose data was checked as a whole leave it false. */
    bool check_rows;
    /* OUT, with y: Σ −log P[n, y_n] over the rows (set by the walk). */
    double cross_entropy;
    /* For visitors that count correct rows (left to them). */
    size_t correct;
    /* Row weights indexed like y (NULL: all 1): the walk's cross_entropy
     * is then Σ w_n·(−log P[n, y_n]). */
    const float *w;
    /* For the per-class counting visitor: correct and total rows of each
     * class, K each (NULL: not counted). */
    size_t *class_correct;
    size_t *class_total;
} gn_blocks;

/* Called after each block's forward pass on rows [r, r + rows): input is
 * what the first layer read (for a backward pass), ws->act[1..L] hold the
 * activations and probabilities. Another status than GEMMNET_OK stops the
 * walk and is returned. */
typedef int (*gn_block_visit)(void *context,
                              gemmnet_workspace *ws,
                              const float *input,
                              size_t r,
                              size_t rows,
                              gemmnet_error *err);

/* Walks b's rows through the forward pass, calling visit (may be NULL)
 * after each block. */
int gn_forward_blocks(const gemmnet_model *m,
                      gemmnet_workspace *ws,
                      gn_blocks *b,
                      gn_block_visit visit,
                      void *context,
                      gemmnet_error *err);

/* The gradient visitor: after each block's forward pass, the backward
 * pass of rows [r, r + rows) with labels y into grad — grad = ∇ for the
 * walk's first block (r == first), grad += ∇ after (weight gradients
 * accumulate with beta = 1). Used with gn_forward_blocks. */
typedef struct gn_backward_job {
    const gemmnet_model *model;
    const int32_t *y;
    size_t first;
    float scale;
    float *grad;
    /* Row weights indexed like y, or NULL (all 1). */
    const float *w;
} gn_backward_job;
int gn_backward_block(void *context,
                      gemmnet_workspace *ws,
                      const float *input,
                      size_t r,
                      size_t rows,
                      gemmnet_error *err);

/* The counting visitor: context is the walk's own gn_blocks (with y);
 * adds the block's correct rows to its correct count. */
int gn_count_correct_block(void *context,
                           gemmnet_workspace *ws,
                           const float *input,
                           size_t r,
                           size_t rows,
                           gemmnet_error *err);

/* How many rows of probabilities p[rows×K] put their largest value (the
 * first, on ties) at the label y[rows]. */
size_t gn_count_correct(const float *p, const int32_t *y, size_t rows, size_t k);
/* The index of the largest of p[k] (the first, on ties). */
size_t gn_argmax(const float *p, size_t k);

/* result from Σ CE, the correct count and the rows: the reported loss under
 * reduction with λ/2·Σ‖W‖² (the one place its formula lives), mean CE and
 * accuracy. */
void gn_fill_evaluation(const gemmnet_model *m,
                        float l2,
                        gemmnet_reduction reduction,
                        double cross_entropy,
                        double correct,
                        double rows,
                        gemmnet_evaluation *result);

/* gemmnet_evaluate on rows that are already standardised (the model's
 * standardisation is not applied): for training, whose data is. Works
 * with any workspace of the model's shape. */
int gn_evaluate_prepared(const gemmnet_model *m,
                         gemmnet_workspace *ws,
                         const gemmnet_dataset *data,
                         float l2,
                         gemmnet_reduction reduction,
                         gemmnet_evaluation *result);
/* ---- the data/model fit (check.c) ----------------------------------- */

/* Checks that data fits model: rows ≥ 1, D features, labels in [0, K),
 * all values finite. */
int gn_check_dataset(const gemmnet_dataset *data, const gemmnet_model *m, gemmnet_error *err);

/* ---- a model's training state (model_meta.c) ------------------------ */

/* Replaces the model's training state with a copy of bytes[size]. */
int gn_model_set_training_state(gemmnet_model *m,
                                const unsigned char *bytes,
                                size_t size,
                                gemmnet_error *err);
/* Forgets it (initialisation and training change the weights it
 * described). */
void gn_model_drop_training_state(gemmnet_model *m);

/* ---- finite inputs and answers (predict.c) -------------------------- */

/* GEMMNET_E_NONFINITE naming the first non-finite value of the rows
 * x[rows×D] (numbered from first + 1 in the message), else GEMMNET_OK. */
int gn_check_rows_finite(const float *x, size_t rows, size_t d, size_t first, gemmnet_error *err);
/* GEMMNET_E_NONFINITE naming the first row of v[rows×width] (numbered from
 * first + 1) whose answers (`what`, e.g. "probabilities") are not finite. */
int gn_check_outputs_finite(
    const float *v, size_t rows, size_t width, size_t first, const char *what, gemmnet_error *err);
/* gemmnet_evaluate without its check that the loss is finite: for the
 * trainer, which reports a non-finite loss with its own message. */
/* Mean over the classes with class_total[j] > 0 of class_correct[j] /
 * class_total[j] (0 when no class has rows). */
double gn_balanced_accuracy(const size_t *class_correct, const size_t *class_total, size_t k);

int gn_evaluate_raw(const gemmnet_model *m,
                    gemmnet_workspace *ws,
                    const gemmnet_dataset *data,
                    float l2,
                    gemmnet_reduction reduction,
                    gemmnet_evaluation *result,
                    gemmnet_error *err);

#endif /* GEMMNET_NET_H */
