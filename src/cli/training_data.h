/* The data of a `gemmnet train` run: loaded or generated, split into
 * training and validation rows, and cut into this process's shard when
 * running under mpirun. */
#ifndef GEMMNET_CLI_TRAIN_DATA_H
#define GEMMNET_CLI_TRAIN_DATA_H

#include "parallel.h"
#include "training_options.h"

typedef struct run_data {
    /* Everything this process loaded (all rows, or its own file). */
    gemmnet_dataset all;
    /* Training and validation rows before sharding (when --val). */
    gemmnet_dataset train_all;
    gemmnet_dataset validation_all;
    /* This process's shards (when running on several processes). */
    gemmnet_dataset train_shard;
    gemmnet_dataset validation_shard;
    /* The sets training uses: pointers into the above. */
    const gemmnet_dataset *train;
    const gemmnet_dataset *validation;
    /* Global sizes and this shard's offsets, for the collective. */
    gemmnet_collective collective;
} run_data;

/* Loads (or generates) the data and splits off the validation rows.
 * Makes no collective call, so a process that fails here can report it
 * before any reduction. With a `%r` in --data each process reads its own
 * file (the rank replaces %r); with one shared file, each process stores
 * only its part of the rows, unless --val or --standardize need them all. */
int run_data_load(const train_args *a, const cli_parallel *p, run_data *d, gemmnet_error *err);
/* Checks that every process loaded data of the same D, K, label kind and
 * class names (a collective call, after run_data_load succeeded on every
 * process): integer labels take the largest K, class names their sorted
 * union (relabelling this process's rows). Other disagreements fail on
 * every process alike, naming two ranks and their files: *shared is then
 * true, and one process (rank 0) reports it. */
int run_data_agree(
    const train_args *a, const cli_parallel *p, run_data *d, bool *shared, gemmnet_error *err);
/* Cuts this process's shards after every process loaded its data: rows
 * [N·rank/P, N·(rank+1)/P) of the training and validation sets when all
 * processes read the same data, the whole local set with per-rank files
 * (then the global sizes are summed over the processes: collective). */
int run_data_shard(const train_args *a, const cli_parallel *p, run_data *d, gemmnet_error *err);
/* Frees everything. */
void run_data_free(run_data *d);

#endif
