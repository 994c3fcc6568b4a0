/* Inverted dropout: one training step against a central-difference
 * gradient of a double-precision forward pass that uses the same masks
 * (which fails with dropout off); P = 0 bit-identical to no dropout; one
 * thread against two; the keep rate; invalid P refused. */
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

static const int32_t hidden[2] = {5, 4};
enum { ROWS = 40, FEATURES = 3, CLASSES = 3 };
#define P_DROP 0.3

/* Σ CE of the net (tanh hidden layers) with A_l ← A_l ⊙ M_l/(1 − p), the
 * masks of update 0 with seed 0, in double. */
static double masked_loss(const problem *pr, const double *params, double p)
{
    const ref_net *net = &pr->net;
    double a[2][16], total = 0.0;
    for (size_t n = 0; n < pr->data.rows; n++) {
        const double *in = pr->xd + n * net->width[0];
        for (size_t l = 1; l <= net->layers; l++) {
            size_t ni = net->width[l - 1], no = net->width[l];
            const double *w = params + ref_weight_offset(net, l);
            const double *b = params + ref_bias_offset(net, l);
            double *out = a[l % 2];
            for (size_t j = 0; j < no; j++) {
                double z = b[j];
                for (size_t i = 0; i < ni; i++)
                    z += in[i] * w[i * no + j];
                out[j] = z;
            }
            if (l < net->layers)
                for (size_t j = 0; j < no; j++)
                    out[j] = gn_dropout_keep(0, 0, n, (int32_t)l, j, (float)p)
                                 ? tanh(out[j]) / (1.0 - (double)(float)p)
                                 : 0.0;
            in = out;
        }
        size_t k = net->width[net->layers];
        double m = in[0], s = 0.0;
        for (size_t j = 1; j < k; j++)
            m = fmax(m, in[j]);
        for (size_t j = 0; j < k; j++)
            s += exp(in[j] - m);
        total += log(s) + m - in[pr->data.y[n]];
    }
    return total;
}

/* out = params − lr·∇(masked Σ CE) by central differences. */
static void expected_step(problem *pr, double lr, double p, double *out)
{
    size_t count = ref_parameter_count(&pr->net);
    double *q = malloc(count * sizeof *q);
    assert_non_null(q);
    memcpy(q, pr->params, count * sizeof *q);
    for (size_t i = 0; i < count; i++) {
        const double h = 1e-5;
        q[i] = pr->params[i] + h;
        double up = masked_loss(pr, q, p);
        q[i] = pr->params[i] - h;
        double down = masked_loss(pr, q, p);
        q[i] = pr->params[i];
        out[i] = pr->params[i] - lr * (up - down) / (2.0 * h);
    }
    free(q);
}

static double worst_difference(const gemmnet_model *m, const double *expected)
{
    double worst = 0.0;
    for (size_t i = 0; i < m->parameter_count; i++)
        worst = fmax(worst, fabs(m->parameters[i] - expected[i]));
    return worst;
}

static void options_one_step(gemmnet_train_options *o, float dropout, int32_t threads)
{
    gemmnet_train_options_init(o);
    o->epochs = 1;
    o->learning_rate = 0.05f;
    o->l2 = 0.0f;
    o->shuffle_seed = 0;
    o->dropout = dropout;
    o->threads = threads;
}

/* One full-batch step with dropout matches the masked oracle to 1e-5, and
 * is far (> 1e-3) from the oracle's step without dropout. */
static void test_a_dropout_step_matches_the_masked_oracle(void **state)
{
    (void)state;
    problem pr;
    problem_create(&pr, ROWS, FEATURES, hidden, 2, CLASSES, GEMMNET_ACT_TANH, 23);
    size_t count = ref_parameter_count(&pr.net);
    double *with = malloc(count * sizeof *with), *without = malloc(count * sizeof *without);
    assert_non_null(with);
    assert_non_null(without);
    expected_step(&pr, 0.05, P_DROP, with);
    expected_step(&pr, 0.05, 0.0, without);
    gemmnet_train_options o;
    options_one_step(&o, (float)P_DROP, 1);
    assert_int_equal(gemmnet_train(pr.model, &pr.data, &o, NULL), GEMMNET_OK);
    double near = worst_difference(pr.model, with), far = worst_difference(pr.model, without);
    if (near > 1e-5)
        fail_msg("dropout step differs from the masked oracle by %.3g", near);
    if (far < 1e-3)
        fail_msg("dropout step is too close to the step without dropout (%.3g)", far);
    free(with);
    free(without);
    problem_destroy(&pr);
}

/* Parameters after `epochs` minibatch epochs with the given settings. */
static void train_copy(float dropout, int32_t threads, size_t block_rows, float *out, size_t *count)
{
    problem pr;
    problem_create(&pr, 200, FEATURES, hidden, 2, CLASSES, GEMMNET_ACT_TANH, 5);
    gemmnet_train_options o;
    options_one_step(&o, dropout, threads);
    o.epochs = 5;
    o.batch_size = 64;
    o.reduction = GEMMNET_REDUCTION_MEAN;
    o.block_rows = block_rows;
    assert_int_equal(gemmnet_train(pr.model, &pr.data, &o, NULL), GEMMNET_OK);
    *count = pr.model->parameter_count;
    memcpy(out, pr.model->parameters, *count * sizeof(float));
    problem_destroy(&pr);
}

/* P = 0 is bit-identical to the default; P = 0.5 is not; one thread,
 * two row-block threads and 7-row blocks agree to 1e-5. */
static void test_zero_is_off_and_threads_agree(void **state)
{
    (void)state;
    float off[256], zero[256], one[256], two[256], small[256];
    size_t n = 0;
    train_copy(0.0f, 1, 0, off, &n);
    assert_true(n <= 256);
    gemmnet_train_options defaults;
    gemmnet_train_options_init(&defaults);
    assert_true(defaults.dropout == 0.0f);
    train_copy(0.0f, 1, 0, zero, &n);
    assert_memory_equal(off, zero, n * sizeof(float));
    train_copy(0.5f, 1, 0, one, &n);
    train_copy(0.5f, 2, 0, two, &n);
    train_copy(0.5f, 1, 7, small, &n);
    double spread = 0.0, moved = 0.0;
    for (size_t i = 0; i < n; i++) {
        spread = fmax(spread, fabs((double)one[i] - two[i]));
        spread = fmax(spread, fabs((double)one[i] - small[i]));
        moved = fmax(moved, fabs((double)one[i] - off[i]));
    }
    if (spread > 1e-5)
        fail_msg("dropout with 2 threads or 7-row blocks differs by %.3g", spread);
    if (moved < 1e-3)
        fail_msg("dropout 0.5 barely changed the run (%.3g)", moved);
}

/* Over 10⁶ draws the kept fraction is 1 − P within 0.003 (> 6σ). */
static void test_the_keep_rate_is_one_minus_p(void **state)
{
    (void)state;
    const float ps[3] = {0.1f, 0.5f, 0.9f};
    for (int k = 0; k < 3; k++) {
        size_t kept = 0, total = 0;
        for (size_t row = 0; row < 1000; row++)
            for (size_t unit = 0; unit < 1000; unit++, total++)
                kept += gn_dropout_keep(7, 3, row, 1, unit, ps[k]);
        double rate = (double)kept / (double)total;
        if (fabs(rate - (1.0 - ps[k])) > 0.003)
            fail_msg("P = %g: keep rate %.5f", (double)ps[k], rate);
    }
    assert_true(gn_dropout_keep(7, 3, 0, 1, 0, 0.0f));
}

static void test_invalid_p_is_refused(void **state)
{
    (void)state;
    problem pr;
    problem_create(&pr, ROWS, FEATURES, hidden, 2, CLASSES, GEMMNET_ACT_TANH, 23);
    const float bad[4] = {-0.1f, 1.0f, NAN, INFINITY};
    for (int i = 0; i < 4; i++) {
        gemmnet_train_options o;
        options_one_step(&o, bad[i], 1);
        gemmnet_error err;
        assert_int_equal(gemmnet_train(pr.model, &pr.data, &o, &err), GEMMNET_E_INVALID);
        assert_non_null(strstr(err.message, "dropout must be finite, ≥ 0 and < 1"));
    }
    problem_destroy(&pr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_dropout_step_matches_the_masked_oracle),
        cmocka_unit_test(test_zero_is_off_and_threads_agree),
        cmocka_unit_test(test_the_keep_rate_is_one_minus_p),
        cmocka_unit_test(test_invalid_p_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
