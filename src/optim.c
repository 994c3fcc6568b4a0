/* Update rules over the contiguous parameter block. */
#include "internal.h"

#include <stdint.h>
#include <string.h>

/* p[n] ← p − ε·(g + λ·p) */
static void descend(float *p, const float *g, size_t n, float learning_rate, float l2)
{
    for (size_t i = 0; i < n; i++)
        p[i] -= learning_rate * (g[i] + l2 * p[i]);
}

void gn_update_gd(gemmnet_model *m, const float *grad, float learning_rate, float l2)
{
    for (int32_t l = 1; l <= m->layers; l++) {
        size_t w = m->weight_offset[l - 1], b = m->bias_offset[l - 1];
        size_t out = (size_t)m->width[l];
        /* Weights carry the L2 term; biases are not regularised. */
        descend(m->parameters + w, grad + w, b - w, learning_rate, l2);
        descend(m->parameters + b, grad + b, out, learning_rate, 0.0f);
    }
}

bool gn_all_finite(const float *v, size_t n)
{
    /* An exponent of all ones marks Inf and NaN; an integer OR reduction
     * vectorises where a float test would not. */
    uint32_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t bits;
        memcpy(&bits, &v[i], sizeof bits);
        bad |= (bits & 0x7f800000u) == 0x7f800000u;
    }
    return bad == 0;
}
