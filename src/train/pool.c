/* A fixed pool of worker threads, made once (per trainer) and reused for
 * every batch: gn_pool_run hands one task to workers 0..W−1 — the calling
 * thread is worker 0, W − 1 pthreads the others — and returns when all
 * have finished. Nothing is allocated after gn_pool_create. */
#include "train/train.h"

#include <pthread.h>

struct gn_pool {
    gemmnet_allocator allocator;
    int workers;
    pthread_t *threads;
    /* Threads started (W − 1 once created). */
    int started;
    pthread_mutex_t lock;
    pthread_cond_t start;
    pthread_cond_t done;
    /* Incremented per run; a thread runs the task once per generation. */
    unsigned long generation;
    /* Threads still running the current task. */
    int pending;
    bool stopping;
    gn_pool_task task;
    void *context;
};

/* One pool thread: its worker index, and the pool. */
typedef struct pool_thread {
    gn_pool *pool;
    int worker;
} pool_thread;

static void *pool_main(void *arg)
{
    pool_thread *self = arg;
    gn_pool *p = self->pool;
    int worker = self->worker;
    gn_blas_worker_init();
    unsigned long seen = 0;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->stopping && p->generation == seen)
            pthread_cond_wait(&p->start, &p->lock);
        if (p->stopping)
            break;
        seen = p->generation;
        pthread_mutex_unlock(&p->lock);
        p->task(p->context, worker);
        pthread_mutex_lock(&p->lock);
        if (--p->pending == 0)
            pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

int gn_pool_create(int workers,
                   const gemmnet_allocator *allocator,
                   gn_pool **out,
                   gemmnet_error *err)
{
    *out = NULL;
    if (workers < 2 || workers > GN_MAX_WORKERS)
        return gn_fail(err, GEMMNET_E_INVALID, "a pool has 2 to %d workers (got %d)",
                       GN_MAX_WORKERS, workers);
    gn_pool *p = gn_alloc_zero(allocator, sizeof *p);
    /* The thread handles and their arguments, in one block. */
    void *block =
        p ? gn_alloc(allocator, (size_t)(workers - 1) * (sizeof(pthread_t) + sizeof(pool_thread)))
          : NULL;
    if (!block) {
        gn_release(allocator, p);
        return gn_fail(err, GEMMNET_E_NOMEM, "cannot allocate a pool of %d workers", workers);
    }
    p->allocator = *allocator;
    p->workers = workers;
    p->threads = block;
    pool_thread *args = (pool_thread *)(p->threads + (workers - 1));
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->start, NULL);
    pthread_cond_init(&p->done, NULL);
    for (int w = 1; w < workers; w++) {
        args[w - 1] = (pool_thread){.pool = p, .worker = w};
        if (pthread_create(&p->threads[w - 1], NULL, pool_main, &args[w - 1]) != 0) {
            gn_pool_destroy(p);
            return gn_fail(err, GEMMNET_E_NOMEM, "cannot start worker thread %d of %d", w, workers);
        }
        p->started++;
    }
    *out = p;
    return GEMMNET_OK;
}

int gn_pool_workers(const gn_pool *pool)
{
    return pool ? pool->workers : 1;
}

void gn_pool_run(gn_pool *p, gn_pool_task task, void *context)
{
    pthread_mutex_lock(&p->lock);
    p->task = task;
    p->context = context;
    p->pending = p->started;
    p->generation++;
    pthread_cond_broadcast(&p->start);
    pthread_mutex_unlock(&p->lock);
    task(context, 0);
    pthread_mutex_lock(&p->lock);
    while (p->pending > 0)
        pthread_cond_wait(&p->done, &p->lock);
    pthread_mutex_unlock(&p->lock);
}

void gn_pool_destroy(gn_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_cond_broadcast(&p->start);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->started; i++)
        pthread_join(p->threads[i], NULL);
    pthread_cond_destroy(&p->done);
    pthread_cond_destroy(&p->start);
    pthread_mutex_destroy(&p->lock);
    gemmnet_allocator a = p->allocator;
    gn_release(&a, p->threads);
    gn_release(&a, p);
}
