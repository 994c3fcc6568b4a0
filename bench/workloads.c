/* The training workloads S, M and L: their data and models, and what is
 * timed on them. The engine's epochs are the library's own:
 * gemmnet_trainer_run on a trainer made once per thread count (no set-up
 * inside the timing; it chooses its row-block workers itself); the stage split comes from the
 * probes around the library's gn_forward and gn_backward inside those same epochs (probe.c). The
 * naive reference is ref_train_epoch from tests/reference.c (per-example loops in double, one
 * thread), timed once per workload.
 *
 * GEMM flops of an epoch: per weight layer 2·N·in·out forward, the same for
 * dW, and the same again for dA below the first layer (one hidden layer:
 * 4NDH + 6NHK). */
#include "bench.h"
#include "reference.h"
#include "train/train.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static const workload_spec workload_specs[] = {
    {'S', "tutorial moons", 200, 2, 3, 2, 2.0, 31, 11},
    {'M', "moons", 100000, 2, 64, 2, 2.0, 5, 3},
    {'L', "synthetic, linear teacher", 60000, 784, 256, 10, 0.1, 1, 0},
};

/* A workload made ready: data, model, trainer. */
typedef struct workload {
    const workload_spec *spec;
    gemmnet_dataset data;
    gemmnet_model *model;
    gemmnet_train_options train;
    /* Made once; the engine timing runs its epochs. */
    gemmnet_trainer *trainer;
    /* Rows per block the trainer chooses (reported), and an inference
     * workspace for the loss. */
    size_t block_rows;
    gemmnet_workspace *workspace;
    /* The naive reference's copy: shape, parameters, x in double. */
    ref_net net;
    double *ref_params;
    double *ref_x;
    /* GEMM flops of one epoch. */
    double gemm_flops;
} workload;

void die(const char *what, int status, const gemmnet_error *err)
{
    fprintf(stderr, "bench: %s failed: %s%s%s\n", what, gemmnet_strerror(status),
            err && err->message[0] ? ": " : "", err && err->message[0] ? err->message : "");
    exit(1);
}

void *checked_malloc(size_t bytes)
{
    void *p = malloc(bytes ? bytes : 1);
    if (!p) {
        fprintf(stderr, "bench: cannot allocate %zu bytes\n", bytes);
        exit(1);
    }
    return p;
}

/* L's data: x uniform in [0, 1) from numpy's generator (seed 1, row-major,
 * as np.random.RandomState(1).random_sample((N, D))), then a teacher
 * T[D×K] = randn from the same stream and y = argmax((x − 0.5)·T). */
static void make_teacher_data(gemmnet_dataset *data, size_t rows, int32_t features, int32_t classes)
{
    gemmnet_error err;
    int status = gemmnet_dataset_alloc(data, rows, (size_t)features, NULL, &err);
    if (status != GEMMNET_OK)
        die("gemmnet_dataset_alloc", status, &err);
    gemmnet_rng rng;
    gemmnet_rng_seed(&rng, 1);
    for (size_t i = 0; i < rows * (size_t)features; i++)
        data->x[i] = (float)gemmnet_rng_uniform(&rng);
    double *teacher = checked_malloc((size_t)features * (size_t)classes * sizeof *teacher);
    for (size_t i = 0; i < (size_t)features * (size_t)classes; i++)
        teacher[i] = gemmnet_rng_normal(&rng);
    double score[64];
    for (size_t r = 0; r < rows; r++) {
        const float *x = data->x + r * (size_t)features;
        for (int32_t k = 0; k < classes; k++)
            score[k] = 0.0;
        for (int32_t d = 0; d < features; d++)
            for (int32_t k = 0; k < classes; k++)
                score[k] += ((double)x[d] - 0.5) * teacher[d * classes + k];
        int32_t best = 0;
        for (int32_t k = 1; k < classes; k++)
            best = score[k] > score[best] ? k : best;
        data->y[r] = best;
    }
    data->classes = classes;
    free(teacher);
}

static double epoch_gemm_flops(const gemmnet_model *m, size_t rows)
{
    double flops = 0.0;
    for (int32_t l = 1; l <= m->layers; l++) {
        double layer = 2.0 * (double)rows * m->width[l - 1] * m->width[l];
        flops += l > 1 ? 3.0 * layer : 2.0 * layer; /* Z, dW, and dA below layer 1 */
    }
    return flops;
}

static void workload_open(workload *w, const workload_spec *spec, bool with_naive)
{
    gemmnet_error err;
    int status;
    *w = (workload){.spec = spec};
    if (spec->name == 'L')
        make_teacher_data(&w->data, spec->rows, spec->features, spec->classes);
    else if ((status = gemmnet_dataset_generate(&w->data, GEMMNET_SYNTH_MOONS, spec->rows, 2, 0.2,
                                                0, NULL, &err)))
        die("gemmnet_dataset_moons", status, &err);
    int32_t hidden = spec->hidden;
    gemmnet_architecture arch = {
        .inputs = spec->features, .classes = spec->classes, .hidden_layers = 1, .hidden = &hidden};
    if ((status = gemmnet_model_create(&arch, NULL, &w->model, &err)))
        die("gemmnet_model_create", status, &err);
    gemmnet_model_init(w->model, GEMMNET_INIT_TUTORIAL, 0, NULL);
    gemmnet_train_options_init(&w->train);
    w->train.learning_rate = (float)(spec->learning_rate_times_rows / (double)spec->rows);
    w->train.report_every = 0;
    if ((status = gemmnet_trainer_create(w->model, &w->data, &w->train, &w->trainer, &err)))
        die("gemmnet_trainer_create", status, &err);
    w->block_rows = gn_auto_block_rows(w->model, spec->rows);
    if ((status = gemmnet_workspace_create(w->model, NULL, &w->workspace, &err)))
        die("gemmnet_workspace_create", status, &err);
    w->gemm_flops = epoch_gemm_flops(w->model, spec->rows);
    if (!with_naive)
        return;
    size_t ref_hidden = (size_t)spec->hidden;
    ref_net_init(&w->net, (size_t)spec->features, 1, &ref_hidden, (size_t)spec->classes);
    size_t count = ref_parameter_count(&w->net), values = spec->rows * (size_t)spec->features;
    w->ref_params = checked_malloc(count * sizeof *w->ref_params);
    for (size_t i = 0; i < count; i++)
        w->ref_params[i] = w->model->parameters[i];
    w->ref_x = checked_malloc(values * sizeof *w->ref_x);
    for (size_t i = 0; i < values; i++)
        w->ref_x[i] = w->data.x[i];
}

static void workload_close(workload *w)
{
    free(w->ref_x);
    free(w->ref_params);
    gemmnet_trainer_destroy(w->trainer);
    gemmnet_workspace_destroy(w->workspace);
    gemmnet_model_destroy(w->model);
    gemmnet_dataset_free(&w->data);
}

/* Reported training loss of the engine's model now. */
static double workload_loss(workload *w)
{
    gemmnet_evaluation e;
    int status = gemmnet_evaluate(w->model, w->workspace, &w->data, w->train.l2, w->train.reduction,
                                  &e, NULL);
    if (status != GEMMNET_OK)
        die("gemmnet_evaluate", status, NULL);
    return e.loss;
}

/* ---- the runners ----------------------------------------------------------- */

/* gemmnet_train with its set-up: checks, allocation, `epochs` epochs. */
static void run_train_call(void *context, int epochs)
{
    workload *w = context;
    gemmnet_error err;
    w->train.epochs = epochs;
    int status = gemmnet_train(w->model, &w->data, &w->train, &err);
    if (status != GEMMNET_OK)
        die("gemmnet_train", status, &err);
}

/* A fresh trainer for the BLAS thread count now set: with threads = 0 it
 * chooses its row-block workers from that count and the problem's size. */
static void workload_new_trainer(workload *w)
{
    gemmnet_error err;
    gemmnet_trainer_destroy(w->trainer);
    int status = gemmnet_trainer_create(w->model, &w->data, &w->train, &w->trainer, &err);
    if (status != GEMMNET_OK)
        die("gemmnet_trainer_create", status, &err);
}

/* The engine's epochs through the public API on a trainer made once. */
static void run_train(void *context, int epochs)
{
    workload *w = context;
    gemmnet_error err;
    int status = gemmnet_trainer_run(w->trainer, epochs, &err);
    if (status != GEMMNET_OK)
        die("gemmnet_trainer_run", status, &err);
}

static void run_replay_all(void *context, int epochs)
{
    (void)context;
    for (int e = 0; e < epochs; e++)
        replay(-1);
}

static void run_replay_forward(void *context, int epochs)
{
    (void)context;
    for (int e = 0; e < epochs; e++)
        replay(STAGE_FORWARD);
}

static void run_naive(void *context, int epochs)
{
    workload *w = context;
    const workload_spec *s = w->spec;
    for (int e = 0; e < epochs; e++) {
        double loss = ref_train_epoch(&w->net, w->ref_params, w->ref_x, w->data.y, s->rows,
                                      w->train.learning_rate, w->train.l2, REF_REDUCTION_SUM);
        if (!isfinite(loss)) {
            fprintf(stderr, "bench: the naive reference failed on %c\n", s->name);
            exit(1);
        }
    }
}
/* ---- one workload at one thread count ---------------------------------- */

static timing_plan engine_plan(const workload_spec *s, bool quick)
{
    if (s->name == 'L')
        return (timing_plan){1, 0.0, quick ? 3 : 5, quick ? 3 : 9, quick ? 1.0 : 3.0};
    return (timing_plan){s->name == 'S' ? 200 : 3, 2e-3, quick ? 5 : 9, quick ? 9 : 51,
                         quick ? 0.15 : 0.5};
}

/* Per-epoch stage times of one in situ round, clock-corrected: a timed
 * interval reads as its own time plus about one clock read, and every
 * interval nested inside it adds two reads. */
static void stage_times(result *r, double clock_cost, double total, int epochs)
{
    double nested = 0.0, sgemm_calls = (double)probe.calls;
    for (int s = STAGE_FORWARD; s <= STAGE_BACKWARD; s++) {
        double calls = (double)probe.stage_calls[s], inner = (double)probe.stage_sgemm_calls[s];
        r->stage_s[s] = (probe.stage_seconds[s] - clock_cost * (calls + 2.0 * inner)) / epochs;
        nested += calls;
    }
    for (int s = 0; s < STAGES; s++)
        r->stage_sgemm_s[s] =
            (probe.stage_sgemm_seconds[s] - clock_cost * (double)probe.stage_sgemm_calls[s]) /
            epochs;
    r->insitu_epoch_s = (total - 2.0 * clock_cost * (sgemm_calls + nested)) / epochs;
    r->insitu_sgemm_s = (probe.seconds - clock_cost * sgemm_calls) / epochs;
    r->stage_s[STAGE_OTHER] =
        r->insitu_epoch_s - r->stage_s[STAGE_FORWARD] - r->stage_s[STAGE_BACKWARD];
}

/* Times every sgemm call and every gn_forward / gn_backward call inside
 * the engine's own epochs in place, over several rounds of `epochs`
 * epochs, and keeps the round whose epochs ran fastest (the one other
 * processes disturbed least). */
static void measure_in_situ(workload *w, result *r, double clock_cost, int epochs, int rounds)
{
    double best_total = INFINITY;
    for (int i = 0; i < rounds; i++) {
        probe_reset_timing();
        probe.timing = true;
        double start = now_s();
        run_train(w, epochs);
        double total = now_s() - start;
        probe.timing = false;
        if (total >= best_total)
            continue;
        best_total = total;
        stage_times(r, clock_cost, total, epochs);
        double calls = (double)probe.calls;
        r->sgemm_calls_per_epoch = (size_t)(calls / epochs + 0.5);
        r->shape_count = probe.shape_count;
        for (size_t k = 0; k < probe.shape_count; k++) {
            shape_stats *shape = &r->shapes[k];
            *shape = probe.shapes[k];
            shape->seconds = (shape->seconds - clock_cost * (double)shape->calls) / epochs;
            shape->flops /= epochs;
            r->shape_calls_per_epoch[k] = (double)shape->calls / epochs;
        }
    }
}

/* Records the gn_sgemm calls of one of the engine's epochs (their
 * buffers are the trainer's, which live as long as it does). */
static void record_one_epoch(workload *w)
{
    probe.log_length = 0;
    probe.recording = true;
    run_train(w, 1);
    probe.recording = false;
}

static void measure_engine(workload *w, result *r, bool quick, double clock_cost)
{
    const workload_spec *s = w->spec;
    timing_plan plan = engine_plan(s, quick);
    r->engine = measure(run_train, w, &plan);

    double start = now_s();
    int overhead_calls = s->name == 'L' ? 3 : 100;
    for (int i = 0; i < overhead_calls; i++)
        run_train_call(w, 0);
    r->train_call_overhead_s = (now_s() - start) / overhead_calls;

    timing_plan replay_plan = plan;
    replay_plan.min_samples = quick ? 3 : 5;
    replay_plan.max_samples = replay_plan.min_samples + (s->name == 'L' ? 0 : 10);
    replay_plan.budget_s = plan.budget_s / 3;
    record_one_epoch(w);
    if (probe.log_length > 0) {
        /* With row-block workers the log holds worker 0's calls only. */
        bool whole = r->workers == 1;
        r->replay_all = whole ? measure(run_replay_all, w, &replay_plan) : no_timing;
        r->replay_forward = whole ? measure(run_replay_forward, w, &replay_plan) : no_timing;
        int epochs = r->engine.epochs_per_sample;
        int rounds = s->name == 'L' ? (quick ? 1 : 3) : 5;
        if (r->engine.median * epochs > 2.0) /* a slow backend */
            rounds = 1;
        measure_in_situ(w, r, clock_cost, epochs, rounds);
    } else {
        r->replay_all = r->replay_forward = no_timing;
        r->insitu_sgemm_s = r->insitu_epoch_s = NAN;
        for (int k = 0; k < STAGES; k++)
            r->stage_s[k] = r->stage_sgemm_s[k] = NAN;
    }
}

static timing_plan naive_plan(const workload_spec *s, bool quick)
{
    int n = quick ? s->naive_samples_quick : s->naive_samples;
    if (s->name == 'S')
        return (timing_plan){20, 2e-3, quick ? 5 : 9, n, quick ? 0.1 : 0.3};
    /* One epoch a sample; L gets no warm-up (each epoch takes seconds). */
    return (timing_plan){s->name == 'L' ? 0 : 1, 0.0, n, n, 0.0};
}

void measure_workload(const options *o,
                      const run_info *info,
                      const workload_spec *spec,
                      result *results,
                      size_t *count)
{
    int naive_samples = o->quick ? spec->naive_samples_quick : spec->naive_samples;
    bool with_naive = !o->no_naive && naive_samples > 0;
    workload w;
    workload_open(&w, spec, with_naive);
    double loss_before = workload_loss(&w);
    timing naive = no_timing;
    if (with_naive) {
        printf("%c: naive reference...\n", spec->name);
        fflush(stdout);
        timing_plan plan = naive_plan(spec, o->quick);
        naive = measure(run_naive, &w, &plan);
    }
    size_t first = *count;
    for (int i = 0; i < o->thread_count; i++) {
        printf("%c: engine, %d thread%s...\n", spec->name, o->threads[i],
               o->threads[i] == 1 ? "" : "s");
        fflush(stdout);
        result *r = &results[(*count)++];
        *r = (result){.workload = spec->name,
                      .threads = o->threads[i],
                      .rows = spec->rows,
                      .features = spec->features,
                      .hidden = spec->hidden,
                      .classes = spec->classes,
                      .block_rows = w.block_rows,
                      .learning_rate = w.train.learning_rate,
                      .naive = naive,
                      .gemm_flops = w.gemm_flops,
                      .loss_before = loss_before};
        r->threads_effective = use_threads(o->threads[i]);
        workload_new_trainer(&w);
        r->workers = w.trainer->workers;
        measure_engine(&w, r, o->quick, info->clock_read_s);
    }
    double loss_after = workload_loss(&w);
    for (size_t i = first; i < *count; i++)
        results[i].loss_after = loss_after;
    workload_close(&w);
}

const workload_spec *find_spec(char name)
{
    for (size_t i = 0; i < sizeof workload_specs / sizeof workload_specs[0]; i++)
        if (workload_specs[i].name == name)
            return &workload_specs[i];
    return NULL;
}
