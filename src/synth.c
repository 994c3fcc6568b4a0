/* Generated data sets. */
#include "internal.h"

#include <math.h>
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

GEMMNET_API int gemmnet_moons(size_t n, double noise, uint32_t seed, double *x, int32_t *y)
{
    if (n < 2 || n > INT32_MAX || !x || !y || !(noise >= 0.0) || !isfinite(noise))
        return GEMMNET_E_INVALID;
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
    return GEMMNET_OK;
}
