/* Data sets in memory. */
#include "internal.h"

#include <string.h>

GEMMNET_API int gemmnet_dataset_alloc(gemmnet_dataset *data,
                                      size_t rows,
                                      size_t features,
                                      const gemmnet_allocator *allocator,
                                      gemmnet_error *err)
{
    memset(data, 0, sizeof *data);
    data->allocator = gn_allocator_or_default(allocator);
    size_t values, x_bytes, y_bytes;
    if (!gn_mul_size(rows, features, &values) || !gn_mul_size(values, sizeof(float), &x_bytes) ||
        !gn_mul_size(rows, sizeof(int32_t), &y_bytes))
        return gn_fail(err, GEMMNET_E_OVERFLOW,
                       "a data set of %zu rows × %zu features does not fit in memory",
                       rows, features);
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
    }
    memset(data, 0, sizeof *data);
}

GEMMNET_API int gemmnet_dataset_moons(gemmnet_dataset *data,
                                      size_t n,
                                      double noise,
                                      uint32_t seed,
                                      const gemmnet_allocator *allocator,
                                      gemmnet_error *err)
{
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
        return gn_fail(err, GEMMNET_E_NOMEM, "cannot allocate %zu moons points", n);
    }
    status = gemmnet_moons(n, noise, seed, xd, data->y);
    if (status == GEMMNET_OK) {
        for (size_t i = 0; i < 2 * n; i++)
            data->x[i] = (float)xd[i];
        data->classes = 2;
    } else {
        gn_fail(err, status, "moons needs n ≥ 2 and a finite noise ≥ 0 (got n=%zu, noise=%g)",
                n, noise);
        gemmnet_dataset_free(data);
    }
    gn_release(&a, xd);
    return status;
}

int gn_check_dataset(const gemmnet_dataset *data, const gemmnet_model *m, gemmnet_error *err)
{
    if (data->rows == 0 || !data->x || !data->y)
        return gn_fail(err, GEMMNET_E_INVALID, "the data set is empty");
    if (data->features != (size_t)m->width[0])
        return gn_fail(err, GEMMNET_E_SHAPE, "the data has %zu features but the model takes %d inputs",
                       data->features, (int)m->width[0]);
    int32_t k = m->width[m->layers];
    for (size_t i = 0; i < data->rows; i++)
        if (data->y[i] < 0 || data->y[i] >= k)
            return gn_fail(err, GEMMNET_E_LABEL, "row %zu: label %d is out of range, expected 0..%d",
                           i + 1, (int)data->y[i], (int)k - 1);
    if (!gn_all_finite(data->x, data->rows * data->features))
        return gn_fail(err, GEMMNET_E_NONFINITE, "the data contains NaN or Inf values");
    return GEMMNET_OK;
}
