/*
 * Private declarations shared by the library's source files (and by the
 * tests, which link the static core). Nothing here is exported from the
 * shared library: it is built with -fvisibility=hidden.
 */
#ifndef GEMMNET_INTERNAL_H
#define GEMMNET_INTERNAL_H

#include "gemmnet.h"

#include <locale.h>
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
/* The machine's physical memory in bytes; SIZE_MAX when unknown. cgroup
 * limits are not seen. The default allocator refuses any block above it. */
size_t gn_physical_memory(void);
/* False if bytes, needed at once through allocator a (NULL: malloc),
 * exceed physical memory; a caller's allocator has limits of its own and
 * always passes. */
bool gn_fits_in_memory(const gemmnet_allocator *a, size_t bytes);
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

/* What the backend dispatches on. */
typedef struct gn_cpu {
    char vendor[16];
    char model_name[96];
    /* Family and model numbers, −1 until found. */
    int32_t family;
    int32_t model;
    /* Whether the flags list avx2 / avx512f. */
    bool avx2;
    bool avx512f;
} gn_cpu;

/* Sets cpu to "unknown", −1, false. */
void gn_cpu_clear(gn_cpu *cpu);
/* Takes one line of /proc/cpuinfo into cpu; false at the blank line that
 * ends the first processor's block (stop reading there). */
bool gn_cpu_parse_line(gn_cpu *cpu, const char *line);
/* Reads /proc/cpuinfo into cpu (left clear if it cannot be read). */
void gn_cpu_identify(gn_cpu *cpu);
/* The report's warning for backend running kernel on cpu, given
 * OPENBLAS_CORETYPE (NULL when unset): "" when nothing is wrong. */
void gn_blas_warning(const char *backend,
                     const char *kernel,
                     const gn_cpu *cpu,
                     const char *coretype,
                     char *out,
                     size_t size);

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
    /* input[R×D]: a block of standardised rows for the first layer; only in
     * inference workspaces (NULL with delta). */
    float *input;
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

/* Σ over layers of ‖W_l‖² (biases excluded), in double. */
double gn_weight_square_sum(const gemmnet_model *m);

/* ---- linear algebra (linear.c) --------------------------------------- */

/* W[in×out] with orthonormal columns (in ≥ out) or rows (in < out) from a
 * QR factorisation (LAPACKE) of randn draws from rng. */
int gn_orthogonal(float *w,
                  size_t in,
                  size_t out,
                  gemmnet_rng *rng,
                  const gemmnet_allocator *allocator,
                  gemmnet_error *err);

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
} gn_update;

/* Floats of optimizer state for a rule: 0 (gd), P (momentum, Nesterov:
 * velocity) or 2P (Adam: first moments, then second moments). */
size_t gn_optimizer_state_floats(gemmnet_optimizer rule, size_t parameters);
/* Applies one update to the whole parameter block from grad (same layout),
 * with state as laid out by gn_optimizer_state_floats (NULL for gd). */
void gn_optimizer_step(gemmnet_model *m, const float *grad, float *state, const gn_update *u);
/* Sets a->c1, a->c2 for update number step (from 1). */
void gn_adam_corrections(gn_adam *a, int64_t step);
/* Gradient descent: W ← W − ε·(∇W + λ·W), b ← b − ε·∇b. */
void gn_update_gd(gemmnet_model *m, const float *grad, float learning_rate, float l2);

/* True if every value of v[n] is finite. */
bool gn_all_finite(const float *v, size_t n);

/* ---- the "C" locale (c_locale.c) ------------------------------------ */

/* Makes the calling thread use the "C" locale, so that strtod, strtof and
 * printf use '.' whatever the caller's LC_NUMERIC, and saves the caller's
 * thread locale in *saved; false (errno set) if it cannot be created.
 * gn_leave_c_locale undoes it. Thread-safe: no global state changes. */
bool gn_enter_c_locale(locale_t *c_locale, locale_t *saved);
void gn_leave_c_locale(locale_t c_locale, locale_t saved);

/* ---- metadata, standardisation, model files (model_meta.c, standardize.c,
 * predict.c, model_io.c) --------------------------------------------- */

/* Frees the model's standardisation and class names (gemmnet_model_destroy). */
void gn_model_free_metadata(gemmnet_model *m);

/* out[rows×D] = (x[rows×D] − mean[D]) / scale[D] in float, the one formula
 * both training-data standardisation and prediction use; out may be x. */
void gn_standardize_rows(
    float *out, const float *x, size_t rows, size_t d, const float *mean, const float *scale);

/* Checks an inference call: a model, a workspace made for its shape
 * (GEMMNET_E_SHAPE otherwise), and rows x unless n is 0. */
int gn_check_inference(const gemmnet_model *m,
                       const gemmnet_workspace *ws,
                       const void *x,
                       size_t n);

/* What the first layer reads for rows x[rows×D]: x itself, or with a
 * standardisation its transformed copy in ws->input[R×D]; NULL when the
 * model needs the copy but the workspace has no room for it. */
const float *
gn_first_layer_input(const gemmnet_model *m, gemmnet_workspace *ws, const float *x, size_t rows);

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

/* The system calls gemmnet_model_save makes, replaceable so that tests can
 * fail each one and check that the previous file survives. Each returns
 * what the POSIX call of the same name returns. */
typedef struct gn_file_ops {
    int (*open)(const char *path, int flags, int mode);
    long (*write)(int fd, const void *bytes, size_t size);
    int (*fsync)(int fd);
    int (*close)(int fd);
    int (*rename)(const char *from, const char *to);
} gn_file_ops;

/* gemmnet_model_save through ops (NULL: the real calls). */
int gn_model_save_with(const gemmnet_model *m,
                       const char *path,
                       const gn_file_ops *ops,
                       gemmnet_error *err);

/* A run of bytes (not owned). */
typedef struct gn_span {
    const unsigned char *bytes;
    size_t size;
} gn_span;

/* Saves m with a training-state section (a checkpoint), atomically like
 * gemmnet_model_save; ops NULL for the real calls. */
int gn_model_save_state(const gemmnet_model *m,
                        gn_span state,
                        const char *path,
                        const gn_file_ops *ops,
                        gemmnet_error *err);
/* Loads a model file and a copy of its training state (*state NULL and
 * *state_size 0 when it has none; release *state with the allocator). */
int gn_model_load_state(const char *path,
                        const gemmnet_allocator *allocator,
                        gemmnet_model **model,
                        unsigned char **state,
                        size_t *state_size,
                        gemmnet_error *err);

/* ---- matrix-vector products and the plain GEMM (blas.c) ------------- */

/* y = alpha·op(A)·x + beta·y with A[rows×cols] row-major (lda), op(A) = Aᵀ
 * when trans; x and y contiguous. gn_sgemm sends single rows here. */
void gn_sgemv(bool trans,
              size_t rows,
              size_t cols,
              float alpha,
              const float *a,
              size_t lda,
              const float *x,
              float beta,
              float *y);

/* gn_sgemm without the single-row shortcut: the backend's GEMM for every
 * shape (the bench compares the two). */
void gn_sgemm_full(bool trans_a,
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

/* Makes the calling pool thread's BLAS single-threaded where the backend
 * keeps that per thread (oneDNN's OpenMP); called by each pool thread. */
void gn_blas_worker_init(void);

#endif /* GEMMNET_INTERNAL_H */
