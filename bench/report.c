/* The text report: the tables, and the targets, each a ratio (or a time)
 * measured in this run beside its threshold, with a verdict. Timing
 * thresholds live only here. */
#include "bench.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* L: epoch time over the time its GEMM flops take at the sgemm ceiling
 * of the same backend and thread count, at 1 and 2 threads. */
#define TARGET_L_CEILING_RATIO 1.05
/* M: epoch at T > 1 threads over the epoch at 1 thread. */
#define TARGET_M_THREAD_RATIO 0.6
/* S: no slower than before row-block threads and the sgemv path, measured
 * by this bench on the project's 2-core machine (seconds per epoch at 1
 * and 2 threads); and the epoch over its own sgemm calls replayed alone. */
#define TARGET_S_EPOCH_1T_S 3.98e-6
#define TARGET_S_EPOCH_2T_S 3.93e-6
#define TARGET_S_SGEMM_RATIO 1.3
/* Single-row predict: the 784-256-10 net over its layer products alone
 * (gn_sgemv); the tutorial net's row in seconds (measured before, as S). */
#define TARGET_ROW_FLOOR_RATIO 2.0
#define TARGET_TUTORIAL_ROW_S 0.25e-6
const char *seconds_text(char *buf, double s)
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
void print_padded(const char *text, int width)
{
    int columns = 0;
    for (const char *p = text; *p; p++)
        columns += ((unsigned char)*p & 0xC0) != 0x80;
    printf("%*s%s", width - columns > 0 ? width - columns : 0, "", text);
}

/* Like printf("%-*s"), counting UTF-8 characters rather than bytes. */
void print_left(const char *text, int width)
{
    int columns = 0;
    for (const char *p = text; *p; p++)
        columns += ((unsigned char)*p & 0xC0) != 0x80;
    printf("%s%*s", text, width - columns > 0 ? width - columns : 0, "");
}

double ceiling_ratio(const result *r)
{
    return r->engine.median / (r->gemm_flops / (r->ceiling_gflops * 1e9));
}

/* sgemm share of the epoch: the in situ sgemm time over the epoch time of
 * the same (least disturbed) round. */
double sgemm_share(const result *r)
{
    return r->insitu_sgemm_s / r->insitu_epoch_s;
}

/* The cross-check: the replayed calls' best time over the epoch's best
 * (ratios of medians pick up other processes' noise; the minima do not). */
double sgemm_share_replay(const result *r)
{
    return r->replay_all.min / r->engine.min;
}

void print_main_table(const result *results, size_t count)
{
    char a[16], b[16], c[16], d[16];
    printf("\n%-3s %2s %2s %10s %10s %10s %9s %10s %8s %7s %8s %8s %8s\n", "", "T", "W", "engine",
           "min", "max", "GFLOP/s", "naive", "speedup", "sgemm", "ceiling", "of ceil", "loss");
    printf("%-3s %2s %2s %10s %10s %10s %9s %10s %8s %7s %8s %8s %8s\n", "", "", "", "s/epoch", "",
           "", "", "s/epoch", "", "share", "GFLOP/s", "", "after");
    for (size_t i = 0; i < count; i++) {
        const result *r = &results[i];
        double share = sgemm_share(r);
        printf("%-3c %2d %2d", r->workload, r->threads, r->workers);
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
        print_padded(percent_text(b, 1.0 / ceiling_ratio(r)), 9);
        printf(" %8.4f\n", r->loss_after);
    }
    printf("T: BLAS threads; W: the trainer's row-block workers (automatic; with W > 1 each\n"
           "runs single-threaded BLAS, and the sgemm share is worker 0's)\n"
           "engine: median (min, max) s per epoch through the public API; GFLOP/s: the epoch's\n"
           "GEMM flops (4NDH + 6NHK) / median; naive: tests/reference.c, double, one thread,\n"
           "timed once per workload; sgemm share: time inside the epoch's gn_sgemm calls,\n"
           "timed in place; ceiling: best 2048³ sgemm; of ceil: GEMM flops at the ceiling / "
           "median\n");
}

void print_stage_table(const result *results, size_t count)
{
    char t[8][16];
    printf("\nwhere an epoch goes (in situ, the least disturbed round of the engine's own "
           "epochs;\nforward/backward: time inside gn_forward/gn_backward, sgemm: inside their "
           "gn_sgemm calls;\nrest: standardisation, checks and the update; with W > 1 worker 0's "
           "view, and rest\nincludes waiting for the other workers and summing their "
           "gradients)\n");
    printf("%-3s %2s %2s %10s %10s %10s %10s %10s %10s %10s %8s\n", "", "T", "W", "epoch",
           "fwd sgemm", "fwd other", "bwd sgemm", "bwd other", "rest", "replay", "replay");
    printf("%-3s %2s %2s %10s %10s %10s %10s %10s %10s %10s %8s\n", "", "", "", "s/epoch", "", "",
           "", "", "", "sgemm", "share");
    for (size_t i = 0; i < count; i++) {
        const result *r = &results[i];
        const double *s = r->stage_s, *g = r->stage_sgemm_s;
        printf("%-3c %2d %2d", r->workload, r->threads, r->workers);
        print_padded(seconds_text(t[0], r->insitu_epoch_s), 11);
        print_padded(seconds_text(t[1], g[STAGE_FORWARD]), 11);
        print_padded(difference_text(t[2], s[STAGE_FORWARD] - g[STAGE_FORWARD]), 11);
        print_padded(seconds_text(t[3], g[STAGE_BACKWARD]), 11);
        print_padded(difference_text(t[4], s[STAGE_BACKWARD] - g[STAGE_BACKWARD]), 11);
        print_padded(difference_text(t[5], s[STAGE_OTHER]), 11);
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

void print_shape_table(const result *results, size_t count)
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

static target *add_target(target *out, size_t *n, double measured, double threshold, bool ratio)
{
    target *t = &out[(*n)++];
    *t = (target){.measured = measured, .threshold = threshold, .unit = ratio ? "x" : "s"};
    return t;
}

static const result *find_result(const result *results, size_t count, char workload, int threads)
{
    for (size_t i = 0; i < count; i++)
        if (results[i].workload == workload && results[i].threads == threads)
            return &results[i];
    return NULL;
}

static void training_targets(const result *results, size_t count, target *out, size_t *n)
{
    for (size_t i = 0; i < count && *n + 3 <= MAX_TARGETS; i++) {
        const result *r = &results[i];
        const result *one = find_result(results, count, r->workload, 1);
        target *t;
        if (r->workload == 'L' && r->threads <= 2) {
            t = add_target(out, n, ceiling_ratio(r), TARGET_L_CEILING_RATIO, true);
            snprintf(t->label, sizeof t->label, "L epoch / GEMM time at ceiling, %dT", r->threads);
            snprintf(t->basis, sizeof t->basis, "ceiling %.1f GFLOP/s at %dT", r->ceiling_gflops,
                     r->threads);
        } else if (r->workload == 'M' && r->threads > 1 && one) {
            t = add_target(out, n, r->engine.median / one->engine.median, TARGET_M_THREAD_RATIO,
                           true);
            snprintf(t->label, sizeof t->label, "M epoch %dT / M epoch 1T", r->threads);
            snprintf(t->basis, sizeof t->basis, "1T epoch in this run");
        } else if (r->workload == 'S') {
            double before = r->threads == 2 ? TARGET_S_EPOCH_2T_S : TARGET_S_EPOCH_1T_S;
            t = add_target(out, n, r->engine.median, before, false);
            snprintf(t->label, sizeof t->label, "S epoch, %dT", r->threads);
            snprintf(t->basis, sizeof t->basis, "before, on the project's 2-core machine");
            t = add_target(out, n, r->engine.min / r->replay_all.min, TARGET_S_SGEMM_RATIO, true);
            snprintf(t->label, sizeof t->label, "S epoch / its sgemm calls alone, %dT", r->threads);
            snprintf(t->basis, sizeof t->basis, "best samples of both");
        }
    }
}

size_t collect_targets(const result *results,
                       size_t count,
                       const inference_result *inference,
                       size_t inference_count,
                       target *out)
{
    size_t n = 0;
    training_targets(results, count, out, &n);
    for (size_t i = 0; i < inference_count && n + 1 <= MAX_TARGETS; i++) {
        const inference_result *r = &inference[i];
        target *t;
        if (strncmp(r->net, "tutorial", 8) == 0) {
            t = add_target(out, &n, r->row_s, TARGET_TUTORIAL_ROW_S, false);
            snprintf(t->label, sizeof t->label, "predict 1 row, %s", r->net);
            snprintf(t->basis, sizeof t->basis, "before, on the project's 2-core machine");
        } else {
            t = add_target(out, &n, r->row_s / r->sgemv_s, TARGET_ROW_FLOOR_RATIO, true);
            snprintf(t->label, sizeof t->label, "predict 1 row / its sgemv calls, %s", r->net);
            snprintf(t->basis, sizeof t->basis, "the layer products alone, this run");
        }
    }
    return n;
}

void print_targets(const target *targets, size_t count)
{
    char a[16], b[16];
    printf("\ntargets (measured in this run; a ratio's both sides come from this run)\n");
    printf("%-44s %10s %11s   %-12s %s\n", "", "measured", "target", "verdict", "basis");
    for (size_t i = 0; i < count; i++) {
        const target *t = &targets[i];
        if (!strcmp(t->unit, "s")) {
            seconds_text(a, t->measured);
            seconds_text(b, t->threshold);
        } else {
            snprintf(a, 16, "%.2f×", t->measured);
            snprintf(b, 16, "%.2f×", t->threshold);
        }
        print_left(t->label, 44);
        print_padded(a, 11);
        print_left(" ≤ ", 3);
        print_padded(b, 9);
        char verdict[32];
        if (!isfinite(t->measured))
            snprintf(verdict, sizeof verdict, "not measured");
        else if (t->measured <= t->threshold)
            snprintf(verdict, sizeof verdict, "PASS");
        else
            snprintf(verdict, sizeof verdict, "MISS by %.0f %%",
                     100.0 * (t->measured / t->threshold - 1.0));
        printf("   ");
        print_left(verdict, 12);
        printf(" %s\n", t->basis);
    }
    printf("oneDNN vs OpenBLAS: bench/compare-backends; PyTorch: bench/compare-frameworks\n");
}

void print_inference_table(const inference_result *inference, size_t count)
{
    char a[16], b[16], c[16];
    if (count == 0)
        return;
    printf("\ninference (gemmnet_predict; floor: the row's layer products alone, best samples)\n");
    printf("%-16s %10s %10s %10s %8s %7s", "", "1 row", "sgemv", "sgemm m=1", "row /", "batch");
    for (int t = 0; t < inference[0].thread_count; t++)
        printf(" %10s", "");
    printf("\n%-16s %10s %10s %10s %8s %7s", "", "predict", "floor", "floor", "sgemv", "rows");
    for (int t = 0; t < inference[0].thread_count; t++) {
        char head[16];
        snprintf(head, sizeof head, "rows/s %dT", inference[0].threads[t]);
        printf(" %10s", head);
    }
    printf("\n");
    for (size_t i = 0; i < count; i++) {
        const inference_result *r = &inference[i];
        print_left(r->net, 16);
        print_padded(seconds_text(a, r->row_s), 11);
        print_padded(seconds_text(b, r->sgemv_s), 11);
        print_padded(seconds_text(c, r->sgemm_s), 11);
        printf(" %7.2f× %7zu", r->row_s / r->sgemv_s, r->batch_rows);
        for (int t = 0; t < r->thread_count; t++)
            printf(" %10.3g", r->rows_per_s[t]);
        printf("\n");
    }
}

void print_header(const run_info *info)
{
    const char *coretype = getenv("OPENBLAS_CORETYPE");
    printf("gemmnet %s epoch benchmark, %s\n", GEMMNET_VERSION, info->date);
    printf("backend %s, kernel %s, OPENBLAS_CORETYPE=%s\n", gemmnet_blas_name(), backend.kernel,
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
