/* Minibatches: all rows in one batch is full batch, and batches follow
 * the seeded shuffle, the last one partial. */
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minibatch_of_all_rows_equals_full_batch),
        cmocka_unit_test(test_minibatches_follow_the_seeded_shuffle_and_the_last_partial_batch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
