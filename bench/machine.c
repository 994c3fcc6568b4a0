/* The machine the run is on: the CPU's name, how much CPU time other
 * processes took during the run, and the re-run of this program without
 * OPENBLAS_CORETYPE (OpenBLAS reads it once, at load). */
#include "bench.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* "model name" from /proc/cpuinfo, into buf[size]. */
const char *cpu_name(char *buf, size_t size)
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

cpu_snapshot cpu_snapshot_take(void)
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
void other_cpu_share(const cpu_snapshot *a,
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
double load_average(void)
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

void print_summary_lines(const result *results, size_t count)
{
    for (size_t i = 0; i < count; i++)
        printf("SUMMARY %c %d %.9g %.9g %s\n", results[i].workload, results[i].threads,
               results[i].engine.median, results[i].ceiling_gflops, backend.kernel);
}

/* OpenBLAS reads OPENBLAS_CORETYPE once, at load, so the comparison runs
 * this program again (--quick, no naive reference) without it. */
void run_own_kernel(const options *o, own_kernel_run *run)
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

void print_own_kernel(const own_kernel_run *run, const result *results, size_t count)
{
    char a[16], b[16];
    if (!run->done) {
        printf("the re-run without OPENBLAS_CORETYPE failed; no comparison\n");
        return;
    }
    printf("OpenBLAS's own kernel choice: %s (this run: %s)\n", run->kernel, backend.kernel);
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
