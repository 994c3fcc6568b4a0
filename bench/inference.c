/* Inference: single-row gemmnet_predict latency on the tutorial net
 * (2-3-2) and a 784-256-10 net, beside the floor, the same row's layer
 * products alone (gn_sgemv, and gn_sgemm_full with m = 1, the GEMM the
 * engine would otherwise make), all in this run; and batch throughput,
 * rows per second, at each thread count. Latencies are best samples: a
 * latency is what the code can do, other processes only add to it. */
#include "bench.h"

#include <math.h>
#include <stdlib.h>

typedef struct inference_net {
    const char *name;
    int32_t inputs, hidden, classes;
    size_t batch_rows;
} inference_net;

static const inference_net nets[INFERENCE_NETS] = {
    {"tutorial 2-3-2", 2, 3, 2, 100000},
    {"784-256-10", 784, 256, 10, 20000},
};

typedef struct inference_case {
    gemmnet_model *model;
    gemmnet_workspace *workspace;
    float *x;
    int32_t *labels;
    size_t rows;
    /* Layer products' scratch: the row's activations per layer. */
    float *z[GEMMNET_MAX_LAYERS + 1];
} inference_case;

static void run_predict(void *context, int calls)
{
    inference_case *c = context;
    for (int i = 0; i < calls; i++) {
        int status = gemmnet_predict(c->model, c->workspace, c->x, c->rows, c->labels, NULL);
        if (status != GEMMNET_OK)
            die("gemmnet_predict", status, NULL);
    }
}

/* The row's layer products alone: z_l[1×out] = z_{l−1}[1×in]·W_l. */
static void layer_products(inference_case *c, int calls, bool gemv)
{
    const gemmnet_model *m = c->model;
    for (int i = 0; i < calls; i++)
        for (int32_t l = 1; l <= m->layers; l++) {
            size_t in = (size_t)m->width[l - 1], out = (size_t)m->width[l];
            const float *w = m->parameters + m->weight_offset[l - 1];
            if (gemv)
                gn_sgemv(true, in, out, 1.0f, w, out, c->z[l - 1], 0.0f, c->z[l]);
            else
                gn_sgemm_full(false, false, 1, out, in, 1.0f, c->z[l - 1], in, w, out, 0.0f,
                              c->z[l], out);
        }
}

static void run_sgemv(void *context, int calls)
{
    layer_products(context, calls, true);
}

static void run_sgemm_row(void *context, int calls)
{
    layer_products(context, calls, false);
}

static void case_open(inference_case *c, const inference_net *net)
{
    gemmnet_error err;
    int32_t hidden = net->hidden;
    gemmnet_architecture arch = {
        .inputs = net->inputs, .classes = net->classes, .hidden_layers = 1, .hidden = &hidden};
    int status = gemmnet_model_create(&arch, NULL, &c->model, &err);
    if (status != GEMMNET_OK)
        die("gemmnet_model_create", status, &err);
    gemmnet_model_init(c->model, GEMMNET_INIT_TUTORIAL, 0, NULL);
    if ((status = gemmnet_workspace_create(c->model, NULL, &c->workspace, &err)))
        die("gemmnet_workspace_create", status, &err);
    size_t values = net->batch_rows * (size_t)net->inputs;
    c->x = checked_malloc(values * sizeof *c->x);
    gemmnet_rng rng;
    gemmnet_rng_seed(&rng, 2);
    for (size_t i = 0; i < values; i++)
        c->x[i] = (float)gemmnet_rng_uniform(&rng);
    c->labels = checked_malloc(net->batch_rows * sizeof *c->labels);
    for (int32_t l = 0; l <= c->model->layers; l++) {
        c->z[l] = checked_malloc((size_t)c->model->width[l] * sizeof(float));
        for (int32_t j = 0; j < c->model->width[l]; j++)
            c->z[l][j] = l == 0 ? c->x[j] : 0.0f;
    }
}

static void case_close(inference_case *c)
{
    for (int32_t l = 0; l <= c->model->layers; l++)
        free(c->z[l]);
    free(c->labels);
    free(c->x);
    gemmnet_workspace_destroy(c->workspace);
    gemmnet_model_destroy(c->model);
}

static double best_per_call(epoch_runner run, inference_case *c, bool quick)
{
    timing_plan plan = {.warmup_epochs = 20,
                        .sample_s = 2e-3,
                        .min_samples = quick ? 5 : 9,
                        .max_samples = quick ? 9 : 31,
                        .budget_s = quick ? 0.05 : 0.2};
    return measure(run, c, &plan).min;
}

static void measure_net(const options *o, const inference_net *net, inference_result *r)
{
    inference_case c = {0};
    case_open(&c, net);
    *r = (inference_result){.net = net->name, .batch_rows = net->batch_rows};
    use_threads(o->threads[0]);
    c.rows = 1;
    r->row_s = best_per_call(run_predict, &c, o->quick);
    r->sgemv_s = best_per_call(run_sgemv, &c, o->quick);
    r->sgemm_s = best_per_call(run_sgemm_row, &c, o->quick);
    c.rows = net->batch_rows;
    for (int t = 0; t < o->thread_count; t++) {
        use_threads(o->threads[t]);
        timing_plan plan = {.warmup_epochs = 1,
                            .sample_s = 0.0,
                            .min_samples = 3,
                            .max_samples = o->quick ? 3 : 9,
                            .budget_s = o->quick ? 0.1 : 0.5};
        timing batch = measure(run_predict, &c, &plan);
        r->threads[t] = o->threads[t];
        r->rows_per_s[t] = (double)net->batch_rows / batch.median;
    }
    r->thread_count = o->thread_count;
    case_close(&c);
}

void measure_inference(const options *o, inference_result *out)
{
    for (size_t i = 0; i < INFERENCE_NETS; i++) {
        printf("inference: %s...\n", nets[i].name);
        fflush(stdout);
        measure_net(o, &nets[i], &out[i]);
    }
}
