/* Threads over row blocks: a batch's rows (this process's part of it) are
 * cut into W contiguous ranges, one per worker; each worker runs forward
 * and backward over its range, block by block in its own workspace, with
 * single-threaded BLAS, into its private gradient; worker 0 writes the
 * trainer's gradient and the others' are then added to it in worker order
 * 1, 2, …, W − 1. The cut and the order depend only on W and the rows, so
 * a run is deterministic for a given W and equals W = 1 up to float32
 * reassociation. Pool, workspaces and gradients are made with the trainer:
 * an epoch allocates nothing. */
#include "train/train.h"

#include <string.h>

/* Work below which a worker's share is not worth waking it for:
 * multiply-adds of the forward pass per worker (about 20 µs of GEMM). */
#define MIN_WORKER_MACS 262144.0

/* One split batch: what every worker reads. */
typedef struct split_job {
    gemmnet_trainer *trainer;
    const float *x;
    const int32_t *y;
    const float *w; /* row weights, or NULL */
    size_t rows;
    float scale;
} split_job;

static int32_t wanted_workers(const gemmnet_trainer *t)
{
    int32_t asked = t->options.threads;
    int32_t w = asked > 0 ? asked : (int32_t)gemmnet_blas_threads();
    return w < 1 ? 1 : w > GN_MAX_WORKERS ? GN_MAX_WORKERS : w;
}

bool gn_rows_split(const gemmnet_trainer *t, size_t rows)
{
    if (!t->pool || rows < (size_t)t->workers)
        return false;
    /* An explicit count always splits; the automatic one only when every
     * worker gets enough work. */
    return t->options.threads >= 2 ||
           (double)rows * t->row_macs >= MIN_WORKER_MACS * (double)t->workers;
}

static double forward_macs_per_row(const gemmnet_model *m)
{
    double macs = 0.0;
    for (int32_t l = 1; l <= m->layers; l++)
        macs += (double)m->width[l - 1] * m->width[l];
    return macs;
}

int gn_rows_create(gemmnet_trainer *t, gemmnet_error *err)
{
    t->workers = 1;
    t->row_macs = forward_macs_per_row(t->model);
    int32_t w = wanted_workers(t);
    size_t local = t->batch_rows < t->data->rows ? t->batch_rows : t->data->rows;
    /* Automatic: stay on the calling thread unless a whole batch gives
     * every worker enough to do (the tutorial never splits). */
    bool worth =
        t->options.threads >= 2 || (double)local * t->row_macs >= MIN_WORKER_MACS * (double)w;
    if (w < 2 || !worth || local < (size_t)w)
        return GEMMNET_OK;
    size_t p = t->model->parameter_count, bytes;
    if (!gn_mul_size(p, (size_t)(w - 1), &bytes) || !gn_mul_size(bytes, sizeof(float), &bytes))
        return gn_fail(err, GEMMNET_E_OVERFLOW, "gradients of %d workers overflow", (int)w);
    t->worker_grads = gn_alloc(&t->allocator, bytes);
    if (!t->worker_grads)
        return gn_fail(err, GEMMNET_E_NOMEM, "cannot allocate the gradients of %d workers", (int)w);
    for (int32_t i = 1; i < w; i++) {
        int status = gn_workspace_create(t->model, t->workspace->block_rows, true, &t->allocator,
                                         &t->worker_workspace[i], err);
        if (status != GEMMNET_OK)
            return status;
    }
    int status = gn_pool_create((int)w, &t->allocator, &t->pool, err);
    if (status == GEMMNET_OK)
        t->workers = w;
    return status;
}

void gn_rows_destroy(gemmnet_trainer *t)
{
    gn_pool_destroy(t->pool);
    t->pool = NULL;
    for (int i = 1; i < GN_MAX_WORKERS; i++) {
        gemmnet_workspace_destroy(t->worker_workspace[i]);
        t->worker_workspace[i] = NULL;
    }
    gn_release(&t->allocator, t->worker_grads);
    t->worker_grads = NULL;
}

/* Worker w's gradient: the trainer's for worker 0, else its own. */
static float *worker_grad(gemmnet_trainer *t, int w)
{
    return w == 0 ? t->grad : t->worker_grads + (size_t)(w - 1) * t->model->parameter_count;
}

/* Worker w: rows [w·R/W, (w+1)·R/W) of the job, block by block. */
static void split_task(void *context, int w)
{
    split_job *job = context;
    gemmnet_trainer *t = job->trainer;
    const gemmnet_model *m = t->model;
    gemmnet_workspace *ws = w == 0 ? t->workspace : t->worker_workspace[w];
    size_t first = job->rows * (size_t)w / (size_t)t->workers;
    size_t end = job->rows * (size_t)(w + 1) / (size_t)t->workers;
    gn_backward_job back = {.model = m,
                            .y = job->y,
                            .first = first,
                            .scale = job->scale,
                            .grad = worker_grad(t, w),
                            .w = job->w};
    gn_blocks b = {.x = job->x, .first = first, .end = end, .raw = true};
    gn_forward_blocks(m, ws, &b, gn_backward_block, &back, NULL);
}

void gn_rows_gradient(gemmnet_trainer *t,
                      const float *x,
                      const int32_t *y,
                      const float *weights,
                      size_t rows,
                      float scale)
{
    split_job job = {.trainer = t, .x = x, .y = y, .w = weights, .rows = rows, .scale = scale};
    gn_pool_run(t->pool, split_task, &job);
    /* Σ in worker order: grad = g₀ + g₁ + … + g_{W−1}. */
    size_t p = t->model->parameter_count;
    for (int w = 1; w < t->workers; w++) {
        const float *g = worker_grad(t, w);
        for (size_t i = 0; i < p; i++)
            t->grad[i] += g[i];
    }
}

/* One split evaluation: each worker's Σ CE and correct count. */
typedef struct evaluation_job {
    gemmnet_trainer *trainer;
    const gemmnet_dataset *data;
    const float *w;
    double cross_entropy[GN_MAX_WORKERS];
    double correct[GN_MAX_WORKERS];
} evaluation_job;

static void evaluation_task(void *context, int w)
{
    evaluation_job *job = context;
    gemmnet_trainer *t = job->trainer;
    const gemmnet_model *m = t->model;
    const gemmnet_dataset *data = job->data;
    gemmnet_workspace *ws = w == 0 ? t->workspace : t->worker_workspace[w];
    size_t first = data->rows * (size_t)w / (size_t)t->workers;
    size_t end = data->rows * (size_t)(w + 1) / (size_t)t->workers;
    gn_blocks b = {
        .x = data->x, .y = data->y, .first = first, .end = end, .raw = true, .w = job->w};
    gn_forward_blocks(m, ws, &b, gn_count_correct_block, &b, NULL);
    double ce = b.cross_entropy, correct = (double)b.correct;
    job->cross_entropy[w] = ce;
    job->correct[w] = correct;
}

void gn_rows_evaluate(gemmnet_trainer *t,
                      const gemmnet_dataset *data,
                      const float *weights,
                      double *cross_entropy,
                      double *correct)
{
    evaluation_job job = {.trainer = t, .data = data, .w = weights};
    gn_pool_run(t->pool, evaluation_task, &job);
    *cross_entropy = *correct = 0.0;
    for (int w = 0; w < t->workers; w++) {
        *cross_entropy += job.cross_entropy[w];
        *correct += job.correct[w];
    }
}
