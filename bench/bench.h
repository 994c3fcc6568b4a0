/* The epoch benchmark's shared types. The program is split along its
 * sections:
 *
 *   bench.c      options, the thread counts, the ceilings, main
 *   timing.c     the clock and repeated timing (median, min, max)
 *   probe.c      the gn_sgemm / gn_forward / gn_backward probes (linker
 *                wraps), the replay of an epoch's calls, the sgemm ceiling,
 *                the backend's report
 *   workloads.c  S, M, L: data, model, trainer, and what is timed on them
 *   inference.c  single-row latency and batch throughput of predict, with
 *                the layer products' own cost as the floor
 *   machine.c    CPU name, other processes' share, the re-run without
 *                OPENBLAS_CORETYPE
 *   report.c     the text tables and the targets with their verdicts
 *   json.c       bench-results.json
 */
#ifndef GEMMNET_BENCH_H
#define GEMMNET_BENCH_H

#include "blas/blas.h"
#include "net/net.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Side of the square sgemm that gives the ceiling. */
#define CEILING_SIZE 2048

/* Most thread counts and workloads one run measures. */
#define MAX_THREAD_COUNTS 8
#define MAX_WORKLOADS 3
/* Distinct sgemm call shapes tracked per measurement. */
#define MAX_SHAPES 16
/* Inference nets measured. */
#define INFERENCE_NETS 2
/* Most targets one run reports. */
#define MAX_TARGETS 32

/* ---- options (bench.c) ---------------------------------------------- */

typedef struct options {
    /* Fewer repetitions; the naive reference is not run on L. */
    bool quick;
    /* Skip the naive reference entirely. */
    bool no_naive;
    /* Skip the re-run without OPENBLAS_CORETYPE. */
    bool no_coretype_compare;
    /* Skip the inference timings. */
    bool no_inference;
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

/* Sets the backend's thread count and returns the count it reports. */
int use_threads(int threads);

/* ---- timing (timing.c) ---------------------------------------------- */

double now_s(void);
/* Seconds one clock_gettime call costs (the error every in-place timing
 * carries once per reading). */
double clock_read_cost(void);

/* Runs `epochs` epochs (or calls) of something. */
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

extern const timing no_timing;

timing measure(epoch_runner run, void *context, const timing_plan *plan);

/* ---- probes (probe.c) ------------------------------------------------ */

/* Which part of an epoch a call belongs to: inside gn_forward, inside
 * gn_backward, or neither (the update, evaluation). */
enum stage { STAGE_FORWARD = 0, STAGE_BACKWARD = 1, STAGE_OTHER = 2, STAGES = 3 };

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

/* The probes' state. Global because the linker-made wrappers have no
 * other way to reach it; only this benchmark program has it. */
struct probe {
    /* Time each call in place (in situ mode). */
    bool timing;
    /* Append each gn_sgemm call to log (record mode). */
    bool recording;
    /* enum stage of the call in progress (set by the stage wrappers). */
    int stage;
    /* In situ totals of gn_sgemm: calls seen and their seconds (raw, clock
     * included), over all and per stage. */
    size_t calls;
    double seconds;
    size_t stage_sgemm_calls[STAGES];
    double stage_sgemm_seconds[STAGES];
    /* In situ totals of gn_forward and gn_backward calls (raw). */
    size_t stage_calls[STAGES];
    double stage_seconds[STAGES];
    /* In situ totals per shape; shapes beyond MAX_SHAPES are not split. */
    shape_stats shapes[MAX_SHAPES];
    size_t shape_count;
    /* Recorded calls. */
    sgemm_call *log;
    size_t log_length, log_capacity;
    /* Calls that passed through the wrapper at all (any mode). */
    size_t seen;
};
extern struct probe probe;

/* Makes the calling thread the one the probes time (main's). */
void probe_claim(void);
void probe_reset_timing(void);
/* Repeats the recorded calls of one stage (or all, stage < 0) in order. */
void replay(int stage);

/* GFLOP/s of an n³ sgemm at the current thread count (best sample). */
double sgemm_ceiling(size_t n, bool quick, timing *t);

/* What the run reports about the backend. */
struct backend_info {
    /* Kernel set in use, e.g. OpenBLAS's "Haswell"; "unknown" if not known. */
    char kernel[64];
    /* How the kernel was chosen, the version line, the library that
     * provides the GEMM and any warning; "" where not known. */
    char kernel_source[128];
    char version[256];
    char library[256];
    char warning[320];
};
extern struct backend_info backend;

/* Fills `backend` from the library's report. */
void backend_identify(void);

/* ---- workloads (workloads.c) ----------------------------------------- */

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

const workload_spec *find_spec(char name);

/* Everything measured for one workload at one thread count. */
typedef struct result {
    char workload;
    int threads, threads_effective;
    /* Row-block workers the trainer chose (1: the calling thread, with
     * the BLAS's threads). With more, the probes see worker 0 only. */
    int workers;
    size_t rows, block_rows;
    int32_t features, hidden, classes;
    double learning_rate;
    timing engine, naive;
    /* gemmnet_train(epochs = 0): checks and allocation of one call. */
    double train_call_overhead_s;
    /* sgemm replay of one real epoch's calls: all, forward ones. */
    timing replay_all, replay_forward;
    /* In situ, per epoch, clock-corrected: the epoch, its sgemm time, and
     * per stage the time inside gn_forward / gn_backward (STAGE_OTHER:
     * the rest of the epoch) and the sgemm time inside them. */
    double insitu_sgemm_s, insitu_epoch_s;
    double stage_s[STAGES], stage_sgemm_s[STAGES];
    size_t sgemm_calls_per_epoch;
    /* In situ per shape; calls and seconds are per epoch here. */
    shape_stats shapes[MAX_SHAPES];
    double shape_calls_per_epoch[MAX_SHAPES];
    size_t shape_count;
    double gemm_flops;
    double ceiling_gflops;
    double loss_before, loss_after;
} result;

/* The run's context. */
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

/* Times one workload at every thread count, appending to results. */
void measure_workload(const options *o,
                      const run_info *info,
                      const workload_spec *spec,
                      result *results,
                      size_t *count);

void die(const char *what, int status, const gemmnet_error *err);
void *checked_malloc(size_t bytes);

/* ---- inference (inference.c) ----------------------------------------- */

typedef struct inference_result {
    /* "tutorial 2-3-2" or "784-256-10". */
    const char *net;
    /* Single-row gemmnet_predict, seconds per call (best of samples). */
    double row_s;
    /* The same row's layer products alone, as gn_sgemv calls, and as
     * gn_sgemm calls with m = 1: seconds per row (best). */
    double sgemv_s, sgemm_s;
    /* Batch throughput at each thread count, rows per second. */
    size_t batch_rows;
    int threads[MAX_THREAD_COUNTS];
    double rows_per_s[MAX_THREAD_COUNTS];
    int thread_count;
} inference_result;

void measure_inference(const options *o, inference_result *out /* [INFERENCE_NETS] */);

/* ---- the machine (machine.c) ----------------------------------------- */

const char *cpu_name(char *buf, size_t size);

/* CPU time of the whole machine and of this process, to tell how much
 * other processes ran during the measurements (they share the cores). */
typedef struct cpu_snapshot {
    /* Busy, niced, stolen (by the hypervisor) and total jiffies over all
     * CPUs, from /proc/stat. */
    double busy, nice, steal, total;
    /* This process's user + system seconds. */
    double own_s;
} cpu_snapshot;

cpu_snapshot cpu_snapshot_take(void);
void other_cpu_share(const cpu_snapshot *a,
                     const cpu_snapshot *b,
                     double *all /* OUT */,
                     double *normal_priority /* OUT */,
                     double *stolen /* OUT */);
double load_average(void);

/* One workload/thread count of the re-run without OPENBLAS_CORETYPE. */
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

void print_summary_lines(const result *results, size_t count);
void run_own_kernel(const options *o, own_kernel_run *run);
void print_own_kernel(const own_kernel_run *run, const result *results, size_t count);

/* ---- report (report.c) ----------------------------------------------- */

/* "12.3 µs"-style text for seconds, into buf[16]. */
const char *seconds_text(char *buf, double s);
/* printf("%*s") and printf("%-*s"), counting UTF-8 characters. */
void print_padded(const char *text, int width);
void print_left(const char *text, int width);

/* Epoch time over the time its GEMM flops take at the sgemm ceiling. */
double ceiling_ratio(const result *r);
/* sgemm share of the epoch (in situ), and the replay's cross-check. */
double sgemm_share(const result *r);
double sgemm_share_replay(const result *r);

/* One target, checked: measured ≤ threshold passes. */
typedef struct target {
    char label[96];
    /* Measured value and threshold, in the unit of the target. */
    double measured, threshold;
    /* "s" for seconds, "x" for a ratio. */
    const char *unit;
    /* What the threshold is a multiple of, for the report. */
    char basis[96];
} target;

void print_header(const run_info *info);
void print_main_table(const result *results, size_t count);
void print_stage_table(const result *results, size_t count);
void print_shape_table(const result *results, size_t count);
void print_inference_table(const inference_result *inference, size_t count);
size_t collect_targets(const result *results,
                       size_t count,
                       const inference_result *inference,
                       size_t inference_count,
                       target *out /* [MAX_TARGETS] */);
void print_targets(const target *targets, size_t count);

/* ---- JSON (json.c) ---------------------------------------------------- */

bool write_json(const char *path,
                const run_info *info,
                const result *results,
                size_t count,
                const inference_result *inference,
                size_t inference_count,
                const target *targets,
                size_t target_count,
                const own_kernel_run *own);

#endif /* GEMMNET_BENCH_H */
