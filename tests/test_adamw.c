/* AdamW (decoupled weight decay): its step against hand-computed values,
 * with and without the coupled L2 term; the decay's effect on training;
 * checkpoints of AdamW (and clipped) runs resuming bit for bit; and
 * training-state version 1 files, written before weight decay and
 * clipping existed, still loading and resuming. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/io.h"
#include "train/train.h"
#include "support.h"

/* ---- one step by hand -------------------------------------------------- */

/* W[1×2] = (1, −2), b[2] = (0.5, 0): indices 0, 1 are weights. */
static gemmnet_model *tiny_model(void)
{
    gemmnet_architecture arch = {.inputs = 1, .classes = 2};
    gemmnet_model *m;
    assert_int_equal(gemmnet_model_create(&arch, NULL, &m, NULL), GEMMNET_OK);
    const float p[4] = {1.0f, -2.0f, 0.5f, 0.0f};
    memcpy(m->parameters, p, sizeof p);
    return m;
}

static void expect_parameters(const gemmnet_model *m, const double *expected, const char *what)
{
    for (int i = 0; i < 4; i++)
        if (fabs(m->parameters[i] - expected[i]) > 1e-6 * fmax(1.0, fabs(expected[i])))
            fail_msg("%s: parameter %d = %.9g, expected %.9g", what, i, m->parameters[i],
                     expected[i]);
}

static const float grad[4] = {0.5f, -1.0f, 2.0f, 0.25f};
static const double p0[4] = {1.0, -2.0, 0.5, 0.0};
static const double lr = 0.1, wd = 0.3, b1 = 0.9, b2 = 0.999, eps = 1e-8;

static gn_update adamw_update(double l2)
{
    return (gn_update){.rule = GEMMNET_OPT_ADAMW,
                       .learning_rate = (float)lr,
                       .l2 = (float)l2,
                       .weight_decay = (float)wd,
                       .adam = {.beta1 = (float)b1, .beta2 = (float)b2, .epsilon = (float)eps}};
}

/* Update number t from moments m0, v0 (the same for every parameter):
 * g = ∇ + λ·W (weights), m = β₁m0 + (1−β₁)g, v = β₂v0 + (1−β₂)g²,
 * W ← W − η·(m/(1−β₁ᵗ) / (sqrt(v/(1−β₂ᵗ)) + ε) + λ_wd·W); biases get
 * neither λ nor λ_wd. */
static void expected_step(double l2, double m0, double v0, int t, double *out)
{
    for (int i = 0; i < 4; i++) {
        bool weight = i < 2;
        double g = grad[i] + (weight ? l2 * p0[i] : 0.0);
        double m = b1 * m0 + (1 - b1) * g, v = b2 * v0 + (1 - b2) * g * g;
        double adam = (m / (1 - pow(b1, t))) / (sqrt(v / (1 - pow(b2, t))) + eps);
        out[i] = p0[i] - lr * (adam + (weight ? wd * p0[i] : 0.0));
    }
}

static void test_adamw_steps_match_hand_computation(void **state)
{
    (void)state;
    double expected[4];
    float moments[8];
    for (int coupled = 0; coupled < 2; coupled++) {
        double l2 = coupled ? 0.2 : 0.0;
        gn_update u = adamw_update(l2);
        /* First update from zero moments: m̂/sqrt(v̂) = g/|g|. */
        gemmnet_model *m = tiny_model();
        memset(moments, 0, sizeof moments);
        gn_adam_corrections(&u.adam, 1);
        gn_optimizer_step(m, grad, moments, &u);
        expected_step(l2, 0.0, 0.0, 1, expected);
        expect_parameters(m, expected, coupled ? "adamw + l2, step 1" : "adamw, step 1");
        /* The moments saw g, never the decay: m = (1 − β₁)·g. */
        double g0 = grad[0] + l2 * p0[0];
        assert_true(fabs(moments[0] - (1 - b1) * g0) < 1e-7);
        gemmnet_model_destroy(m);

        /* Update 3 from m = 0.1, v = 0.2. */
        m = tiny_model();
        for (int i = 0; i < 8; i++)
            moments[i] = i < 4 ? 0.1f : 0.2f;
        gn_adam_corrections(&u.adam, 3);
        gn_optimizer_step(m, grad, moments, &u);
        expected_step(l2, 0.1, 0.2, 3, expected);
        expect_parameters(m, expected, coupled ? "adamw + l2, step 3" : "adamw, step 3");
        gemmnet_model_destroy(m);
    }
}

/* Adam given the same update ignores weight_decay: the weights differ
 * from AdamW's by exactly η·λ_wd·W, the biases not at all. */
static void test_adam_ignores_the_decay_adamw_applies(void **state)
{
    (void)state;
    gn_update u = adamw_update(0.0);
    float moments[8] = {0};
    gemmnet_model *w = tiny_model(), *a = tiny_model();
    gn_adam_corrections(&u.adam, 1);
    gn_optimizer_step(w, grad, moments, &u);
    memset(moments, 0, sizeof moments);
    u.rule = GEMMNET_OPT_ADAM;
    gn_optimizer_step(a, grad, moments, &u);
    for (int i = 0; i < 4; i++) {
        double gap = (double)a->parameters[i] - (double)w->parameters[i];
        double want = i < 2 ? lr * wd * p0[i] : 0.0;
        if (fabs(gap - want) > 1e-6)
            fail_msg("parameter %d: adam − adamw = %.9g, expected %.9g", i, gap, want);
    }
    gemmnet_model_destroy(w);
    gemmnet_model_destroy(a);
}

/* ---- training ------------------------------------------------------------ */

static gemmnet_model *fresh_model(void)
{
    static const int32_t hidden[2] = {12, 6};
    gemmnet_architecture arch = {.inputs = 2, .classes = 2, .hidden_layers = 2, .hidden = hidden};
    gemmnet_model *m;
    assert_int_equal(gemmnet_model_create(&arch, NULL, &m, NULL), GEMMNET_OK);
    assert_int_equal(gemmnet_model_init(m, GEMMNET_INIT_XAVIER, 4, NULL), GEMMNET_OK);
    return m;
}

static double weight_square_sum(gemmnet_model *m)
{
    double sum = 0.0;
    for (int32_t l = 1; l <= m->layers; l++)
        for (size_t i = m->weight_offset[l - 1]; i < m->bias_offset[l - 1]; i++)
            sum += (double)m->parameters[i] * m->parameters[i];
    return sum;
}

static void adamw_options(float decay, gemmnet_train_options *o)
{
    gemmnet_train_options_init(o);
    o->optimizer = GEMMNET_OPT_ADAMW;
    o->weight_decay = decay;
    o->l2 = 0.0f;
    o->reduction = GEMMNET_REDUCTION_MEAN;
    o->learning_rate = 0.01f;
    o->batch_size = 32;
    o->shuffle_seed = 9;
    o->epochs = 60;
}

/* A strong decay keeps the weights smaller than no decay does, and the
 * reported loss stays plain cross-entropy (the decay is not in it). */
static void test_decay_shrinks_the_weights(void **state)
{
    (void)state;
    gemmnet_dataset data;
    assert_int_equal(
        gemmnet_dataset_generate(&data, GEMMNET_SYNTH_MOONS, 200, 2, 0.2, 1, NULL, NULL),
        GEMMNET_OK);
    double squares[2];
    for (int decayed = 0; decayed < 2; decayed++) {
        gemmnet_train_options o;
        adamw_options(decayed ? 2.0f : 0.0f, &o);
        gemmnet_model *m = fresh_model();
        assert_int_equal(gemmnet_train(m, &data, &o, NULL), GEMMNET_OK);
        squares[decayed] = weight_square_sum(m);
        gemmnet_workspace *ws;
        gemmnet_evaluation e;
        assert_int_equal(gemmnet_workspace_create(m, NULL, &ws, NULL), GEMMNET_OK);
        assert_int_equal(gemmnet_evaluate(m, ws, &data, o.l2, o.reduction, &e, NULL), GEMMNET_OK);
        assert_true(e.loss == e.cross_entropy);
        gemmnet_workspace_destroy(ws);
        gemmnet_model_destroy(m);
    }
    if (!(squares[1] < 0.5 * squares[0]))
        fail_msg("Σ‖W‖² with decay %.6g, without %.6g: the decay did not shrink the weights",
                 squares[1], squares[0]);
    gemmnet_dataset_free(&data);
}

static void test_bad_decay_and_clip_norm_are_refused(void **state)
{
    (void)state;
    gemmnet_dataset data;
    assert_int_equal(
        gemmnet_dataset_generate(&data, GEMMNET_SYNTH_MOONS, 20, 2, 0.2, 1, NULL, NULL),
        GEMMNET_OK);
    gemmnet_model *m = fresh_model();
    gemmnet_train_options o;
    gemmnet_trainer *t;
    gemmnet_error err = {0};
    adamw_options(-1.0f, &o);
    assert_int_equal(gemmnet_trainer_create(m, &data, &o, &t, &err), GEMMNET_E_INVALID);
    assert_non_null(strstr(err.message, "weight decay must be finite and ≥ 0"));
    adamw_options(0.1f, &o);
    o.clip_norm = NAN;
    assert_int_equal(gemmnet_trainer_create(m, &data, &o, &t, &err), GEMMNET_E_INVALID);
    assert_non_null(strstr(err.message, "clip norm must be finite and ≥ 0"));
    gemmnet_model_destroy(m);
    gemmnet_dataset_free(&data);
}

/* ---- checkpoints --------------------------------------------------------- */

typedef struct fixture {
    gemmnet_dataset data;
    char directory[FIXTURE_DIR_SIZE];
} fixture;

static int setup(void **state)
{
    static fixture f;
    if (fixture_dir_create(f.directory, "adamw") != 0 ||
        gemmnet_dataset_generate(&f.data, GEMMNET_SYNTH_MOONS, 150, 2, 0.3, 2, NULL, NULL) !=
            GEMMNET_OK)
        return -1;
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    fixture_dir_remove(f->directory);
    gemmnet_dataset_free(&f->data);
    return 0;
}

static void
train_whole(const fixture *f, const gemmnet_train_options *o, int32_t epochs, const char *path)
{
    gemmnet_model *m = fresh_model();
    gemmnet_trainer *t;
    assert_int_equal(gemmnet_trainer_create(m, &f->data, o, &t, NULL), GEMMNET_OK);
    assert_int_equal(gemmnet_trainer_run(t, epochs, NULL), GEMMNET_OK);
    assert_int_equal(gemmnet_trainer_save(t, path, NULL), GEMMNET_OK);
    gemmnet_trainer_destroy(t);
    gemmnet_model_destroy(m);
}

/* Loads the checkpoint at path (expecting its settings to be o's), runs
 * on to `epochs` in all, saves to out. */
static void resume(const fixture *f,
                   const char *path,
                   const gemmnet_train_options *o,
                   int32_t epochs,
                   const char *out)
{
    gemmnet_model *m;
    gemmnet_checkpoint *c;
    gemmnet_error err = {0};
    if (gemmnet_checkpoint_load(path, NULL, &m, &c, &err) != GEMMNET_OK)
        fail_msg("loading the checkpoint: %s", err.message);
    gemmnet_train_options saved;
    gemmnet_checkpoint_options(c, &saved);
    assert_int_equal(saved.optimizer, o->optimizer);
    assert_true(saved.weight_decay == o->weight_decay);
    assert_true(saved.clip_norm == o->clip_norm);
    gemmnet_trainer *t;
    assert_int_equal(gemmnet_trainer_create(m, &f->data, &saved, &t, NULL), GEMMNET_OK);
    if (gemmnet_trainer_restore(t, c, &err) != GEMMNET_OK)
        fail_msg("restoring: %s", err.message);
    assert_int_equal(gemmnet_trainer_run(t, epochs - gemmnet_trainer_epochs_done(t), NULL),
                     GEMMNET_OK);
    assert_int_equal(gemmnet_trainer_save(t, out, NULL), GEMMNET_OK);
    gemmnet_trainer_destroy(t);
    gemmnet_checkpoint_free(c);
    gemmnet_model_destroy(m);
}

static void test_adamw_and_clipped_runs_resume_bit_for_bit(void **state)
{
    fixture *f = *state;
    char whole[128], half[128];
    fixture_path(whole, sizeof whole, f->directory, "whole.gnet");
    fixture_path(half, sizeof half, f->directory, "half.gnet");
    for (int variant = 0; variant < 3; variant++) {
        gemmnet_train_options o;
        adamw_options(0.05f, &o);
        if (variant == 1)
            o.clip_norm = 0.05f; /* clips most updates */
        if (variant == 2) {
            o.optimizer = GEMMNET_OPT_MOMENTUM;
            o.learning_rate = 0.1f;
            o.clip_norm = 0.1f;
        }
        train_whole(f, &o, 20, whole);
        train_whole(f, &o, 7, half);
        resume(f, half, &o, 20, half);
        expect_same_run_file(whole, half,
                             variant == 0   ? "adamw"
                             : variant == 1 ? "adamw, clipped"
                                            : "momentum, clipped");
    }
}

/* Bytes before the settings that versions 2 and 3 added: the version
 * word and version 1's settings (14 four-byte and 2 eight-byte fields);
 * then the added weight decay, clip norm and dropout (12 bytes), the two
 * row counts (16) and the added data fingerprints (16). */
enum {
    VERSION_1_SETTINGS_END = 4 + 14 * 4 + 2 * 8,
    ADDED_SETTINGS = 12,
    ROW_COUNTS = 16,
    ADDED_FINGERPRINTS = 16,
    ADDED_BYTES = ADDED_SETTINGS + ADDED_FINGERPRINTS
};

/* Rewrites the checkpoint at path as version 1 wrote it: the same state
 * without the weight decay, clip norm, dropout and fingerprints, under version
 * number 1. */
static void downgrade_to_version_1(const char *path, const char *out)
{
    gemmnet_model *m;
    unsigned char *state;
    size_t size;
    assert_int_equal(gn_model_load_state(path, NULL, &m, &state, &size, NULL), GEMMNET_OK);
    assert_true(size > VERSION_1_SETTINGS_END + ADDED_BYTES);
    assert_int_equal(get_u32(state), 3);
    unsigned char *old = malloc(size - ADDED_BYTES), *p = old;
    assert_non_null(old);
    const unsigned char *counts = state + VERSION_1_SETTINGS_END + ADDED_SETTINGS;
    const unsigned char *rest = counts + ROW_COUNTS + ADDED_FINGERPRINTS;
    memcpy(old, state, VERSION_1_SETTINGS_END);
    memcpy(old + VERSION_1_SETTINGS_END, counts, ROW_COUNTS);
    memcpy(old + VERSION_1_SETTINGS_END + ROW_COUNTS, rest, (size_t)(state + size - rest));
    put_u32(&p, 1);
    assert_int_equal(gn_model_save_state(m, (gn_span){old, size - ADDED_BYTES}, out, NULL, NULL),
                     GEMMNET_OK);
    free(old);
    free(state);
    gemmnet_model_destroy(m);
}

static void test_version_1_training_state_still_resumes(void **state)
{
    fixture *f = *state;
    char whole[128], half[128], old[128];
    fixture_path(whole, sizeof whole, f->directory, "whole.gnet");
    fixture_path(half, sizeof half, f->directory, "half.gnet");
    fixture_path(old, sizeof old, f->directory, "version1.gnet");
    gemmnet_train_options o;
    adamw_options(0.01f, &o);
    o.optimizer = GEMMNET_OPT_ADAM; /* a version 1 run: no decay, no clipping */
    train_whole(f, &o, 20, whole);
    train_whole(f, &o, 7, half);
    downgrade_to_version_1(half, old);
    /* Version 1 reads as the defaults: decay 0.01 (Adam ignores it), no
     * clipping. */
    resume(f, old, &o, 20, half);
    expect_same_run_file(whole, half, "version 1 state");
    /* A version from the future is refused with its number. */
    gemmnet_model *m;
    unsigned char *bytes;
    size_t size;
    assert_int_equal(gn_model_load_state(whole, NULL, &m, &bytes, &size, NULL), GEMMNET_OK);
    unsigned char *p = bytes;
    put_u32(&p, 4);
    assert_int_equal(gn_model_save_state(m, (gn_span){bytes, size}, old, NULL, NULL), GEMMNET_OK);
    gemmnet_model_destroy(m);
    free(bytes);
    gemmnet_checkpoint *c;
    gemmnet_error err = {0};
    assert_int_equal(gemmnet_checkpoint_load(old, NULL, &m, &c, &err), GEMMNET_E_VERSION);
    assert_non_null(strstr(err.message, "training state version 4 not supported"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_adamw_steps_match_hand_computation),
        cmocka_unit_test(test_adam_ignores_the_decay_adamw_applies),
        cmocka_unit_test(test_decay_shrinks_the_weights),
        cmocka_unit_test(test_bad_decay_and_clip_norm_are_refused),
        cmocka_unit_test(test_adamw_and_clipped_runs_resume_bit_for_bit),
        cmocka_unit_test(test_version_1_training_state_still_resumes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
