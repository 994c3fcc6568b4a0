/* The closed-form ridge least-squares baseline (gemmnet_baseline_ridge):
 * one-hot targets regressed on [X 1] through the normal equations, solved
 * by Cholesky (blas/lapack.c). */
#include "train/train.h"

#include <math.h>
#include <string.h>

/* Fills xa[N×(D+1)] = [X 1] and onehot[N×K]. */
static void design_matrices(const gemmnet_dataset *data, size_t k, float *xa, float *onehot)
{
    size_t d = data->features;
    memset(onehot, 0, data->rows * k * sizeof(float));
    for (size_t r = 0; r < data->rows; r++) {
        memcpy(xa + r * (d + 1), data->x + r * d, d * sizeof(float));
        xa[r * (d + 1) + d] = 1.0f;
        onehot[r * k + (size_t)data->y[r]] = 1.0f;
    }
}

/* Builds the design matrices, the normal equations and solves them into
 * the model's W (first D rows of B) and b (last row). */
static int fit_ridge(const gemmnet_dataset *data, float l2, gemmnet_model *m, float *scratch)
{
    size_t n = data->rows, d1 = data->features + 1, k = (size_t)m->width[1];
    float *xa = scratch, *onehot = xa + n * d1, *g = onehot + n * k, *r = g + d1 * d1;
    design_matrices(data, k, xa, onehot);
    /* G[d1×d1] = [X 1]ᵀ·[X 1],  R[d1×K] = [X 1]ᵀ·onehot */
    gn_sgemm(true, false, d1, d1, n, 1.0f, xa, d1, xa, d1, 0.0f, g, d1);
    gn_sgemm(true, false, d1, k, n, 1.0f, xa, d1, onehot, k, 0.0f, r, k);
    int status = gn_ridge_solve(g, r, d1, k, l2);
    if (status == GEMMNET_OK)
        memcpy(m->parameters, r, d1 * k * sizeof(float)); /* W₁[D×K] then b₁[K] */
    return status;
}

/* Bytes of fit_ridge's scratch; false on overflow. */
static bool ridge_scratch_bytes(size_t n, size_t d1, size_t k, size_t *out)
{
    size_t a, b, c;
    return gn_mul_size(n, d1 + k, &a) && gn_mul_size(d1, d1 + k, &b) && gn_add_size(a, b, &c) &&
           gn_mul_size(c, sizeof(float), out);
}

GEMMNET_API int gemmnet_baseline_ridge(const gemmnet_dataset *data,
                                       float l2,
                                       const gemmnet_allocator *allocator,
                                       gemmnet_model **model,
                                       gemmnet_error *err)
{
    if (!model)
        return gn_fail(err, GEMMNET_E_INVALID, "ridge: model must not be NULL");
    *model = NULL;
    if (!data || !(l2 >= 0.0f) || !isfinite(l2) || data->features > INT32_MAX - 1 ||
        data->classes < 2)
        return gn_fail(err, GEMMNET_E_INVALID, "ridge needs a data set with ≥ 2 classes and λ ≥ 0");
    /* The normal equations are one sgemm over all rows: its depth is an int. */
    if (data->rows > INT32_MAX)
        return gn_fail(err, GEMMNET_E_INVALID, "ridge: %zu rows, at most 2147483647", data->rows);
    gemmnet_architecture arch = {.inputs = (int32_t)data->features, .classes = data->classes};
    gemmnet_model *m;
    int status = gemmnet_model_create(&arch, allocator, &m, err);
    if (status == GEMMNET_OK)
        status = gn_check_dataset(data, m, err);
    size_t bytes = 0;
    if (status == GEMMNET_OK &&
        !ridge_scratch_bytes(data->rows, data->features + 1, (size_t)data->classes, &bytes))
        status = gn_fail(err, GEMMNET_E_OVERFLOW, "the normal equations do not fit in memory");
    float *scratch = status == GEMMNET_OK ? gn_alloc(&m->allocator, bytes) : NULL;
    if (status == GEMMNET_OK && !scratch)
        status = gn_fail(err, GEMMNET_E_NOMEM, "cannot allocate %zu bytes for the normal equations",
                         bytes);
    if (status == GEMMNET_OK && fit_ridge(data, l2, m, scratch) != GEMMNET_OK)
        status = gn_fail(err, GEMMNET_E_INVALID,
                         "the normal equations are singular (constant features? try λ > 0)");
    if (m)
        gn_release(&m->allocator, scratch);
    if (status != GEMMNET_OK) {
        gemmnet_model_destroy(m);
        return status;
    }
    *model = m;
    return GEMMNET_OK;
}
