/* Gradient clipping: the scaling on hand-computed numbers; a clipped
 * gradient-descent step against the oracle's gradient (which fails when
 * clipping is off); and clipping after the collective sum, so that shards
 * trained together clip like one process. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problem.h"
#include "thread_group.h"
#include "train/train.h"

static void test_clipping_scales_to_the_norm_by_hand(void **state)
{
    (void)state;
    /* ‖(3, 4, 0, −12)‖ = 13: C = 6.5 halves every component. */
    float g[4] = {3.0f, 4.0f, 0.0f, -12.0f};
    assert_true(fabs(gn_gradient_norm(g, 4) - 13.0) < 1e-12);
    assert_true(gn_clip_gradient(g, 4, 6.5f));
    const float half[4] = {1.5f, 2.0f, 0.0f, -6.0f};
    for (int i = 0; i < 4; i++)
        if (fabs(g[i] - half[i]) > 1e-6)
            fail_msg("component %d = %.9g after clipping to 6.5, expected %.9g", i, g[i], half[i]);
    /* At or under the norm, or C = 0: unchanged. */
    const float before[4] = {1.5f, 2.0f, 0.0f, -6.0f};
    assert_false(gn_clip_gradient(g, 4, 6.5f));
    assert_false(gn_clip_gradient(g, 4, 100.0f));
    assert_false(gn_clip_gradient(g, 4, 0.0f));
    assert_memory_equal(g, before, sizeof before);
}

/* p − η·(s·∇CE + λW) with s = min(1, C/‖∇CE‖) from the oracle's gradient;
 * returns ‖∇CE‖. */
static double expected_step(problem *p, double lr, double l2, double clip, double *out)
{
    size_t count = ref_parameter_count(&p->net), n = p->data.rows;
    double *g = malloc(count * sizeof *g);
    assert_non_null(g);
    ref_gradient(&p->net, p->params, p->xd, p->data.y, n, 0.0, GEMMNET_REDUCTION_SUM, g);
    double norm = 0.0;
    for (size_t i = 0; i < count; i++)
        norm += g[i] * g[i];
    norm = sqrt(norm);
    double s = clip > 0.0 && norm > clip ? clip / norm : 1.0;
    memcpy(out, p->params, count * sizeof *out);
    for (size_t l = 1; l <= p->net.layers; l++) {
        size_t w = ref_weight_offset(&p->net, l), b = ref_bias_offset(&p->net, l);
        for (size_t i = w; i < b; i++)
            out[i] -= lr * l2 * p->params[i];
    }
    for (size_t i = 0; i < count; i++)
        out[i] -= lr * s * g[i];
    free(g);
    return norm;
}

static double worst_difference(const gemmnet_model *m, const double *expected)
{
    double worst = 0.0;
    for (size_t i = 0; i < m->parameter_count; i++)
        worst = fmax(worst, fabs(m->parameters[i] - expected[i]));
    return worst;
}

/* One full-batch step (sum reduction, ‖∇‖ in the tens) clipped to 0.5,
 * against the oracle: clipped, it matches the clipped expectation; with
 * clipping off it matches the unclipped one, which is far away. */
static void test_a_clipped_step_matches_the_oracle(void **state)
{
    (void)state;
    static const int32_t hidden[2] = {5, 4};
    const double lr = 0.05, l2 = 0.1, clip = 0.5;
    double *clipped = NULL, *unclipped = NULL;
    for (int on = 1; on >= 0; on--) {
        problem p;
        problem_create(&p, 40, 3, hidden, 2, 3, GEMMNET_ACT_TANH, 17);
        size_t count = ref_parameter_count(&p.net);
        if (!clipped) {
            clipped = malloc(count * sizeof *clipped);
            unclipped = malloc(count * sizeof *unclipped);
            assert_non_null(clipped);
            assert_non_null(unclipped);
            double norm = expected_step(&p, lr, l2, clip, clipped);
            expected_step(&p, lr, l2, 0.0, unclipped);
            assert_true(norm > 10.0 * clip); /* the step is clipped hard */
        }
        gemmnet_train_options o;
        gemmnet_train_options_init(&o);
        o.epochs = 1;
        o.learning_rate = (float)lr;
        o.l2 = (float)l2;
        o.clip_norm = on ? (float)clip : 0.0f;
        assert_int_equal(gemmnet_train(p.model, &p.data, &o, NULL), GEMMNET_OK);
        double near = worst_difference(p.model, on ? clipped : unclipped);
        double far = worst_difference(p.model, on ? unclipped : clipped);
        if (near > 1e-5)
            fail_msg("clipping %s: parameters differ from the oracle's step by %.3g",
                     on ? "on" : "off", near);
        if (far < 1e-3)
            fail_msg("clipping %s: the clipped and unclipped steps are too close (%.3g)",
                     on ? "on" : "off", far);
        problem_destroy(&p);
    }
    free(clipped);
    free(unclipped);
}

/* ---- with a collective ---------------------------------------------------- */

enum { MEMBERS = 2 };

static gemmnet_model *tutorial_model(void)
{
    int32_t hidden = 6;
    gemmnet_architecture arch = {.inputs = 2, .classes = 2, .hidden_layers = 1, .hidden = &hidden};
    gemmnet_model *m;
    assert_int_equal(gemmnet_model_create(&arch, NULL, &m, NULL), GEMMNET_OK);
    gemmnet_model_init(m, GEMMNET_INIT_TUTORIAL, 0, NULL);
    return m;
}

/* Clipping each shard's part before the sum would scale the parts by
 * their own norms, not the whole gradient's: both members must match one
 * process that clips the whole gradient. */
static void test_shards_clip_the_summed_gradient(void **state)
{
    (void)state;
    gemmnet_dataset data;
    assert_int_equal(
        gemmnet_dataset_generate(&data, GEMMNET_SYNTH_MOONS, 200, 2, 0.2, 0, NULL, NULL),
        GEMMNET_OK);
    gemmnet_train_options o;
    gemmnet_train_options_init(&o);
    o.epochs = 20;
    o.clip_norm = 1.0f;
    gemmnet_model *single = tutorial_model(), *unclipped = tutorial_model();
    assert_int_equal(gemmnet_train(single, &data, &o, NULL), GEMMNET_OK);
    gemmnet_train_options off = o;
    off.clip_norm = 0.0f;
    assert_int_equal(gemmnet_train(unclipped, &data, &off, NULL), GEMMNET_OK);

    gemmnet_model *models[MEMBERS] = {NULL};
    gemmnet_dataset shards[MEMBERS] = {{0}};
    size_t first[MEMBERS] = {0};
    int status[MEMBERS] = {0};
    for (int r = 0; r < MEMBERS; r++) {
        first[r] = (size_t)r * 100;
        models[r] = tutorial_model();
        assert_int_equal(gemmnet_dataset_slice(&data, first[r], 100, &shards[r], NULL), GEMMNET_OK);
    }
    thread_group_train(MEMBERS, models, shards, first, data.rows, &o, status);
    double worst = 0.0, gap = 0.0;
    for (size_t i = 0; i < single->parameter_count; i++) {
        worst = fmax(worst, fabs(models[0]->parameters[i] - single->parameters[i]));
        gap = fmax(gap, fabs(unclipped->parameters[i] - single->parameters[i]));
    }
    for (int r = 0; r < MEMBERS; r++)
        assert_int_equal(status[r], GEMMNET_OK);
    assert_memory_equal(models[0]->parameters, models[1]->parameters,
                        single->parameter_count * sizeof(float));
    if (worst > 1e-5)
        fail_msg("2 members differ from one clipping process by %.3g", worst);
    if (gap < 1e-2)
        fail_msg("clipping to 1 barely changed the run (%.3g): the test would not notice", gap);
    for (int r = 0; r < MEMBERS; r++) {
        gemmnet_model_destroy(models[r]);
        gemmnet_dataset_free(&shards[r]);
    }
    gemmnet_model_destroy(single);
    gemmnet_model_destroy(unclipped);
    gemmnet_dataset_free(&data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clipping_scales_to_the_norm_by_hand),
        cmocka_unit_test(test_a_clipped_step_matches_the_oracle),
        cmocka_unit_test(test_shards_clip_the_summed_gradient),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
