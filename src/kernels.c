/*
 * Elementwise math of the network: bias + activation, softmax (+ cross-
 * entropy), and the backward passes that turn them into dZ and bias
 * gradients. Everything between two sgemm calls happens here, in one pass
 * over the block where the shapes allow.
 *
 * exp and tanh are our own, written as branch-free float code that GCC
 * vectorises, and compiled for AVX-512, AVX2 and baseline x86-64 with the
 * best picked at load time (target_clones). glibc's scalar expf/tanhf cost
 * ~9 ns a call and would dominate mid-sized epochs. Only IEEE basic
 * operations are used (ISO C mode does not contract to FMA), so every clone
 * gives bit-identical results.
 */
#include "internal.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
    !defined(__SANITIZE_ADDRESS__)
#define GN_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define GN_CLONES
#endif

/* Below this, e^y is not a normal float: the result is flushed to 0. */
#define EXP_LOWEST -87.33654f
/* Above this, e^y overflows float. */
#define EXP_HIGHEST 88.72283f

static inline float from_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static inline uint32_t to_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

/*
 * e^y = 2^n·e^r with n = round(y/ln2), r = y − n·ln2 ∈ [−ln2/2, ln2/2].
 * e^r − 1 = r·q(r) with q the degree-6 Taylor polynomial of (e^r − 1)/r
 * (truncation below 8e-9 relative on that interval). Returns e^y and sets
 * *em1 = e^y − 1, computed without cancellation when n = 0, which is what
 * keeps tanh accurate near zero. NaN propagates; y < EXP_LOWEST gives 0.
 */
static inline float exp_and_expm1(float y, float *em1)
{
    const float magic = 12582912.0f; /* 1.5·2²³: adding it rounds to an integer */
    float yc = y >= EXP_LOWEST ? y : EXP_LOWEST; /* also maps NaN into range */
    yc = yc <= EXP_HIGHEST ? yc : EXP_HIGHEST;
    float shifted = yc * 1.44269504f + magic;
    float n = shifted - magic;
    int32_t ni = (int32_t)(to_bits(shifted) - to_bits(magic)); /* n ∈ [−126, 128] */
    float r = yc - n * 0.693145752f; /* ln2 split so n·ln2_hi is exact */
    r = r - n * 1.42860677e-6f;
    float q = 1.0f / 5040;
    q = q * r + 1.0f / 720;
    q = q * r + 1.0f / 120;
    q = q * r + 1.0f / 24;
    q = q * r + 1.0f / 6;
    q = q * r + 0.5f;
    q = q * r + 1.0f;
    float rq = r * q; /* e^r − 1 */
    /* 2^n as two factors so both stay normal for n ∈ [−126, 128]. */
    int32_t half = ni >> 1;
    float scale_a = from_bits((uint32_t)(half + 127) << 23);
    float scale_b = from_bits((uint32_t)(ni - half + 127) << 23);
    float e = ((1.0f + rq) * scale_a) * scale_b;
    e = y >= EXP_LOWEST ? e : 0.0f;
    e = y <= EXP_HIGHEST ? e : INFINITY;
    float m = ni == 0 ? rq : e - 1.0f;
    *em1 = y >= EXP_LOWEST ? m : -1.0f;
    *em1 = y == y ? *em1 : y;
    return y == y ? e : y;
}

/* tanh(x) = −expm1(−2|x|) / (2 + expm1(−2|x|)), sign restored. */
static inline float tanh_approx(float x)
{
    float a = x < 0.0f ? -x : x;
    float em1;
    (void)exp_and_expm1(-2.0f * a, &em1);
    float t = -em1 / (2.0f + em1);
    return x < 0.0f ? -t : t;
}

GN_CLONES void gn_exp(float *y, const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float unused;
        y[i] = exp_and_expm1(x[i], &unused);
    }
}

GN_CLONES void gn_tanh(float *y, const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = tanh_approx(x[i]);
}

/* Z[rows×n] ← Z + b row by row, then tanh over the block as one flat
 * array: with narrow layers (the tutorial's H = 3) a per-row loop is too
 * short to vectorise, while the flat loop always is. The block is sized to
 * stay in cache, so the second pass is cheap. */
GN_CLONES void gn_bias_tanh(float *z, const float *b, size_t rows, size_t n)
{
    for (size_t r = 0; r < rows; r++) {
        float *row = z + r * n;
        for (size_t j = 0; j < n; j++)
            row[j] += b[j];
    }
    gn_tanh(z, z, rows * n);
}

/* Subtracts each row's maximum from Z + b; returns Σ (max-shifted logit of
 * the label) over rows when y is given. */
static double shift_rows(float *z, const float *b, const int32_t *y, size_t rows, size_t k)
{
    double label_logits = 0.0;
    for (size_t r = 0; r < rows; r++) {
        float *row = z + r * k;
        float max = row[0] + b[0];
        for (size_t j = 0; j < k; j++) {
            row[j] += b[j];
            max = row[j] > max ? row[j] : max;
        }
        for (size_t j = 0; j < k; j++)
            row[j] -= max;
        if (y)
            label_logits += row[y[r]];
    }
    return label_logits;
}

double gn_bias_softmax(float *z, const float *b, const int32_t *y, size_t rows, size_t k)
{
    double label_logits = shift_rows(z, b, y, rows, k);
    gn_exp(z, z, rows * k);
    double log_sums = 0.0;
    for (size_t r = 0; r < rows; r++) {
        float *row = z + r * k;
        float sum = 0.0f;
        for (size_t j = 0; j < k; j++)
            sum += row[j];
        float inverse = 1.0f / sum;
        for (size_t j = 0; j < k; j++)
            row[j] *= inverse;
        if (y)
            log_sums += log(sum);
    }
    /* Σ CE = Σ log Σ e^(z − max) − Σ (z_y − max) */
    return log_sums - label_logits;
}

void gn_softmax_grad(float *p,
                     const int32_t *y,
                     size_t rows,
                     size_t k,
                     float scale,
                     bool accumulate,
                     float *db)
{
    if (!accumulate)
        memset(db, 0, k * sizeof *db);
    for (size_t r = 0; r < rows; r++) {
        float *row = p + r * k;
        row[y[r]] -= 1.0f;
        for (size_t j = 0; j < k; j++) {
            row[j] *= scale;
            db[j] += row[j];
        }
    }
}

/* dZ[rows×n] = dA ⊙ (1 − A²), written over A; db[n] (+)= column sums. */
GN_CLONES void gn_tanh_grad(float *a,
                            const float *da,
                            size_t rows,
                            size_t n,
                            bool accumulate,
                            float *db)
{
    if (!accumulate)
        memset(db, 0, n * sizeof *db);
    for (size_t i = 0; i < rows * n; i++)
        a[i] = da[i] * (1.0f - a[i] * a[i]);
    for (size_t r = 0; r < rows; r++) {
        const float *row = a + r * n;
        for (size_t j = 0; j < n; j++)
            db[j] += row[j];
    }
}
