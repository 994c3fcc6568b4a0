/* Data sets in memory. */
#include "data/data.h"

#include <math.h>
#include <string.h>

GEMMNET_API int gemmnet_dataset_alloc(gemmnet_dataset *data,
                                      size_t rows,
                                      size_t features,
                                      const gemmnet_allocator *allocator,
                                      gemmnet_error *err)
{
    if (!data)
        return gn_fail(err, GEMMNET_E_INVALID, "dataset_alloc: data must not be NULL");
    memset(data, 0, sizeof *data);
    data->allocator = gn_allocator_or_default(allocator);
    size_t values, x_bytes, y_bytes;
    if (!gn_mul_size(rows, features, &values) || !gn_mul_size(values, sizeof(float), &x_bytes) ||
        !gn_mul_size(rows, sizeof(int32_t), &y_bytes))
        return gn_fail(err, GEMMNET_E_OVERFLOW,
                       "a data set of %zu rows × %zu features does not fit in memory", rows,
                       features);
    data->x = gn_alloc(&data->allocator, x_bytes);
    data->y = gn_alloc(&data->allocator, y_bytes);
    if (!data->x || !data->y) {
        gemmnet_dataset_free(data);
        return gn_fail(err, GEMMNET_E_NOMEM, "cannot allocate %zu bytes for a data set",
                       x_bytes + y_bytes);
    }
    data->rows = rows;
    data->features = features;
    return GEMMNET_OK;
}

GEMMNET_API void gemmnet_dataset_free(gemmnet_dataset *data)
{
    if (!data)
        return;
    if (data->allocator.release) {
        gn_release(&data->allocator, data->x);
        gn_release(&data->allocator, data->y);
        gn_release(&data->allocator, data->class_names);
    }
    memset(data, 0, sizeof *data);
}

GEMMNET_API int gemmnet_dataset_generate(gemmnet_dataset *data,
                                         gemmnet_synthetic kind,
                                         size_t n,
                                         int32_t classes,
                                         double noise,
                                         uint32_t seed,
                                         const gemmnet_allocator *allocator,
                                         gemmnet_error *err)
{
    if (!data)
        return gn_fail(err, GEMMNET_E_INVALID, "dataset_generate: data must not be NULL");
    memset(data, 0, sizeof *data);
    /* x[n×2] float, y[n] int32 and the double x[n×2] held at once. */
    size_t needed = 0;
    if (!gn_mul_size(n, 2 * sizeof(float) + sizeof(int32_t) + 2 * sizeof(double), &needed) ||
        !gn_fits_in_memory(allocator, needed)) {
        memset(data, 0, sizeof *data);
        return gn_fail(err, GEMMNET_E_NOMEM,
                       "%zu points need %zu bytes at once, more than the %zu bytes of memory "
                       "this machine has",
                       n, needed ? needed : SIZE_MAX, gn_physical_memory());
    }
    int status = gemmnet_dataset_alloc(data, n, 2, allocator, err);
    if (status != GEMMNET_OK)
        return status;
    /* Generate in double (as numpy does), then narrow to float32. */
    gemmnet_allocator a = data->allocator;
    size_t bytes;
    double *xd = NULL;
    if (gn_mul_size(n, 2 * sizeof(double), &bytes))
        xd = gn_alloc(&a, bytes);
    if (!xd) {
        gemmnet_dataset_free(data);
        return gn_fail(err, GEMMNET_E_NOMEM, "cannot allocate %zu bytes for %zu points",
                       2 * n * sizeof(double), n);
    }
    status = gemmnet_generate(kind, n, classes, noise, seed, xd, data->y);
    if (status == GEMMNET_OK) {
        for (size_t i = 0; i < 2 * n; i++)
            data->x[i] = (float)xd[i];
        data->classes = classes;
    } else {
        gn_fail(err, status,
                "a synthetic data set needs n ≥ 2 rows, at least one per class, 2..64 classes "
                "(2 for moons, circles and xor) and a finite noise ≥ 0 (got n=%zu, classes=%d, "
                "noise=%g)",
                n, (int)classes, noise);
        gemmnet_dataset_free(data);
    }
    gn_release(&a, xd);
    return status;
}

/* Copies rows order[0..rows) of src into dst (allocated here). */
static int take_rows(const gemmnet_dataset *src,
                     const int32_t *order,
                     size_t rows,
                     gemmnet_dataset *dst,
                     gemmnet_error *err)
{
    int status = gemmnet_dataset_alloc(dst, rows, src->features, &src->allocator, err);
    if (status != GEMMNET_OK)
        return status;
    size_t d = src->features;
    for (size_t i = 0; i < rows; i++) {
        size_t source = (size_t)order[i];
        memcpy(dst->x + i * d, src->x + source * d, d * sizeof(float));
        dst->y[i] = src->y[source];
    }
    dst->classes = src->classes;
    return GEMMNET_OK;
}

GEMMNET_API int gemmnet_dataset_slice(const gemmnet_dataset *data,
                                      size_t first,
                                      size_t count,
                                      gemmnet_dataset *out,
                                      gemmnet_error *err)
{
    if (!out)
        return gn_fail(err, GEMMNET_E_INVALID, "dataset_slice: out must not be NULL");
    memset(out, 0, sizeof *out);
    if (!data)
        return gn_fail(err, GEMMNET_E_INVALID, "dataset_slice: data must not be NULL");
    if (first > data->rows || count > data->rows - first)
        return gn_fail(err, GEMMNET_E_INVALID, "rows %zu..%zu lie outside the %zu rows of the data",
                       first, first + count, data->rows);
    int status = gemmnet_dataset_alloc(out, count, data->features, &data->allocator, err);
    if (status != GEMMNET_OK)
        return status;
    memcpy(out->x, data->x + first * data->features, count * data->features * sizeof(float));
    memcpy(out->y, data->y + first, count * sizeof(int32_t));
    out->classes = data->classes;
    return GEMMNET_OK;
}

GEMMNET_API int gemmnet_dataset_split(const gemmnet_dataset *data,
                                      double fraction,
                                      uint32_t seed,
                                      gemmnet_dataset *train,
                                      gemmnet_dataset *validation,
                                      gemmnet_error *err)
{
    if (!train || !validation)
        return gn_fail(err, GEMMNET_E_INVALID, "dataset_split: train and validation are required");
    memset(train, 0, sizeof *train);
    memset(validation, 0, sizeof *validation);
    if (!data)
        return gn_fail(err, GEMMNET_E_INVALID, "dataset_split: data must not be NULL");
    size_t n = data->rows, held = (size_t)llround(fraction * (double)n);
    if (!(fraction > 0.0 && fraction < 1.0) || held < 1 || held >= n || n > INT32_MAX)
        return gn_fail(err, GEMMNET_E_INVALID,
                       "a validation fraction of %g leaves an empty part of %zu rows", fraction, n);
    gemmnet_allocator a = gn_allocator_or_default(&data->allocator);
    int32_t *order = gn_alloc(&a, n * sizeof *order);
    if (!order)
        return gn_fail(err, GEMMNET_E_NOMEM,
                       "cannot allocate a permutation of %zu rows (%zu bytes)", n,
                       n * sizeof *order);
    gemmnet_rng rng;
    gemmnet_rng_seed(&rng, seed);
    for (size_t i = 0; i < n; i++)
        order[i] = (int32_t)i;
    gemmnet_rng_shuffle(&rng, order, n);
    int status = take_rows(data, order, held, validation, err);
    if (status == GEMMNET_OK)
        status = take_rows(data, order + held, n - held, train, err);
    if (status != GEMMNET_OK) {
        gemmnet_dataset_free(train);
        gemmnet_dataset_free(validation);
    }
    gn_release(&a, order);
    return status;
}
