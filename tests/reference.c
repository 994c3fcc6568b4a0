/*
 * The test oracle (see reference.h): the network one example at a time with
 * plain loops in double precision. Deliberately shares no code, header or
 * trick with src/: no BLAS, no blocking, no float32, no approximations.
 */
#include "reference.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ref_net_init(
    ref_net *net, size_t inputs, size_t hidden_layers, const size_t *hidden, size_t classes)
{
    if (hidden_layers + 1 > REF_MAX_LAYERS || inputs == 0 || classes == 0) {
        return -1;
    }
    memset(net, 0, sizeof *net);
    net->layers = hidden_layers + 1;
    net->width[0] = inputs;
    for (size_t l = 1; l <= hidden_layers; l++) {
        if (hidden[l - 1] == 0) {
            return -1;
        }
        net->width[l] = hidden[l - 1];
    }
    net->width[net->layers] = classes;
    return 0;
}

/* Appends item to the NUL-terminated text[size], truncating. */
static void append_text(char *text, size_t size, const char *item)
{
    size_t used = strlen(text);
    if (used + 1 < size) {
        snprintf(text + used, size - used, "%s", item);
    }
}

void ref_net_describe(const ref_net *net, char *text, size_t size)
{
    char item[48];
    if (size == 0) {
        return;
    }
    snprintf(text, size, "D=%zu hidden=[", net->width[0]);
    for (size_t l = 1; l < net->layers; l++) {
        snprintf(item, sizeof item, l > 1 ? ",%zu" : "%zu", net->width[l]);
        append_text(text, size, item);
    }
    snprintf(item, sizeof item, "] K=%zu", net->width[net->layers]);
    append_text(text, size, item);
}

size_t ref_weight_offset(const ref_net *net, size_t l)
{
    size_t offset = 0;
    for (size_t i = 1; i < l; i++) {
        offset += (net->width[i - 1] + 1) * net->width[i];
    }
    return offset;
}

size_t ref_bias_offset(const ref_net *net, size_t l)
{
    return ref_weight_offset(net, l) + net->width[l - 1] * net->width[l];
}

size_t ref_parameter_count(const ref_net *net)
{
    return ref_weight_offset(net, net->layers + 1);
}

double ref_weight_square_sum(const ref_net *net, const double *params)
{
    double sum = 0.0;
    for (size_t l = 1; l <= net->layers; l++) {
        const double *W = params + ref_weight_offset(net, l);
        size_t count = net->width[l - 1] * net->width[l];
        for (size_t i = 0; i < count; i++) {
            sum += W[i] * W[i];
        }
    }
    return sum;
}

/* ---- per-example scratch ---------------------------------------------- */

/* Buffers for one example: a[l][width[l]] for l in [1, L] (a[L] holds the
 * probabilities), and two delta vectors of the largest width. */
typedef struct ref_scratch {
    /* a[l] points into block for l in [1, L]; a[0] is unused (the input
     * row plays A_0). */
    double *a[REF_MAX_LAYERS + 1];
    /* dZ of the layer being back-propagated, [max width]. */
    double *dz;
    /* dZ of the layer below it, [max width]. */
    double *dz_below;
    /* The single allocation. */
    double *block;
} ref_scratch;

static int scratch_create(const ref_net *net, ref_scratch *s)
{
    size_t total = 0;
    size_t widest = 0;
    for (size_t l = 1; l <= net->layers; l++) {
        total += net->width[l];
    }
    for (size_t l = 0; l <= net->layers; l++) {
        widest = net->width[l] > widest ? net->width[l] : widest;
    }
    s->block = malloc((total + 2 * widest) * sizeof(double));
    if (s->block == NULL) {
        return -1;
    }
    double *next = s->block;
    s->a[0] = NULL;
    for (size_t l = 1; l <= net->layers; l++) {
        s->a[l] = next;
        next += net->width[l];
    }
    s->dz = next;
    s->dz_below = next + widest;
    return 0;
}

static void scratch_destroy(ref_scratch *s)
{
    free(s->block);
    s->block = NULL;
}

static int labels_valid(const ref_net *net, const int32_t *y, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (y[i] < 0 || (size_t)y[i] >= net->width[net->layers]) {
            return 0;
        }
    }
    return 1;
}

/* f(z) of a hidden layer. */
static double activate(int activation, double z)
{
    switch (activation) {
    case REF_ACT_RELU: return z > 0.0 ? z : 0.0;
    case REF_ACT_LEAKY_RELU: return z > 0.0 ? z : 0.01 * z;
    case REF_ACT_SIGMOID: return 1.0 / (1.0 + exp(-z));
    default: return tanh(z);
    }
}

/* f'(z) written in terms of a = f(z). */
static double derivative(int activation, double a)
{
    switch (activation) {
    case REF_ACT_RELU: return a > 0.0 ? 1.0 : 0.0;
    case REF_ACT_LEAKY_RELU: return a > 0.0 ? 1.0 : 0.01;
    case REF_ACT_SIGMOID: return a * (1.0 - a);
    default: return 1.0 - a * a;
    }
}

/*
 * Forward pass of one example x[D]: s->a[l][width[l]] for l in [1, L],
 * s->a[L] = softmax probabilities. Returns −log P[label] computed as
 * log Σ_k exp(z_k − max) − (z_label − max), or 0 when label < 0.
 */
static double forward_example(
    const ref_net *net, const double *params, const double *x, int32_t label, ref_scratch *s)
{
    double cross_entropy = 0.0;
    for (size_t l = 1; l <= net->layers; l++) {
        size_t in = net->width[l - 1];
        size_t out = net->width[l];
        const double *W = params + ref_weight_offset(net, l); /* [in×out] */
        const double *b = params + ref_bias_offset(net, l); /* [out] */
        const double *a_in = l == 1 ? x : s->a[l - 1]; /* [in] */
        double *z = s->a[l]; /* [out] */
        /* z[j] = b[j] + Σ_i a_in[i]·W[i][j] */
        for (size_t j = 0; j < out; j++) {
            double sum = b[j];
            for (size_t i = 0; i < in; i++) {
                sum += a_in[i] * W[i * out + j];
            }
            z[j] = sum;
        }
        if (l < net->layers) {
            for (size_t j = 0; j < out; j++) {
                z[j] = activate(net->activation[l - 1], z[j]);
            }
            continue;
        }
        /* Softmax shifted by the maximum: every exponent is ≤ 0. */
        double zmax = z[0];
        for (size_t k = 1; k < out; k++) {
            zmax = z[k] > zmax ? z[k] : zmax;
        }
        double zlabel = label >= 0 ? z[label] : 0.0;
        double denominator = 0.0;
        for (size_t k = 0; k < out; k++) {
            z[k] = exp(z[k] - zmax);
            denominator += z[k];
        }
        for (size_t k = 0; k < out; k++) {
            z[k] /= denominator;
        }
        if (label >= 0) {
            cross_entropy = log(denominator) - (zlabel - zmax);
        }
    }
    return cross_entropy;
}

/*
 * Backward pass of one example x[D] after forward_example with label y:
 * grad (parameter layout) += ∇CE of this example.
 *   dZ_L[K] = P − onehot(y)
 *   dW_l[in×out] += a_{l−1}[in] ⊗ dZ_l[out],  db_l[out] += dZ_l
 *   dZ_{l−1}[in] = (W_l[in×out]·dZ_l[out]) ⊙ f'(a_{l−1})
 */
static void backward_example(const ref_net *net,
                             const double *params,
                             const double *x,
                             int32_t y,
                             ref_scratch *s,
                             double *grad)
{
    size_t L = net->layers;
    size_t K = net->width[L];
    for (size_t k = 0; k < K; k++) {
        s->dz[k] = s->a[L][k] - ((size_t)y == k ? 1.0 : 0.0);
    }
    for (size_t l = L; l >= 1; l--) {
        size_t in = net->width[l - 1];
        size_t out = net->width[l];
        const double *W = params + ref_weight_offset(net, l);
        double *dW = grad + ref_weight_offset(net, l);
        double *db = grad + ref_bias_offset(net, l);
        const double *a_in = l == 1 ? x : s->a[l - 1];
        for (size_t i = 0; i < in; i++) {
            for (size_t j = 0; j < out; j++) {
                dW[i * out + j] += a_in[i] * s->dz[j];
            }
        }
        for (size_t j = 0; j < out; j++) {
            db[j] += s->dz[j];
        }
        if (l == 1) {
            break;
        }
        for (size_t i = 0; i < in; i++) {
            double da = 0.0;
            for (size_t j = 0; j < out; j++) {
                da += W[i * out + j] * s->dz[j];
            }
            s->dz_below[i] = da * derivative(net->activation[l - 2], a_in[i]);
        }
        double *swap = s->dz;
        s->dz = s->dz_below;
        s->dz_below = swap;
    }
}

/* ---- public functions -------------------------------------------------- */

int ref_forward(const ref_net *net, const double *params, const double *x, size_t n, double *probs)
{
    ref_scratch s;
    if (scratch_create(net, &s) != 0) {
        return -1;
    }
    size_t D = net->width[0];
    size_t K = net->width[net->layers];
    for (size_t r = 0; r < n; r++) {
        forward_example(net, params, x + r * D, -1, &s);
        memcpy(probs + r * K, s.a[net->layers], K * sizeof(double));
    }
    scratch_destroy(&s);
    return 0;
}

double ref_cross_entropy_sum(
    const ref_net *net, const double *params, const double *x, const int32_t *y, size_t n)
{
    ref_scratch s;
    if (!labels_valid(net, y, n) || scratch_create(net, &s) != 0) {
        return NAN;
    }
    size_t D = net->width[0];
    double sum = 0.0;
    for (size_t r = 0; r < n; r++) {
        sum += forward_example(net, params, x + r * D, y[r], &s);
    }
    scratch_destroy(&s);
    return sum;
}

/* The reported loss from ΣCE and Σ‖W‖². */
static double
reported_loss(double ce_sum, double weight_squares, size_t n, double l2, int reduction)
{
    if (reduction == REF_REDUCTION_SUM) {
        return (ce_sum + 0.5 * l2 * weight_squares) / (double)n;
    }
    return ce_sum / (double)n + 0.5 * l2 * weight_squares;
}

double ref_loss(const ref_net *net,
                const double *params,
                const double *x,
                const int32_t *y,
                size_t n,
                double l2,
                int reduction)
{
    double ce_sum = ref_cross_entropy_sum(net, params, x, y, n);
    return reported_loss(ce_sum, ref_weight_square_sum(net, params), n, l2, reduction);
}

double ref_objective(const ref_net *net,
                     const double *params,
                     const double *x,
                     const int32_t *y,
                     size_t n,
                     double l2,
                     int reduction)
{
    double ce_sum = ref_cross_entropy_sum(net, params, x, y, n);
    double penalty = 0.5 * l2 * ref_weight_square_sum(net, params);
    if (reduction == REF_REDUCTION_SUM) {
        return ce_sum + penalty;
    }
    return ce_sum / (double)n + penalty;
}

double ref_gradient(const ref_net *net,
                    const double *params,
                    const double *x,
                    const int32_t *y,
                    size_t n,
                    double l2,
                    int reduction,
                    double *grad)
{
    ref_scratch s;
    if (!labels_valid(net, y, n) || scratch_create(net, &s) != 0) {
        return NAN;
    }
    size_t count = ref_parameter_count(net);
    size_t D = net->width[0];
    memset(grad, 0, count * sizeof(double));
    double ce_sum = 0.0;
    for (size_t r = 0; r < n; r++) {
        ce_sum += forward_example(net, params, x + r * D, y[r], &s);
        backward_example(net, params, x + r * D, y[r], &s, grad);
    }
    scratch_destroy(&s);
    /* Average the summed CE gradient for mean, then add λW to the weights. */
    if (reduction != REF_REDUCTION_SUM) {
        for (size_t i = 0; i < count; i++) {
            grad[i] /= (double)n;
        }
    }
    for (size_t l = 1; l <= net->layers; l++) {
        size_t offset = ref_weight_offset(net, l);
        size_t weights = net->width[l - 1] * net->width[l];
        for (size_t i = offset; i < offset + weights; i++) {
            grad[i] += l2 * params[i];
        }
    }
    return reported_loss(ce_sum, ref_weight_square_sum(net, params), n, l2, reduction);
}

double ref_train_epoch(const ref_net *net,
                       double *params,
                       const double *x,
                       const int32_t *y,
                       size_t n,
                       double learning_rate,
                       double l2,
                       int reduction)
{
    size_t count = ref_parameter_count(net);
    double *grad = malloc(count * sizeof(double));
    if (grad == NULL) {
        return NAN;
    }
    double loss = ref_gradient(net, params, x, y, n, l2, reduction, grad);
    if (!isnan(loss)) {
        for (size_t i = 0; i < count; i++) {
            params[i] -= learning_rate * grad[i];
        }
    }
    free(grad);
    return loss;
}

double ref_accuracy(const ref_net *net,
                    const double *params,
                    const double *x,
                    const int32_t *y,
                    size_t n,
                    size_t *correct)
{
    ref_scratch s;
    if (scratch_create(net, &s) != 0) {
        return NAN;
    }
    size_t D = net->width[0];
    size_t K = net->width[net->layers];
    size_t hits = 0;
    for (size_t r = 0; r < n; r++) {
        forward_example(net, params, x + r * D, -1, &s);
        const double *p = s.a[net->layers];
        size_t best = 0;
        for (size_t k = 1; k < K; k++) {
            best = p[k] > p[best] ? k : best;
        }
        hits += (y[r] >= 0 && (size_t)y[r] == best) ? 1 : 0;
    }
    scratch_destroy(&s);
    if (correct != NULL) {
        *correct = hits;
    }
    return n > 0 ? (double)hits / (double)n : 0.0;
}

/* ---- generator ---------------------------------------------------------- */

void ref_rng_seed(ref_rng *rng, uint64_t seed)
{
    /* splitmix64 scrambles the seed; xorshift needs a non-zero state. */
    uint64_t z = seed + 0x9E3779B97F4A7C15u;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    z ^= z >> 31;
    rng->state = z != 0 ? z : 0x2545F4914F6CDD1Du;
}

uint64_t ref_rng_next(ref_rng *rng)
{
    uint64_t x = rng->state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng->state = x;
    return x * 0x2545F4914F6CDD1Du;
}

double ref_rng_uniform(ref_rng *rng)
{
    return (double)(ref_rng_next(rng) >> 11) * 0x1.0p-53;
}

double ref_rng_normal(ref_rng *rng)
{
    /* Box–Muller with u1 in (0, 1] so the logarithm is finite. */
    double u1 = 1.0 - ref_rng_uniform(rng);
    double u2 = ref_rng_uniform(rng);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586476925 * u2);
}

size_t ref_rng_range(ref_rng *rng, size_t low, size_t high)
{
    uint64_t span = (uint64_t)(high - low) + 1;
    return span == 0 ? low + (size_t)ref_rng_next(rng) : low + (size_t)(ref_rng_next(rng) % span);
}

void ref_random_parameters(const ref_net *net, ref_rng *rng, double scale, double *params)
{
    for (size_t l = 1; l <= net->layers; l++) {
        size_t in = net->width[l - 1];
        size_t out = net->width[l];
        double *W = params + ref_weight_offset(net, l);
        double *b = params + ref_bias_offset(net, l);
        double factor = scale / sqrt((double)in);
        for (size_t i = 0; i < in * out; i++) {
            W[i] = factor * ref_rng_normal(rng);
        }
        for (size_t j = 0; j < out; j++) {
            b[j] = 0.1 * ref_rng_normal(rng);
        }
    }
}

/* ---- row weights --------------------------------------------------------- */

double ref_weighted_gradient(const ref_net *net,
                             const double *params,
                             const double *x,
                             const int32_t *y,
                             const double *w,
                             size_t n,
                             double l2,
                             int reduction,
                             double *grad)
{
    ref_scratch s;
    size_t count = ref_parameter_count(net);
    double *row = malloc(count * sizeof(double));
    if (!labels_valid(net, y, n) || row == NULL || scratch_create(net, &s) != 0) {
        free(row);
        return NAN;
    }
    size_t D = net->width[0];
    memset(grad, 0, count * sizeof(double));
    double ce_sum = 0.0, w_sum = 0.0;
    for (size_t r = 0; r < n; r++) {
        /* One row's ∇CE_r, added w_r times. */
        memset(row, 0, count * sizeof(double));
        ce_sum += w[r] * forward_example(net, params, x + r * D, y[r], &s);
        backward_example(net, params, x + r * D, y[r], &s, row);
        for (size_t i = 0; i < count; i++) {
            grad[i] += w[r] * row[i];
        }
        w_sum += w[r];
    }
    scratch_destroy(&s);
    free(row);
    if (reduction != REF_REDUCTION_SUM) {
        for (size_t i = 0; i < count; i++) {
            grad[i] /= w_sum;
        }
    }
    for (size_t l = 1; l <= net->layers; l++) {
        size_t offset = ref_weight_offset(net, l);
        size_t weights = net->width[l - 1] * net->width[l];
        for (size_t i = offset; i < offset + weights; i++) {
            grad[i] += l2 * params[i];
        }
    }
    double squares = ref_weight_square_sum(net, params);
    if (reduction == REF_REDUCTION_SUM) {
        return (ce_sum + 0.5 * l2 * squares) / w_sum;
    }
    return ce_sum / w_sum + 0.5 * l2 * squares;
}
