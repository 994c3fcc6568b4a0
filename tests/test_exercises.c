/* The tutorial's exercises: activations, more classes and layers,
 * minibatches, schedules, optimizers, initialisations, validation with
 * early stopping, and the linear baseline. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "reference.h"

static const char *const activation_names[] = {"tanh", "relu", "leaky_relu", "sigmoid"};

/* A model of the given shape with the reference's random parameters, and
 * random data x[n×D] in [−2, 2), labels in [0, K). */
typedef struct problem {
    ref_net net;
    gemmnet_model *model;
    gemmnet_dataset data;
    double *params;
    double *xd;
} problem;

static void problem_create(problem *p,
                           size_t n,
                           size_t d,
                           const int32_t *hidden,
                           int layers,
                           int32_t k,
                           gemmnet_activation f,
                           uint64_t seed)
{
    size_t hidden_sizes[GEMMNET_MAX_LAYERS];
    gemmnet_activation acts[GEMMNET_MAX_LAYERS];
    for (int i = 0; i < layers; i++) {
        hidden_sizes[i] = (size_t)hidden[i];
        acts[i] = f;
    }
    assert_int_equal(ref_net_init(&p->net, d, (size_t)layers, hidden_sizes, (size_t)k), 0);
    for (int i = 0; i < layers; i++)
        p->net.activation[i] = (int)f;
    gemmnet_architecture arch = {.inputs = (int32_t)d,
                                 .classes = k,
                                 .hidden_layers = layers,
                                 .hidden = hidden,
                                 .activations = acts};
    assert_int_equal(gemmnet_model_create(&arch, NULL, &p->model, NULL), GEMMNET_OK);
    assert_int_equal(gemmnet_dataset_alloc(&p->data, n, d, NULL, NULL), GEMMNET_OK);
    p->data.classes = k;
    size_t count = ref_parameter_count(&p->net);
    assert_int_equal(count, gemmnet_model_parameter_count(p->model));
    p->params = malloc(count * sizeof(double));
    p->xd = malloc(n * d * sizeof(double));
    assert_non_null(p->params);
    assert_non_null(p->xd);
    ref_rng rng;
    ref_rng_seed(&rng, seed);
    ref_random_parameters(&p->net, &rng, 1.0, p->params);
    for (size_t i = 0; i < count; i++)
        p->model->parameters[i] = (float)p->params[i];
    for (size_t i = 0; i < n * d; i++) {
        p->data.x[i] = (float)(4.0 * ref_rng_uniform(&rng) - 2.0);
        p->xd[i] = p->data.x[i];
    }
    for (size_t i = 0; i < n; i++)
        p->data.y[i] = (int32_t)ref_rng_range(&rng, 0, (size_t)k - 1);
}

static void problem_destroy(problem *p)
{
    gemmnet_model_destroy(p->model);
    gemmnet_dataset_free(&p->data);
    free(p->params);
    free(p->xd);
}

/* Engine gradient (with λW added, as an update sees it) for all rows. */
static void engine_gradient(problem *p, float l2, gemmnet_reduction reduction, float *grad)
{
    gemmnet_workspace *ws;
    gemmnet_model *m = p->model;
    size_t n = p->data.rows;
    assert_int_equal(gn_workspace_create(m, 17, true, NULL, &ws, NULL), GEMMNET_OK);
    float scale = reduction == GEMMNET_REDUCTION_SUM ? 1.0f : 1.0f / (float)n;
    for (size_t r = 0; r < n; r += 17) {
        size_t rows = n - r < 17 ? n - r : 17;
        gn_forward(m, ws, p->data.x + r * p->data.features, NULL, rows);
        gn_backward(m, ws, p->data.x + r * p->data.features, p->data.y + r, rows, scale, r > 0,
                    grad);
    }
    for (int32_t l = 1; l <= m->layers; l++)
        for (size_t i = m->weight_offset[l - 1]; i < m->bias_offset[l - 1]; i++)
            grad[i] += l2 * m->parameters[i];
    gemmnet_workspace_destroy(ws);
}

static void test_every_activation_gradient_matches_the_reference(void **state)
{
    (void)state;
    static const int32_t hidden[2] = {9, 6};
    for (int f = 0; f < GEMMNET_ACTIVATION_COUNT; f++) {
        for (int reduction = 0; reduction < 2; reduction++) {
            problem p;
            problem_create(&p, 53, 4, hidden, 2, 3, (gemmnet_activation)f, 100u + (uint64_t)f);
            size_t count = ref_parameter_count(&p.net);
            double *expected = malloc(count * sizeof(double));
            float *got = malloc(count * sizeof(float));
            assert_non_null(expected);
            assert_non_null(got);
            ref_gradient(&p.net, p.params, p.xd, p.data.y, 53, 0.05, reduction, expected);
            engine_gradient(&p, 0.05f, (gemmnet_reduction)reduction, got);
            double scale = 0.0;
            for (size_t i = 0; i < count; i++)
                scale = fmax(scale, fabs(expected[i]));
            assert_true(scale > 1e-3); /* a vanishing gradient would prove nothing */
            for (size_t i = 0; i < count; i++)
                if (fabs(got[i] - expected[i]) > 1e-4 * scale)
                    fail_msg("%s, reduction %d: gradient[%zu] = %.9g, reference %.9g",
                             activation_names[f], reduction, i, got[i], expected[i]);
            free(expected);
            free(got);
            problem_destroy(&p);
        }
    }
}

static void test_reference_gradient_matches_central_differences_for_every_activation(void **state)
{
    (void)state;
    static const int32_t hidden[1] = {5};
    for (int f = 0; f < GEMMNET_ACTIVATION_COUNT; f++) {
        problem p;
        problem_create(&p, 20, 3, hidden, 1, 3, (gemmnet_activation)f, 7u + (uint64_t)f);
        size_t count = ref_parameter_count(&p.net);
        double *g = malloc(count * sizeof(double));
        assert_non_null(g);
        ref_gradient(&p.net, p.params, p.xd, p.data.y, 20, 0.1, REF_REDUCTION_SUM, g);
        double worst = 0.0, norm = 0.0;
        for (size_t i = 0; i < count; i++) {
            double saved = p.params[i], h = 1e-6;
            p.params[i] = saved + h;
            double up = ref_objective(&p.net, p.params, p.xd, p.data.y, 20, 0.1, REF_REDUCTION_SUM);
            p.params[i] = saved - h;
            double down =
                ref_objective(&p.net, p.params, p.xd, p.data.y, 20, 0.1, REF_REDUCTION_SUM);
            p.params[i] = saved;
            worst = fmax(worst, fabs((up - down) / (2 * h) - g[i]));
            norm = fmax(norm, fabs(g[i]));
        }
        /* relu's kink can sit within h of a pre-activation: allow 1e-5 of
         * the gradient's scale there, 1e-6 for the smooth functions. */
        double tolerance = (f == GEMMNET_ACT_TANH || f == GEMMNET_ACT_SIGMOID ? 1e-6 : 1e-5) * norm;
        if (norm < 1e-3 || worst > tolerance)
            fail_msg("%s: central differences differ by %.3g (gradient scale %.3g)",
                     activation_names[f], worst, norm);
        free(g);
        problem_destroy(&p);
    }
}

/* One parameter per segment is enough to check a rule: a model with D = 1,
 * K = 2 and no hidden layer has W[1×2] and b[2]. */
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

static void test_minibatch_of_all_rows_equals_full_batch(void **state)
{
    (void)state;
    static const int32_t hidden[1] = {6};
    problem a, b;
    problem_create(&a, 40, 3, hidden, 1, 3, GEMMNET_ACT_RELU, 9);
    problem_create(&b, 40, 3, hidden, 1, 3, GEMMNET_ACT_RELU, 9);
    gemmnet_train_options o;
    gemmnet_train_options_init(&o);
    o.epochs = 25;
    o.optimizer = GEMMNET_OPT_MOMENTUM;
    assert_int_equal(gemmnet_train(a.model, &a.data, &o, NULL), GEMMNET_OK);
    o.batch_size = 40;
    assert_int_equal(gemmnet_train(b.model, &b.data, &o, NULL), GEMMNET_OK);
    assert_memory_equal(a.model->parameters, b.model->parameters,
                        a.model->parameter_count * sizeof(float));
    problem_destroy(&a);
    problem_destroy(&b);
}

/* One epoch of B = 16 over N = 40 rows (batches of 16, 16, 8) equals three
 * reference steps over the same shuffled rows. */
static void test_minibatches_follow_the_seeded_shuffle_and_the_last_partial_batch(void **state)
{
    (void)state;
    static const int32_t hidden[1] = {5};
    problem p;
    problem_create(&p, 40, 2, hidden, 1, 2, GEMMNET_ACT_TANH, 11);
    gemmnet_train_options o;
    gemmnet_train_options_init(&o);
    o.epochs = 1;
    o.batch_size = 16;
    o.shuffle_seed = 42;
    o.reduction = GEMMNET_REDUCTION_MEAN;
    o.learning_rate = 0.5f;
    assert_int_equal(gemmnet_train(p.model, &p.data, &o, NULL), GEMMNET_OK);

    int32_t order[40];
    for (int i = 0; i < 40; i++)
        order[i] = i;
    gemmnet_rng rng;
    gemmnet_rng_seed(&rng, 42);
    gemmnet_rng_shuffle(&rng, order, 40);
    double xb[16 * 2];
    int32_t yb[16];
    for (int first = 0; first < 40; first += 16) {
        int rows = 40 - first < 16 ? 40 - first : 16;
        for (int i = 0; i < rows; i++) {
            xb[2 * i] = p.xd[2 * order[first + i]];
            xb[2 * i + 1] = p.xd[2 * order[first + i] + 1];
            yb[i] = p.data.y[order[first + i]];
        }
        ref_train_epoch(&p.net, p.params, xb, yb, (size_t)rows, 0.5, 0.01, REF_REDUCTION_MEAN);
    }
    for (size_t i = 0; i < ref_parameter_count(&p.net); i++)
        if (fabs(p.model->parameters[i] - p.params[i]) > 1e-5)
            fail_msg("parameter %zu: engine %.9g, reference %.9g", i, p.model->parameters[i],
                     p.params[i]);
    problem_destroy(&p);
}

static double train_accuracy(gemmnet_model *m, const gemmnet_dataset *data)
{
    gemmnet_workspace *ws;
    gemmnet_evaluation e;
    assert_int_equal(gemmnet_workspace_create(m, NULL, &ws, NULL), GEMMNET_OK);
    assert_int_equal(gemmnet_evaluate(m, ws, data, 0.0f, GEMMNET_REDUCTION_MEAN, &e, NULL),
                     GEMMNET_OK);
    gemmnet_workspace_destroy(ws);
    return e.accuracy;
}

static void test_three_class_spiral_reaches_95_percent(void **state)
{
    (void)state;
    gemmnet_dataset data;
    assert_int_equal(
        gemmnet_dataset_generate(&data, GEMMNET_SYNTH_SPIRAL, 300, 3, 0.2, 0, NULL, NULL),
        GEMMNET_OK);
    static const int32_t hidden[1] = {64};
    gemmnet_activation relu = GEMMNET_ACT_RELU;
    gemmnet_architecture arch = {
        .inputs = 2, .classes = 3, .hidden_layers = 1, .hidden = hidden, .activations = &relu};
    gemmnet_model *m;
    assert_int_equal(gemmnet_model_create(&arch, NULL, &m, NULL), GEMMNET_OK);
    assert_int_equal(gemmnet_model_init(m, GEMMNET_INIT_HE, 1, NULL), GEMMNET_OK);
    gemmnet_train_options o;
    gemmnet_train_options_init(&o);
    o.epochs = 1500;
    o.optimizer = GEMMNET_OPT_ADAM;
    o.reduction = GEMMNET_REDUCTION_MEAN;
    o.learning_rate = 0.02f;
    o.l2 = 1e-4f;
    o.batch_size = 64;
    assert_int_equal(gemmnet_train(m, &data, &o, NULL), GEMMNET_OK);
    double accuracy = train_accuracy(m, &data);
    if (accuracy < 0.95)
        fail_msg("3-class spiral training accuracy %.4f < 0.95", accuracy);
    gemmnet_model_destroy(m);
    gemmnet_dataset_free(&data);
}

static void test_three_hidden_layers_learn_the_moons(void **state)
{
    (void)state;
    gemmnet_dataset data;
    assert_int_equal(
        gemmnet_dataset_generate(&data, GEMMNET_SYNTH_MOONS, 200, 2, 0.2, 0, NULL, NULL),
        GEMMNET_OK);
    static const int32_t hidden[3] = {16, 16, 8};
    gemmnet_architecture arch = {.inputs = 2, .classes = 2, .hidden_layers = 3, .hidden = hidden};
    gemmnet_model *m;
    assert_int_equal(gemmnet_model_create(&arch, NULL, &m, NULL), GEMMNET_OK);
    assert_int_equal(gemmnet_model_init(m, GEMMNET_INIT_XAVIER, 0, NULL), GEMMNET_OK);
    gemmnet_train_options o;
    gemmnet_train_options_init(&o);
    o.epochs = 3000;
    o.reduction = GEMMNET_REDUCTION_MEAN;
    o.optimizer = GEMMNET_OPT_NESTEROV;
    o.learning_rate = 0.1f;
    o.l2 = 1e-4f;
    assert_int_equal(gemmnet_train(m, &data, &o, NULL), GEMMNET_OK);
    double accuracy = train_accuracy(m, &data);
    if (accuracy < 0.97)
        fail_msg("3 hidden layers on moons: training accuracy %.4f < 0.97", accuracy);
    gemmnet_model_destroy(m);
    gemmnet_dataset_free(&data);
}

/* max |WᵀW − I| (columns) when in ≥ out, max |WWᵀ − I| (rows) otherwise. */
static double orthogonality_error(const float *w, size_t in, size_t out)
{
    bool columns = in >= out;
    size_t count = columns ? out : in, length = columns ? in : out;
    double worst = 0.0;
    for (size_t a = 0; a < count; a++)
        for (size_t b = 0; b < count; b++) {
            double dot = 0.0;
            for (size_t i = 0; i < length; i++)
                dot += columns ? (double)w[i * out + a] * w[i * out + b]
                               : (double)w[a * out + i] * w[b * out + i];
            worst = fmax(worst, fabs(dot - (a == b ? 1.0 : 0.0)));
        }
    return worst;
}

static void test_orthogonal_init_has_orthonormal_columns_or_rows(void **state)
{
    (void)state;
    static const int32_t hidden[2] = {40, 7};
    gemmnet_architecture arch = {.inputs = 12, .classes = 9, .hidden_layers = 2, .hidden = hidden};
    gemmnet_model *m;
    assert_int_equal(gemmnet_model_create(&arch, NULL, &m, NULL), GEMMNET_OK);
    assert_int_equal(gemmnet_model_init(m, GEMMNET_INIT_ORTHOGONAL, 3, NULL), GEMMNET_OK);
    for (int32_t l = 1; l <= 3; l++) {
        size_t in = (size_t)m->width[l - 1], out = (size_t)m->width[l];
        double e = orthogonality_error(gemmnet_model_weights(m, l), in, out);
        if (e > 2e-6)
            fail_msg("layer %d (%zu×%zu): max |QᵀQ − I| = %.3g", (int)l, in, out, e);
        assert_true(gemmnet_model_biases(m, l)[0] == 0.0f);
    }
    gemmnet_model_destroy(m);
}

static void test_init_schemes_have_their_scales(void **state)
{
    (void)state;
    static const int32_t hidden[1] = {400};
    gemmnet_architecture arch = {.inputs = 300, .classes = 2, .hidden_layers = 1, .hidden = hidden};
    gemmnet_model *m;
    assert_int_equal(gemmnet_model_create(&arch, NULL, &m, NULL), GEMMNET_OK);
    const double expected[3] = {1.0 / sqrt(300.0), sqrt(2.0 / 700.0), sqrt(2.0 / 300.0)};
    for (int scheme = 0; scheme < 3; scheme++) {
        assert_int_equal(gemmnet_model_init(m, (gemmnet_init)scheme, 0, NULL), GEMMNET_OK);
        const float *w = gemmnet_model_weights(m, 1);
        double sum = 0.0;
        for (size_t i = 0; i < 300 * 400; i++)
            sum += (double)w[i] * w[i];
        double std = sqrt(sum / (300 * 400));
        if (fabs(std / expected[scheme] - 1.0) > 0.01)
            fail_msg("scheme %d: weight std %.5f, expected %.5f", scheme, std, expected[scheme]);
    }
    gemmnet_model_destroy(m);
}

static void test_ridge_baseline_gets_85_percent_on_the_moons(void **state)
{
    (void)state;
    gemmnet_dataset data;
    gemmnet_model *m;
    assert_int_equal(
        gemmnet_dataset_generate(&data, GEMMNET_SYNTH_MOONS, 200, 2, 0.2, 0, NULL, NULL),
        GEMMNET_OK);
    assert_int_equal(gemmnet_baseline_ridge(&data, 0.01f, NULL, &m, NULL), GEMMNET_OK);
    assert_int_equal(gemmnet_model_layers(m), 1);
    double accuracy = train_accuracy(m, &data);
    /* Logistic regression gets 0.85 on this data set. */
    if (fabs(accuracy - 0.85) > 0.0151)
        fail_msg("ridge baseline accuracy %.4f, expected 0.85 ± 0.015", accuracy);
    gemmnet_model_destroy(m);
    gemmnet_dataset_free(&data);
}

static void test_ridge_rejects_a_singular_system(void **state)
{
    (void)state;
    gemmnet_dataset data;
    assert_int_equal(gemmnet_dataset_alloc(&data, 4, 2, NULL, NULL), GEMMNET_OK);
    for (int i = 0; i < 4; i++) {
        data.x[2 * i] = 1.0f; /* constant features: [X 1] has rank 1 */
        data.x[2 * i + 1] = 1.0f;
        data.y[i] = i % 2;
    }
    data.classes = 2;
    gemmnet_model *m;
    gemmnet_error err = {0};
    assert_int_equal(gemmnet_baseline_ridge(&data, 0.0f, NULL, &m, &err), GEMMNET_E_INVALID);
    assert_null(m);
    assert_non_null(strstr(err.message, "singular"));
    gemmnet_dataset_free(&data);
}

typedef struct losses {
    int count;
    double best;
    int32_t best_epoch;
} losses;

static int track_validation(void *context, const gemmnet_progress *p)
{
    losses *l = context;
    assert_true(p->has_validation);
    if (l->count++ == 0 || p->validation.loss < l->best) {
        l->best = p->validation.loss;
        l->best_epoch = p->epoch;
    }
    return 0;
}

static void test_early_stopping_restores_the_best_weights(void **state)
{
    (void)state;
    gemmnet_dataset all, train, val;
    assert_int_equal(
        gemmnet_dataset_generate(&all, GEMMNET_SYNTH_MOONS, 120, 2, 0.45, 1, NULL, NULL),
        GEMMNET_OK);
    assert_int_equal(gemmnet_dataset_split(&all, 0.5, 1, &train, &val, NULL), GEMMNET_OK);
    static const int32_t hidden[1] = {64};
    gemmnet_architecture arch = {.inputs = 2, .classes = 2, .hidden_layers = 1, .hidden = hidden};
    gemmnet_model *m;
    assert_int_equal(gemmnet_model_create(&arch, NULL, &m, NULL), GEMMNET_OK);
    gemmnet_model_init(m, GEMMNET_INIT_TUTORIAL, 0, NULL);
    gemmnet_train_options o;
    gemmnet_train_options_init(&o);
    /* No L2 and a strong optimizer on noisy data: it overfits. */
    o.epochs = 5000;
    o.l2 = 0.0f;
    o.optimizer = GEMMNET_OPT_ADAM;
    o.reduction = GEMMNET_REDUCTION_MEAN;
    o.learning_rate = 0.05f;
    o.validation = &val;
    o.patience = 50;
    o.report_every = 1;
    losses seen = {0};
    o.progress = track_validation;
    o.progress_context = &seen;
    gemmnet_trainer *t;
    assert_int_equal(gemmnet_trainer_create(m, &train, &o, &t, NULL), GEMMNET_OK);
    assert_int_equal(gemmnet_trainer_run(t, o.epochs, NULL), GEMMNET_OK);
    int stopped;
    int32_t best = gemmnet_trainer_best_epoch(t, &stopped);
    assert_true(stopped);
    assert_int_equal(best, seen.best_epoch);
    assert_int_equal(gemmnet_trainer_epochs_done(t), best + 1 + 50);
    gemmnet_workspace *ws;
    gemmnet_evaluation e;
    assert_int_equal(gemmnet_workspace_create(m, NULL, &ws, NULL), GEMMNET_OK);
    assert_int_equal(gemmnet_evaluate(m, ws, &val, o.l2, o.reduction, &e, NULL), GEMMNET_OK);
    if (e.loss != seen.best)
        fail_msg("restored model has validation loss %.9g, best seen %.9g", e.loss, seen.best);
    gemmnet_workspace_destroy(ws);
    gemmnet_trainer_destroy(t);
    gemmnet_model_destroy(m);
    gemmnet_dataset_free(&all);
    gemmnet_dataset_free(&train);
    gemmnet_dataset_free(&val);
}

static void test_split_is_seeded_disjoint_and_complete(void **state)
{
    (void)state;
    gemmnet_dataset all, a, b, c, d;
    assert_int_equal(gemmnet_dataset_alloc(&all, 10, 1, NULL, NULL), GEMMNET_OK);
    for (int i = 0; i < 10; i++) {
        all.x[i] = (float)i;
        all.y[i] = i % 2;
    }
    all.classes = 2;
    assert_int_equal(gemmnet_dataset_split(&all, 0.3, 5, &a, &b, NULL), GEMMNET_OK);
    assert_int_equal(a.rows, 7);
    assert_int_equal(b.rows, 3);
    int seen[10] = {0};
    for (size_t i = 0; i < 7; i++)
        seen[(int)a.x[i]]++;
    for (size_t i = 0; i < 3; i++)
        seen[(int)b.x[i]]++;
    for (int i = 0; i < 10; i++)
        assert_int_equal(seen[i], 1);
    assert_int_equal(gemmnet_dataset_split(&all, 0.3, 5, &c, &d, NULL), GEMMNET_OK);
    assert_memory_equal(b.x, d.x, 3 * sizeof(float));
    gemmnet_dataset_free(&c);
    gemmnet_dataset_free(&d);
    gemmnet_error err = {0};
    assert_int_equal(gemmnet_dataset_split(&all, 0.01, 5, &c, &d, &err), GEMMNET_E_INVALID);
    assert_non_null(strstr(err.message, "empty part"));
    gemmnet_dataset_free(&all);
    gemmnet_dataset_free(&a);
    gemmnet_dataset_free(&b);
    gemmnet_dataset_free(&c);
    gemmnet_dataset_free(&d);
}

static void test_divergence_stops_with_the_last_good_weights(void **state)
{
    (void)state;
    static const int32_t hidden[1] = {8};
    problem p;
    problem_create(&p, 50, 2, hidden, 1, 2, GEMMNET_ACT_RELU, 3);
    for (size_t i = 0; i < 100; i++)
        p.data.x[i] *= 1e18f; /* relu passes these through: the gradient overflows */
    gemmnet_train_options o;
    gemmnet_train_options_init(&o);
    o.epochs = 100;
    o.learning_rate = 1e10f;
    gemmnet_error err = {0};
    assert_int_equal(gemmnet_train(p.model, &p.data, &o, &err), GEMMNET_E_NONFINITE);
    assert_non_null(strstr(err.message, "epoch "));
    assert_non_null(strstr(err.message, "batch 0"));
    assert_true(gn_all_finite(p.model->parameters, p.model->parameter_count));
    problem_destroy(&p);
}

static void test_generators_give_the_requested_classes(void **state)
{
    (void)state;
    static const struct {
        gemmnet_synthetic kind;
        int32_t classes;
    } cases[] = {{GEMMNET_SYNTH_SPIRAL, 5},
                 {GEMMNET_SYNTH_BLOBS, 4},
                 {GEMMNET_SYNTH_CIRCLES, 2},
                 {GEMMNET_SYNTH_XOR, 2}};
    for (size_t c = 0; c < 4; c++) {
        double x[2 * 101], again[2 * 101];
        int32_t y[101], y_again[101];
        int count[8] = {0};
        assert_int_equal(gemmnet_generate(cases[c].kind, 101, cases[c].classes, 0.1, 9, x, y),
                         GEMMNET_OK);
        assert_int_equal(
            gemmnet_generate(cases[c].kind, 101, cases[c].classes, 0.1, 9, again, y_again),
            GEMMNET_OK);
        assert_memory_equal(x, again, sizeof x); /* deterministic per seed */
        for (int i = 0; i < 101; i++) {
            assert_in_range(y[i], 0, cases[c].classes - 1);
            count[y[i]]++;
        }
        for (int32_t k = 0; k < cases[c].classes; k++)
            if (count[k] < (cases[c].kind == GEMMNET_SYNTH_XOR ? 30 : 101 / cases[c].classes))
                fail_msg("generator %d: class %d has only %d of 101 rows", (int)cases[c].kind,
                         (int)k, count[k]);
    }
    double x[4];
    int32_t y[2];
    assert_int_equal(gemmnet_generate(GEMMNET_SYNTH_XOR, 2, 3, 0.0, 0, x, y), GEMMNET_E_INVALID);
    assert_int_equal(gemmnet_generate(GEMMNET_SYNTH_SPIRAL, 2, 3, 0.0, 0, x, y), GEMMNET_E_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_activation_gradient_matches_the_reference),
        cmocka_unit_test(test_reference_gradient_matches_central_differences_for_every_activation),
        cmocka_unit_test(test_each_optimizer_step_matches_hand_computation),
        cmocka_unit_test(test_schedules_give_the_documented_rates),
        cmocka_unit_test(test_training_uses_the_scheduled_rate_each_epoch),
        cmocka_unit_test(test_minibatch_of_all_rows_equals_full_batch),
        cmocka_unit_test(test_minibatches_follow_the_seeded_shuffle_and_the_last_partial_batch),
        cmocka_unit_test(test_three_class_spiral_reaches_95_percent),
        cmocka_unit_test(test_three_hidden_layers_learn_the_moons),
        cmocka_unit_test(test_orthogonal_init_has_orthonormal_columns_or_rows),
        cmocka_unit_test(test_init_schemes_have_their_scales),
        cmocka_unit_test(test_ridge_baseline_gets_85_percent_on_the_moons),
        cmocka_unit_test(test_ridge_rejects_a_singular_system),
        cmocka_unit_test(test_early_stopping_restores_the_best_weights),
        cmocka_unit_test(test_split_is_seeded_disjoint_and_complete),
        cmocka_unit_test(test_divergence_stops_with_the_last_good_weights),
        cmocka_unit_test(test_generators_give_the_requested_classes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
