/* What a model carries besides its shape and weights: the loss convention
 * it was trained with, the standardisation its raw inputs need, and the
 * names of its classes. All of it goes into the model file. */
#include "net/net.h"

#include <math.h>
#include <string.h>

void gn_model_free_metadata(gemmnet_model *m)
{
    gn_release(&m->allocator, m->mean);
    gn_release(&m->allocator, m->class_names);
    m->mean = m->scale = NULL;
    m->class_names = NULL;
    gn_model_drop_training_state(m);
}

int gn_model_set_training_state(gemmnet_model *m,
                                const unsigned char *bytes,
                                size_t size,
                                gemmnet_error *err)
{
    unsigned char *copy = size ? gn_alloc(&m->allocator, size) : NULL;
    if (size && !copy)
        return gn_fail(err, GEMMNET_E_NOMEM, "cannot allocate %zu bytes of training state", size);
    if (size)
        memcpy(copy, bytes, size);
    gn_model_drop_training_state(m);
    m->training_state = copy;
    m->training_state_size = size;
    return GEMMNET_OK;
}

void gn_model_drop_training_state(gemmnet_model *m)
{
    gn_release(&m->allocator, m->training_state);
    m->training_state = NULL;
    m->training_state_size = 0;
}

GEMMNET_API gemmnet_activation gemmnet_model_activation(const gemmnet_model *model, int32_t l)
{
    return model && l >= 1 && l < model->layers ? model->activation[l - 1] : GEMMNET_ACT_TANH;
}

GEMMNET_API int gemmnet_model_set_loss(gemmnet_model *model, gemmnet_reduction reduction, float l2)
{
    if (!model || (reduction != GEMMNET_REDUCTION_SUM && reduction != GEMMNET_REDUCTION_MEAN))
        return GEMMNET_E_INVALID;
    if (!isfinite(l2) || l2 < 0.0f)
        return GEMMNET_E_INVALID;
    model->reduction = reduction;
    model->l2 = l2;
    return GEMMNET_OK;
}

GEMMNET_API gemmnet_reduction gemmnet_model_reduction(const gemmnet_model *model)
{
    return model ? model->reduction : GEMMNET_REDUCTION_SUM;
}

GEMMNET_API float gemmnet_model_l2(const gemmnet_model *model)
{
    return model ? model->l2 : 0.0f;
}

GEMMNET_API int gemmnet_model_set_standardization(gemmnet_model *model,
                                                  const float *mean,
                                                  const float *scale,
                                                  gemmnet_error *err)
{
    if (!model)
        return gn_fail(err, GEMMNET_E_INVALID, "set_standardization: model must not be NULL");
    size_t d = (size_t)model->width[0];
    if (!mean != !scale)
        return gn_fail(err, GEMMNET_E_INVALID, "give both mean and scale, or neither");
    for (size_t j = 0; mean && j < d; j++)
        if (!isfinite(mean[j]) || !isfinite(scale[j]) || !(scale[j] > 0.0f))
            return gn_fail(err, GEMMNET_E_INVALID,
                           "feature %zu: mean %g and scale %g must be finite, and scale > 0", j,
                           (double)mean[j], (double)scale[j]);
    float *block = NULL;
    if (mean) {
        /* 2D floats: D ≤ INT32_MAX, so this cannot overflow size_t. */
        block = gn_alloc(&model->allocator, 2 * d * sizeof(float));
        if (!block)
            return gn_fail(err, GEMMNET_E_NOMEM, "cannot allocate %zu standardisation values",
                           2 * d);
        memcpy(block, mean, d * sizeof(float));
        memcpy(block + d, scale, d * sizeof(float));
    }
    gn_release(&model->allocator, model->mean);
    model->mean = block;
    model->scale = block ? block + d : NULL;
    return GEMMNET_OK;
}

GEMMNET_API const float *gemmnet_model_mean(const gemmnet_model *model)
{
    return model ? model->mean : NULL;
}

GEMMNET_API const float *gemmnet_model_scale(const gemmnet_model *model)
{
    return model ? model->scale : NULL;
}

GEMMNET_API int
gemmnet_model_set_class_names(gemmnet_model *model, const char *const *names, gemmnet_error *err)
{
    if (!model)
        return gn_fail(err, GEMMNET_E_INVALID, "set_class_names: model must not be NULL");
    size_t k = (size_t)model->width[model->layers];
    char **copy = NULL;
    if (names) {
        int status = gn_check_class_names(&model->allocator, names, k, err);
        if (status != GEMMNET_OK)
            return status;
        copy = gn_names_copy(&model->allocator, names, k);
        if (!copy)
            return gn_fail(err, GEMMNET_E_NOMEM, "cannot allocate %zu class names", k);
    }
    gn_release(&model->allocator, model->class_names);
    model->class_names = copy;
    return GEMMNET_OK;
}

GEMMNET_API const char *gemmnet_model_class_name(const gemmnet_model *model, int32_t k)
{
    if (!model || !model->class_names || k < 0 || k >= model->width[model->layers])
        return NULL;
    return model->class_names[k];
}
