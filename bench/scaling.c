/*
 * Data-parallel scaling under MPI: `mpirun -n P build/bench/scaling`.
 *
 * Each rank builds the whole workload from the same seed and keeps its
 * shard of rows (1 BLAS thread per rank), then trains full-batch epochs
 * through gemmnet_trainer with collective hooks around MPI_Allreduce that
 * time every reduction. Rank 0 prints, per workload: samples per second,
 * seconds per epoch, the time spent in the allreduce (and waiting for the
 * slowest rank before it), and a projection to
 * P ranks on separate machines from the measured compute time and the
 * gradient size, under a stated network model (ring allreduce):
 *
 *   T(P) = T_compute / P + 2·(P − 1)·α + 2·(P − 1)/P · S / β
 *
 * with T_compute the single-rank compute time of one epoch (measured:
 * epoch time minus reduction and waiting, times the ranks used), S the gradient
 * bytes, α the per-message latency and β the link bandwidth (defaults: 25
 * µs and 1.25 GB/s, i.e. 10 Gbit/s Ethernet; --alpha and --beta change
 * them). Workloads M (N=100000 moons, H=64, K=2) and L (N=60000, D=784,
 * H=256, K=10, synthetic), as in bench.c.
 */
#include "train/train.h"
#include "net/net.h"

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Times spent before and in the gradient reductions. A barrier first
 * separates waiting for the slowest rank (imbalance, a busy core) from
 * the reduction itself; the bench pays one extra latency per update for
 * that, which the projection does not include. */
typedef struct timed_reduction {
    double waiting;
    double reducing;
    long calls;
} timed_reduction;

static int sum_floats(void *context, float *buf, size_t n)
{
    timed_reduction *t = context;
    double start = MPI_Wtime();
    MPI_Barrier(MPI_COMM_WORLD);
    double arrived = MPI_Wtime();
    int rc = MPI_Allreduce(MPI_IN_PLACE, buf, (int)n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    t->waiting += arrived - start;
    t->reducing += MPI_Wtime() - arrived;
    t->calls++;
    return rc == MPI_SUCCESS ? 0 : -1;
}

static int sum_doubles(void *context, double *buf, size_t n)
{
    (void)context;
    return MPI_Allreduce(MPI_IN_PLACE, buf, (int)n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD) ==
                   MPI_SUCCESS
               ? 0
               : -1;
}

typedef struct workload {
    const char *name;
    size_t n, d;
    int32_t h, k;
    int epochs;
} workload;

/* Synthetic L data: uniform features, labels of a random linear teacher. */
static int synthetic(const workload *w, gemmnet_dataset *data)
{
    if (gemmnet_dataset_alloc(data, w->n, w->d, NULL, NULL) != GEMMNET_OK)
        return -1;
    gemmnet_rng rng;
    gemmnet_rng_seed(&rng, 1);
    float *teacher = malloc(w->d * (size_t)w->k * sizeof *teacher);
    if (!teacher)
        return -1;
    for (size_t i = 0; i < w->d * (size_t)w->k; i++)
        teacher[i] = (float)gemmnet_rng_normal(&rng);
    for (size_t r = 0; r < w->n; r++) {
        float *x = data->x + r * w->d, best = -1e30f;
        for (size_t j = 0; j < w->d; j++)
            x[j] = (float)gemmnet_rng_uniform(&rng);
        for (int32_t c = 0; c < w->k; c++) {
            float score = 0.0f;
            for (size_t j = 0; j < w->d; j++)
                score += x[j] * teacher[j * (size_t)w->k + (size_t)c];
            if (score > best) {
                best = score;
                data->y[r] = c;
            }
        }
    }
    data->classes = w->k;
    free(teacher);
    return 0;
}

static int make_data(const workload *w, gemmnet_dataset *data)
{
    if (w->d == 2)
        return gemmnet_dataset_generate(data, GEMMNET_SYNTH_MOONS, w->n, 2, 0.2, 0, NULL, NULL) ==
                       GEMMNET_OK
                   ? 0
                   : -1;
    return synthetic(w, data);
}

/* One rank's measurement of a workload: seconds per epoch and per epoch
 * in the allreduce, over w->epochs epochs after one warm-up epoch. */
typedef struct measured {
    double epoch;
    double wait;
    double reduce;
    size_t parameters;
} measured;

static int measure(const workload *w, int rank, int size, measured *out)
{
    gemmnet_dataset all, shard;
    size_t first = w->n * (size_t)rank / (size_t)size,
           last = w->n * (size_t)(rank + 1) / (size_t)size;
    if (make_data(w, &all) != 0 || gemmnet_dataset_slice(&all, first, last - first, &shard, NULL))
        return -1;
    gemmnet_architecture arch = {
        .inputs = (int32_t)w->d, .classes = w->k, .hidden_layers = 1, .hidden = &w->h};
    gemmnet_model *m;
    if (gemmnet_model_create(&arch, NULL, &m, NULL) != GEMMNET_OK)
        return -1;
    gemmnet_model_init(m, GEMMNET_INIT_TUTORIAL, 0, NULL);
    timed_reduction timing = {0};
    gemmnet_collective c = {sum_floats, sum_doubles, &timing, w->n, first, 0, 0};
    gemmnet_train_options o;
    gemmnet_train_options_init(&o);
    o.learning_rate = 1e-6f;
    o.report_every = 0;
    o.collective = &c;
    gemmnet_trainer *t;
    int status = gemmnet_trainer_create(m, &shard, &o, &t, NULL);
    if (status == GEMMNET_OK)
        status = gemmnet_trainer_run(t, 1, NULL); /* warm-up */
    MPI_Barrier(MPI_COMM_WORLD);
    timing = (timed_reduction){0};
    double start = MPI_Wtime();
    if (status == GEMMNET_OK)
        status = gemmnet_trainer_run(t, w->epochs, NULL);
    MPI_Barrier(MPI_COMM_WORLD);
    *out = (measured){(MPI_Wtime() - start) / w->epochs, timing.waiting / w->epochs,
                      timing.reducing / w->epochs, gemmnet_model_parameter_count(m)};
    gemmnet_trainer_destroy(t);
    gemmnet_model_destroy(m);
    gemmnet_dataset_free(&shard);
    gemmnet_dataset_free(&all);
    return status == GEMMNET_OK ? 0 : -1;
}

static void report(const workload *w, int size, const measured *r, double alpha, double beta)
{
    double bytes = 4.0 * (double)r->parameters;
    /* One rank's compute for all rows: what is left of an epoch without
     * the reductions and the waiting, times the ranks that shared it. */
    double compute = (r->epoch - r->reduce - r->wait) * size;
    printf("%s  P=%d  %.0f samples/s  %.4g s/epoch  allreduce %.3g ms/epoch (%.1f %%)  waiting for "
           "the slowest rank %.3g ms/epoch  gradient %.0f KiB\n",
           w->name, size, (double)w->n / r->epoch, r->epoch, 1e3 * r->reduce,
           100.0 * r->reduce / r->epoch, 1e3 * r->wait, bytes / 1024);
    if (size > 1) {
        /* The model checked against this run: its allreduce at P = size. */
        double model = 2.0 * (size - 1) * alpha + 2.0 * (size - 1) / size * bytes / beta;
        printf("    model check at P=%d: allreduce %.3g ms/epoch modelled, %.3g ms measured "
               "(measured/model %.2f)\n",
               size, 1e3 * model, 1e3 * r->reduce, r->reduce / model);
    }
    printf("    projected on separate machines (α = %.3g µs, β = %.3g GB/s, ring allreduce):\n",
           alpha * 1e6, beta / 1e9);
    printf("    %6s %12s %14s %11s\n", "P", "s/epoch", "samples/s", "efficiency");
    for (int p = 1; p <= 64; p *= 2) {
        double comm = p == 1 ? 0.0 : 2.0 * (p - 1) * alpha + 2.0 * (p - 1) / p * bytes / beta;
        double t = compute / p + comm;
        printf("    %6d %12.4g %14.0f %10.0f %%\n", p, t, (double)w->n / t,
               100.0 * compute / (p * t));
    }
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    double alpha = 25e-6, beta = 1.25e9;
    const char *only = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--alpha") == 0)
            alpha = atof(argv[i + 1]) * 1e-6;
        else if (strcmp(argv[i], "--beta") == 0)
            beta = atof(argv[i + 1]) * 1e9;
        else if (strcmp(argv[i], "--workloads") == 0)
            only = argv[i + 1];
    }
    gemmnet_blas_set_threads(1);
    static const workload workloads[] = {{"M", 100000, 2, 64, 2, 20},
                                         {"L", 60000, 784, 256, 10, 3}};
    int failed = 0;
    for (size_t i = 0; i < 2; i++) {
        if (only && !strstr(only, workloads[i].name))
            continue;
        measured r;
        failed |= measure(&workloads[i], rank, size, &r);
        if (!failed && rank == 0)
            report(&workloads[i], size, &r, alpha, beta);
    }
    MPI_Finalize();
    return failed ? 1 : 0;
}
