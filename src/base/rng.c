/* numpy's legacy RandomState generator, bit for bit: MT19937 seeded with
 * init_genrand, 53-bit doubles, the polar-method normal with its cached
 * second deviate, and masked-rejection integers for shuffling. */
#include "base/base.h"

#include <math.h>

enum { MT_N = 624, MT_M = 397 };

#define MT_UPPER 0x80000000u
#define MT_LOWER 0x7fffffffu
#define MT_MATRIX 0x9908b0dfu

GEMMNET_API void gemmnet_rng_seed(gemmnet_rng *rng, uint32_t seed)
{
    if (!rng)
        return;
    rng->state[0] = seed;
    for (uint32_t i = 1; i < MT_N; i++) {
        uint32_t prev = rng->state[i - 1];
        rng->state[i] = 1812433253u * (prev ^ (prev >> 30)) + i;
    }
    rng->position = MT_N;
    rng->has_gauss = 0;
    rng->gauss = 0.0;
}

/* Regenerates all 624 words (the standard MT19937 twist). */
static void twist(uint32_t *mt)
{
    for (int i = 0; i < MT_N; i++) {
        uint32_t y = (mt[i] & MT_UPPER) | (mt[(i + 1) % MT_N] & MT_LOWER);
        mt[i] = mt[(i + MT_M) % MT_N] ^ (y >> 1) ^ ((y & 1u) ? MT_MATRIX : 0u);
    }
}

GEMMNET_API uint32_t gemmnet_rng_next32(gemmnet_rng *rng)
{
    if (!rng)
        return 0;
    if (rng->position >= MT_N) {
        twist(rng->state);
        rng->position = 0;
    }
    uint32_t y = rng->state[rng->position++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

GEMMNET_API double gemmnet_rng_uniform(gemmnet_rng *rng)
{
    if (!rng)
        return 0.0;
    /* 27 + 26 bits: (a·2²⁶ + b) / 2⁵³. */
    uint32_t a = gemmnet_rng_next32(rng) >> 5;
    uint32_t b = gemmnet_rng_next32(rng) >> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
}

GEMMNET_API double gemmnet_rng_normal(gemmnet_rng *rng)
{
    if (!rng)
        return 0.0;
    if (rng->has_gauss) {
        rng->has_gauss = 0;
        return rng->gauss;
    }
    double x1, x2, r2;
    do {
        x1 = 2.0 * gemmnet_rng_uniform(rng) - 1.0;
        x2 = 2.0 * gemmnet_rng_uniform(rng) - 1.0;
        r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 == 0.0);
    double f = sqrt(-2.0 * log(r2) / r2);
    rng->gauss = f * x1;
    rng->has_gauss = 1;
    return f * x2;
}

GEMMNET_API uint64_t gemmnet_rng_interval(gemmnet_rng *rng, uint64_t max)
{
    if (max == 0 || !rng)
        return 0;
    uint64_t mask = max;
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    mask |= mask >> 32;
    uint64_t value;
    if (max <= 0xffffffffu) {
        do
            value = gemmnet_rng_next32(rng) & mask;
        while (value > max);
    } else {
        do {
            uint64_t high = gemmnet_rng_next32(rng);
            value = ((high << 32) | gemmnet_rng_next32(rng)) & mask;
        } while (value > max);
    }
    return value;
}

GEMMNET_API void gemmnet_rng_shuffle(gemmnet_rng *rng, int32_t *items, size_t n)
{
    if (!rng || !items)
        return;
    for (size_t i = n; i-- > 1;) {
        size_t j = (size_t)gemmnet_rng_interval(rng, i);
        int32_t t = items[i];
        items[i] = items[j];
        items[j] = t;
    }
}
