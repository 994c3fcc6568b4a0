/* Whether the processes of one `gemmnet train` run hold data of the same
 * shape: what each tells the others (a fixed-size summary, then, only when
 * the class names differ, the names themselves), and what follows from
 * all of them. Pure functions on bytes, without MPI (train_data.c moves
 * the bytes through parallel.h), so that the decoding can be fuzzed
 * (fuzz/fuzz_agree.c) and tested alone. */
#ifndef GEMMNET_CLI_DATA_AGREE_H
#define GEMMNET_CLI_DATA_AGREE_H

#include <gemmnet.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What one process says about its data. */
typedef struct agree_summary {
    /* D. */
    uint64_t features;
    /* K. */
    int32_t classes;
    /* The labels were class names (else integers). */
    bool names;
    /* FNV-1a 64 of the names blob (0 without names). */
    uint64_t digest;
    /* Bytes of the names blob (0 without names). */
    uint64_t names_bytes;
} agree_summary;

/* A summary on the wire: little-endian features (8 bytes), classes (4),
 * kind (4: 0 integers, 1 names), digest (8), names_bytes (8). */
enum { AGREE_SUMMARY_SIZE = 32 };

/* Largest names blob one process may send (MPI counts are int). */
#define AGREE_MAX_NAMES_BYTES ((uint64_t)1 << 30)

/* The names blob of data: its K class names in class order, each followed
 * by a NUL; malloc'd, *size bytes (NULL with *size 0 without names, or
 * when out of memory: *size is then SIZE_MAX). */
char *agree_names_blob(const gemmnet_dataset *data, size_t *size);

/* The summary of data whose names blob is blob[size]. */
agree_summary agree_summarize(const gemmnet_dataset *data, const char *blob, size_t size);

void agree_encode(const agree_summary *s, unsigned char out[AGREE_SUMMARY_SIZE]);
/* False if the bytes are not a summary a process could send. */
bool agree_decode(const unsigned char in[AGREE_SUMMARY_SIZE], agree_summary *s);

/* What the summaries of all processes say. */
typedef enum agree_verdict {
    /* The same D, K, label kind and names everywhere. */
    AGREE_SAME,
    /* Integer labels whose K differs: every process takes the largest. */
    AGREE_UNIFY_CLASSES,
    /* Class names that differ: the names must be exchanged and unified. */
    AGREE_UNIFY_NAMES,
    /* D or the label kind differ (or a summary is malformed): stop. */
    AGREE_DIFFER
} agree_verdict;

/* Compares the n summaries s[n] (rank order). For AGREE_DIFFER, *a and *b
 * are two ranks that disagree and why[size] says how, e.g. "2 features
 * against 3": the caller names their files. For AGREE_UNIFY_CLASSES, *k is
 * the largest K. */
agree_verdict
agree_compare(const agree_summary *s, int n, int *a, int *b, int32_t *k, char *why, size_t size);

/* The union of n processes' class names: blob i is blobs[offsets[i] ..
 * offsets[i] + s[i].names_bytes), s[i].classes names each NUL-terminated
 * and in strictly increasing strcmp order. On success *names is a
 * malloc'd array of *k pointers followed by the sorted distinct names
 * (one allocation: free(*names)). Returns 0, or -1 with why[size] saying
 * which rank's names are malformed or that there are too many. */
int agree_union_names(const unsigned char *blobs,
                      size_t blobs_size,
                      const agree_summary *s,
                      int n,
                      char ***names,
                      int32_t *k,
                      int *bad_rank,
                      char *why,
                      size_t size);

#endif
