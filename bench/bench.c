/*
 * The epoch benchmark: `ninja -C build bench`, or build/bench/bench [options].
 *
 * Times full-batch training epochs (forward + backward + update, summed
 * gradients) of the engine and of the naive double-precision oracle in
 * tests/reference.c on three workloads, at each BLAS thread count, and
 * writes a table plus a JSON file. What is measured, and how:
 *
 *  engine       the public API on a model and data made once:
 *               gemmnet_trainer_run(trainer, E) on a trainer created once
 *               (no set-up inside the timing). Seconds per epoch = call
 *               time / E, with E chosen so a call lasts ≥ ~2 ms. The set-up
 *               of one gemmnet_train call is timed on its own (epochs = 0)
 *               and reported.
 *  naive        ref_train_epoch (tests/reference.c: per-example loops in
 *               double, single-threaded), timed once per workload and reused
 *               for every thread count.
 *  stages       the library's own epochs (gemmnet_trainer_run): the binary
 *               is linked with -Wl,--wrap=gn_forward,--wrap=gn_backward, so
 *               the time inside each pass is taken in place, and the rest
 *               of the epoch (standardisation, checks, update) is the
 *               difference.
 *  sgemm        the binary is linked with -Wl,--wrap=gn_sgemm, so every call
 *               the library makes through its BLAS seam passes through
 *               __wrap_gn_sgemm (probe.c). The sgemm share: every call inside
 *               the engine's API call is timed in place (in situ), the cost
 *               of reading the clock subtracted, over a few rounds of epochs;
 *               the least disturbed round counts. The cross-check and the
 *               forward/backward split: one epoch's calls are recorded and
 *               replayed back to back (the replay).
 *  inference    single-row gemmnet_predict on the tutorial net and a
 *               784-256-10 net beside the same row's layer products alone
 *               (gn_sgemv and gn_sgemm with m = 1), and batch rows/s at
 *               each thread count (inference.c).
 *  ceiling      a 2048³ sgemm through the same seam, per thread count, before
 *               and after the workloads; the best sample counts.
 *
 * Headline epoch times are medians (min and max beside them). Splits and
 * ratios (stages, replay share) use each measurement's best sample, since
 * differences of medians pick up noise from other processes on the same
 * cores; how much CPU time other processes took is measured and reported.
 *
 * The sections live in their own files (bench.h lists them); this one
 * holds the options and main. Timing thresholds live only in report.c.
 */
#include "bench.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- options ----------------------------------------------------------- */

static void usage(FILE *out)
{
    fprintf(out, "usage: bench [--quick] [--workloads S,M,L] [--threads 1,2] [--json PATH]\n"
                 "             [--no-naive] [--no-coretype-compare] [--no-inference]\n"
                 "Times training epochs of gemmnet and of the naive reference (tests/reference.c)\n"
                 "on S (tutorial: N=200 D=2 H=3 K=2), M (moons N=100000 H=64) and L (N=60000\n"
                 "D=784 H=256 K=10), prints a table and writes JSON (default bench-results.json).\n"
                 "  --quick                fewer repetitions; no naive run on L\n"
                 "  --no-naive             do not time the naive reference\n"
                 "  --no-coretype-compare  do not re-run without OPENBLAS_CORETYPE\n"
                 "  --no-inference         do not time predict\n");
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
        else if (!strcmp(arg, "--no-inference"))
            o->no_inference = true;
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

/* ---- main ---------------------------------------------------------------------- */

/* Sets the thread count and returns the count the backend reports. */
int use_threads(int threads)
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

int main(int argc, char **argv)
{
    options o;
    int status = parse_options(argc, argv, &o);
    if (status)
        return status;
    probe_claim();
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

    inference_result inference[INFERENCE_NETS];
    size_t inference_count = 0;
    if (!o.no_inference) {
        measure_inference(&o, inference);
        inference_count = INFERENCE_NETS;
    }

    print_main_table(results, count);
    print_stage_table(results, count);
    print_shape_table(results, count);
    print_inference_table(inference, inference_count);
    target targets[MAX_TARGETS];
    size_t target_count = collect_targets(results, count, inference, inference_count, targets);
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
    if (!write_json(o.json_path, &info, results, count, inference, inference_count, targets,
                    target_count, &own)) {
        fprintf(stderr, "bench: cannot write %s: %s\n", o.json_path, strerror(errno));
        return 1;
    }
    printf("\nwrote %s (%.0f s in all)\n", o.json_path, now_s() - start);
    return 0;
}
