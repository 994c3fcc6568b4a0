/*
 * The epoch benchmark: `ninja -C build bench`, or build/bench/bench [options].
 *
 * Times full-batch training epochs (forward + backward + update, summed
 * gradients) of the engine and of the naive double-precision oracle in
 * tests/reference.c on three workloads, at each BLAS thread count, and
 * writes a table plus a JSON file. What is measured, and how:
 *
 *  engine       the public API on a model and data made once: with the
 *               trainer API, gemmnet_trainer_run(trainer, E) on a trainer
 *               created once (no set-up inside the timing); without it,
 *               gemmnet_train(epochs = E), whose set-up (option and data
 *               checks, buffer allocation) E amortises. Seconds per epoch =
 *               call time / E, with E chosen so a call lasts ≥ ~2 ms. The
 *               set-up of one gemmnet_train call is timed on its own
 *               (epochs = 0) and reported.
 *  naive        ref_train_epoch (tests/reference.c: per-example loops in
 *               double, single-threaded), timed once per workload and reused
 *               for every thread count.
 *  stages       a copy of train.c's full-batch epoch made from the internal
 *               calls (gn_forward, gn_backward per row block, gn_all_finite,
 *               gn_update_gd), timed as forward-only, forward+backward and
 *               the whole epoch; the stages are the differences.
 *  sgemm        the binary is linked with -Wl,--wrap=gn_sgemm, so every call
 *               the library makes through its BLAS seam passes through
 *               __wrap_gn_sgemm below. The sgemm share: every call inside
 *               the engine's API call is timed in place (in situ), the cost
 *               of reading the clock subtracted, over a few rounds of epochs;
 *               the least disturbed round counts. The cross-check and the
 *               forward/backward split: one epoch's calls are recorded and
 *               replayed back to back (the replay).
 *  ceiling      a 2048³ sgemm through the same seam, per thread count, before
 *               and after the workloads; the best sample counts.
 *
 * Headline epoch times are medians (min and max beside them). Splits and
 * ratios (stages, replay share) use each measurement's best sample, since
 * differences of medians pick up noise from other processes on the same
 * cores; how much CPU time other processes took is measured and reported.
 *
 * GEMM flops of an epoch: per weight layer 2·N·in·out forward, the same for
 * dW, and the same again for dA below the first layer (one hidden layer:
 * 4NDH + 6NHK). Timing thresholds live only here, in the report.
 */
#include "train/train.h"
#include "net/net.h"
#include "blas/blas.h"
#include "reference.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- the targets --------------------------------------------- */

/* S: seconds per epoch, at every thread count. */
#define TARGET_S_EPOCH_S 4e-6
/* M: seconds per epoch at 1 thread. */
#define TARGET_M_EPOCH_S 10e-3
/* L: epoch time over the time its GEMM flops take at the sgemm ceiling. */
#define TARGET_L_CEILING_RATIO 1.10

/* Side of the square sgemm that gives the ceiling. */
#define CEILING_SIZE 2048

/* Most thread counts and workloads one run measures. */
#define MAX_THREAD_COUNTS 8
#define MAX_WORKLOADS 3
/* Distinct sgemm call shapes tracked per measurement. */
#define MAX_SHAPES 16

/* ---- clock ------------------------------------------------------------ */

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Seconds one clock_gettime call costs (the error every in-place timing
 * carries once per reading). */
static double clock_read_cost(void)
{
    enum { READS = 200000 };
    double start = now_s(), last = start;
    for (int i = 0; i < READS; i++)
        last = now_s();
    return (last - start) / READS;
}

/* ---- the gn_sgemm probe ------------------------------------------------ */

/* Which part of an epoch a recorded call belongs to. */
enum stage { STAGE_FORWARD = 0, STAGE_BACKWARD = 1 };

/* One gn_sgemm call, with everything needed to repeat it. */
typedef struct sgemm_call {
    bool trans_a, trans_b;
    size_t m, n, k;
    float alpha, beta;
    const float *a, *b;
    float *c;
    size_t lda, ldb, ldc;
    /* enum stage the call came from. */
    int stage;
} sgemm_call;

/* Time spent in calls of one shape. The engine's row-block dimension (m
 * of A·B and A·Bᵀ, k of Aᵀ·B) is not part of the key, so a short last
 * block counts with the others; m, n, k are those of the largest call. */
typedef struct shape_stats {
    bool trans_a, trans_b;
    size_t m, n, k;
    /* Number of calls, their total seconds and flops. */
    size_t calls;
    double seconds, flops;
} shape_stats;

/* The probe's state. Global because the linker-made wrapper has no other
 * way to reach it; only this benchmark program has it. */
static struct probe {
    /* Time each call in place (in situ mode). */
    bool timing;
    /* Append each call to log (record mode). */
    bool recording;
    /* enum stage to tag recorded calls with. */
    int stage;
    /* In situ totals: calls seen and their seconds (raw, clock included). */
    size_t calls;
    double seconds;
    /* In situ totals per shape; shapes beyond MAX_SHAPES are not split. */
    shape_stats shapes[MAX_SHAPES];
    size_t shape_count;
    /* Recorded calls. */
    sgemm_call *log;
    size_t log_length, log_capacity;
    /* Calls that passed through the wrapper at all (any mode). */
    size_t seen;
} probe;

#ifdef BENCH_HAVE_WRAP
void __real_gn_sgemm(bool trans_a,
                     bool trans_b,
                     size_t m,
                     size_t n,
                     size_t k,
                     float alpha,
                     const float *a,
                     size_t lda,
                     const float *b,
                     size_t ldb,
                     float beta,
                     float *c,
                     size_t ldc);
void __wrap_gn_sgemm(bool trans_a,
                     bool trans_b,
                     size_t m,
                     size_t n,
                     size_t k,
                     float alpha,
                     const float *a,
                     size_t lda,
                     const float *b,
                     size_t ldb,
                     float beta,
                     float *c,
                     size_t ldc);

static void note_shape(const sgemm_call *call, double seconds)
{
    bool rows_in_k = call->trans_a && !call->trans_b;
    for (size_t i = 0; i < probe.shape_count; i++) {
        shape_stats *s = &probe.shapes[i];
        if (s->trans_a != call->trans_a || s->trans_b != call->trans_b || s->n != call->n ||
            (rows_in_k ? s->m != call->m : s->k != call->k))
            continue;
        s->calls++;
        s->seconds += seconds;
        s->flops += 2.0 * (double)call->m * call->n * call->k;
        s->m = call->m > s->m ? call->m : s->m;
        s->k = call->k > s->k ? call->k : s->k;
        return;
    }
    if (probe.shape_count < MAX_SHAPES)
        probe.shapes[probe.shape_count++] =
            (shape_stats){.trans_a = call->trans_a,
                          .trans_b = call->trans_b,
                          .m = call->m,
                          .n = call->n,
                          .k = call->k,
                          .calls = 1,
                          .seconds = seconds,
                          .flops = 2.0 * (double)call->m * call->n * call->k};
}

static void record_call(const sgemm_call *call)
{
    if (probe.log_length == probe.log_capacity) {
        size_t capacity = probe.log_capacity ? 2 * probe.log_capacity : 256;
        sgemm_call *log = realloc(probe.log, capacity * sizeof *log);
        if (!log) {
            fprintf(stderr, "bench: out of memory recording sgemm calls\n");
            exit(1);
        }
        probe.log = log;
        probe.log_capacity = capacity;
    }
    probe.log[probe.log_length++] = *call;
}

void __wrap_gn_sgemm(bool trans_a,
                     bool trans_b,
                     size_t m,
                     size_t n,
                     size_t k,
                     float alpha,
                     const float *a,
                     size_t lda,
                     const float *b,
                     size_t ldb,
                     float beta,
                     float *c,
                     size_t ldc)
{
    probe.seen++;
    if (!probe.timing && !probe.recording) {
        __real_gn_sgemm(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return;
    }
    sgemm_call call = {.trans_a = trans_a,
                       .trans_b = trans_b,
                       .m = m,
                       .n = n,
                       .k = k,
                       .alpha = alpha,
                       .beta = beta,
                       .a = a,
                       .b = b,
                       .c = c,
                       .lda = lda,
                       .ldb = ldb,
                       .ldc = ldc,
                       .stage = probe.stage};
    if (probe.recording)
        record_call(&call);
    double start = now_s();
    __real_gn_sgemm(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    double seconds = now_s() - start;
    if (probe.timing) {
        probe.calls++;
        probe.seconds += seconds;
        note_shape(&call, seconds);
    }
}
#endif

static void probe_reset_timing(void)
{
    probe.calls = 0;
    probe.seconds = 0.0;
    probe.shape_count = 0;
}

/* Repeats the recorded calls of one stage (or all, stage < 0) in order. */
static void replay(int stage)
{
    for (size_t i = 0; i < probe.log_length; i++) {
        const sgemm_call *c = &probe.log[i];
        if (stage < 0 || c->stage == stage)
            gn_sgemm(c->trans_a, c->trans_b, c->m, c->n, c->k, c->alpha, c->a, c->lda, c->b, c->ldb,
                     c->beta, c->c, c->ldc);
    }
}

/* ---- the backend's name and kernel ------------------------------------ */

/* What the run reports about the backend. */
static struct backend_info {
    /* Kernel set in use, e.g. OpenBLAS's "Haswell"; "unknown" if not known. */
    char kernel[64];
    /* How the kernel was chosen, the version line, the library that
     * provides cblas_sgemm and any warning; "" where not known. */
    char kernel_source[128];
    char version[256];
    char library[256];
    char warning[320];
} backend = {.kernel = "unknown"};

/* Fills `backend` from the library's report; trees without
 * gemmnet_blas_report_get() (detected at configure time) report the kernel
 * as "unknown". */
static void backend_identify(void)
{
#ifdef BENCH_HAVE_GEMMNET_BLAS_REPORT_GET
    gemmnet_blas_report r;
    if (gemmnet_blas_report_get(&r) != GEMMNET_OK)
        return;
    snprintf(backend.kernel, sizeof backend.kernel, "%s", r.kernel);
    snprintf(backend.kernel_source, sizeof backend.kernel_source, "%s", r.kernel_source);
    snprintf(backend.version, sizeof backend.version, "%s", r.version);
    snprintf(backend.library, sizeof backend.library, "%s", r.blas_library);
    snprintf(backend.warning, sizeof backend.warning, "%s", r.warning);
#endif
}

static const char *backend_kernel(void)
{
    return backend.kernel;
}

/* ---- options ----------------------------------------------------------- */

typedef struct options {
    /* Fewer repetitions; the naive reference is not run on L. */
    bool quick;
    /* Skip the naive reference entirely. */
    bool no_naive;
    /* Skip the re-run without OPENBLAS_CORETYPE. */
    bool no_coretype_compare;
    /* Print machine-readable SUMMARY lines (used by the re-run). */
    bool summary_lines;
    /* Workload names to run, e.g. "SML". */
    char workloads[MAX_WORKLOADS + 1];
    /* BLAS thread counts. */
    int threads[MAX_THREAD_COUNTS];
    int thread_count;
    /* Where to write the JSON results. */
    const char *json_path;
} options;

static void usage(FILE *out)
{
    fprintf(out, "usage: bench [--quick] [--workloads S,M,L] [--threads 1,2] [--json PATH]\n"
                 "             [--no-naive] [--no-coretype-compare]\n"
                 "Times training epochs of gemmnet and of the naive reference (tests/reference.c)\n"
                 "on S (tutorial: N=200 D=2 H=3 K=2), M (moons N=100000 H=64) and L (N=60000\n"
                 "D=784 H=256 K=10), prints a table and writes JSON (default bench-results.json).\n"
                 "  --quick                fewer repetitions; no naive run on L\n"
                 "  --no-naive             do not time the naive reference\n"
                 "  --no-coretype-compare  do not re-run without OPENBLAS_CORETYPE\n");
}

static bool parse_threads(const char *text, options *o)
{
    o->thread_count = 0;
    const char *p = text;
    while (*p) {
        char *end;
        errno = 0;
        long n = strtol(p, &end, 10);
        if (end == p || errno || n < 1 || n > 256 || o->thread_count == MAX_THREAD_COUNTS)
            return false;
        o->threads[o->thread_count++] = (int)n;
        if (*end == ',')
            end++;
        else if (*end)
            return false;
        p = end;
    }
    return o->thread_count > 0;
}

static bool parse_workloads(const char *text, options *o)
{
    size_t count = 0;
    for (const char *p = text; *p; p++) {
        if (*p == ',')
            continue;
        if (!strchr("SML", *p) || count == MAX_WORKLOADS || strchr(o->workloads, *p))
            return false;
        o->workloads[count++] = *p;
        o->workloads[count] = '\0';
    }
    return count > 0;
}

static int parse_options(int argc, char **argv, options *o)
{
    *o = (options){.workloads = "SML",
                   .threads = {1, 2},
                   .thread_count = 2,
                   .json_path = "bench-results.json"};
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(arg, "--quick"))
            o->quick = true;
        else if (!strcmp(arg, "--no-naive"))
            o->no_naive = true;
        else if (!strcmp(arg, "--no-coretype-compare"))
            o->no_coretype_compare = true;
        else if (!strcmp(arg, "--summary-lines"))
            o->summary_lines = true;
        else if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            usage(stdout);
            exit(0);
        } else if (!strcmp(arg, "--workloads") && value) {
            o->workloads[0] = '\0';
            if (!parse_workloads(value, o))
                return fprintf(stderr, "bench: --workloads takes e.g. S,M,L\n"), 2;
            i++;
        } else if (!strcmp(arg, "--threads") && value) {
            if (!parse_threads(value, o))
                return fprintf(stderr, "bench: --threads takes e.g. 1,2\n"), 2;
            i++;
        } else if (!strcmp(arg, "--json") && value) {
            o->json_path = value;
            i++;
        } else {
            fprintf(stderr, "bench: unknown or incomplete option '%s'\n", arg);
            usage(stderr);
            return 2;
        }
    }
    return 0;
}

/* ---- repeated timing ----------------------------------------------------- */

/* Runs `epochs` epochs of something. */
typedef void (*epoch_runner)(void *context, int epochs);

/* How long and how often to time a runner. */
typedef struct timing_plan {
    /* Untimed runs of one epoch first; they also calibrate the epochs per
     * sample. */
    int warmup_epochs;
    /* Aim for samples at least this long (more epochs per sample). */
    double sample_s;
    /* Take at least min and at most max samples, stopping after budget_s. */
    int min_samples, max_samples;
    double budget_s;
} timing_plan;

/* Seconds per epoch over the samples. */
typedef struct timing {
    double median, min, max;
    int samples;
    int epochs_per_sample;
} timing;

static const timing no_timing = {NAN, NAN, NAN, 0, 0};

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_of(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, compare_doubles);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static timing measure(epoch_runner run, void *context, const timing_plan *plan)
{
    /* Without warm-up runs there is nothing to calibrate on: one epoch a
     * sample. */
    double fastest = INFINITY;
    for (int i = 0; i < plan->warmup_epochs; i++) {
        double start = now_s();
        run(context, 1);
        double t = now_s() - start;
        fastest = t < fastest ? t : fastest;
    }
    double wanted = ceil(plan->sample_s / (fastest > 1e-9 ? fastest : 1e-9));
    int epochs = wanted < 1 ? 1 : wanted > 1e6 ? 1000000 : (int)wanted;
    /* A slow backend (the reference BLAS on L) gets fewer samples rather
     * than minutes: at most about twice the budget. */
    int min = plan->min_samples;
    if (plan->budget_s > 0 && fastest * epochs * min > 2.0 * plan->budget_s) {
        min = (int)(2.0 * plan->budget_s / (fastest * epochs));
        min = min < 1 ? 1 : min;
    }
    enum { MOST = 201 };
    double samples[MOST];
    int max = plan->max_samples < MOST ? plan->max_samples : MOST;
    int n = 0;
    double begin = now_s();
    while (n < max && (n < min || now_s() - begin < plan->budget_s)) {
        double start = now_s();
        run(context, epochs);
        samples[n++] = (now_s() - start) / epochs;
    }
    timing t = {.samples = n, .epochs_per_sample = epochs};
    t.median = median_of(samples, n);
    t.min = samples[0];
    t.max = samples[n - 1];
    return t;
}

/* ---- workloads ----------------------------------------------------------- */

typedef struct workload_spec {
    /* "S", "M" or "L". */
    char name;
    /* One-line description for the table. */
    const char *description;
    size_t rows;
    int32_t features, hidden, classes;
    /* Learning rate = this / N (summed gradients; 2/N is the tutorial's
     * 0.01 at N = 200). */
    double learning_rate_times_rows;
    /* Naive-reference epochs per timing at full and quick settings. */
    int naive_samples, naive_samples_quick;
} workload_spec;

static const workload_spec workload_specs[] = {
    {'S', "tutorial moons", 200, 2, 3, 2, 2.0, 31, 11},
    {'M', "moons", 100000, 2, 64, 2, 2.0, 5, 3},
    {'L', "synthetic, linear teacher", 60000, 784, 256, 10, 0.1, 1, 0},
};

/* A workload made ready: data, model and the stage loop's buffers. */
typedef struct workload {
    const workload_spec *spec;
    gemmnet_dataset data;
    gemmnet_model *model;
    gemmnet_train_options train;
#ifdef BENCH_HAVE_GEMMNET_TRAINER_RUN
    /* Made once; the engine timing runs its epochs. */
    gemmnet_trainer *trainer;
#endif
    /* The stage loop: row block, workspace, gradient. */
    size_t block_rows;
    gemmnet_workspace *workspace;
    float *grad;
    /* The naive reference's copy: shape, parameters, x in double. */
    ref_net net;
    double *ref_params;
    double *ref_x;
    /* GEMM flops of one epoch. */
    double gemm_flops;
} workload;

static void die(const char *what, int status, const gemmnet_error *err)
{
    fprintf(stderr, "bench: %s failed: %s%s%s\n", what, gemmnet_strerror(status),
            err && err->message[0] ? ": " : "", err && err->message[0] ? err->message : "");
    exit(1);
}

static void *checked_malloc(size_t bytes)
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
#ifdef BENCH_HAVE_GEMMNET_TRAINER_RUN
    if ((status = gemmnet_trainer_create(w->model, &w->data, &w->train, &w->trainer, &err)))
        die("gemmnet_trainer_create", status, &err);
#endif
    w->block_rows = gn_auto_block_rows(w->model, spec->rows);
    if ((status = gn_workspace_create(w->model, w->block_rows, true, NULL, &w->workspace, &err)))
        die("gn_workspace_create", status, &err);
    w->grad = checked_malloc(w->model->parameter_count * sizeof *w->grad);
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
    free(w->grad);
#ifdef BENCH_HAVE_GEMMNET_TRAINER_RUN
    gemmnet_trainer_destroy(w->trainer);
#endif
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

/* The engine's epochs through the public API, set-up excluded where the
 * API allows it. */
static void run_train(void *context, int epochs)
{
#ifdef BENCH_HAVE_GEMMNET_TRAINER_RUN
    workload *w = context;
    gemmnet_error err;
    int status = gemmnet_trainer_run(w->trainer, epochs, &err);
    if (status != GEMMNET_OK)
        die("gemmnet_trainer_run", status, &err);
#else
    run_train_call(context, epochs);
#endif
}

/* The stage loop: train.c's epoch, from the internal calls. */
static void stage_blocks(workload *w, bool backward)
{
    const gemmnet_dataset *d = &w->data;
    for (size_t r = 0; r < d->rows; r += w->block_rows) {
        size_t rows = d->rows - r < w->block_rows ? d->rows - r : w->block_rows;
        const float *x = d->x + r * d->features;
        probe.stage = STAGE_FORWARD;
        gn_forward(w->model, w->workspace, x, NULL, rows);
        if (!backward)
            continue;
        probe.stage = STAGE_BACKWARD;
        gn_backward(w->model, w->workspace, x, d->y + r, rows, 1.0f, r > 0, w->grad);
    }
}

static void run_forward(void *context, int epochs)
{
    for (int e = 0; e < epochs; e++)
        stage_blocks(context, false);
}

static void run_forward_backward(void *context, int epochs)
{
    for (int e = 0; e < epochs; e++)
        stage_blocks(context, true);
}

static void run_stage_loop(void *context, int epochs)
{
    workload *w = context;
    for (int e = 0; e < epochs; e++) {
        stage_blocks(w, true);
        if (!gn_all_finite(w->grad, w->model->parameter_count)) {
            fprintf(stderr, "bench: %c diverged (non-finite gradient)\n", w->spec->name);
            exit(1);
        }
        gn_update_gd(w->model, w->grad, w->train.learning_rate, w->train.l2);
    }
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

/* ---- the sgemm ceiling --------------------------------------------------- */

typedef struct square {
    float *a, *b, *c;
    size_t n;
} square;

static void run_square(void *context, int calls)
{
    square *s = context;
    for (int i = 0; i < calls; i++)
        gn_sgemm(false, false, s->n, s->n, s->n, 1.0f, s->a, s->n, s->b, s->n, 0.0f, s->c, s->n);
}

/* GFLOP/s of an n³ sgemm at the current thread count: the best sample,
 * since a ceiling is what the backend can do, and other processes only
 * ever slow it down. */
static double sgemm_ceiling(size_t n, bool quick, timing *t)
{
    square s = {.n = n};
    s.a = checked_malloc(n * n * sizeof(float));
    s.b = checked_malloc(n * n * sizeof(float));
    s.c = checked_malloc(n * n * sizeof(float));
    for (size_t i = 0; i < n * n; i++) {
        s.a[i] = (float)((i * 7 % 13) / 13.0 - 0.5);
        s.b[i] = (float)((i * 5 % 11) / 11.0 - 0.5);
    }
    timing_plan plan = {.warmup_epochs = 1,
                        .sample_s = 0,
                        .min_samples = quick ? 3 : 5,
                        .max_samples = quick ? 3 : 15,
                        .budget_s = quick ? 0.3 : 1.0};
    *t = measure(run_square, &s, &plan);
    free(s.a);
    free(s.b);
    free(s.c);
    return 2.0 * (double)n * n * n / t->min / 1e9;
}

/* ---- one workload at one thread count ---------------------------------- */

/* Everything measured for one workload at one thread count. */
typedef struct result {
    char workload;
    int threads, threads_effective;
    size_t rows, block_rows;
    int32_t features, hidden, classes;
    double learning_rate;
    timing engine, naive;
    /* gemmnet_train(epochs = 0): checks and allocation of one call. */
    double train_call_overhead_s;
    /* Stage loop: forward, forward+backward, whole epoch. */
    timing forward, forward_backward, loop;
    /* sgemm replay: all calls, forward calls. */
    timing replay_all, replay_forward;
    /* In situ: sgemm seconds and epoch seconds per epoch, clock-corrected. */
    double insitu_sgemm_s, insitu_epoch_s;
    size_t sgemm_calls_per_epoch;
    /* In situ per shape; calls and seconds are per epoch here. */
    shape_stats shapes[MAX_SHAPES];
    double shape_calls_per_epoch[MAX_SHAPES];
    size_t shape_count;
    double gemm_flops;
    double ceiling_gflops;
    double loss_before, loss_after;
} result;

static timing_plan engine_plan(const workload_spec *s, bool quick)
{
    if (s->name == 'L')
        return (timing_plan){1, 0.0, quick ? 3 : 5, quick ? 3 : 9, quick ? 1.0 : 3.0};
    return (timing_plan){s->name == 'S' ? 200 : 3, 2e-3, quick ? 5 : 9, quick ? 9 : 51,
                         quick ? 0.15 : 0.5};
}

/* Times every sgemm call inside the engine's API call in place, over
 * several rounds of `epochs` epochs, and keeps the round whose epochs ran
 * fastest (the one other processes disturbed least). Corrects for the cost
 * of reading the clock: each timed call carries about one read inside its
 * interval and adds two to the epoch. */
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
        double calls = (double)probe.calls;
        r->insitu_sgemm_s = (probe.seconds - clock_cost * calls) / epochs;
        r->insitu_epoch_s = (total - 2.0 * clock_cost * calls) / epochs;
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

static void record_one_epoch(workload *w)
{
    probe.log_length = 0;
    probe.recording = true;
    run_stage_loop(w, 1);
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

    timing_plan stage_plan = plan;
    stage_plan.min_samples = quick ? 3 : 5;
    stage_plan.max_samples = stage_plan.min_samples + (s->name == 'L' ? 0 : 10);
    stage_plan.budget_s = plan.budget_s / 3;
    r->forward = measure(run_forward, w, &stage_plan);
    r->forward_backward = measure(run_forward_backward, w, &stage_plan);
    r->loop = measure(run_stage_loop, w, &stage_plan);

    record_one_epoch(w);
    if (probe.log_length > 0) {
        r->replay_all = measure(run_replay_all, w, &stage_plan);
        r->replay_forward = measure(run_replay_forward, w, &stage_plan);
        int epochs = r->engine.epochs_per_sample;
        int rounds = s->name == 'L' ? (quick ? 1 : 3) : 5;
        if (r->engine.median * epochs > 2.0) /* a slow backend */
            rounds = 1;
        measure_in_situ(w, r, clock_cost, epochs, rounds);
    } else {
        r->replay_all = r->replay_forward = no_timing;
        r->insitu_sgemm_s = r->insitu_epoch_s = NAN;
    }
}

/* ---- formatting ------------------------------------------------------------ */

/* "12.3 µs"-style text for seconds, into buf[16]. */
static const char *seconds_text(char *buf, double s)
{
    double a = fabs(s);
    if (!isfinite(s))
        snprintf(buf, 16, "—");
    else if (a < 1e-6)
        snprintf(buf, 16, "%.0f ns", s * 1e9);
    else if (a < 1e-3)
        snprintf(buf, 16, "%.3g µs", s * 1e6);
    else if (a < 1.0)
        snprintf(buf, 16, "%.3g ms", s * 1e3);
    else
        snprintf(buf, 16, "%.3g s", s);
    return buf;
}

/* seconds_text for a difference of two timings: below zero it is noise. */
static const char *difference_text(char *buf, double s)
{
    if (s < 0)
        snprintf(buf, 16, "≈0");
    else
        seconds_text(buf, s);
    return buf;
}

static const char *percent_text(char *buf, double fraction)
{
    if (!isfinite(fraction))
        snprintf(buf, 16, "—");
    else
        snprintf(buf, 16, "%.0f %%", 100.0 * fraction);
    return buf;
}

/* printf pads by bytes; µ and — are two and three bytes wide in UTF-8. */
static void print_padded(const char *text, int width)
{
    int columns = 0;
    for (const char *p = text; *p; p++)
        columns += ((unsigned char)*p & 0xC0) != 0x80;
    printf("%*s%s", width - columns > 0 ? width - columns : 0, "", text);
}

/* Like printf("%-*s"), counting UTF-8 characters rather than bytes. */
static void print_left(const char *text, int width)
{
    int columns = 0;
    for (const char *p = text; *p; p++)
        columns += ((unsigned char)*p & 0xC0) != 0x80;
    printf("%s%*s", text, width - columns > 0 ? width - columns : 0, "");
}

static double ceiling_share(const result *r)
{
    return r->gemm_flops / (r->ceiling_gflops * 1e9) / r->engine.median;
}

/* sgemm share of the epoch: the in situ sgemm time over the epoch time of
 * the same (least disturbed) round. */
static double sgemm_share(const result *r)
{
    return r->insitu_sgemm_s / r->insitu_epoch_s;
}

/* The cross-check: the replayed calls' best time over the epoch's best
 * (ratios of medians pick up other processes' noise; the minima do not). */
static double sgemm_share_replay(const result *r)
{
    return r->replay_all.min / r->engine.min;
}

/* The stage split of an epoch, from the best samples (see sgemm_share). */
typedef struct stage_split {
    double loop, forward, forward_sgemm, backward, backward_sgemm, check_update;
} stage_split;

static stage_split split_stages(const result *r)
{
    stage_split s;
    s.loop = r->loop.min;
    s.forward = r->forward.min;
    s.forward_sgemm = r->replay_forward.min;
    s.backward = r->forward_backward.min - r->forward.min;
    s.backward_sgemm = r->replay_all.min - r->replay_forward.min;
    s.check_update = r->loop.min - r->forward_backward.min;
    return s;
}

static void print_main_table(const result *results, size_t count)
{
    char a[16], b[16], c[16], d[16];
    printf("\n%-3s %2s %10s %10s %10s %9s %10s %8s %7s %8s %8s %8s\n", "", "T", "engine", "min",
           "max", "GFLOP/s", "naive", "speedup", "sgemm", "ceiling", "of ceil", "loss");
    printf("%-3s %2s %10s %10s %10s %9s %10s %8s %7s %8s %8s %8s\n", "", "", "s/epoch", "", "", "",
           "s/epoch", "", "share", "GFLOP/s", "", "after");
    for (size_t i = 0; i < count; i++) {
        const result *r = &results[i];
        double share = sgemm_share(r);
        printf("%-3c %2d", r->workload, r->threads);
        print_padded(seconds_text(a, r->engine.median), 11);
        print_padded(seconds_text(b, r->engine.min), 11);
        print_padded(seconds_text(c, r->engine.max), 11);
        printf(" %9.2f", r->gemm_flops / r->engine.median / 1e9);
        print_padded(seconds_text(d, r->naive.median), 11);
        double speedup = r->naive.median / r->engine.median;
        if (isfinite(speedup))
            printf(speedup < 10 ? " %7.1f×" : " %7.0f×", speedup);
        else
            print_padded("—", 9);
        print_padded(percent_text(a, share), 8);
        printf(" %8.1f", r->ceiling_gflops);
        print_padded(percent_text(b, ceiling_share(r)), 9);
        printf(" %8.4f\n", r->loss_after);
    }
    printf("engine: median (min, max) s per epoch through the public API; GFLOP/s: the epoch's\n"
           "GEMM flops (4NDH + 6NHK) / median; naive: tests/reference.c, double, one thread,\n"
           "timed once per workload; sgemm share: time inside the epoch's gn_sgemm calls,\n"
           "timed in place; ceiling: best 2048³ sgemm; of ceil: GEMM flops at the ceiling / "
           "median\n");
}

static void print_stage_table(const result *results, size_t count)
{
    char t[8][16];
    printf("\nwhere an epoch goes (stage loop, best samples; sgemm = replay of the epoch's "
           "gn_sgemm calls)\n");
    printf("%-3s %2s %10s %10s %10s %10s %10s %10s %10s %8s\n", "", "T", "loop", "fwd sgemm",
           "fwd other", "bwd sgemm", "bwd other", "chk+upd", "replay", "replay");
    printf("%-3s %2s %10s %10s %10s %10s %10s %10s %10s %8s\n", "", "", "s/epoch", "", "", "", "",
           "", "sgemm", "share");
    for (size_t i = 0; i < count; i++) {
        const result *r = &results[i];
        stage_split s = split_stages(r);
        printf("%-3c %2d", r->workload, r->threads);
        print_padded(seconds_text(t[0], s.loop), 11);
        print_padded(seconds_text(t[1], s.forward_sgemm), 11);
        print_padded(difference_text(t[2], s.forward - s.forward_sgemm), 11);
        print_padded(seconds_text(t[3], s.backward_sgemm), 11);
        print_padded(difference_text(t[4], s.backward - s.backward_sgemm), 11);
        print_padded(difference_text(t[5], s.check_update), 11);
        print_padded(seconds_text(t[6], r->replay_all.min), 11);
        print_padded(percent_text(t[7], sgemm_share_replay(r)), 9);
        printf("\n");
    }
}

/* "Aᵀ·B 64×2×1024"-style text of a shape, into buf[64]. */
static const char *shape_text(char *buf, const shape_stats *s)
{
    snprintf(buf, 64, "%s·%s %zu×%zu×%zu", s->trans_a ? "Aᵀ" : "A", s->trans_b ? "Bᵀ" : "B", s->m,
             s->n, s->k);
    return buf;
}

static void print_shape_table(const result *results, size_t count)
{
    char t[16], shape[64];
    printf("\nsgemm calls per epoch (in situ, clock cost subtracted; m×n×k of the largest call,\n"
           "calls with a shorter last row block counted with them)\n");
    printf("%-3s %2s  %-22s %7s %10s %9s %7s\n", "", "T", "C = op(A)·op(B) m×n×k", "calls",
           "s/epoch", "GFLOP/s", "share");
    for (size_t i = 0; i < count; i++) {
        const result *r = &results[i];
        for (size_t j = 0; j < r->shape_count; j++) {
            const shape_stats *s = &r->shapes[j];
            printf("%-3c %2d  ", r->workload, r->threads);
            print_left(shape_text(shape, s), 22);
            printf(" %7.4g", r->shape_calls_per_epoch[j]);
            print_padded(seconds_text(t, s->seconds), 11);
            printf(" %9.1f", s->flops / s->seconds / 1e9);
            print_padded(percent_text(t, s->seconds / r->insitu_sgemm_s), 8);
            printf("\n");
        }
    }
}

/* ---- targets ------------------------------------------------------------------ */

/* One of the targets, checked against one result. */
typedef struct target {
    char label[64];
    /* Measured value and threshold, in the unit of the target. */
    double measured, threshold;
    /* "s" for seconds, "x" for a ratio. */
    const char *unit;
} target;

static size_t collect_targets(const result *results, size_t count, target *out)
{
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        const result *r = &results[i];
        const char *plural = r->threads == 1 ? "" : "s";
        if (r->workload == 'S') {
            out[n] =
                (target){.measured = r->engine.median, .threshold = TARGET_S_EPOCH_S, .unit = "s"};
            snprintf(out[n++].label, 64, "S epoch, %d thread%s", r->threads, plural);
        } else if (r->workload == 'M' && r->threads == 1) {
            out[n] =
                (target){.measured = r->engine.median, .threshold = TARGET_M_EPOCH_S, .unit = "s"};
            snprintf(out[n++].label, 64, "M epoch, 1 thread");
        } else if (r->workload == 'L' && r->threads <= 2) {
            out[n] = (target){.measured = 1.0 / ceiling_share(r),
                              .threshold = TARGET_L_CEILING_RATIO,
                              .unit = "x"};
            snprintf(out[n++].label, 64, "L epoch / GEMM time at ceiling, %d thread%s", r->threads,
                     plural);
        }
    }
    return n;
}

static void print_targets(const target *targets, size_t count)
{
    char a[16], b[16];
    printf("\ntargets (issue 3)\n");
    printf("%-42s %10s %10s   %s\n", "", "measured", "target", "result");
    for (size_t i = 0; i < count; i++) {
        const target *t = &targets[i];
        bool seconds = !strcmp(t->unit, "s");
        if (seconds) {
            seconds_text(a, t->measured);
            seconds_text(b, t->threshold);
        } else {
            snprintf(a, 16, "%.2f×", t->measured);
            snprintf(b, 16, "%.2f×", t->threshold);
        }
        printf("%-42s", t->label);
        print_padded(a, 11);
        print_left(" ≤ ", 3);
        print_padded(b, 8);
        if (t->measured <= t->threshold)
            printf("   PASS\n");
        else
            printf("   MISS by %.0f %%\n", 100.0 * (t->measured / t->threshold - 1.0));
    }
}

/* ---- the machine ------------------------------------------------------------ */

/* "model name" from /proc/cpuinfo, into buf[size]. */
static const char *cpu_name(char *buf, size_t size)
{
    snprintf(buf, size, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return buf;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (strncmp(line, "model name", 10) || !colon)
            continue;
        colon += 1 + (colon[1] == ' ');
        colon[strcspn(colon, "\n")] = '\0';
        snprintf(buf, size, "%s", colon);
        break;
    }
    fclose(f);
    return buf;
}

/* CPU time of the whole machine and of this process, to tell how much
 * other processes ran during the measurements (they share the cores). */
typedef struct cpu_snapshot {
    /* Busy, niced, stolen (by the hypervisor) and total jiffies over all
     * CPUs, from /proc/stat. */
    double busy, nice, steal, total;
    /* This process's user + system seconds. */
    double own_s;
} cpu_snapshot;

static cpu_snapshot cpu_snapshot_take(void)
{
    cpu_snapshot s = {NAN, NAN, NAN, NAN, NAN};
    unsigned long long v[8] = {0};
    FILE *f = fopen("/proc/stat", "r");
    if (f) {
        if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
                   &v[4], &v[5], &v[6], &v[7]) == 8) {
            s.total = (double)(v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7]);
            s.busy = s.total - (double)(v[3] + v[4]);
            s.nice = (double)v[1];
            s.steal = (double)v[7];
        }
        fclose(f);
    }
    struct timespec t;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t) == 0)
        s.own_s = (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
    return s;
}

/* Share of all CPUs' time between a and b that other processes used, and
 * the part of it at normal priority (niced processes, such as background
 * fuzzers, yield the cores to the benchmark but still share caches and
 * memory bandwidth). */
static void other_cpu_share(const cpu_snapshot *a,
                            const cpu_snapshot *b,
                            double *all /* OUT */,
                            double *normal_priority /* OUT */,
                            double *stolen /* OUT */)
{
    double ticks = (double)sysconf(_SC_CLK_TCK);
    double total_s = (b->total - a->total) / ticks;
    double busy_s = (b->busy - a->busy) / ticks;
    double nice_s = (b->nice - a->nice) / ticks;
    double own_s = b->own_s - a->own_s;
    *all = fmax(0.0, (busy_s - own_s) / total_s);
    *normal_priority = fmax(0.0, (busy_s - nice_s - own_s) / total_s);
    *stolen = (b->steal - a->steal) / ticks / total_s;
}

/* The 1-minute load average, NaN if unknown. */
static double load_average(void)
{
    double load = NAN;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &load) != 1)
            load = NAN;
        fclose(f);
    }
    return load;
}

/* ---- the run without OPENBLAS_CORETYPE ------------------------------------- */

/* One workload/thread count of the re-run. */
typedef struct own_kernel_row {
    char workload;
    int threads;
    double engine_s, ceiling_gflops;
} own_kernel_row;

typedef struct own_kernel_run {
    bool done;
    char kernel[64];
    own_kernel_row rows[MAX_WORKLOADS * MAX_THREAD_COUNTS];
    size_t count;
} own_kernel_run;

static void print_summary_lines(const result *results, size_t count)
{
    for (size_t i = 0; i < count; i++)
        printf("SUMMARY %c %d %.9g %.9g %s\n", results[i].workload, results[i].threads,
               results[i].engine.median, results[i].ceiling_gflops, backend_kernel());
}

/* OpenBLAS reads OPENBLAS_CORETYPE once, at load, so the comparison runs
 * this program again (--quick, no naive reference) without it. */
static void run_own_kernel(const options *o, own_kernel_run *run)
{
    char self[4096], command[8192], threads[64] = "";
    ssize_t length = readlink("/proc/self/exe", self, sizeof self - 1);
    if (length <= 0 || memchr(self, '\'', (size_t)length))
        return;
    self[length] = '\0';
    for (int i = 0; i < o->thread_count; i++)
        snprintf(threads + strlen(threads), sizeof threads - strlen(threads), "%s%d", i ? "," : "",
                 o->threads[i]);
    snprintf(command, sizeof command,
             "env -u OPENBLAS_CORETYPE '%s' --quick --no-naive --no-coretype-compare "
             "--summary-lines --workloads %s --threads %s --json /dev/null 2>&1",
             self, o->workloads, threads);
    printf("\nre-running without OPENBLAS_CORETYPE (--quick, no naive reference)...\n");
    fflush(stdout);
    FILE *child = popen(command, "r");
    if (!child)
        return;
    char line[512];
    while (fgets(line, sizeof line, child)) {
        own_kernel_row row;
        char kernel[64];
        if (run->count < sizeof run->rows / sizeof run->rows[0] &&
            sscanf(line, "SUMMARY %c %d %lf %lf %63s", &row.workload, &row.threads, &row.engine_s,
                   &row.ceiling_gflops, kernel) == 5) {
            run->rows[run->count++] = row;
            snprintf(run->kernel, sizeof run->kernel, "%s", kernel);
        }
    }
    run->done = pclose(child) == 0 && run->count > 0;
}

static void print_own_kernel(const own_kernel_run *run, const result *results, size_t count)
{
    char a[16], b[16];
    if (!run->done) {
        printf("the re-run without OPENBLAS_CORETYPE failed; no comparison\n");
        return;
    }
    printf("OpenBLAS's own kernel choice: %s (this run: %s)\n", run->kernel, backend_kernel());
    printf("%-3s %2s %12s %12s %8s %14s %14s\n", "", "T", "epoch", "epoch", "change", "ceiling",
           "ceiling");
    printf("%-3s %2s %12s %12s %8s %14s %14s\n", "", "", "this run", "own kernel", "", "this run",
           "own kernel");
    for (size_t i = 0; i < run->count; i++) {
        const own_kernel_row *row = &run->rows[i];
        for (size_t j = 0; j < count; j++) {
            const result *r = &results[j];
            if (r->workload != row->workload || r->threads != row->threads)
                continue;
            printf("%-3c %2d", r->workload, r->threads);
            print_padded(seconds_text(a, r->engine.median), 13);
            print_padded(seconds_text(b, row->engine_s), 13);
            printf(" %+7.0f%% %14.1f %14.1f\n", 100.0 * (row->engine_s / r->engine.median - 1.0),
                   r->ceiling_gflops, row->ceiling_gflops);
        }
    }
}

/* ---- JSON ------------------------------------------------------------------- */

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

/* A number, or null where JSON has none (NaN, Inf). */
static void json_number(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.6g", v);
    else
        fprintf(f, "null");
}

static void json_field(FILE *f, const char *indent, const char *name, double v, bool last)
{
    fprintf(f, "%s\"%s\": ", indent, name);
    json_number(f, v);
    fprintf(f, last ? "\n" : ",\n");
}

static void json_timing(FILE *f, const char *indent, const char *prefix, const timing *t)
{
    char name[64];
    snprintf(name, sizeof name, "%s_s_per_epoch", prefix);
    json_field(f, indent, name, t->median, false);
    snprintf(name, sizeof name, "%s_s_min", prefix);
    json_field(f, indent, name, t->min, false);
    snprintf(name, sizeof name, "%s_s_max", prefix);
    json_field(f, indent, name, t->max, false);
    snprintf(name, sizeof name, "%s_samples", prefix);
    json_field(f, indent, name, t->samples, false);
    snprintf(name, sizeof name, "%s_epochs_per_sample", prefix);
    json_field(f, indent, name, t->epochs_per_sample, false);
}

static void json_stages(FILE *f, const result *r)
{
    const char *in = "        ";
    stage_split s = split_stages(r);
    fprintf(f, "      \"stages_best_s\": {\n");
    json_field(f, in, "loop", s.loop, false);
    json_field(f, in, "loop_median", r->loop.median, false);
    json_field(f, in, "forward", s.forward, false);
    json_field(f, in, "forward_sgemm", s.forward_sgemm, false);
    json_field(f, in, "forward_other", s.forward - s.forward_sgemm, false);
    json_field(f, in, "backward", s.backward, false);
    json_field(f, in, "backward_sgemm", s.backward_sgemm, false);
    json_field(f, in, "backward_other", s.backward - s.backward_sgemm, false);
    json_field(f, in, "check_and_update", s.check_update, true);
    fprintf(f, "      },\n");
}

static void json_shapes(FILE *f, const result *r)
{
    fprintf(f, "      \"sgemm_shapes\": [");
    for (size_t j = 0; j < r->shape_count; j++) {
        const shape_stats *s = &r->shapes[j];
        double calls = r->shape_calls_per_epoch[j];
        fprintf(f,
                "%s\n        {\"trans_a\": %s, \"trans_b\": %s, \"m\": %zu, \"n\": %zu, "
                "\"k\": %zu, \"calls_per_epoch\": ",
                j ? "," : "", s->trans_a ? "true" : "false", s->trans_b ? "true" : "false", s->m,
                s->n, s->k);
        json_number(f, calls);
        fprintf(f, ", \"s_per_epoch\": ");
        json_number(f, s->seconds);
        fprintf(f, ", \"gflop_per_epoch\": ");
        json_number(f, s->flops / 1e9);
        fprintf(f, ", \"gflops\": ");
        json_number(f, s->flops / s->seconds / 1e9);
        fprintf(f, "}");
    }
    fprintf(f, "%s],\n", r->shape_count ? "\n      " : "");
}

static void json_result(FILE *f, const result *r, bool last)
{
    const char *in = "      ";
    char name[2] = {r->workload, '\0'};
    fprintf(f, "    {\n%s\"workload\": ", in);
    json_string(f, name);
    fprintf(f, ",\n%s\"backend\": ", in);
    json_string(f, gemmnet_blas_name());
    fprintf(f, ",\n%s\"kernel\": ", in);
    json_string(f, backend_kernel());
    fprintf(f, ",\n");
    json_field(f, in, "threads", r->threads, false);
    json_field(f, in, "threads_effective", r->threads_effective, false);
    json_field(f, in, "N", (double)r->rows, false);
    json_field(f, in, "D", r->features, false);
    json_field(f, in, "H", r->hidden, false);
    json_field(f, in, "K", r->classes, false);
    json_field(f, in, "block_rows", (double)r->block_rows, false);
    json_field(f, in, "learning_rate", r->learning_rate, false);
    json_timing(f, in, "engine", &r->engine);
    json_field(f, in, "train_call_overhead_s", r->train_call_overhead_s, false);
    json_timing(f, in, "naive", &r->naive);
    json_field(f, in, "speedup_vs_naive", r->naive.median / r->engine.median, false);
    json_field(f, in, "gemm_gflop_per_epoch", r->gemm_flops / 1e9, false);
    json_field(f, in, "engine_gemm_gflops", r->gemm_flops / r->engine.median / 1e9, false);
    json_field(f, in, "sgemm_ceiling_gflops", r->ceiling_gflops, false);
    json_field(f, in, "ceiling_share", ceiling_share(r), false);
    json_field(f, in, "epoch_over_ceiling_gemm_time", 1.0 / ceiling_share(r), false);
    json_field(f, in, "sgemm_replay_s_per_epoch", r->replay_all.min, false);
    json_field(f, in, "sgemm_replay_s_per_epoch_median", r->replay_all.median, false);
    json_field(f, in, "sgemm_share_replay", sgemm_share_replay(r), false);
    json_field(f, in, "sgemm_in_situ_s_per_epoch", r->insitu_sgemm_s, false);
    json_field(f, in, "sgemm_share", sgemm_share(r), false);
    json_field(f, in, "sgemm_calls_per_epoch", (double)r->sgemm_calls_per_epoch, false);
    json_stages(f, r);
    json_shapes(f, r);
    json_field(f, in, "loss_before", r->loss_before, false);
    json_field(f, in, "loss_after", r->loss_after, true);
    fprintf(f, "    }%s\n", last ? "" : ",");
}

/* The run's context, for the JSON header. */
typedef struct run_info {
    const options *options;
    char cpu[128];
    char date[32];
    double clock_read_s;
    /* 1-minute load average before the run; share of the CPUs' time other
     * processes used during the measurements. */
    double load_before;
    double other_cpu_share, other_cpu_share_normal;
    /* Share of the CPUs' time the hypervisor gave to other guests. */
    double steal_share;
    double ceiling_gflops[MAX_THREAD_COUNTS];
    timing ceiling[MAX_THREAD_COUNTS];
    int ceiling_threads[MAX_THREAD_COUNTS];
    int ceiling_count;
} run_info;

static void json_header(FILE *f, const run_info *info)
{
    const char *coretype = getenv("OPENBLAS_CORETYPE");
    fprintf(f, "{\n  \"bench\": \"gemmnet epoch benchmark\",\n  \"gemmnet_version\": ");
    json_string(f, GEMMNET_VERSION);
    fprintf(f, ",\n  \"date\": ");
    json_string(f, info->date);
    fprintf(f, ",\n  \"cpu\": ");
    json_string(f, info->cpu);
    fprintf(f, ",\n  \"logical_cpus\": %ld,\n  \"compiler\": ", sysconf(_SC_NPROCESSORS_ONLN));
    json_string(f, __VERSION__);
    fprintf(f, ",\n  \"backend\": ");
    json_string(f, gemmnet_blas_name());
    fprintf(f, ",\n  \"kernel\": ");
    json_string(f, backend_kernel());
    fprintf(f, ",\n  \"kernel_source\": ");
    json_string(f, backend.kernel_source);
    fprintf(f, ",\n  \"backend_version\": ");
    json_string(f, backend.version);
    fprintf(f, ",\n  \"blas_library\": ");
    json_string(f, backend.library);
    fprintf(f, ",\n  \"backend_warning\": ");
    json_string(f, backend.warning);
    fprintf(f, ",\n  \"openblas_coretype\": ");
    if (coretype)
        json_string(f, coretype);
    else
        fprintf(f, "null");
    fprintf(f, ",\n  \"quick\": %s,\n", info->options->quick ? "true" : "false");
    json_field(f, "  ", "clock_read_s", info->clock_read_s, false);
    json_field(f, "  ", "load_average_before", info->load_before, false);
    json_field(f, "  ", "other_processes_cpu_share", info->other_cpu_share, false);
    json_field(f, "  ", "other_processes_cpu_share_normal_priority", info->other_cpu_share_normal,
               false);
    json_field(f, "  ", "hypervisor_steal_share", info->steal_share, false);
    fprintf(f, "  \"sgemm_ceiling\": [");
    for (int i = 0; i < info->ceiling_count; i++) {
        fprintf(f, "%s\n    {\"threads\": %d, \"size\": %d, \"gflops\": ", i ? "," : "",
                info->ceiling_threads[i], CEILING_SIZE);
        json_number(f, info->ceiling_gflops[i]);
        fprintf(f, ", \"s_min\": ");
        json_number(f, info->ceiling[i].min);
        fprintf(f, ", \"s_max\": ");
        json_number(f, info->ceiling[i].max);
        fprintf(f, ", \"samples\": %d}", info->ceiling[i].samples);
    }
    fprintf(f, "\n  ],\n");
}

static void json_targets(FILE *f, const target *targets, size_t count)
{
    fprintf(f, "  \"targets\": [");
    for (size_t i = 0; i < count; i++) {
        fprintf(f, "%s\n    {\"target\": ", i ? "," : "");
        json_string(f, targets[i].label);
        fprintf(f, ", \"unit\": ");
        json_string(f, targets[i].unit);
        fprintf(f, ", \"measured\": ");
        json_number(f, targets[i].measured);
        fprintf(f, ", \"threshold\": ");
        json_number(f, targets[i].threshold);
        fprintf(f, ", \"pass\": %s}",
                targets[i].measured <= targets[i].threshold ? "true" : "false");
    }
    fprintf(f, "\n  ],\n");
}

static void json_own_kernel(FILE *f, const own_kernel_run *run)
{
    fprintf(f, "  \"without_openblas_coretype\": ");
    if (!run->done) {
        fprintf(f, "null\n");
        return;
    }
    fprintf(f, "{\n    \"kernel\": ");
    json_string(f, run->kernel);
    fprintf(f, ",\n    \"quick\": true,\n    \"results\": [");
    for (size_t i = 0; i < run->count; i++) {
        const own_kernel_row *row = &run->rows[i];
        fprintf(f, "%s\n      {\"workload\": \"%c\", \"threads\": %d, \"engine_s_per_epoch\": ",
                i ? "," : "", row->workload, row->threads);
        json_number(f, row->engine_s);
        fprintf(f, ", \"sgemm_ceiling_gflops\": ");
        json_number(f, row->ceiling_gflops);
        fprintf(f, "}");
    }
    fprintf(f, "\n    ]\n  }\n");
}

static bool write_json(const char *path,
                       const run_info *info,
                       const result *results,
                       size_t count,
                       const target *targets,
                       size_t target_count,
                       const own_kernel_run *own)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    json_header(f, info);
    fprintf(f, "  \"results\": [\n");
    for (size_t i = 0; i < count; i++)
        json_result(f, &results[i], i + 1 == count);
    fprintf(f, "  ],\n");
    json_targets(f, targets, target_count);
    json_own_kernel(f, own);
    fprintf(f, "}\n");
    return fclose(f) == 0;
}

/* ---- main ---------------------------------------------------------------------- */

/* Sets the thread count and returns the count the backend reports. */
static int use_threads(int threads)
{
    gemmnet_blas_set_threads(threads);
    return gemmnet_blas_threads();
}

/* Drops thread counts the backend cannot set (they would repeat another
 * row). */
static void check_thread_counts(options *o)
{
    int kept = 0;
    for (int i = 0; i < o->thread_count; i++) {
        int threads = o->threads[i];
        int effective = use_threads(threads);
        if (effective != threads && threads != 1) {
            printf("%s cannot use %d threads (it reports %d); skipping that thread count\n",
                   gemmnet_blas_name(), threads, effective);
            continue;
        }
        o->threads[kept++] = threads;
    }
    o->thread_count = kept;
}

/* Measures the ceiling at every thread count, keeping the best of this
 * and any earlier pass (the run measures before and after the workloads,
 * so a burst of other load does not set the ceiling). */
static void measure_ceilings(const options *o, run_info *info, bool first_pass)
{
    for (int i = 0; i < o->thread_count; i++) {
        use_threads(o->threads[i]);
        timing t;
        double gflops = sgemm_ceiling(CEILING_SIZE, o->quick, &t);
        if (first_pass || gflops > info->ceiling_gflops[i]) {
            info->ceiling_gflops[i] = gflops;
            info->ceiling[i] = t;
        }
        info->ceiling_threads[i] = o->threads[i];
    }
    info->ceiling_count = o->thread_count;
    printf("sgemm ceiling (%d³, best%s):", CEILING_SIZE, first_pass ? "" : " of two passes");
    for (int i = 0; i < o->thread_count; i++)
        printf("  %dT %.1f GFLOP/s", info->ceiling_threads[i], info->ceiling_gflops[i]);
    printf("\n");
    fflush(stdout);
}

static timing_plan naive_plan(const workload_spec *s, bool quick)
{
    int n = quick ? s->naive_samples_quick : s->naive_samples;
    if (s->name == 'S')
        return (timing_plan){20, 2e-3, quick ? 5 : 9, n, quick ? 0.1 : 0.3};
    /* One epoch a sample; L gets no warm-up (each epoch takes seconds). */
    return (timing_plan){s->name == 'L' ? 0 : 1, 0.0, n, n, 0.0};
}

static void measure_workload(const options *o,
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
        measure_engine(&w, r, o->quick, info->clock_read_s);
    }
    double loss_after = workload_loss(&w);
    for (size_t i = first; i < *count; i++)
        results[i].loss_after = loss_after;
    workload_close(&w);
}

static const workload_spec *find_spec(char name)
{
    for (size_t i = 0; i < sizeof workload_specs / sizeof workload_specs[0]; i++)
        if (workload_specs[i].name == name)
            return &workload_specs[i];
    return NULL;
}

static void print_header(const run_info *info)
{
    const char *coretype = getenv("OPENBLAS_CORETYPE");
    printf("gemmnet %s epoch benchmark, %s\n", GEMMNET_VERSION, info->date);
    printf("backend %s, kernel %s, OPENBLAS_CORETYPE=%s\n", gemmnet_blas_name(), backend_kernel(),
           coretype ? coretype : "(unset)");
    if (backend.version[0])
        printf("  %s\n", backend.version);
    if (backend.warning[0])
        printf("  warning: %s\n", backend.warning);
    printf("CPU %s, %ld logical CPUs; clock read %.0f ns\n", info->cpu,
           sysconf(_SC_NPROCESSORS_ONLN), info->clock_read_s * 1e9);
    for (const char *p = info->options->workloads; *p; p++) {
        const workload_spec *s = find_spec(*p);
        printf("  %c: N=%zu D=%d H=%d K=%d (%s), lr %.3g/N, l2 0.01, summed gradients\n", s->name,
               s->rows, (int)s->features, (int)s->hidden, (int)s->classes, s->description,
               s->learning_rate_times_rows);
    }
#ifndef BENCH_HAVE_WRAP
    printf("note: built without -Wl,--wrap=gn_sgemm; sgemm shares are not available\n");
#endif
    fflush(stdout);
}

int main(int argc, char **argv)
{
    options o;
    int status = parse_options(argc, argv, &o);
    if (status)
        return status;
    backend_identify();
    run_info info = {.options = &o, .clock_read_s = clock_read_cost()};
    cpu_name(info.cpu, sizeof info.cpu);
    time_t t = time(NULL);
    strftime(info.date, sizeof info.date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    double start = now_s();
    info.load_before = load_average();
    print_header(&info);
    cpu_snapshot before = cpu_snapshot_take();
    check_thread_counts(&o);
    measure_ceilings(&o, &info, true);

    result results[MAX_WORKLOADS * MAX_THREAD_COUNTS];
    size_t count = 0;
    for (const char *p = o.workloads; *p; p++)
        measure_workload(&o, &info, find_spec(*p), results, &count);
    measure_ceilings(&o, &info, false);
    for (size_t i = 0; i < count; i++)
        for (int j = 0; j < info.ceiling_count; j++)
            if (info.ceiling_threads[j] == results[i].threads)
                results[i].ceiling_gflops = info.ceiling_gflops[j];
    cpu_snapshot after = cpu_snapshot_take();
    other_cpu_share(&before, &after, &info.other_cpu_share, &info.other_cpu_share_normal,
                    &info.steal_share);

    print_main_table(results, count);
    print_stage_table(results, count);
    print_shape_table(results, count);
    target targets[MAX_WORKLOADS * MAX_THREAD_COUNTS];
    size_t target_count = collect_targets(results, count, targets);
    print_targets(targets, target_count);
    printf("\nother processes used %.0f %% of the CPUs' time during the measurements, %.0f %% at "
           "normal priority; the hypervisor stole %.1f %% (load average %.2f before)%s\n",
           100.0 * info.other_cpu_share, 100.0 * info.other_cpu_share_normal,
           100.0 * info.steal_share, info.load_before,
           info.other_cpu_share_normal > 0.05 || info.other_cpu_share > 0.25 ||
                   info.steal_share > 0.02
               ? ": numbers may be disturbed; re-run on a quiet machine"
               : "");

    own_kernel_run own = {0};
    if (!o.no_coretype_compare && getenv("OPENBLAS_CORETYPE") &&
        !strcmp(gemmnet_blas_name(), "openblas")) {
        run_own_kernel(&o, &own);
        print_own_kernel(&own, results, count);
    }
    if (o.summary_lines)
        print_summary_lines(results, count);
    if (!write_json(o.json_path, &info, results, count, targets, target_count, &own)) {
        fprintf(stderr, "bench: cannot write %s: %s\n", o.json_path, strerror(errno));
        return 1;
    }
    printf("\nwrote %s (%.0f s in all)\n", o.json_path, now_s() - start);
    return 0;
}
