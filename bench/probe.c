/* Probes and ceilings: the binary is linked with -Wl,--wrap for gn_sgemm,
 * gn_forward and gn_backward, so every call the library makes through its
 * BLAS seam and its forward and backward passes passes through the
 * wrappers below, which time or record it. The 2048³ sgemm ceiling goes
 * through the same seam. */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>

/* ---- the gn_sgemm probe ------------------------------------------------ */

struct probe probe = {.stage = STAGE_OTHER};

/* Only the thread that claimed the probes is timed or recorded: the
 * trainer's row-block workers run the same wrapped functions at the same
 * time on their own rows. */
static _Thread_local bool probe_owner;

void probe_claim(void)
{
    probe_owner = true;
}

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
    probe.seen += probe_owner;
    if (!probe_owner || (!probe.timing && !probe.recording)) {
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
        probe.stage_sgemm_calls[probe.stage]++;
        probe.stage_sgemm_seconds[probe.stage] += seconds;
        note_shape(&call, seconds);
    }
}

/* ---- the stage probes ---------------------------------------------------- */

/* gn_forward and gn_backward, as the trainer calls them, tag the gn_sgemm
 * calls inside them with their stage and are timed in place themselves:
 * the stage split is that of the library's own epoch. */
double __real_gn_forward(
    const gemmnet_model *m, gemmnet_workspace *ws, const float *x, const int32_t *y, size_t rows);
double __wrap_gn_forward(
    const gemmnet_model *m, gemmnet_workspace *ws, const float *x, const int32_t *y, size_t rows);
void __real_gn_backward(const gemmnet_model *m,
                        gemmnet_workspace *ws,
                        const float *x,
                        const int32_t *y,
                        size_t rows,
                        float scale,
                        bool accumulate,
                        float *grad);
void __wrap_gn_backward(const gemmnet_model *m,
                        gemmnet_workspace *ws,
                        const float *x,
                        const int32_t *y,
                        size_t rows,
                        float scale,
                        bool accumulate,
                        float *grad);

static void stage_done(int stage, double seconds)
{
    probe.stage = STAGE_OTHER;
    if (probe.timing) {
        probe.stage_calls[stage]++;
        probe.stage_seconds[stage] += seconds;
    }
}

double __wrap_gn_forward(
    const gemmnet_model *m, gemmnet_workspace *ws, const float *x, const int32_t *y, size_t rows)
{
    if (!probe_owner)
        return __real_gn_forward(m, ws, x, y, rows);
    probe.stage = STAGE_FORWARD;
    double start = probe.timing ? now_s() : 0.0;
    double loss = __real_gn_forward(m, ws, x, y, rows);
    stage_done(STAGE_FORWARD, probe.timing ? now_s() - start : 0.0);
    return loss;
}

void __wrap_gn_backward(const gemmnet_model *m,
                        gemmnet_workspace *ws,
                        const float *x,
                        const int32_t *y,
                        size_t rows,
                        float scale,
                        bool accumulate,
                        float *grad)
{
    if (!probe_owner) {
        __real_gn_backward(m, ws, x, y, rows, scale, accumulate, grad);
        return;
    }
    probe.stage = STAGE_BACKWARD;
    double start = probe.timing ? now_s() : 0.0;
    __real_gn_backward(m, ws, x, y, rows, scale, accumulate, grad);
    stage_done(STAGE_BACKWARD, probe.timing ? now_s() - start : 0.0);
}
#endif

void probe_reset_timing(void)
{
    probe.calls = 0;
    probe.seconds = 0.0;
    probe.shape_count = 0;
    for (int s = 0; s < STAGES; s++) {
        probe.stage_sgemm_calls[s] = probe.stage_calls[s] = 0;
        probe.stage_sgemm_seconds[s] = probe.stage_seconds[s] = 0.0;
    }
}

/* Repeats the recorded calls of one stage (or all, stage < 0) in order. */
void replay(int stage)
{
    for (size_t i = 0; i < probe.log_length; i++) {
        const sgemm_call *c = &probe.log[i];
        if (stage < 0 || c->stage == stage)
            gn_sgemm(c->trans_a, c->trans_b, c->m, c->n, c->k, c->alpha, c->a, c->lda, c->b, c->ldb,
                     c->beta, c->c, c->ldc);
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
double sgemm_ceiling(size_t n, bool quick, timing *t)
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

/* ---- the backend's name and kernel ------------------------------------ */

struct backend_info backend = {.kernel = "unknown"};

/* Fills `backend` from the library's report; "unknown" and "" where
 * the report has nothing. */
void backend_identify(void)
{
    gemmnet_blas_report r;
    if (gemmnet_blas_report_get(&r) != GEMMNET_OK)
        return;
    snprintf(backend.kernel, sizeof backend.kernel, "%s", r.kernel);
    snprintf(backend.kernel_source, sizeof backend.kernel_source, "%s", r.kernel_source);
    snprintf(backend.version, sizeof backend.version, "%s", r.version);
    snprintf(backend.library, sizeof backend.library, "%s", r.blas_library);
    snprintf(backend.warning, sizeof backend.warning, "%s", r.warning);
}
