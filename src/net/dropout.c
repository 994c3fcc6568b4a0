/* Inverted dropout of hidden activations: masks from a counter-based hash
 * of (seed, update, global row, layer, unit), so that a mask is the same
 * whatever block or row-block thread computes it, and a resumed run
 * (which restores the update count) draws the same masks. */
#include "net/net.h"

/* splitmix64's finaliser: a bijective 64-bit mix. */
static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

bool gn_dropout_keep(uint32_t seed, int64_t step, size_t row, int32_t layer, size_t unit, float p)
{
    uint64_t h = mix((uint64_t)seed + 0x9e3779b97f4a7c15ull);
    h = mix(h ^ (uint64_t)step);
    h = mix(h ^ (uint64_t)row);
    h = mix(h ^ ((uint64_t)(uint32_t)layer << 32 | (uint64_t)(uint32_t)unit));
    /* u = top 24 bits / 2²⁴, uniform in [0, 1): kept iff u ≥ p. */
    return (double)(h >> 40) / 16777216.0 >= (double)p;
}

void gn_dropout_forward(const gn_dropout *d, int32_t layer, float *a, size_t rows, size_t n)
{
    float s = 1.0f / (1.0f - d->p);
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < n; j++)
            a[i * n + j] = gn_dropout_keep(d->seed, d->step, d->row + i, layer, j, d->p)
                               ? a[i * n + j] * s
                               : 0.0f;
}

void gn_dropout_backward(
    const gn_dropout *d, int32_t layer, float *a, float *da, size_t rows, size_t n)
{
    float s = 1.0f / (1.0f - d->p);
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < n; j++) {
            /* dA_l ← dA_l ⊙ M/(1 − p); A_l = (M/(1 − p) ⊙ A_l)·(1 − p) on kept units */
            bool keep = gn_dropout_keep(d->seed, d->step, d->row + i, layer, j, d->p);
            da[i * n + j] = keep ? da[i * n + j] * s : 0.0f;
            a[i * n + j] = keep ? a[i * n + j] * (1.0f - d->p) : 0.0f;
        }
}
