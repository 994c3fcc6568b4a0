/* Checkpoints: a run stopped, saved, loaded and continued gives the same
 * bytes as an uninterrupted run, for every optimizer, with minibatches,
 * validation and early stopping; damaged or mismatched resumes fail
 * cleanly. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train/train.h"
#include "support.h"

typedef struct fixture {
    gemmnet_dataset all;
    gemmnet_dataset train;
    gemmnet_dataset validation;
    char directory[FIXTURE_DIR_SIZE];
} fixture;

static int setup(void **state)
{
    static fixture f;
    if (fixture_dir_create(f.directory, "checkpoint") != 0 ||
        gemmnet_dataset_generate(&f.all, GEMMNET_SYNTH_MOONS, 240, 2, 0.3, 2, NULL, NULL) !=
            GEMMNET_OK ||
        gemmnet_dataset_split(&f.all, 0.25, 2, &f.train, &f.validation, NULL) != GEMMNET_OK)
        return -1;
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    fixture_dir_remove(f->directory);
    gemmnet_dataset_free(&f->all);
    gemmnet_dataset_free(&f->train);
    gemmnet_dataset_free(&f->validation);
    return 0;
}

static gemmnet_model *fresh_model(void)
{
    static const int32_t hidden[2] = {12, 6};
    gemmnet_architecture arch = {.inputs = 2, .classes = 2, .hidden_layers = 2, .hidden = hidden};
    gemmnet_model *m;
    assert_int_equal(gemmnet_model_create(&arch, NULL, &m, NULL), GEMMNET_OK);
    assert_int_equal(gemmnet_model_init(m, GEMMNET_INIT_XAVIER, 4, NULL), GEMMNET_OK);
    return m;
}

static void
options_for(gemmnet_optimizer rule, const gemmnet_dataset *validation, gemmnet_train_options *o)
{
    gemmnet_train_options_init(o);
    o->optimizer = rule;
    o->reduction = GEMMNET_REDUCTION_MEAN;
    o->learning_rate = rule == GEMMNET_OPT_ADAM ? 0.01f : 0.1f;
    o->batch_size = 32;
    o->shuffle_seed = 9;
    o->schedule = (gemmnet_schedule){.kind = GEMMNET_SCHEDULE_INV, .k = 0.01f};
    o->validation = validation;
    o->patience = validation ? 1000 : 0;
}

/* Trains `epochs` epochs in one go and saves: the reference bytes. */
static void
train_whole(const fixture *f, const gemmnet_train_options *o, int32_t epochs, const char *path)
{
    gemmnet_model *m = fresh_model();
    gemmnet_trainer *t;
    assert_int_equal(gemmnet_trainer_create(m, &f->train, o, &t, NULL), GEMMNET_OK);
    assert_int_equal(gemmnet_trainer_run(t, epochs, NULL), GEMMNET_OK);
    assert_int_equal(gemmnet_trainer_save(t, path, NULL), GEMMNET_OK);
    gemmnet_trainer_destroy(t);
    gemmnet_model_destroy(m);
}

/* Loads the checkpoint at path, continues it to `epochs` in all, saves. */
static void resume(const fixture *f, const char *path, int32_t epochs, const char *out)
{
    gemmnet_model *m;
    gemmnet_checkpoint *c;
    gemmnet_error err = {0};
    if (gemmnet_checkpoint_load(path, NULL, &m, &c, &err) != GEMMNET_OK)
        fail_msg("loading the checkpoint: %s", err.message);
    gemmnet_train_options o;
    gemmnet_checkpoint_options(c, &o);
    o.validation = o.patience ? &f->validation : NULL;
    gemmnet_trainer *t;
    assert_int_equal(gemmnet_trainer_create(m, &f->train, &o, &t, NULL), GEMMNET_OK);
    if (gemmnet_trainer_restore(t, c, &err) != GEMMNET_OK)
        fail_msg("restoring: %s", err.message);
    assert_int_equal(gemmnet_trainer_epochs_done(t), gemmnet_checkpoint_epochs_done(c));
    assert_int_equal(gemmnet_trainer_run(t, epochs - gemmnet_trainer_epochs_done(t), NULL),
                     GEMMNET_OK);
    assert_int_equal(gemmnet_trainer_save(t, out, NULL), GEMMNET_OK);
    gemmnet_trainer_destroy(t);
    gemmnet_checkpoint_free(c);
    gemmnet_model_destroy(m);
}

static void test_resumed_runs_equal_uninterrupted_runs_bit_for_bit(void **state)
{
    fixture *f = *state;
    static const char *const names[] = {"gd", "momentum", "nesterov", "adam"};
    char whole[128], half[128];
    fixture_path(whole, sizeof whole, f->directory, "whole.gnet");
    fixture_path(half, sizeof half, f->directory, "half.gnet");
    for (int rule = 0; rule < 4; rule++) {
        for (int with_validation = 0; with_validation < 2; with_validation++) {
            gemmnet_train_options o;
            options_for((gemmnet_optimizer)rule, with_validation ? &f->validation : NULL, &o);
            train_whole(f, &o, 30, whole);
            train_whole(f, &o, 13, half);
            resume(f, half, 30, half);
            char what[64];
            snprintf(what, sizeof what, "%s%s", names[rule],
                     with_validation ? " + validation" : "");
            expect_same_run_file(whole, half, what);
        }
    }
}

static void test_checkpoints_load_as_plain_models(void **state)
{
    fixture *f = *state;
    char path[128];
    fixture_path(path, sizeof path, f->directory, "whole.gnet");
    gemmnet_train_options o;
    options_for(GEMMNET_OPT_ADAM, NULL, &o);
    train_whole(f, &o, 3, path);
    gemmnet_model *m;
    assert_int_equal(gemmnet_model_load(path, NULL, &m, NULL), GEMMNET_OK);
    assert_int_equal(gemmnet_model_layers(m), 3);
    gemmnet_model_destroy(m);
}

static void test_a_plain_model_is_not_a_checkpoint(void **state)
{
    fixture *f = *state;
    char path[128];
    fixture_path(path, sizeof path, f->directory, "plain.gnet");
    gemmnet_model *m = fresh_model();
    assert_int_equal(gemmnet_model_save(m, path, NULL), GEMMNET_OK);
    gemmnet_model_destroy(m);
    gemmnet_checkpoint *c = (gemmnet_checkpoint *)f;
    gemmnet_error err = {0};
    assert_int_equal(gemmnet_checkpoint_load(path, NULL, &m, &c, &err), GEMMNET_E_FORMAT);
    assert_null(m);
    assert_null(c);
    assert_non_null(strstr(err.message, "without training state"));
}

static void test_resuming_on_other_data_is_refused(void **state)
{
    fixture *f = *state;
    char path[128];
    fixture_path(path, sizeof path, f->directory, "half.gnet");
    gemmnet_train_options o;
    options_for(GEMMNET_OPT_MOMENTUM, NULL, &o);
    train_whole(f, &o, 2, path);
    gemmnet_model *m;
    gemmnet_checkpoint *c;
    assert_int_equal(gemmnet_checkpoint_load(path, NULL, &m, &c, NULL), GEMMNET_OK);
    gemmnet_checkpoint_options(c, &o);
    gemmnet_trainer *t;
    assert_int_equal(gemmnet_trainer_create(m, &f->all, &o, &t, NULL), GEMMNET_OK);
    gemmnet_error err = {0};
    assert_int_equal(gemmnet_trainer_restore(t, c, &err), GEMMNET_E_SHAPE);
    assert_non_null(strstr(err.message, "trained on 180 rows"));
    gemmnet_trainer_destroy(t);
    gemmnet_checkpoint_free(c);
    gemmnet_model_destroy(m);
}

/* Every byte of the training state flipped in turn: the file checksum
 * refuses each, and nothing leaks (ASan). */
static void test_damaged_checkpoints_are_refused(void **state)
{
    fixture *f = *state;
    char path[128], damaged[128];
    fixture_path(path, sizeof path, f->directory, "half.gnet");
    fixture_path(damaged, sizeof damaged, f->directory, "damaged.gnet");
    gemmnet_train_options o;
    options_for(GEMMNET_OPT_ADAM, NULL, &o);
    train_whole(f, &o, 2, path);
    size_t size;
    unsigned char *bytes = read_file(path, &size);
    for (size_t i = 0; i < size; i += 97) {
        bytes[i] ^= 0x40;
        write_file(damaged, bytes, size);
        gemmnet_model *m;
        gemmnet_checkpoint *c;
        int status = gemmnet_checkpoint_load(damaged, NULL, &m, &c, NULL);
        if (status == GEMMNET_OK)
            fail_msg("a flip at byte %zu of %zu was accepted", i, size);
        bytes[i] ^= 0x40;
    }
    free(bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resumed_runs_equal_uninterrupted_runs_bit_for_bit),
        cmocka_unit_test(test_checkpoints_load_as_plain_models),
        cmocka_unit_test(test_a_plain_model_is_not_a_checkpoint),
        cmocka_unit_test(test_resuming_on_other_data_is_refused),
        cmocka_unit_test(test_damaged_checkpoints_are_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
