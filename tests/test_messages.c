/*
 * Library messages and sizes that used to mislead: the predict workspace
 * of a wide (D = 2^24) standardised model is sized by what one block
 * needs, not 1024 rows × D; a checkpoint whose block size does not match
 * the run says so in the run's terms.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemmnet.h"
#include "support.h"

static void test_wide_model_workspace_is_sized_by_need(void **state)
{
    (void)state;
    const size_t d = (size_t)1 << 24;
    const int32_t hidden[1] = {1};
    gemmnet_architecture arch = {
        .inputs = (int32_t)d, .classes = 2, .hidden_layers = 1, .hidden = hidden};
    gemmnet_model *m = NULL;
    assert_int_equal(gemmnet_model_create(&arch, NULL, &m, NULL), GEMMNET_OK);
    float *stats = calloc(2 * d, sizeof *stats);
    assert_non_null(stats);
    for (size_t i = 0; i < d; i++)
        stats[d + i] = 1.0f;
    assert_int_equal(gemmnet_model_set_standardization(m, stats, stats + d, NULL), GEMMNET_OK);
    counting_allocator counter = {0};
    gemmnet_allocator hooks = counting_hooks(&counter);
    gemmnet_workspace *ws = NULL;
    gemmnet_error err = {0};
    if (gemmnet_workspace_create(m, &hooks, &ws, &err) != GEMMNET_OK)
        fail_msg("workspace of a D = 2^24 model: %s", err.message);
    /* One row of the input copy (64 MiB) and the activations; 1024 rows
     * would be 64 GiB. */
    assert_true(counter.largest <= ((size_t)80 << 20));
    /* And it predicts: one row of zeros. */
    int32_t label = -1;
    assert_int_equal(gemmnet_predict(m, ws, stats, 1, &label, NULL), GEMMNET_OK);
    assert_true(label == 0 || label == 1);
    gemmnet_workspace_destroy(ws);
    gemmnet_model_destroy(m);
    free(stats);
}

static void test_checkpoint_block_mismatch_is_named(void **state)
{
    (void)state;
    char dir[FIXTURE_DIR_SIZE], path[256];
    assert_int_equal(fixture_dir_create(dir, "messages"), 0);
    fixture_path(path, sizeof path, dir, "ck.gnet");
    gemmnet_dataset data;
    assert_int_equal(
        gemmnet_dataset_generate(&data, GEMMNET_SYNTH_MOONS, 100, 2, 0.2, 1, NULL, NULL),
        GEMMNET_OK);
    const int32_t hidden[1] = {3};
    gemmnet_architecture arch = {.inputs = 2, .classes = 2, .hidden_layers = 1, .hidden = hidden};
    gemmnet_model *m = NULL;
    assert_int_equal(gemmnet_model_create(&arch, NULL, &m, NULL), GEMMNET_OK);
    assert_int_equal(gemmnet_model_init(m, GEMMNET_INIT_XAVIER, 1, NULL), GEMMNET_OK);
    gemmnet_train_options o;
    gemmnet_train_options_init(&o);
    o.block_rows = 16;
    gemmnet_trainer *t = NULL;
    assert_int_equal(gemmnet_trainer_create(m, &data, &o, &t, NULL), GEMMNET_OK);
    assert_int_equal(gemmnet_trainer_run(t, 2, NULL), GEMMNET_OK);
    assert_int_equal(gemmnet_trainer_save(t, path, NULL), GEMMNET_OK);
    gemmnet_trainer_destroy(t);
    gemmnet_model_destroy(m);
    gemmnet_checkpoint *c = NULL;
    assert_int_equal(gemmnet_checkpoint_load(path, NULL, &m, &c, NULL), GEMMNET_OK);
    o.block_rows = 32;
    assert_int_equal(gemmnet_trainer_create(m, &data, &o, &t, NULL), GEMMNET_OK);
    gemmnet_error err = {0};
    assert_int_equal(gemmnet_trainer_restore(t, c, &err), GEMMNET_E_INVALID);
    if (!strstr(err.message, "blocks of 16 rows, this run in blocks of 32") ||
        strstr(err.message, "gemmnet_"))
        fail_msg("block mismatch message: %s", err.message);
    gemmnet_trainer_destroy(t);
    gemmnet_checkpoint_free(c);
    gemmnet_model_destroy(m);
    gemmnet_dataset_free(&data);
    assert_int_equal(fixture_dir_remove(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wide_model_workspace_is_sized_by_need),
        cmocka_unit_test(test_checkpoint_block_mismatch_is_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
