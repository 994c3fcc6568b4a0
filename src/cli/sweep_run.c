/* The sweep's jobs on a small pool of pthreads pulling the next job from
 * a shared counter. Each job owns its model, trainer and workspace; the
 * data set is only read. */
#include "sweep_run.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

/* What the threads share. */
typedef struct sweep_pool {
    sweep_job *jobs;
    int count;
    const sweep_settings *settings;
    /* Index of the next job nobody has taken. */
    atomic_int next;
} sweep_pool;

/* Trains one job and evaluates it on the training set. */
static int train_job(sweep_job *job, const sweep_settings *s)
{
    gemmnet_architecture arch = {.inputs = (int32_t)s->data->features,
                                 .classes = s->data->classes,
                                 .hidden_layers = 1,
                                 .hidden = &job->hidden};
    int status = gemmnet_model_create(&arch, NULL, &job->model, &job->err);
    if (status != GEMMNET_OK)
        return status;
    gemmnet_model_init(job->model, GEMMNET_INIT_TUTORIAL, s->seed, NULL);
    gemmnet_train_options options;
    gemmnet_train_options_init(&options);
    options.epochs = s->epochs;
    options.report_every = 0;
    status = gemmnet_train(job->model, s->data, &options, &job->err);
    gemmnet_workspace *ws = NULL;
    if (status == GEMMNET_OK)
        status = gemmnet_workspace_create(job->model, NULL, &ws, &job->err);
    if (status == GEMMNET_OK)
        status = gemmnet_evaluate(job->model, ws, s->data, options.l2, options.reduction,
                                  &job->result, NULL);
    gemmnet_workspace_destroy(ws);
    return status;
}

static void *worker(void *argument)
{
    sweep_pool *pool = argument;
    for (int i = atomic_fetch_add(&pool->next, 1); i < pool->count;
         i = atomic_fetch_add(&pool->next, 1))
        pool->jobs[i].status = train_job(&pool->jobs[i], pool->settings);
    return NULL;
}

int sweep_train_all(sweep_job *jobs, int count, const sweep_settings *settings)
{
    sweep_pool pool = {.jobs = jobs, .count = count, .settings = settings};
    atomic_init(&pool.next, 0);
    int extra = settings->threads - 1 < count - 1 ? settings->threads - 1 : count - 1;
    if (extra > 0)
        gemmnet_blas_set_threads(1);
    pthread_t *threads = extra > 0 ? malloc((size_t)extra * sizeof *threads) : NULL;
    int started = 0;
    /* A thread that cannot start only leaves more jobs to the others; the
     * calling thread works too, so every job runs. */
    while (threads && started < extra &&
           pthread_create(&threads[started], NULL, worker, &pool) == 0)
        started++;
    worker(&pool);
    for (int t = 0; t < started; t++)
        pthread_join(threads[t], NULL);
    free(threads);
    for (int i = 0; i < count; i++)
        if (jobs[i].status != GEMMNET_OK)
            return jobs[i].status;
    return GEMMNET_OK;
}

void sweep_jobs_free(sweep_job *jobs, int count)
{
    for (int i = 0; i < count; i++) {
        gemmnet_model_destroy(jobs[i].model);
        jobs[i].model = NULL;
    }
}
