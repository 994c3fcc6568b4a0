/* The numpy-compatible generator against numpy's own output for seed 0. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>

#include "base/base.h"

static void test_first_words_match_numpy_seed_0(void **state)
{
    (void)state;
    static const uint32_t expected[] = {2357136044u, 2546248239u, 3071714933u, 3626093760u,
                                        2588848963u};
    gemmnet_rng rng;
    gemmnet_rng_seed(&rng, 0);
    for (size_t i = 0; i < 5; i++) {
        uint32_t word = gemmnet_rng_next32(&rng);
        if (word != expected[i])
            fail_msg("word %zu: got %u, numpy gives %u", i, word, expected[i]);
    }
}

static void test_uniform_doubles_match_numpy_random_sample(void **state)
{
    (void)state;
    static const double expected[] = {0.5488135039273248, 0.7151893663724195, 0.6027633760716439,
                                      0.5448831829968969};
    gemmnet_rng rng;
    gemmnet_rng_seed(&rng, 0);
    for (size_t i = 0; i < 4; i++) {
        double u = gemmnet_rng_uniform(&rng);
        if (u != expected[i])
            fail_msg("draw %zu: got %.17g, numpy gives %.17g", i, u, expected[i]);
    }
}

static void test_normals_match_numpy_randn_bit_for_bit(void **state)
{
    (void)state;
    static const double expected[] = {
        1.764052345967664,    0.40015720836722329,  0.9787379841057392,  2.2408931992014578,
        1.8675579901499675,   -0.97727787987641102, 0.95008841752558937, -0.15135720829769789,
        -0.10321885179355784, 0.41059850193837233,  0.14404357116087799, 1.4542735069629751};
    gemmnet_rng rng;
    gemmnet_rng_seed(&rng, 0);
    for (size_t i = 0; i < 12; i++) {
        double g = gemmnet_rng_normal(&rng);
        if (g != expected[i])
            fail_msg("randn[%zu]: got %.17g, numpy gives %.17g", i, g, expected[i]);
    }
}

static void test_seed_clears_the_cached_normal(void **state)
{
    (void)state;
    gemmnet_rng rng;
    gemmnet_rng_seed(&rng, 0);
    (void)gemmnet_rng_normal(&rng); /* leaves the pair's second deviate cached */
    assert_true(rng.has_gauss);
    gemmnet_rng_seed(&rng, 0);
    assert_false(rng.has_gauss);
    assert_true(gemmnet_rng_normal(&rng) == 1.764052345967664);
}

static void test_interval_masks_and_rejects_like_numpy(void **state)
{
    (void)state;
    gemmnet_rng a, b;
    gemmnet_rng_seed(&a, 7);
    gemmnet_rng_seed(&b, 7);
    /* max = 5: mask 7, words above 5 are rejected. */
    for (int i = 0; i < 1000; i++) {
        uint64_t v = gemmnet_rng_interval(&a, 5);
        uint32_t w;
        do
            w = gemmnet_rng_next32(&b) & 7u;
        while (w > 5);
        if (v != w)
            fail_msg("draw %d: interval gave %llu, masked rejection %u", i, (unsigned long long)v,
                     w);
    }
    assert_int_equal(gemmnet_rng_interval(&a, 0), 0);
    /* Above 2³² − 1 a value is two words, high first. */
    gemmnet_rng_seed(&a, 1);
    gemmnet_rng_seed(&b, 1);
    uint64_t max = (1ull << 40) - 1, v = gemmnet_rng_interval(&a, max);
    uint64_t high = gemmnet_rng_next32(&b);
    uint64_t expected = ((high << 32) | gemmnet_rng_next32(&b)) & max;
    assert_true(v == expected);
}

static void test_shuffle_gives_the_moons_permutation(void **state)
{
    (void)state;
    /* make_moons(200) shuffles arange(200) right after seeding with 0. */
    static const int32_t expected[] = {18, 170, 107, 98, 177, 182, 5, 146, 12, 152};
    int32_t items[200];
    for (int32_t i = 0; i < 200; i++)
        items[i] = i;
    gemmnet_rng rng;
    gemmnet_rng_seed(&rng, 0);
    gemmnet_rng_shuffle(&rng, items, 200);
    for (size_t i = 0; i < 10; i++)
        if (items[i] != expected[i])
            fail_msg("permutation[%zu]: got %d, numpy gives %d", i, (int)items[i],
                     (int)expected[i]);
    /* Still a permutation. */
    int seen[200] = {0};
    for (size_t i = 0; i < 200; i++)
        seen[items[i]]++;
    for (size_t i = 0; i < 200; i++)
        assert_int_equal(seen[i], 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_words_match_numpy_seed_0),
        cmocka_unit_test(test_uniform_doubles_match_numpy_random_sample),
        cmocka_unit_test(test_normals_match_numpy_randn_bit_for_bit),
        cmocka_unit_test(test_seed_clears_the_cached_normal),
        cmocka_unit_test(test_interval_masks_and_rejects_like_numpy),
        cmocka_unit_test(test_shuffle_gives_the_moons_permutation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
