/* The CLI's one seam to MPI. Built from parallel_mpi.c when Meson finds
 * MPI (-Dmpi=auto|enabled), from parallel_none.c otherwise; the rest of
 * the CLI sees only this header. */
#ifndef GEMMNET_CLI_PARALLEL_H
#define GEMMNET_CLI_PARALLEL_H

#include <gemmnet.h>
#include <stdbool.h>

/* This process's place among the processes of one run. */
typedef struct cli_parallel {
    /* 0-based rank and number of processes (0 and 1 without mpirun). */
    int rank;
    int size;
} cli_parallel;

/* Joins the MPI job when the process was started by mpirun (detected from
 * its environment), else runs alone. Never fails: without MPI support or
 * without mpirun, size is 1. */
void cli_parallel_init(int *argc, char ***argv, cli_parallel *p);
/* Leaves the MPI job (no-op when alone). */
void cli_parallel_finalize(void);
/* Every process reports whether it is fine; returns the lowest rank that
 * is not, or −1 when all are. A collective call: all ranks must make it. */
int cli_parallel_first_failure(const cli_parallel *p, bool ok);
/* Σ of value over all processes, and the sum over the ranks below this
 * one (an exclusive prefix sum), for sizing shards. */
void cli_parallel_sizes(const cli_parallel *p, size_t value, size_t *total, size_t *before);
/* Every process's size bytes at mine, in rank order, into all[P × size].
 * Returns 0 or -1. A collective call. */
int cli_parallel_gather(const cli_parallel *p, const void *mine, size_t size, void *all);
/* Every process's sizes[rank] bytes at mine (sizes[P], the same on every
 * process, each below 2³¹), one after another in rank order, into all.
 * Returns 0 or -1. A collective call. */
int cli_parallel_gather_sizes(const cli_parallel *p,
                              const void *mine,
                              const size_t *sizes,
                              void *all);
/* Hooks that sum gradients and statistics over all processes with
 * MPI_Allreduce (one call on the whole gradient block per update). */
gemmnet_collective cli_parallel_collective(const cli_parallel *p);
/* Whether this build can run under mpirun. */
bool cli_parallel_available(void);

#endif
