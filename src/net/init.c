/* Weight initialisations, drawn from a numpy-compatible generator layer by
 * layer, row-major, so `randn(in, out)` means what it means in numpy. */
#include "net/net.h"

#include <math.h>
#include <string.h>

/* W[in×out] with orthonormal columns (in ≥ out) or rows (in < out) from a
 * QR factorisation of randn draws from rng. */
static int orthogonal(float *w,
                      size_t in,
                      size_t out,
                      gemmnet_rng *rng,
                      const gemmnet_allocator *allocator,
                      gemmnet_error *err)
{
    /* Factor the tall orientation: W itself when in ≥ out, else a randn
     * matrix [out×in] whose Q is transposed into W (orthonormal rows). */
    size_t m = in >= out ? in : out, n = in >= out ? out : in, bytes = 0;
    if (!gn_mul_size(m, n, &bytes) || !gn_add_size(bytes, 2 * n, &bytes) ||
        !gn_mul_size(bytes, sizeof(float), &bytes))
        return gn_fail(err, GEMMNET_E_OVERFLOW,
                       "a QR factorisation of %zu×%zu does not fit in memory", m, n);
    float *scratch = gn_alloc(allocator, bytes);
    if (!scratch)
        return gn_fail(err, GEMMNET_E_NOMEM, "cannot allocate %zu bytes for a QR factorisation",
                       bytes);
    float *a = scratch, *tau = scratch + m * n, *signs = tau + n;
    for (size_t i = 0; i < m * n; i++)
        a[i] = (float)gemmnet_rng_normal(rng);
    int status = gn_orthonormal_columns(a, m, n, tau, signs);
    if (status == GEMMNET_OK && in >= out)
        memcpy(w, a, m * n * sizeof(float));
    else if (status == GEMMNET_OK)
        for (size_t i = 0; i < in; i++)
            for (size_t j = 0; j < out; j++)
                w[i * out + j] = a[j * in + i]; /* W = Qᵀ */
    gn_release(allocator, scratch);
    if (status != GEMMNET_OK)
        return gn_fail(err, status, "QR factorisation of a %zu×%zu matrix failed", m, n);
    return GEMMNET_OK;
}

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
        int status = orthogonal(w, in, out, &rng, &model->allocator, err);
        if (status != GEMMNET_OK)
            return status;
    }
    return GEMMNET_OK;
}
