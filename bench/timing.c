/* The clock and repeated timing: a runner is run for a few warm-up epochs,
 * then sampled until a budget is spent; a sample's seconds per epoch are
 * its time over its epochs. Headline times are medians (min and max
 * beside them). */
#include "bench.h"

#include <math.h>
#include <stdlib.h>
#include <time.h>

double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Seconds one clock_gettime call costs (the error every in-place timing
 * carries once per reading). */
double clock_read_cost(void)
{
    enum { READS = 200000 };
    double start = now_s(), last = start;
    for (int i = 0; i < READS; i++)
        last = now_s();
    return (last - start) / READS;
}

const timing no_timing = {NAN, NAN, NAN, 0, 0};

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

timing measure(epoch_runner run, void *context, const timing_plan *plan)
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
