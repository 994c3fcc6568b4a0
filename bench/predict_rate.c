/*
 * gemmnet's inference speed, for bench/compare-onnxruntime: makes a model
 * (D-H-K, tanh, the tutorial's initialisation with seed 0), writes it as
 * DIR/NAME.onnx, writes rows x[N×D] ~ U[0, 1) (numpy's generator, seed 1)
 * as raw little-endian float32 to DIR/NAME.x and the probabilities of the
 * first 10 rows as text to DIR/NAME.proba, then times, at each BLAS
 * thread count:
 *   batch    gemmnet_predict_proba on all N rows (median and best of REPEATS)
 *   latency  gemmnet_predict_proba on one row (median and best of 25
 *            samples of many calls)
 * One JSON object per line on stdout:
 *   {"engine":"gemmnet","model":NAME,"threads":T,"rows":N,"rows_per_s":R,
 *    "rows_per_s_best":R,"latency_us":L,"latency_us_best":L}
 * Usage: predict_rate DIR NAME D H K N THREADS[,THREADS...] [REPEATS]
 */
#include <gemmnet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, compare_doubles);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void die(const char *what, const gemmnet_error *err)
{
    fprintf(stderr, "predict_rate: %s%s%s\n", what, err ? ": " : "", err ? err->message : "");
    exit(1);
}

static gemmnet_model *make_model(int32_t d, int32_t h, int32_t k)
{
    gemmnet_architecture arch = {d, k, 1, &h, NULL};
    gemmnet_model *m = NULL;
    gemmnet_error err = {0};
    if (gemmnet_model_create(&arch, NULL, &m, &err) != GEMMNET_OK)
        die("model", &err);
    gemmnet_model_init(m, GEMMNET_INIT_TUTORIAL, 0, NULL);
    return m;
}

/* x[n×d] ~ U[0, 1) and the files the ONNX Runtime side reads. */
static float *
write_inputs(const char *dir, const char *name, const gemmnet_model *m, size_t n, size_t d)
{
    char path[4096];
    float *x = malloc(n * d * sizeof *x);
    if (!x)
        die("out of memory", NULL);
    gemmnet_rng rng;
    gemmnet_rng_seed(&rng, 1);
    for (size_t i = 0; i < n * d; i++)
        x[i] = (float)gemmnet_rng_uniform(&rng);
    snprintf(path, sizeof path, "%s/%s.x", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(x, sizeof *x, n * d, f) != n * d || fclose(f) != 0)
        die(path, NULL);
    snprintf(path, sizeof path, "%s/%s.onnx", dir, name);
    gemmnet_error err = {0};
    f = fopen(path, "wb");
    if (!f || gemmnet_model_write_onnx(m, f, 0, &err) != GEMMNET_OK || fclose(f) != 0)
        die(path, &err);
    return x;
}

static void
write_probabilities(const char *dir, const char *name, const float *p, size_t rows, size_t k)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.proba", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        die(path, NULL);
    for (size_t i = 0; i < rows * k; i++)
        fprintf(f, "%.9g%c", (double)p[i], (i + 1) % k ? ',' : '\n');
    fclose(f);
}

/* Median (and least, in *best) seconds of predict_proba on rows [0, n)
 * over repeats. */
static double time_batch(const gemmnet_model *m,
                         gemmnet_workspace *ws,
                         const float *x,
                         size_t n,
                         float *p,
                         int repeats,
                         double *best)
{
    double t[64];
    gemmnet_predict_proba(m, ws, x, n, p, NULL); /* warm-up */
    for (int r = 0; r < repeats; r++) {
        double start = now_s();
        gemmnet_predict_proba(m, ws, x, n, p, NULL);
        t[r] = now_s() - start;
    }
    double mid = median(t, (size_t)repeats);
    *best = t[0];
    return mid;
}

/* Median (and least, in *best) seconds per single-row call, over 25 samples of
 * enough calls to last about 20 ms each. */
static double
time_latency(const gemmnet_model *m, gemmnet_workspace *ws, const float *x, float *p, double *best)
{
    size_t calls = 1;
    for (;;) {
        double start = now_s();
        for (size_t c = 0; c < calls; c++)
            gemmnet_predict_proba(m, ws, x, 1, p, NULL);
        if (now_s() - start > 0.02)
            break;
        calls *= 2;
    }
    double t[25];
    for (int s = 0; s < 25; s++) {
        double start = now_s();
        for (size_t c = 0; c < calls; c++)
            gemmnet_predict_proba(m, ws, x, 1, p, NULL);
        t[s] = (now_s() - start) / (double)calls;
    }
    double mid = median(t, 25);
    *best = t[0];
    return mid;
}

int main(int argc, char **argv)
{
    if (argc < 8) {
        fprintf(stderr, "usage: predict_rate DIR NAME D H K N THREADS[,THREADS...] [REPEATS]\n");
        return 2;
    }
    const char *dir = argv[1], *name = argv[2];
    int32_t d = atoi(argv[3]), h = atoi(argv[4]), k = atoi(argv[5]);
    size_t n = (size_t)atol(argv[6]);
    int repeats = argc > 8 ? atoi(argv[8]) : 7;
    if (d < 1 || h < 1 || k < 2 || n < 10 || repeats < 1 || repeats > 64)
        die("bad arguments", NULL);
    gemmnet_model *m = make_model(d, h, k);
    float *x = write_inputs(dir, name, m, n, (size_t)d), *p = malloc(n * (size_t)k * sizeof *p);
    gemmnet_workspace *ws = NULL;
    gemmnet_error err = {0};
    if (!p || gemmnet_workspace_create(m, NULL, &ws, &err) != GEMMNET_OK)
        die("workspace", &err);
    gemmnet_predict_proba(m, ws, x, 10, p, NULL);
    write_probabilities(dir, name, p, 10, (size_t)k);
    for (char *t = strtok(argv[7], ","); t; t = strtok(NULL, ",")) {
        int threads = atoi(t);
        if (gemmnet_blas_set_threads(threads) != GEMMNET_OK)
            die("the backend cannot run that many threads", NULL);
        double batch_best, latency_best;
        double batch = time_batch(m, ws, x, n, p, repeats, &batch_best);
        double latency = time_latency(m, ws, x, p, &latency_best);
        printf("{\"engine\":\"gemmnet\",\"model\":\"%s\",\"threads\":%d,\"rows\":%zu,"
               "\"rows_per_s\":%.6g,\"rows_per_s_best\":%.6g,\"latency_us\":%.6g,"
               "\"latency_us_best\":%.6g}\n",
               name, threads, n, (double)n / batch, (double)n / batch_best, 1e6 * latency,
               1e6 * latency_best);
        fflush(stdout);
    }
    gemmnet_workspace_destroy(ws);
    gemmnet_model_destroy(m);
    free(x);
    free(p);
    return 0;
}
