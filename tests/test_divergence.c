/*
 * Numerical health of training: a learning rate too large or input values
 * too large must stop training with GEMMNET_E_NONFINITE, naming the epoch
 * and the batch, whether the gradient, the weights after an update or an
 * evaluated loss is the first value to overflow; the model keeps the
 * finite weights from before the failing update, no progress report ever
 * shows a non-finite loss, and a non-finite model never replaces a saved
 * file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "problem.h"
#include "train/train.h"

/* The tutorial's set-up: moons(n), D = 2, K = 2, one hidden layer of
 * width H (tanh for H ≤ 3, else relu), or none. */
typedef struct run {
    gemmnet_dataset data;
    gemmnet_model *model;
    gemmnet_train_options options;
} run;

static void run_create(run *r, size_t n, int32_t hidden_layers, int32_t hidden)
{
    int32_t widths[1] = {hidden};
    gemmnet_activation relu[1] = {GEMMNET_ACT_RELU};
    /* relu passes huge values on where tanh would saturate. */
    gemmnet_architecture arch = {.inputs = 2,
                                 .classes = 2,
                                 .hidden_layers = hidden_layers,
                                 .hidden = widths,
                                 .activations = hidden > 3 ? relu : NULL};
    assert_int_equal(
        gemmnet_dataset_generate(&r->data, GEMMNET_SYNTH_MOONS, n, 2, 0.2, 0, NULL, NULL),
        GEMMNET_OK);
    assert_int_equal(gemmnet_model_create(&arch, NULL, &r->model, NULL), GEMMNET_OK);
    gemmnet_model_init(r->model, GEMMNET_INIT_TUTORIAL, 0, NULL);
    gemmnet_train_options_init(&r->options);
    r->options.report_every = 0;
}

static void run_destroy(run *r)
{
    gemmnet_model_destroy(r->model);
    gemmnet_dataset_free(&r->data);
}

static const float *parameters(const run *r)
{
    return gemmnet_model_weights(r->model, 1);
}

static void assert_finite_model(const run *r, const char *what)
{
    if (!gn_all_finite(parameters(r), gemmnet_model_parameter_count(r->model)))
        fail_msg("%s: the model was left with NaN or Inf parameters", what);
}

/* Trains and expects NONFINITE with a message naming `where` and `what`. */
static void expect_divergence(run *r, const char *where, const char *what)
{
    gemmnet_error err = {0};
    int status = gemmnet_train(r->model, &r->data, &r->options, &err);
    if (status != GEMMNET_E_NONFINITE)
        fail_msg("expected non-finite values, got %s: %s", gemmnet_strerror(status), err.message);
    if (!strstr(err.message, where) || !strstr(err.message, what))
        fail_msg("message \"%s\" lacks \"%s\" or \"%s\"", err.message, where, what);
    assert_finite_model(r, err.message);
}

static void test_update_that_overflows_the_weights_keeps_the_last_finite_ones(void **state)
{
    (void)state;
    run diverging, reference;
    run_create(&diverging, 200, 1, 3);
    run_create(&reference, 200, 1, 3);
    diverging.options.learning_rate = 1e30f;
    diverging.options.epochs = 10;
    expect_divergence(&diverging, "epoch 1, batch 0", "weights are not finite");
    /* The weights are exactly those after epoch 0. */
    reference.options.learning_rate = 1e30f;
    reference.options.epochs = 1;
    assert_int_equal(gemmnet_train(reference.model, &reference.data, &reference.options, NULL),
                     GEMMNET_OK);
    size_t p = gemmnet_model_parameter_count(reference.model);
    if (memcmp(parameters(&diverging), parameters(&reference), p * sizeof(float)) != 0)
        fail_msg("the model does not hold the weights from before the failing update");
    run_destroy(&diverging);
    run_destroy(&reference);
}

static void test_huge_inputs_make_the_first_gradient_nonfinite(void **state)
{
    (void)state;
    run r;
    run_create(&r, 60, 1, 8);
    for (size_t i = 0; i < 2 * r.data.rows; i++)
        r.data.x[i] = r.data.x[i] < 0 ? -3e38f : 3e38f;
    size_t p = gemmnet_model_parameter_count(r.model);
    float *initial = malloc(p * sizeof(float));
    memcpy(initial, parameters(&r), p * sizeof(float));
    r.options.epochs = 5;
    expect_divergence(&r, "epoch 0, batch 0", "gradient is not finite");
    if (memcmp(initial, parameters(&r), p * sizeof(float)) != 0)
        fail_msg("a failing first update changed the weights");
    free(initial);
    run_destroy(&r);
}

static void test_minibatch_divergence_names_its_batch(void **state)
{
    (void)state;
    run r;
    run_create(&r, 200, 1, 3);
    r.options.learning_rate = 1e5f;
    r.options.batch_size = 16;
    r.options.epochs = 10;
    gemmnet_error err = {0};
    assert_int_equal(gemmnet_train(r.model, &r.data, &r.options, &err), GEMMNET_E_NONFINITE);
    int epoch = -1;
    size_t batch = 0;
    if (sscanf(err.message, "epoch %d, batch %zu:", &epoch, &batch) != 2 || epoch < 0 || batch > 12)
        fail_msg("\"%s\" does not name an epoch and a batch in 0..12", err.message);
    assert_finite_model(&r, err.message);
    run_destroy(&r);
}

static void test_every_optimizer_stops_with_finite_weights(void **state)
{
    (void)state;
    const gemmnet_optimizer rules[] = {GEMMNET_OPT_GD, GEMMNET_OPT_MOMENTUM, GEMMNET_OPT_NESTEROV,
                                       GEMMNET_OPT_ADAM};
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        run r;
        run_create(&r, 100, 1, 16);
        r.options.optimizer = rules[i];
        r.options.learning_rate = 1e37f;
        r.options.epochs = 50;
        expect_divergence(&r, "epoch ", "not finite");
        run_destroy(&r);
    }
}

/* Records every loss the progress callback is shown. */
typedef struct seen {
    int reports;
    int nonfinite;
} seen;

static int watch_losses(void *context, const gemmnet_progress *p)
{
    seen *s = context;
    s->reports++;
    s->nonfinite +=
        !isfinite(p->train.loss) || (p->has_validation && !isfinite(p->validation.loss));
    return 0;
}

/* Softmax regression on inputs of 1e30 whose classes overlap: the first
 * update leaves finite weights of about 1e28 whose logits overflow. */
static void make_overflowing_logits(run *r)
{
    static const float x[] = {1e30f, -2e30f, -1e30f, 3e30f, 2e30f,
                              1e30f, -3e30f, -1e30f, 1e30f, 1e30f};
    static const int32_t y[] = {0, 0, 1, 1, 0};
    int32_t none[1] = {0};
    gemmnet_architecture arch = {.inputs = 2, .classes = 2, .hidden_layers = 0, .hidden = none};
    assert_int_equal(gemmnet_dataset_alloc(&r->data, 5, 2, NULL, NULL), GEMMNET_OK);
    memcpy(r->data.x, x, sizeof x);
    memcpy(r->data.y, y, sizeof y);
    r->data.classes = 2;
    assert_int_equal(gemmnet_model_create(&arch, NULL, &r->model, NULL), GEMMNET_OK);
    gemmnet_model_init(r->model, GEMMNET_INIT_TUTORIAL, 0, NULL);
    gemmnet_train_options_init(&r->options);
    r->options.epochs = 5;
}

static void test_nonfinite_loss_stops_training_before_it_is_reported(void **state)
{
    (void)state;
    run r;
    make_overflowing_logits(&r);
    seen s = {0};
    r.options.report_every = 1;
    r.options.progress = watch_losses;
    r.options.progress_context = &s;
    expect_divergence(&r, "epoch 0, batch 0", "training loss is not finite");
    assert_int_equal(s.nonfinite, 0);
    assert_int_equal(s.reports, 0);
    run_destroy(&r);
}

static void test_nonfinite_validation_loss_stops_training(void **state)
{
    (void)state;
    run r, held_out;
    make_overflowing_logits(&r);
    make_overflowing_logits(&held_out);
    r.options.validation = &held_out.data;
    r.options.patience = 3;
    r.options.report_every = 0;
    expect_divergence(&r, "epoch 0, batch 0", "validation loss is not finite");
    run_destroy(&r);
    run_destroy(&held_out);
}

/* What `gemmnet train --save` relies on: a failed run returns an error
 * (so nothing is saved), and a model with NaN or Inf parameters can never
 * be written over an existing file. */
static void test_nonfinite_model_never_replaces_a_saved_file(void **state)
{
    (void)state;
    char path[] = "/tmp/gemmnet_divergence_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    run r;
    run_create(&r, 50, 1, 3);
    assert_int_equal(gemmnet_model_save(r.model, path, NULL), GEMMNET_OK);
    gemmnet_model_weights(r.model, 2)[1] = INFINITY;
    gemmnet_error err = {0};
    assert_int_equal(gemmnet_model_save(r.model, path, &err), GEMMNET_E_NONFINITE);
    gemmnet_model *kept = NULL;
    assert_int_equal(gemmnet_model_load(path, NULL, &kept, &err), GEMMNET_OK);
    assert_true(gemmnet_model_weights(kept, 2)[1] != INFINITY);
    gemmnet_model_destroy(kept);
    unlink(path);
    run_destroy(&r);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_update_that_overflows_the_weights_keeps_the_last_finite_ones),
        cmocka_unit_test(test_divergence_stops_with_the_last_good_weights),
        cmocka_unit_test(test_huge_inputs_make_the_first_gradient_nonfinite),
        cmocka_unit_test(test_minibatch_divergence_names_its_batch),
        cmocka_unit_test(test_every_optimizer_stops_with_finite_weights),
        cmocka_unit_test(test_nonfinite_loss_stops_training_before_it_is_reported),
        cmocka_unit_test(test_nonfinite_validation_loss_stops_training),
        cmocka_unit_test(test_nonfinite_model_never_replaces_a_saved_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
