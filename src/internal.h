/*
 * Private declarations shared by the library's source files (and by the
 * tests, which link the static core). Nothing here is exported from the
 * shared library: it is built with -fvisibility=hidden.
 */
#ifndef GEMMNET_INTERNAL_H
#define GEMMNET_INTERNAL_H

#include "gemmnet.h"

#include <stdbool.h>

/* ---- errors (status.c) ---------------------------------------------- */

/* Records status and a printf-style message in err (if non-NULL) and
 * returns status, so callers can write `return gn_fail(err, ...)`. */
int gn_fail(gemmnet_error *err, int status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- memory (alloc.c) ----------------------------------------------- */

/* The allocator to use: *a, or malloc/free when a is NULL. */
gemmnet_allocator gn_allocator_or_default(const gemmnet_allocator *a);
/* Allocates size bytes (size 0 allocates 1 byte). */
void *gn_alloc(const gemmnet_allocator *a, size_t size);
/* Allocates size bytes, zero-filled. */
void *gn_alloc_zero(const gemmnet_allocator *a, size_t size);
/* Frees a block from gn_alloc; NULL is allowed. */
void gn_release(const gemmnet_allocator *a, void *ptr);
/* *out = a·b; false if that overflows size_t. */
bool gn_mul_size(size_t a, size_t b, size_t *out);
/* *out = a + b; false if that overflows size_t. */
bool gn_add_size(size_t a, size_t b, size_t *out);

/* ---- the BLAS seam (blas.c) ----------------------------------------- */

/* C[m×n] = alpha·op(A)·op(B) + beta·C, row-major, where op(A) is m×k
 * (A stored k×m when trans_a) and op(B) is k×n (B stored n×k when
 * trans_b). All dimensions must fit in int; callers guarantee it. */
void gn_sgemm(bool trans_a,
              bool trans_b,
              size_t m,
              size_t n,
              size_t k,
              float alpha,
              const float *a,
              size_t lda,
              const float *b,
              size_t ldb,
              float beta,
              float *c,
              size_t ldc);

/* ---- data (data.c) --------------------------------------------------- */

/* Checks that data fits model: rows ≥ 1, D features, labels in [0, K),
 * all values finite. */
int gn_check_dataset(const gemmnet_dataset *data, const gemmnet_model *m, gemmnet_error *err);

/* ---- the model (net.c) ---------------------------------------------- */

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
};

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
    /* The single allocation all the above point into. */
    float *block;
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
double gn_forward(const gemmnet_model *m,
                  gemmnet_workspace *ws,
                  const float *x,
                  const int32_t *y,
                  size_t rows);

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

/* Σ over layers of ‖W_l‖² (biases excluded), in double. */
double gn_weight_square_sum(const gemmnet_model *m);

/* ---- elementwise kernels (kernels.c) -------------------------------- */

/* z[rows×n] ← tanh(z + b) with b[n] broadcast over rows. */
void gn_bias_tanh(float *z, const float *b, size_t rows, size_t n);
/* z[rows×K] ← softmax(z + b) row by row (max-shifted). If y is not NULL,
 * returns Σ −log softmax[n, y_n] = Σ (log Σ_j e^(z_j − max) − (z_y − max)),
 * else 0. */
double gn_bias_softmax(float *z, const float *b, const int32_t *y, size_t rows, size_t k);
/* p[rows×K] ← scale·(P − onehot(y)); db[K] = (or +=, if accumulate)
 * column sums of the result. */
void gn_softmax_grad(float *p,
                     const int32_t *y,
                     size_t rows,
                     size_t k,
                     float scale,
                     bool accumulate,
                     float *db);
/* a[rows×n] ← da ⊙ (1 − a²) (dZ of a tanh layer, written over its
 * activations), db[n] (+)= column sums of the result. */
void gn_tanh_grad(float *a,
                  const float *da,
                  size_t rows,
                  size_t n,
                  bool accumulate,
                  float *db);
/* Vectorisable tanh of a flat array: y[i] = tanh(x[i]) with relative
 * error below 3e-7 (measured max 2.3e-7 over every 97th float in
 * [−100, 100]); NaN propagates; x and y may alias. */
void gn_tanh(float *y, const float *x, size_t n);
/* Vectorisable exp of a flat array, x and y may alias; relative error
 * below 1.5e-7 (measured max 9.9e-8) where the result is a normal float;
 * 0 below −87.33654 (no subnormals), +Inf above 88.72283, NaN stays NaN. */
void gn_exp(float *y, const float *x, size_t n);

/* ---- updates (optim.c) ---------------------------------------------- */

/* Gradient descent on the whole block: W ← W − ε·(∇W + λ·W) for weights,
 * b ← b − ε·∇b for biases. */
void gn_update_gd(gemmnet_model *m, const float *grad, float learning_rate, float l2);

/* True if every value of v[n] is finite. */
bool gn_all_finite(const float *v, size_t n);

#endif /* GEMMNET_INTERNAL_H */
