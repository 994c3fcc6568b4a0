/* Weight initialisations, drawn from a numpy-compatible generator layer by
 * layer, row-major, so `randn(in, out)` means what it means in numpy. */
#include "internal.h"

#include <math.h>
#include <string.h>

/* W[in×out] = randn(in, out)·scale, rounded to float once. */
static void draw_normal(float *w, size_t in, size_t out, double scale, gemmnet_rng *rng)
{
    for (size_t i = 0; i < in * out; i++)
        w[i] = (float)(gemmnet_rng_normal(rng) * scale);
}

/* Standard deviation of a layer's weights under a normal scheme. */
static double normal_scale(gemmnet_init scheme, size_t in, size_t out)
{
    switch (scheme) {
    case GEMMNET_INIT_XAVIER: return sqrt(2.0 / (double)(in + out));
    case GEMMNET_INIT_HE: return sqrt(2.0 / (double)in);
    default: return 1.0 / sqrt((double)in);
    }
}

GEMMNET_API int
gemmnet_model_init(gemmnet_model *model, gemmnet_init scheme, uint32_t seed, gemmnet_error *err)
{
    if (!model)
        return gn_fail(err, GEMMNET_E_INVALID, "init: model must not be NULL");
    if (scheme < GEMMNET_INIT_TUTORIAL || scheme > GEMMNET_INIT_ORTHOGONAL)
        return gn_fail(err, GEMMNET_E_INVALID, "unknown initialisation %d", (int)scheme);
    gn_model_drop_training_state(model);
    gemmnet_rng rng;
    gemmnet_rng_seed(&rng, seed);
    memset(model->parameters, 0, model->parameter_count * sizeof(float));
    for (int32_t l = 1; l <= model->layers; l++) {
        size_t in = (size_t)model->width[l - 1], out = (size_t)model->width[l];
        float *w = model->parameters + model->weight_offset[l - 1];
        if (scheme != GEMMNET_INIT_ORTHOGONAL) {
            draw_normal(w, in, out, normal_scale(scheme, in, out), &rng);
            continue;
        }
        int status = gn_orthogonal(w, in, out, &rng, &model->allocator, err);
        if (status != GEMMNET_OK)
            return status;
    }
    return GEMMNET_OK;
}
