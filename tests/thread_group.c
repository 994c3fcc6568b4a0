/* Threads standing in for processes (thread_group.h). */
#include "thread_group.h"

#include <pthread.h>
#include <string.h>

typedef struct group {
    pthread_barrier_t barrier;
    int size;
    float floats[THREAD_GROUP_MEMBERS][THREAD_GROUP_VALUES];
    double doubles[THREAD_GROUP_MEMBERS][8];
} group;

typedef struct member {
    group *g;
    int rank;
    gemmnet_collective collective;
    gemmnet_model *model;
    const gemmnet_dataset *shard;
    const gemmnet_train_options *options;
    int status;
} member;

static int sum_floats(void *context, float *buf, size_t n)
{
    member *m = context;
    if (n > THREAD_GROUP_VALUES)
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
    if (n > 8)
        return -1;
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

static void *train_member(void *arg)
{
    member *m = arg;
    gemmnet_train_options o = *m->options;
    o.collective = &m->collective;
    m->status = gemmnet_train(m->model, m->shard, &o, NULL);
    return NULL;
}

void thread_group_train(int size,
                        gemmnet_model *const *models,
                        const gemmnet_dataset *shards,
                        const size_t *first,
                        size_t global_rows,
                        const gemmnet_train_options *o,
                        int *statuses)
{
    static group g;
    member members[THREAD_GROUP_MEMBERS] = {{0}};
    pthread_t threads[THREAD_GROUP_MEMBERS];
    g.size = size;
    pthread_barrier_init(&g.barrier, NULL, (unsigned)size);
    for (int r = 0; r < size; r++) {
        members[r] =
            (member){.g = &g, .rank = r, .model = models[r], .shard = &shards[r], .options = o};
        members[r].collective = (gemmnet_collective){.sum_floats = sum_floats,
                                                     .sum_doubles = sum_doubles,
                                                     .context = &members[r],
                                                     .global_rows = global_rows,
                                                     .first_row = first[r]};
        pthread_create(&threads[r], NULL, train_member, &members[r]);
    }
    for (int r = 0; r < size; r++) {
        pthread_join(threads[r], NULL);
        statuses[r] = members[r].status;
    }
    pthread_barrier_destroy(&g.barrier);
}
