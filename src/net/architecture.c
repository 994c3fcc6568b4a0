/* Whether a model has a given shape: what a warm start (training on from
 * a loaded model) checks before it trusts the model's weights. */
#include "net/net.h"

static const char *activation_name(gemmnet_activation a)
{
    const char *name = gemmnet_activation_name(a);
    return name ? name : "unknown";
}

static int differs(gemmnet_error *err, const char *what, long model, long expected)
{
    return gn_fail(err, GEMMNET_E_SHAPE, "%s: %ld in the model, %ld expected", what, model,
                   expected);
}

/* The first hidden layer whose width or activation differs, if any. */
static int check_hidden(const gemmnet_model *m, const gemmnet_architecture *a, gemmnet_error *err)
{
    for (int32_t l = 1; l < m->layers; l++) {
        gemmnet_activation want = a->activations ? a->activations[l - 1] : GEMMNET_ACT_TANH;
        if (m->width[l] != a->hidden[l - 1])
            return gn_fail(err, GEMMNET_E_SHAPE,
                           "width of hidden layer %d: %ld in the model, %ld expected", (int)l,
                           (long)m->width[l], (long)a->hidden[l - 1]);
        if (m->activation[l - 1] != want)
            return gn_fail(err, GEMMNET_E_SHAPE,
                           "activation of hidden layer %d: %s in the model, %s expected", (int)l,
                           activation_name(m->activation[l - 1]), activation_name(want));
    }
    return GEMMNET_OK;
}

GEMMNET_API int gemmnet_model_check_architecture(const gemmnet_model *model,
                                                 const gemmnet_architecture *arch,
                                                 gemmnet_error *err)
{
    if (!model || !arch || (arch->hidden_layers > 0 && !arch->hidden))
        return gn_fail(err, GEMMNET_E_INVALID, "a model and an architecture are required");
    if (model->width[0] != arch->inputs)
        return differs(err, "inputs", model->width[0], arch->inputs);
    if (model->width[model->layers] != arch->classes)
        return differs(err, "classes", model->width[model->layers], arch->classes);
    if (model->layers - 1 != arch->hidden_layers)
        return differs(err, "hidden layers", model->layers - 1, arch->hidden_layers);
    return check_hidden(model, arch, err);
}
