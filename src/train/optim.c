/* Update rules over the contiguous parameter block, and learning-rate
 * schedules. Each rule is one pass over a layer's weights (with the L2
 * term) and one over its biases (without). */
#include "train/train.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* One segment of the parameter block: p[n] with gradient g[n] and the
 * optimizer's state s1[n], s2[n] at the same offsets. */
typedef struct segment {
    float *p;
    const float *g;
    float *s1;
    float *s2;
    size_t n;
} segment;

/* p ← p − η·(g + λp) */
static void step_gd(segment s, float lr, float l2)
{
    for (size_t i = 0; i < s.n; i++)
        s.p[i] -= lr * (s.g[i] + l2 * s.p[i]);
}

/* v ← μv − η·(g + λp); p ← p + v */
static void step_momentum(segment s, float lr, float l2, float mu)
{
    for (size_t i = 0; i < s.n; i++) {
        s.s1[i] = mu * s.s1[i] - lr * (s.g[i] + l2 * s.p[i]);
        s.p[i] += s.s1[i];
    }
}

/* v' ← μv − η·(g + λp); p ← p − μv + (1 + μ)v' */
static void step_nesterov(segment s, float lr, float l2, float mu)
{
    for (size_t i = 0; i < s.n; i++) {
        float previous = s.s1[i];
        s.s1[i] = mu * previous - lr * (s.g[i] + l2 * s.p[i]);
        s.p[i] += -mu * previous + (1.0f + mu) * s.s1[i];
    }
}

/* Adam with bias corrections c1 = 1/(1 − β₁ᵗ), c2 = 1/(1 − β₂ᵗ). */
static void step_adam(segment s, float lr, float l2, const gn_adam *a)
{
    for (size_t i = 0; i < s.n; i++) {
        float g = s.g[i] + l2 * s.p[i];
        s.s1[i] = a->beta1 * s.s1[i] + (1.0f - a->beta1) * g;
        s.s2[i] = a->beta2 * s.s2[i] + (1.0f - a->beta2) * (g * g);
        s.p[i] -= lr * (s.s1[i] * a->c1) / (sqrtf(s.s2[i] * a->c2) + a->epsilon);
    }
}

/* AdamW: Adam's step on g = ∇ + λp plus the decoupled decay of the
 * weights as they were before the step, p ← p − η·(m̂/(√v̂ + ε) + λ_wd·p).
 * The decay never enters the moments, so a weight's pull towards zero is
 * η·λ_wd·p whatever the size of its gradient. */
static void step_adamw(segment s, float lr, float l2, float decay, const gn_adam *a)
{
    for (size_t i = 0; i < s.n; i++) {
        float g = s.g[i] + l2 * s.p[i];
        s.s1[i] = a->beta1 * s.s1[i] + (1.0f - a->beta1) * g;
        s.s2[i] = a->beta2 * s.s2[i] + (1.0f - a->beta2) * (g * g);
        float adam = (s.s1[i] * a->c1) / (sqrtf(s.s2[i] * a->c2) + a->epsilon);
        s.p[i] -= lr * (adam + decay * s.p[i]);
    }
}

static void step_segment(segment s, const gn_update *u, float l2, float decay)
{
    switch (u->rule) {
    case GEMMNET_OPT_MOMENTUM: step_momentum(s, u->learning_rate, l2, u->momentum); break;
    case GEMMNET_OPT_NESTEROV: step_nesterov(s, u->learning_rate, l2, u->momentum); break;
    case GEMMNET_OPT_ADAM: step_adam(s, u->learning_rate, l2, &u->adam); break;
    case GEMMNET_OPT_ADAMW: step_adamw(s, u->learning_rate, l2, decay, &u->adam); break;
    default: step_gd(s, u->learning_rate, l2); break;
    }
}

size_t gn_optimizer_state_floats(gemmnet_optimizer rule, size_t parameters)
{
    switch (rule) {
    case GEMMNET_OPT_MOMENTUM:
    case GEMMNET_OPT_NESTEROV: return parameters;
    case GEMMNET_OPT_ADAM:
    case GEMMNET_OPT_ADAMW: return 2 * parameters;
    default: return 0;
    }
}

void gn_optimizer_step(gemmnet_model *m, const float *grad, float *state, const gn_update *u)
{
    size_t count = m->parameter_count;
    for (int32_t l = 1; l <= m->layers; l++) {
        size_t w = m->weight_offset[l - 1], b = m->bias_offset[l - 1];
        size_t out = (size_t)m->width[l];
        segment weights = {m->parameters + w, grad + w, state ? state + w : NULL,
                           state ? state + count + w : NULL, b - w};
        segment biases = {m->parameters + b, grad + b, state ? state + b : NULL,
                          state ? state + count + b : NULL, out};
        /* Weights carry the L2 term and AdamW's decay; biases neither. */
        step_segment(weights, u, u->l2, u->weight_decay);
        step_segment(biases, u, 0.0f, 0.0f);
    }
}

void gn_update_gd(gemmnet_model *m, const float *grad, float learning_rate, float l2)
{
    gn_update u = {.rule = GEMMNET_OPT_GD, .learning_rate = learning_rate, .l2 = l2};
    gn_optimizer_step(m, grad, NULL, &u);
}

/* ‖g‖₂ over the whole block, in double: the same value on every process
 * since they all hold the same summed gradient. */
double gn_gradient_norm(const float *grad, size_t n)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += (double)grad[i] * (double)grad[i];
    return sqrt(sum);
}

bool gn_clip_gradient(float *grad, size_t n, float max_norm)
{
    double norm = gn_gradient_norm(grad, n);
    if (!(max_norm > 0.0f) || !(norm > (double)max_norm))
        return false;
    /* g ← g · C/‖g‖, so that ‖g‖ = C up to float rounding. */
    float scale = (float)((double)max_norm / norm);
    for (size_t i = 0; i < n; i++)
        grad[i] *= scale;
    return true;
}

void gn_adam_corrections(gn_adam *a, int64_t step)
{
    a->c1 = (float)(1.0 / (1.0 - pow(a->beta1, (double)step)));
    a->c2 = (float)(1.0 / (1.0 - pow(a->beta2, (double)step)));
}

GEMMNET_API float
gemmnet_schedule_rate(const gemmnet_schedule *s, float learning_rate, int32_t epoch)
{
    double e = epoch;
    switch (s ? s->kind : GEMMNET_SCHEDULE_CONSTANT) {
    case GEMMNET_SCHEDULE_STEP:
        return (float)(learning_rate *
                       pow(s->factor, (double)(epoch / (s->every > 0 ? s->every : 1))));
    case GEMMNET_SCHEDULE_EXP: return (float)(learning_rate * exp(-(double)s->k * e));
    case GEMMNET_SCHEDULE_INV: return (float)(learning_rate / (1.0 + (double)s->k * e));
    default: return learning_rate;
    }
}
