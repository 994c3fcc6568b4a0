/* The model object: shape, parameter layout, accessors, initialisation. */
#include "net/net.h"

#include <string.h>

/* Indexed by gemmnet_activation: the one list of the names. */
static const char *const activation_names[GEMMNET_ACTIVATION_COUNT] = {"tanh", "relu", "leaky_relu",
                                                                       "sigmoid"};

GEMMNET_API const char *gemmnet_activation_name(gemmnet_activation activation)
{
    return (unsigned)activation < GEMMNET_ACTIVATION_COUNT ? activation_names[activation] : NULL;
}

bool gn_model_layout(gemmnet_model *m)
{
    size_t offset = 0, weights;
    m->max_width = 0;
    for (int32_t l = 1; l <= m->layers; l++) {
        size_t in = (size_t)m->width[l - 1], out = (size_t)m->width[l];
        m->weight_offset[l - 1] = offset;
        if (!gn_mul_size(in, out, &weights) || !gn_add_size(offset, weights, &offset))
            return false;
        m->bias_offset[l - 1] = offset;
        if (!gn_add_size(offset, out, &offset))
            return false;
        if (m->width[l] > m->max_width)
            m->max_width = m->width[l];
    }
    m->parameter_count = offset;
    /* The parameter block is indexed with int-sized BLAS strides only per
     * layer, but keep the whole count addressable in bytes. */
    return gn_mul_size(offset, sizeof(float), &weights);
}

static int check_architecture(const gemmnet_architecture *arch, gemmnet_error *err)
{
    if (!arch)
        return gn_fail(err, GEMMNET_E_INVALID, "no architecture given");
    if (arch->inputs < 1)
        return gn_fail(err, GEMMNET_E_INVALID, "inputs must be ≥ 1 (got %d)", (int)arch->inputs);
    if (arch->classes < 2)
        return gn_fail(err, GEMMNET_E_INVALID, "classes must be ≥ 2 (got %d)", (int)arch->classes);
    if (arch->hidden_layers < 0 || arch->hidden_layers >= GEMMNET_MAX_LAYERS)
        return gn_fail(err, GEMMNET_E_INVALID, "hidden layers must be in 0..%d (got %d)",
                       GEMMNET_MAX_LAYERS - 1, (int)arch->hidden_layers);
    if (arch->hidden_layers > 0 && !arch->hidden)
        return gn_fail(err, GEMMNET_E_INVALID, "hidden widths missing");
    /* The model file format's limit too (GEMMNET_E_TOO_LARGE on load). */
    if (arch->inputs > (1 << 24) || arch->classes > (1 << 24))
        return gn_fail(err, GEMMNET_E_INVALID, "inputs and classes must be at most 2^24");
    for (int32_t i = 0; i < arch->hidden_layers; i++) {
        if (arch->hidden[i] < 1 || arch->hidden[i] > (1 << 24))
            return gn_fail(err, GEMMNET_E_INVALID, "hidden layer %d has width %d, expected 1..2^24",
                           (int)i + 1, (int)arch->hidden[i]);
        if (arch->activations &&
            (arch->activations[i] < 0 || arch->activations[i] >= GEMMNET_ACTIVATION_COUNT))
            return gn_fail(err, GEMMNET_E_INVALID, "hidden layer %d: unknown activation %d",
                           (int)i + 1, (int)arch->activations[i]);
    }
    return GEMMNET_OK;
}

GEMMNET_API int gemmnet_model_create(const gemmnet_architecture *arch,
                                     const gemmnet_allocator *allocator,
                                     gemmnet_model **model,
                                     gemmnet_error *err)
{
    if (!model)
        return gn_fail(err, GEMMNET_E_INVALID, "model must not be NULL");
    *model = NULL;
    int status = check_architecture(arch, err);
    if (status != GEMMNET_OK)
        return status;
    gemmnet_allocator a = gn_allocator_or_default(allocator);
    gemmnet_model *m = gn_alloc_zero(&a, sizeof *m);
    if (!m)
        return gn_fail(err, GEMMNET_E_NOMEM, "cannot allocate a model");
    m->allocator = a;
    m->layers = arch->hidden_layers + 1;
    m->width[0] = arch->inputs;
    for (int32_t i = 0; i < arch->hidden_layers; i++) {
        m->width[i + 1] = arch->hidden[i];
        m->activation[i] = arch->activations ? arch->activations[i] : GEMMNET_ACT_TANH;
    }
    m->width[m->layers] = arch->classes;
    if (!gn_model_layout(m)) {
        gn_release(&a, m);
        return gn_fail(err, GEMMNET_E_OVERFLOW, "the parameter count overflows");
    }
    m->parameters = gn_alloc_zero(&a, m->parameter_count * sizeof(float));
    if (!m->parameters) {
        size_t count = m->parameter_count;
        gn_release(&a, m);
        return gn_fail(err, GEMMNET_E_NOMEM, "cannot allocate %zu parameters (%zu bytes)", count,
                       count * sizeof(float));
    }
    *model = m;
    return GEMMNET_OK;
}

GEMMNET_API void gemmnet_model_destroy(gemmnet_model *model)
{
    if (!model)
        return;
    gemmnet_allocator a = model->allocator;
    gn_model_free_metadata(model);
    gn_release(&a, model->parameters);
    gn_release(&a, model);
}

GEMMNET_API int32_t gemmnet_model_layers(const gemmnet_model *model)
{
    return model ? model->layers : 0;
}

GEMMNET_API int32_t gemmnet_model_width(const gemmnet_model *model, int32_t i)
{
    return model && i >= 0 && i <= model->layers ? model->width[i] : 0;
}

GEMMNET_API size_t gemmnet_model_parameter_count(const gemmnet_model *model)
{
    return model ? model->parameter_count : 0;
}

GEMMNET_API float *gemmnet_model_weights(gemmnet_model *model, int32_t l)
{
    if (!model || l < 1 || l > model->layers)
        return NULL;
    return model->parameters + model->weight_offset[l - 1];
}

GEMMNET_API float *gemmnet_model_biases(gemmnet_model *model, int32_t l)
{
    if (!model || l < 1 || l > model->layers)
        return NULL;
    return model->parameters + model->bias_offset[l - 1];
}

double gn_weight_square_sum(const gemmnet_model *m)
{
    double sum = 0.0;
    for (int32_t l = 1; l <= m->layers; l++) {
        const float *w = m->parameters + m->weight_offset[l - 1];
        size_t count = (size_t)m->width[l - 1] * (size_t)m->width[l];
        for (size_t i = 0; i < count; i++)
            sum += (double)w[i] * w[i];
    }
    return sum;
}
