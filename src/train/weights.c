/* Sample and class weights: the checks of gemmnet_train_options'
 * sample_weights[N] and class_weights[K], the effective row weights
 * w_n = sample_n·class[y_n] the trainer uses, and sklearn's 'balanced'
 * class weights. */
#include "train/train.h"

#include <math.h>
#include <string.h>

GEMMNET_API int gemmnet_class_weights_balanced(const gemmnet_dataset *data,
                                               int32_t classes,
                                               float *out,
                                               gemmnet_error *err)
{
    if (!data || !out || data->rows == 0 || (data->rows > 0 && !data->y))
        return gn_fail(err, GEMMNET_E_INVALID, "a data set with rows and an output are required");
    if (classes < 2 || classes > (1 << 24))
        return gn_fail(err, GEMMNET_E_INVALID, "classes must be in [2, 2^24] (got %d)",
                       (int)classes);
    for (size_t i = 0; i < data->rows; i++)
        if (data->y[i] < 0 || data->y[i] >= classes)
            return gn_fail(err, GEMMNET_E_LABEL, "row %zu: label %d is outside [0, %d)", i + 1,
                           (int)data->y[i], (int)classes);
    /* Counts of 256 classes a pass (exact in double). */
    for (int32_t c0 = 0; c0 < classes; c0 += 256) {
        double count[256] = {0};
        for (size_t i = 0; i < data->rows; i++)
            if (data->y[i] >= c0 && data->y[i] - c0 < 256)
                count[data->y[i] - c0] += 1.0;
        /* out[k] = N / (K·count_k); 0 for a class without rows. */
        for (int32_t k = c0; k < classes && k - c0 < 256; k++) {
            double c = count[k - c0];
            out[k] = c > 0.0 ? (float)((double)data->rows / ((double)classes * c)) : 0.0f;
        }
    }
    return GEMMNET_OK;
}

double gn_weight_sum(const float *w, size_t rows)
{
    double sum = 0.0;
    for (size_t i = 0; i < rows; i++)
        sum += w[i];
    return sum;
}

/* Every value of w[n] finite and ≥ 0; what names them in a message. */
static int check_weights(const float *w, size_t n, const char *what, gemmnet_error *err)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(w[i]) || w[i] < 0.0f)
            return gn_fail(err, !isfinite(w[i]) ? GEMMNET_E_NONFINITE : GEMMNET_E_INVALID,
                           "%s[%zu] = %g: weights must be finite and ≥ 0", what, i, (double)w[i]);
    return GEMMNET_OK;
}

/* out[n] = sample[n]·class[y[n]] (a NULL factor is 1). */
static void effective(
    const float *sample, const float *class_weights, const int32_t *y, size_t rows, float *out)
{
    for (size_t i = 0; i < rows; i++)
        out[i] = (sample ? sample[i] : 1.0f) * (class_weights ? class_weights[y[i]] : 1.0f);
}

static int allocate(gemmnet_trainer *t, float **out, size_t n, gemmnet_error *err)
{
    size_t bytes;
    if (!gn_mul_size(n ? n : 1, sizeof(float), &bytes))
        return gn_fail(err, GEMMNET_E_OVERFLOW, "weights of %zu rows overflow", n);
    *out = gn_alloc(&t->allocator, bytes);
    if (!*out)
        return gn_fail(err, GEMMNET_E_NOMEM, "cannot allocate the weights of %zu rows", n);
    return GEMMNET_OK;
}

int gn_weights_create(gemmnet_trainer *t, gemmnet_error *err)
{
    const gemmnet_train_options *o = &t->options;
    if (!o->sample_weights && !o->class_weights)
        return GEMMNET_OK;
    size_t k = (size_t)t->model->width[t->model->layers], n = t->data->rows;
    int status =
        o->sample_weights ? check_weights(o->sample_weights, n, "sample_weights", err) : GEMMNET_OK;
    if (status == GEMMNET_OK && o->class_weights)
        status = check_weights(o->class_weights, k, "class_weights", err);
    if (status == GEMMNET_OK)
        status = allocate(t, &t->row_weight, n, err);
    if (status != GEMMNET_OK)
        return status;
    effective(o->sample_weights, o->class_weights, t->data->y, n, t->row_weight);
    /* With a collective a shard may hold only zero weights; the whole
     * data's Σ w is checked by nobody but the batches (a batch with
     * Σ w = 0 has a zero data gradient). */
    if (!o->collective && !(gn_weight_sum(t->row_weight, n) > 0.0))
        return gn_fail(err, GEMMNET_E_INVALID,
                       "the row weights (sample × class) are all 0: nothing to train on");
    if (t->batch_rows < t->global_rows &&
        (status = allocate(t, &t->batch_weight, t->batch_rows, err)) != GEMMNET_OK)
        return status;
    const gemmnet_dataset *v = o->validation;
    if (v && o->class_weights) {
        if ((status = allocate(t, &t->validation_weight, v->rows, err)) != GEMMNET_OK)
            return status;
        effective(NULL, o->class_weights, v->y, v->rows, t->validation_weight);
    }
    return GEMMNET_OK;
}

void gn_weights_destroy(gemmnet_trainer *t)
{
    gn_release(&t->allocator, t->row_weight);
    gn_release(&t->allocator, t->batch_weight);
    gn_release(&t->allocator, t->validation_weight);
    t->row_weight = t->batch_weight = t->validation_weight = NULL;
}
