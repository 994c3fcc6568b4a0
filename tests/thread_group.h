/*
 * Threads standing in for processes, for tests of data-parallel training
 * through gemmnet_collective: each sum copies every member's buffer into
 * a slot, then every member adds the slots in rank order, so all of them
 * get bit-identical sums (as an allreduce must give).
 */
#ifndef GEMMNET_TESTS_THREAD_GROUP_H
#define GEMMNET_TESTS_THREAD_GROUP_H

#include <stddef.h>

#include "gemmnet.h"

/* The most members, and the most floats one sum may carry. */
enum { THREAD_GROUP_MEMBERS = 3, THREAD_GROUP_VALUES = 4096 };

/* Trains size members together, each in its own thread: member r trains
 * models[r] on shards[r], which holds the global rows [first[r],
 * first[r] + shards[r].rows) of global_rows, with options o (its
 * collective replaced by the group's); statuses[r] gets gemmnet_train's
 * status. Returns when every member has finished. */
void thread_group_train(int size,
                        gemmnet_model *const *models,
                        const gemmnet_dataset *shards,
                        const size_t *first,
                        size_t global_rows,
                        const gemmnet_train_options *o,
                        int *statuses);

#endif
