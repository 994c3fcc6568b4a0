/* Update rules and learning-rate schedules: one step of each optimizer
 * against hand-computed values, the schedules' documented rates, and the
 * rate training actually uses each epoch. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problem.h"
#include "train/train.h"

static gemmnet_model *tiny_model(void)
{
    gemmnet_architecture arch = {.inputs = 1, .classes = 2};
    gemmnet_model *m;
    assert_int_equal(gemmnet_model_create(&arch, NULL, &m, NULL), GEMMNET_OK);
    m->parameters[0] = 1.0f; /* W */
    m->parameters[1] = -2.0f; /* W */
    m->parameters[2] = 0.5f; /* b */
    m->parameters[3] = 0.0f; /* b */
    return m;
}

static void expect_parameters(const gemmnet_model *m, const double *expected, const char *rule)
{
    for (int i = 0; i < 4; i++)
        if (fabs(m->parameters[i] - expected[i]) > 1e-6 * fmax(1.0, fabs(expected[i])))
            fail_msg("%s: parameter %d = %.9g, expected %.9g", rule, i, m->parameters[i],
                     expected[i]);
}

static void test_each_optimizer_step_matches_hand_computation(void **state)
{
    (void)state;
    const float grad[4] = {0.5f, -1.0f, 2.0f, 0.25f};
    const double lr = 0.1, l2 = 0.2, mu = 0.9, b1 = 0.9, b2 = 0.999, eps = 1e-8;
    const double p0[4] = {1.0, -2.0, 0.5, 0.0};
    /* g = ∇ + λW for the weights (indices 0, 1), plain ∇ for the biases. */
    double g[4];
    for (int i = 0; i < 4; i++)
        g[i] = grad[i] + (i < 2 ? l2 * p0[i] : 0.0);
    gn_update u = {.learning_rate = (float)lr,
                   .l2 = (float)l2,
                   .momentum = (float)mu,
                   .adam = {.beta1 = (float)b1, .beta2 = (float)b2, .epsilon = (float)eps}};
    double expected[4];
    float state_block[8];

    gemmnet_model *m = tiny_model();
    u.rule = GEMMNET_OPT_GD;
    gn_optimizer_step(m, grad, NULL, &u);
    for (int i = 0; i < 4; i++)
        expected[i] = p0[i] - lr * g[i];
    expect_parameters(m, expected, "gd");
    gemmnet_model_destroy(m);

    /* Momentum from v = 0.5 everywhere: v' = μv − ηg, p' = p + v'. */
    m = tiny_model();
    u.rule = GEMMNET_OPT_MOMENTUM;
    for (int i = 0; i < 8; i++)
        state_block[i] = 0.5f;
    gn_optimizer_step(m, grad, state_block, &u);
    for (int i = 0; i < 4; i++)
        expected[i] = p0[i] + (mu * 0.5 - lr * g[i]);
    expect_parameters(m, expected, "momentum");
    assert_true(fabs(state_block[0] - (mu * 0.5 - lr * g[0])) < 1e-7);
    gemmnet_model_destroy(m);

    /* Nesterov from v = 0.5: p' = p − μv + (1 + μ)(μv − ηg). */
    m = tiny_model();
    u.rule = GEMMNET_OPT_NESTEROV;
    for (int i = 0; i < 8; i++)
        state_block[i] = 0.5f;
    gn_optimizer_step(m, grad, state_block, &u);
    for (int i = 0; i < 4; i++)
        expected[i] = p0[i] - mu * 0.5 + (1 + mu) * (mu * 0.5 - lr * g[i]);
    expect_parameters(m, expected, "nesterov");
    gemmnet_model_destroy(m);

    /* Adam, first step from zero moments: m = (1−β₁)g, v = (1−β₂)g²,
     * p' = p − η·(m/(1−β₁))/(sqrt(v/(1−β₂)) + ε) = p − η·g/(|g| + ε). */
    m = tiny_model();
    u.rule = GEMMNET_OPT_ADAM;
    memset(state_block, 0, sizeof state_block);
    gn_adam_corrections(&u.adam, 1);
    gn_optimizer_step(m, grad, state_block, &u);
    for (int i = 0; i < 4; i++)
        expected[i] = p0[i] - lr * g[i] / (fabs(g[i]) + eps);
    expect_parameters(m, expected, "adam");
    /* (1 − β₂) in float32 is 0.001 to 1.3e-5 relative */
    assert_true(fabs(state_block[4] / ((1 - b2) * g[0] * g[0]) - 1.0) < 1e-4);
    gemmnet_model_destroy(m);
}

static void test_schedules_give_the_documented_rates(void **state)
{
    (void)state;
    gemmnet_schedule constant = {.kind = GEMMNET_SCHEDULE_CONSTANT};
    gemmnet_schedule step = {.kind = GEMMNET_SCHEDULE_STEP, .every = 10, .factor = 0.5f};
    gemmnet_schedule ex = {.kind = GEMMNET_SCHEDULE_EXP, .k = 0.1f};
    gemmnet_schedule inv = {.kind = GEMMNET_SCHEDULE_INV, .k = 0.5f};
    for (int e = 0; e < 40; e++) {
        double want_step = 0.2 * pow(0.5, e / 10), want_exp = 0.2 * exp(-0.1 * e);
        double want_inv = 0.2 / (1 + 0.5 * e);
        assert_true(gemmnet_schedule_rate(&constant, 0.2f, e) == 0.2f);
        if (fabs(gemmnet_schedule_rate(&step, 0.2f, e) - want_step) > 1e-7 ||
            fabs(gemmnet_schedule_rate(&ex, 0.2f, e) - want_exp) > 1e-7 ||
            fabs(gemmnet_schedule_rate(&inv, 0.2f, e) - want_inv) > 1e-7)
            fail_msg("epoch %d: step %.9g exp %.9g inv %.9g", e,
                     gemmnet_schedule_rate(&step, 0.2f, e), gemmnet_schedule_rate(&ex, 0.2f, e),
                     gemmnet_schedule_rate(&inv, 0.2f, e));
    }
}

typedef struct rates {
    int count;
    float rate[8];
} rates;

static int record_rate(void *context, const gemmnet_progress *p)
{
    rates *r = context;
    if (r->count < 8)
        r->rate[r->count++] = p->learning_rate;
    return 0;
}

static void test_training_uses_the_scheduled_rate_each_epoch(void **state)
{
    (void)state;
    static const int32_t hidden[1] = {4};
    problem p;
    problem_create(&p, 30, 2, hidden, 1, 2, GEMMNET_ACT_TANH, 5);
    gemmnet_train_options o;
    gemmnet_train_options_init(&o);
    o.epochs = 6;
    o.report_every = 1;
    o.schedule = (gemmnet_schedule){.kind = GEMMNET_SCHEDULE_STEP, .every = 2, .factor = 0.1f};
    rates r = {0};
    o.progress = record_rate;
    o.progress_context = &r;
    assert_int_equal(gemmnet_train(p.model, &p.data, &o, NULL), GEMMNET_OK);
    assert_int_equal(r.count, 6);
    for (int e = 0; e < 6; e++)
        if (fabs(r.rate[e] - 0.01 * pow(0.1, e / 2)) > 1e-9)
            fail_msg("epoch %d trained with rate %.9g", e, r.rate[e]);
    problem_destroy(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_optimizer_step_matches_hand_computation),
        cmocka_unit_test(test_schedules_give_the_documented_rates),
        cmocka_unit_test(test_training_uses_the_scheduled_rate_each_epoch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
