/* Generated data sets. */
#include "data/data.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

/* numpy.pi, the double nearest π. */
#define PI 3.141592653589793238462643383279502884

/* numpy.linspace(0, π, count)[i]: i·step, the last point exactly π. */
static double half_circle_angle(size_t i, size_t count)
{
    if (count < 2)
        return 0.0;
    if (i == count - 1)
        return PI;
    return (double)i * (PI / (double)(count - 1));
}

/* Row r of make_moons before shuffling: the outer half circle (label 0)
 * for r < n_out, then the inner one shifted by (1, −0.5) (label 1). */
static void moon_point(size_t r, size_t n_out, size_t n_in, double *xy)
{
    if (r < n_out) {
        double t = half_circle_angle(r, n_out);
        xy[0] = cos(t);
        xy[1] = sin(t);
    } else {
        double t = half_circle_angle(r - n_out, n_in);
        xy[0] = 1.0 - cos(t);
        xy[1] = 1.0 - sin(t) - 0.5;
    }
}

/* make_moons(n, noise, random_state=seed) into x[n×2], y[n]; the
 * arguments are checked by gemmnet_generate. */
static void moons(size_t n, double noise, uint32_t seed, double *x, int32_t *y)
{
    size_t n_out = n / 2, n_in = n - n_out;
    gemmnet_rng rng;
    gemmnet_rng_seed(&rng, seed);
    /* y doubles as the permutation: sklearn shuffles arange(n) and takes
     * rows in that order. */
    for (size_t i = 0; i < n; i++)
        y[i] = (int32_t)i;
    gemmnet_rng_shuffle(&rng, y, n);
    for (size_t i = 0; i < n; i++) {
        size_t source = (size_t)y[i];
        moon_point(source, n_out, n_in, &x[2 * i]);
        y[i] = source >= n_out;
    }
    /* numpy adds normal(scale=noise) to every value in row-major order. */
    for (size_t i = 0; i < 2 * n; i++)
        x[i] += noise * gemmnet_rng_normal(&rng);
}

/* Rows of class c when n rows are dealt to K classes: the first n mod K
 * classes get one more. */
static size_t class_rows(size_t n, size_t k, size_t c)
{
    return n / k + (c < n % k ? 1 : 0);
}

/* K spiral arms: for arm c and its i-th of m points, r = i/(m−1) and
 * t = 4c + 4·i/(m−1) + noise·N(0,1); x = (r·sin t, r·cos t). */
static void spiral(size_t n, size_t k, double noise, gemmnet_rng *rng, double *x, int32_t *y)
{
    size_t row = 0;
    for (size_t c = 0; c < k; c++) {
        size_t m = class_rows(n, k, c);
        for (size_t i = 0; i < m; i++, row++) {
            double r = m > 1 ? (double)i / (double)(m - 1) : 0.0;
            double t = 4.0 * (double)c + 4.0 * r + noise * gemmnet_rng_normal(rng);
            x[2 * row] = r * sin(t);
            x[2 * row + 1] = r * cos(t);
            y[row] = (int32_t)c;
        }
    }
}

/* K blobs: centres uniform in [−10, 10]², then noise·N(0,1) around them. */
static void blobs(size_t n, size_t k, double noise, gemmnet_rng *rng, double *x, int32_t *y)
{
    double centre[2 * 64];
    size_t row = 0;
    for (size_t c = 0; c < 2 * k; c++)
        centre[c] = -10.0 + 20.0 * gemmnet_rng_uniform(rng);
    for (size_t c = 0; c < k; c++) {
        for (size_t i = 0; i < class_rows(n, k, c); i++, row++) {
            x[2 * row] = centre[2 * c] + noise * gemmnet_rng_normal(rng);
            x[2 * row + 1] = centre[2 * c + 1] + noise * gemmnet_rng_normal(rng);
            y[row] = (int32_t)c;
        }
    }
}

/* make_circles(factor 0.8): n/2 points on the unit circle (label 0), the
 * rest on radius 0.8 (label 1), angles linspace(0, 2π) without the end
 * point; shuffled like make_moons, then noise on every value. */
static void circles(size_t n, double noise, gemmnet_rng *rng, double *x, int32_t *y)
{
    size_t n_out = n / 2, n_in = n - n_out;
    for (size_t i = 0; i < n; i++)
        y[i] = (int32_t)i;
    gemmnet_rng_shuffle(rng, y, n);
    for (size_t i = 0; i < n; i++) {
        size_t source = (size_t)y[i];
        bool inner = source >= n_out;
        size_t j = inner ? source - n_out : source, count = inner ? n_in : n_out;
        double t = (double)j * (2.0 * PI / (double)count), radius = inner ? 0.8 : 1.0;
        x[2 * i] = radius * cos(t);
        x[2 * i + 1] = radius * sin(t);
        y[i] = inner;
    }
    for (size_t i = 0; i < 2 * n; i++)
        x[i] += noise * gemmnet_rng_normal(rng);
}

/* XOR: uniform points in [−1, 1]², label x1·x2 < 0, then noise. */
static void xor_quadrants(size_t n, double noise, gemmnet_rng *rng, double *x, int32_t *y)
{
    for (size_t i = 0; i < n; i++) {
        x[2 * i] = 2.0 * gemmnet_rng_uniform(rng) - 1.0;
        x[2 * i + 1] = 2.0 * gemmnet_rng_uniform(rng) - 1.0;
        y[i] = x[2 * i] * x[2 * i + 1] < 0.0;
    }
    for (size_t i = 0; i < 2 * n; i++)
        x[i] += noise * gemmnet_rng_normal(rng);
}

GEMMNET_API int gemmnet_generate(gemmnet_synthetic kind,
                                 size_t n,
                                 int32_t classes,
                                 double noise,
                                 uint32_t seed,
                                 double *x,
                                 int32_t *y)
{
    bool multi = kind == GEMMNET_SYNTH_SPIRAL || kind == GEMMNET_SYNTH_BLOBS;
    if (kind < GEMMNET_SYNTH_MOONS || kind > GEMMNET_SYNTH_XOR || !x || !y || n > INT32_MAX ||
        !(noise >= 0.0) || !isfinite(noise) || classes < 2 || (!multi && classes != 2) ||
        classes > 64 || n < (size_t)classes)
        return GEMMNET_E_INVALID;
    if (kind == GEMMNET_SYNTH_MOONS) {
        moons(n, noise, seed, x, y);
        return GEMMNET_OK;
    }
    gemmnet_rng rng;
    gemmnet_rng_seed(&rng, seed);
    switch (kind) {
    case GEMMNET_SYNTH_SPIRAL: spiral(n, (size_t)classes, noise, &rng, x, y); break;
    case GEMMNET_SYNTH_BLOBS: blobs(n, (size_t)classes, noise, &rng, x, y); break;
    case GEMMNET_SYNTH_CIRCLES: circles(n, noise, &rng, x, y); break;
    default: xor_quadrants(n, noise, &rng, x, y); break;
    }
    return GEMMNET_OK;
}
