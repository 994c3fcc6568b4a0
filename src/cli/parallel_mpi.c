/* The MPI seam: the only file that includes mpi.h. */
#include "parallel.h"

#include <mpi.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Set once MPI_Init has run in this process. */
static bool joined;

/* Whether a launcher (Open MPI's mpirun, or a PMI-based one) started us:
 * a plain `gemmnet train` must not pay MPI start-up or need a launcher. */
static bool launched_by_mpirun(void)
{
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMI_SIZE") || getenv("PMIX_RANK");
}

void cli_parallel_init(int *argc, char ***argv, cli_parallel *p)
{
    *p = (cli_parallel){.rank = 0, .size = 1};
    if (!launched_by_mpirun() || MPI_Init(argc, argv) != MPI_SUCCESS)
        return;
    joined = true;
    MPI_Comm_rank(MPI_COMM_WORLD, &p->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &p->size);
}

void cli_parallel_finalize(void)
{
    if (joined)
        MPI_Finalize();
    joined = false;
}

int cli_parallel_first_failure(const cli_parallel *p, bool ok)
{
    if (p->size == 1)
        return ok ? -1 : 0;
    int mine = ok ? INT32_MAX : p->rank, first;
    MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    return first == INT32_MAX ? -1 : first;
}

void cli_parallel_sizes(const cli_parallel *p, size_t value, size_t *total, size_t *before)
{
    *total = value;
    *before = 0;
    if (p->size == 1)
        return;
    unsigned long long v = value, sum = 0, prefix = 0;
    MPI_Allreduce(&v, &sum, 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM, MPI_COMM_WORLD);
    MPI_Exscan(&v, &prefix, 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM, MPI_COMM_WORLD);
    *total = (size_t)sum;
    *before = p->rank == 0 ? 0 : (size_t)prefix; /* MPI_Exscan leaves rank 0's undefined */
}

int cli_parallel_gather(const cli_parallel *p, const void *mine, size_t size, void *all)
{
    if (p->size == 1 || size > INT32_MAX) {
        memcpy(all, mine, size);
        return p->size == 1 ? 0 : -1;
    }
    return MPI_Allgather(mine, (int)size, MPI_BYTE, all, (int)size, MPI_BYTE, MPI_COMM_WORLD) ==
                   MPI_SUCCESS
               ? 0
               : -1;
}

int cli_parallel_gather_sizes(const cli_parallel *p,
                              const void *mine,
                              const size_t *sizes,
                              void *all)
{
    int *counts = malloc(2 * (size_t)p->size * sizeof *counts), status = -1;
    long long offset = 0;
    for (int i = 0; counts && i < p->size; i++) {
        counts[i] = (int)sizes[i];
        counts[p->size + i] = (int)offset;
        offset += (long long)sizes[i];
    }
    /* Every process computes the same counts, so every one takes the same
     * branch here. */
    if (counts && offset <= INT32_MAX)
        status = MPI_Allgatherv(mine, counts[p->rank], MPI_BYTE, all, counts, counts + p->size,
                                MPI_BYTE, MPI_COMM_WORLD) == MPI_SUCCESS
                     ? 0
                     : -1;
    free(counts);
    return status;
}

/* MPI counts are int: reduce in pieces of at most 2³⁰ values. */
static int allreduce_sum(void *buf, size_t n, MPI_Datatype type, size_t size)
{
    const size_t piece = (size_t)1 << 30;
    for (size_t done = 0; done < n; done += piece) {
        int count = (int)(n - done < piece ? n - done : piece);
        char *at = (char *)buf + done * size;
        if (MPI_Allreduce(MPI_IN_PLACE, at, count, type, MPI_SUM, MPI_COMM_WORLD) != MPI_SUCCESS)
            return -1;
    }
    return 0;
}

static int sum_floats(void *context, float *buf, size_t n)
{
    (void)context;
    return allreduce_sum(buf, n, MPI_FLOAT, sizeof *buf);
}

static int sum_doubles(void *context, double *buf, size_t n)
{
    (void)context;
    return allreduce_sum(buf, n, MPI_DOUBLE, sizeof *buf);
}

gemmnet_collective cli_parallel_collective(const cli_parallel *p)
{
    (void)p;
    gemmnet_collective c;
    memset(&c, 0, sizeof c);
    c.sum_floats = sum_floats;
    c.sum_doubles = sum_doubles;
    return c;
}

bool cli_parallel_available(void)
{
    return true;
}
