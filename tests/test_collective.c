/* Data-parallel training through the collective hooks, with threads as
 * the processes: P shards trained together must match one process up to
 * float32 reassociation, in full-batch and minibatch mode. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"

enum { MAX_MEMBERS = 3, MAX_VALUES = 4096 };

/* Threads standing in for processes: each sum copies every member's
 * buffer into a slot, then every member adds the slots in rank order, so
 * all of them get bit-identical sums. */
typedef struct group {
    pthread_barrier_t barrier;
    int size;
    float floats[MAX_MEMBERS][MAX_VALUES];
    double doubles[MAX_MEMBERS][8];
} group;

typedef struct member {
    group *g;
    int rank;
    gemmnet_collective collective;
    gemmnet_model *model;
    gemmnet_dataset shard;
    const gemmnet_train_options *options;
    int status;
} member;

static int sum_floats(void *context, float *buf, size_t n)
{
    member *m = context;
    if (n > MAX_VALUES)
        return -1;
    memcpy(m->g->floats[m->rank], buf, n * sizeof *buf);
    pthread_barrier_wait(&m->g->barrier);
    for (size_t i = 0; i < n; i++) {
        float sum = 0.0f;
        for (int r = 0; r < m->g->size; r++)
            sum += m->g->floats[r][i];
        buf[i] = sum;
    }
    pthread_barrier_wait(&m->g->barrier);
    return 0;
}

static int sum_doubles(void *context, double *buf, size_t n)
{
    member *m = context;
    memcpy(m->g->doubles[m->rank], buf, n * sizeof *buf);
    pthread_barrier_wait(&m->g->barrier);
    for (size_t i = 0; i < n; i++) {
        double sum = 0.0;
        for (int r = 0; r < m->g->size; r++)
            sum += m->g->doubles[r][i];
        buf[i] = sum;
    }
    pthread_barrier_wait(&m->g->barrier);
    return 0;
}

static gemmnet_model *tutorial_model(int32_t hidden)
{
    gemmnet_architecture arch = {.inputs = 2, .classes = 2, .hidden_layers = 1, .hidden = &hidden};
    gemmnet_model *m;
    assert_int_equal(gemmnet_model_create(&arch, NULL, &m, NULL), GEMMNET_OK);
    gemmnet_model_init(m, GEMMNET_INIT_TUTORIAL, 0, NULL);
    return m;
}

/* Rows [first, first + rows) of data as a new data set. */
static void take_shard(const gemmnet_dataset *data, size_t first, size_t rows, gemmnet_dataset *out)
{
    assert_int_equal(gemmnet_dataset_alloc(out, rows, data->features, NULL, NULL), GEMMNET_OK);
    memcpy(out->x, data->x + first * data->features, rows * data->features * sizeof(float));
    memcpy(out->y, data->y + first, rows * sizeof(int32_t));
    out->classes = data->classes;
}

static void *train_member(void *arg)
{
    member *m = arg;
    gemmnet_train_options o = *m->options;
    o.collective = &m->collective;
    m->status = gemmnet_train(m->model, &m->shard, &o, NULL);
    return NULL;
}

/* Trains P members on contiguous shards of data; returns member 0's
 * model (the caller destroys it) after checking all members agree bit for
 * bit. */
static gemmnet_model *
train_parallel(const gemmnet_dataset *data, const gemmnet_train_options *o, int p, int32_t hidden)
{
    static group g;
    member members[MAX_MEMBERS];
    pthread_t threads[MAX_MEMBERS];
    g.size = p;
    pthread_barrier_init(&g.barrier, NULL, (unsigned)p);
    for (int r = 0; r < p; r++) {
        size_t first = data->rows * (size_t)r / (size_t)p,
               last = data->rows * (size_t)(r + 1) / (size_t)p;
        members[r] = (member){.g = &g, .rank = r, .model = tutorial_model(hidden), .options = o};
        take_shard(data, first, last - first, &members[r].shard);
        members[r].collective = (gemmnet_collective){.sum_floats = sum_floats,
                                                     .sum_doubles = sum_doubles,
                                                     .context = &members[r],
                                                     .global_rows = data->rows,
                                                     .first_row = first};
        pthread_create(&threads[r], NULL, train_member, &members[r]);
    }
    for (int r = 0; r < p; r++)
        pthread_join(threads[r], NULL);
    pthread_barrier_destroy(&g.barrier);
    size_t count = members[0].model->parameter_count;
    for (int r = 0; r < p; r++) {
        assert_int_equal(members[r].status, GEMMNET_OK);
        if (memcmp(members[r].model->parameters, members[0].model->parameters,
                   count * sizeof(float)))
            fail_msg("member %d's replica differs from member 0's", r);
        if (r > 0)
            gemmnet_model_destroy(members[r].model);
        gemmnet_dataset_free(&members[r].shard);
    }
    return members[0].model;
}

static void
expect_close(const gemmnet_model *a, const gemmnet_model *b, double tolerance, const char *what)
{
    double scale = 0.0, worst = 0.0;
    for (size_t i = 0; i < a->parameter_count; i++) {
        scale = fmax(scale, fabs(a->parameters[i]));
        worst = fmax(worst, fabs(a->parameters[i] - b->parameters[i]));
    }
    if (worst > tolerance * scale)
        fail_msg("%s: parameters differ by %.3g (scale %.3g, tolerance %.1g relative)", what, worst,
                 scale, tolerance);
}

static void test_shards_train_like_one_process_full_batch(void **state)
{
    (void)state;
    gemmnet_dataset data;
    assert_int_equal(
        gemmnet_dataset_generate(&data, GEMMNET_SYNTH_MOONS, 200, 2, 0.2, 0, NULL, NULL),
        GEMMNET_OK);
    gemmnet_train_options o;
    gemmnet_train_options_init(&o);
    o.epochs = 300; /* before the chaotic stretch, where rounding would grow */
    gemmnet_model *single = tutorial_model(3);
    assert_int_equal(gemmnet_train(single, &data, &o, NULL), GEMMNET_OK);
    for (int p = 1; p <= 3; p++) {
        gemmnet_model *parallel = train_parallel(&data, &o, p, 3);
        expect_close(single, parallel, 1e-5,
                     p == 1   ? "1 member"
                     : p == 2 ? "2 members"
                              : "3 members");
        gemmnet_model_destroy(parallel);
    }
    gemmnet_model_destroy(single);
    gemmnet_dataset_free(&data);
}

static void test_shards_train_like_one_process_with_minibatches(void **state)
{
    (void)state;
    gemmnet_dataset data;
    assert_int_equal(
        gemmnet_dataset_generate(&data, GEMMNET_SYNTH_MOONS, 301, 2, 0.2, 4, NULL, NULL),
        GEMMNET_OK);
    gemmnet_train_options o;
    gemmnet_train_options_init(&o);
    o.epochs = 20;
    o.batch_size = 32; /* 301 = 9·32 + 13: a short last batch */
    o.reduction = GEMMNET_REDUCTION_MEAN;
    o.optimizer = GEMMNET_OPT_ADAM;
    o.learning_rate = 0.01f;
    o.shuffle_seed = 7;
    gemmnet_model *single = tutorial_model(16);
    assert_int_equal(gemmnet_train(single, &data, &o, NULL), GEMMNET_OK);
    for (int p = 2; p <= 3; p++) {
        gemmnet_model *parallel = train_parallel(&data, &o, p, 16);
        expect_close(single, parallel, 1e-4, p == 2 ? "2 members" : "3 members");
        gemmnet_model_destroy(parallel);
    }
    gemmnet_model_destroy(single);
    gemmnet_dataset_free(&data);
}

static int fail_sum(void *context, float *buf, size_t n)
{
    (void)context;
    (void)buf;
    (void)n;
    return -1;
}

static void test_failed_reduction_stops_training(void **state)
{
    (void)state;
    gemmnet_dataset data;
    assert_int_equal(
        gemmnet_dataset_generate(&data, GEMMNET_SYNTH_MOONS, 50, 2, 0.2, 0, NULL, NULL),
        GEMMNET_OK);
    gemmnet_collective c = {.sum_floats = fail_sum, .sum_doubles = sum_doubles, .global_rows = 50};
    gemmnet_train_options o;
    gemmnet_train_options_init(&o);
    o.collective = &c;
    gemmnet_model *m = tutorial_model(3);
    gemmnet_error err = {0};
    assert_int_equal(gemmnet_train(m, &data, &o, &err), GEMMNET_E_COLLECTIVE);
    assert_non_null(strstr(err.message, "epoch 0, batch 0"));
    c.global_rows = 40; /* the shard does not fit */
    assert_int_equal(gemmnet_train(m, &data, &o, &err), GEMMNET_E_SHAPE);
    gemmnet_model_destroy(m);
    gemmnet_dataset_free(&data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shards_train_like_one_process_full_batch),
        cmocka_unit_test(test_shards_train_like_one_process_with_minibatches),
        cmocka_unit_test(test_failed_reduction_stops_training),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
