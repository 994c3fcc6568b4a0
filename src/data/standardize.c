/* Standardisation: per-feature mean and scale computed on training data,
 * applied to it in place, and applied again to raw rows at prediction
 * (net/predict.c) by the same function, so both sides see identical floats. */
#include "data/data.h"

#include <math.h>
#include <string.h>

void gn_standardize_rows(
    float *out, const float *x, size_t rows, size_t d, const float *mean, const float *scale)
{
    /* out[i×D + j] = (x[i×D + j] − mean[j]) / scale[j]; a division rather
     * than a multiplication by 1/scale, so the result is correctly rounded
     * and does not depend on how a caller would have inverted scale. */
    for (size_t i = 0; i < rows; i++) {
        const float *row = x + i * d;
        float *target = out + i * d;
        for (size_t j = 0; j < d; j++)
            target[j] = (row[j] - mean[j]) / scale[j];
    }
}

static int check_data(const gemmnet_dataset *data, gemmnet_error *err)
{
    if (!data || !data->x || data->rows == 0 || data->features == 0)
        return gn_fail(err, GEMMNET_E_INVALID, "standardisation needs a non-empty data set");
    if (!gn_all_finite(data->x, data->rows * data->features))
        return gn_fail(err, GEMMNET_E_NONFINITE, "the data contains NaN or Inf values");
    return GEMMNET_OK;
}

/* Transforms data in place and checks that the result stayed finite. */
static int apply(gemmnet_dataset *data, const float *mean, const float *scale, gemmnet_error *err)
{
    gn_standardize_rows(data->x, data->x, data->rows, data->features, mean, scale);
    if (!gn_all_finite(data->x, data->rows * data->features))
        return gn_fail(err, GEMMNET_E_NONFINITE, "standardised values overflow float32");
    return GEMMNET_OK;
}

/* mean[D] and the population standard deviation scale[D] of data, from
 * sums in double (sum[D] is scratch); a constant feature gets scale 1. */
static void feature_statistics(const gemmnet_dataset *data, double *sum, float *mean, float *scale)
{
    size_t n = data->rows, d = data->features;
    memset(sum, 0, d * sizeof *sum);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            sum[j] += data->x[i * d + j];
    for (size_t j = 0; j < d; j++)
        mean[j] = (float)(sum[j] / (double)n);
    /* Second pass about the float mean: the variance of the values the
     * transform will actually centre. */
    memset(sum, 0, d * sizeof *sum);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++) {
            double deviation = (double)data->x[i * d + j] - mean[j];
            sum[j] += deviation * deviation;
        }
    for (size_t j = 0; j < d; j++) {
        float s = (float)sqrt(sum[j] / (double)n);
        scale[j] = s > 0.0f ? s : 1.0f;
    }
}

GEMMNET_API int gemmnet_dataset_statistics(const gemmnet_dataset *data,
                                           float *mean,
                                           float *scale,
                                           gemmnet_error *err)
{
    int status = check_data(data, err);
    if (status != GEMMNET_OK)
        return status;
    if (!mean || !scale)
        return gn_fail(err, GEMMNET_E_INVALID, "standardisation needs mean[D] and scale[D]");
    /* A data set filled in by hand may have no allocator: use malloc. */
    gemmnet_allocator a = gn_allocator_or_default(&data->allocator);
    size_t bytes;
    double *sum = NULL;
    if (gn_mul_size(data->features, sizeof *sum, &bytes))
        sum = gn_alloc(&a, bytes);
    if (!sum)
        return gn_fail(err, GEMMNET_E_NOMEM, "cannot allocate %zu sums", data->features);
    feature_statistics(data, sum, mean, scale);
    gn_release(&a, sum);
    return GEMMNET_OK;
}

GEMMNET_API int
gemmnet_dataset_standardize(gemmnet_dataset *data, float *mean, float *scale, gemmnet_error *err)
{
    int status = gemmnet_dataset_statistics(data, mean, scale, err);
    return status == GEMMNET_OK ? apply(data, mean, scale, err) : status;
}

GEMMNET_API int gemmnet_dataset_apply_standardization(gemmnet_dataset *data,
                                                      const float *mean,
                                                      const float *scale,
                                                      gemmnet_error *err)
{
    int status = check_data(data, err);
    if (status != GEMMNET_OK)
        return status;
    if (!mean || !scale)
        return gn_fail(err, GEMMNET_E_INVALID, "standardisation needs mean[D] and scale[D]");
    for (size_t j = 0; j < data->features; j++)
        if (!isfinite(mean[j]) || !isfinite(scale[j]) || !(scale[j] > 0.0f))
            return gn_fail(err, GEMMNET_E_INVALID,
                           "feature %zu: mean %g and scale %g must be finite, and scale > 0", j,
                           (double)mean[j], (double)scale[j]);
    return apply(data, mean, scale, err);
}
