/*
 * The test oracle: the same feed-forward network as the library, written
 * independently with plain loops in double precision (no BLAS, no gemmnet
 * headers), so the tests can hold the float32 sgemm engine against it.
 *
 * The network, with L = hidden layers + 1 weight layers and n examples:
 *   A_0 = X[n×D]
 *   Z_l = A_{l−1}·W_l + b_l      W_l[width[l−1]×width[l]] row-major, b_l[width[l]]
 *   A_l = f_l(Z_l)               for l in [1, L−1]; f_l is tanh, relu,
 *                                leaky relu (slope 0.01) or sigmoid
 *   P   = softmax(Z_L)           row by row, shifted by the row maximum; P[n×K]
 *   CE  = Σ_n −log P[n, y_n]     evaluated as logsumexp(z) − z_y, so it stays
 *                                finite for logits of any size
 * Parameters live in one double array laid out exactly as the engine's:
 *   W_1 b_1 W_2 b_2 … W_L b_L
 * so tests can copy parameters across in either direction.
 *
 * The two conventions, with λ the L2 strength on the weights (never biases):
 *   REF_REDUCTION_SUM   objective ΣCE + λ/2·Σ‖W‖²     reported loss (ΣCE + λ/2·Σ‖W‖²)/N
 *   REF_REDUCTION_MEAN  objective ΣCE/N + λ/2·Σ‖W‖²   reported loss the same
 * ref_gradient returns ∇objective: Σ∇CE + λW (sum) or mean ∇CE + λW (mean),
 * which is what one gradient-descent step of either convention subtracts.
 *
 * Functions that compute need scratch memory and allocate it with malloc;
 * they report an allocation failure (or a label outside [0, K)) as NAN or −1.
 */
#ifndef GEMMNET_TEST_REFERENCE_H
#define GEMMNET_TEST_REFERENCE_H

#include <stddef.h>
#include <stdint.h>

/* Largest number of weight layers the oracle handles. */
#define REF_MAX_LAYERS 32

/* Gradient conventions; the values match the library's enum on purpose. */
enum { REF_REDUCTION_SUM = 0, REF_REDUCTION_MEAN = 1 };

/* Hidden activations; the values match the library's enum on purpose. */
enum { REF_ACT_TANH = 0, REF_ACT_RELU = 1, REF_ACT_LEAKY_RELU = 2, REF_ACT_SIGMOID = 3 };

/* Shape of a network. */
typedef struct ref_net {
    /* Number of weight layers, L = hidden layers + 1, in [1, REF_MAX_LAYERS]. */
    size_t layers;
    /* width[0] = D, width[1..L−1] the hidden widths, width[L] = K. */
    size_t width[REF_MAX_LAYERS + 1];
    /* Activation of hidden layer l in activation[l − 1] (REF_ACT_*);
     * ref_net_init sets them all to tanh. */
    int activation[REF_MAX_LAYERS];
} ref_net;

/* Fills net for D inputs, hidden_layers hidden widths hidden[] and K
 * classes. Returns 0, or −1 if a size is zero or there are too many layers.
 * (K = 1 is accepted: its softmax is identically 1 and its CE 0.) */
int ref_net_init(ref_net *net /* OUT */,
                 size_t inputs,
                 size_t hidden_layers,
                 const size_t *hidden,
                 size_t classes);

/* Writes e.g. "D=2 hidden=[3,4] K=2" into text[size] (truncated to fit). */
void ref_net_describe(const ref_net *net, char *text, size_t size);

/* Total number of parameters, Σ_l (width[l−1] + 1)·width[l]. */
size_t ref_parameter_count(const ref_net *net);
/* Offset of W_l[width[l−1]×width[l]] in the parameter array, l in [1, L]. */
size_t ref_weight_offset(const ref_net *net, size_t l);
/* Offset of b_l[width[l]] in the parameter array, l in [1, L]. */
size_t ref_bias_offset(const ref_net *net, size_t l);
/* Σ_l ‖W_l‖², biases excluded. */
double ref_weight_square_sum(const ref_net *net, const double *params);

/* Class probabilities probs[n×K] of the rows x[n×D]. Returns 0, −1 if
 * scratch memory could not be allocated. */
int ref_forward(const ref_net *net,
                const double *params,
                const double *x,
                size_t n,
                double *probs /* OUT [n×K] */);

/* Σ_n −log P[n, y_n] over the rows x[n×D], labels y[n]. NAN on failure. */
double ref_cross_entropy_sum(
    const ref_net *net, const double *params, const double *x, const int32_t *y, size_t n);

/* The reported loss: (ΣCE + λ/2·Σ‖W‖²)/N for sum, ΣCE/N + λ/2·Σ‖W‖² for
 * mean. NAN on failure. */
double ref_loss(const ref_net *net,
                const double *params,
                const double *x,
                const int32_t *y,
                size_t n,
                double l2,
                int reduction);

/* The objective whose gradient ref_gradient returns: ΣCE + λ/2·Σ‖W‖² for
 * sum (N times the reported loss), the reported loss for mean. */
double ref_objective(const ref_net *net,
                     const double *params,
                     const double *x,
                     const int32_t *y,
                     size_t n,
                     double l2,
                     int reduction);

/* grad[ref_parameter_count] = ∇objective at params, in the parameter
 * layout: Σ_n ∇CE_n + λW (sum) or (1/N)·Σ_n ∇CE_n + λW (mean); biases get
 * no λ term. Returns the reported loss at params, NAN on failure. */
double ref_gradient(const ref_net *net,
                    const double *params,
                    const double *x,
                    const int32_t *y,
                    size_t n,
                    double l2,
                    int reduction,
                    double *grad /* OUT */);

/* One full-batch gradient-descent step: params ← params − lr·grad with grad
 * from ref_gradient. Returns the reported loss before the step, NAN on
 * failure (params unchanged then). */
double ref_train_epoch(const ref_net *net,
                       double *params,
                       const double *x,
                       const int32_t *y,
                       size_t n,
                       double learning_rate,
                       double l2,
                       int reduction);

/* Fraction of rows whose most probable class (lowest index on ties) is the
 * label; the count goes to *correct when it is not NULL. NAN on failure. */
double ref_accuracy(const ref_net *net,
                    const double *params,
                    const double *x,
                    const int32_t *y,
                    size_t n,
                    size_t *correct /* OUT, optional */);

/* ref_gradient with row weights w[n] ≥ 0 (Σ w > 0): the objective is
 * Σ w_n·CE_n + λ/2·Σ‖W‖² (sum) or Σ w_n·CE_n / Σ w + λ/2·Σ‖W‖² (mean);
 * returns the reported loss, with Σ w in place of N. NAN on failure. */
double ref_weighted_gradient(const ref_net *net,
                             const double *params,
                             const double *x,
                             const int32_t *y,
                             const double *w,
                             size_t n,
                             double l2,
                             int reduction,
                             double *grad /* OUT */);

/* ---- a small seeded generator for test shapes and data ---------------- */

/* xorshift64* state; any seed (including 0) is usable. */
typedef struct ref_rng {
    /* Current state word, never zero. */
    uint64_t state;
} ref_rng;

/* Seeds the generator (splitmix64 of seed, so nearby seeds differ). */
void ref_rng_seed(ref_rng *rng, uint64_t seed);
/* Next 64-bit word. */
uint64_t ref_rng_next(ref_rng *rng);
/* Uniform double in [0, 1) with 53 random bits. */
double ref_rng_uniform(ref_rng *rng);
/* Standard normal deviate (Box–Muller). */
double ref_rng_normal(ref_rng *rng);
/* Uniform integer in [low, high] (inclusive; low ≤ high). */
size_t ref_rng_range(ref_rng *rng, size_t low, size_t high);

/* Random parameters: W_l = normal·scale/sqrt(width[l−1]), b_l = 0.1·normal. */
void ref_random_parameters(const ref_net *net,
                           ref_rng *rng,
                           double scale,
                           double *params /* OUT */);

#endif /* GEMMNET_TEST_REFERENCE_H */
