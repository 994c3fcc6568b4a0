/*
 * src/data/: data sets and where they come from — data sets in memory
 * (data.c), the CSV readers (csv.c's shared core, csv_read.c for whole
 * files, csv_stream.c for streams; csv.h is this folder's own), generated
 * data (synth.c), standardisation (standardize.c) and class names
 * (names.c: what a valid one is, compact copies, the hash table of
 * distinct text labels). This header declares what other layers use.
 * Private.
 */
#ifndef GEMMNET_DATA_H
#define GEMMNET_DATA_H

#include "base/base.h"

#include <stdint.h>

/* ---- class names (names.c) ------------------------------------------ */

/* Length of the well-formed UTF-8 sequence at s[0..n), or 0 if there is
 * none (overlong forms, surrogates and code points past U+10FFFF are not). */
size_t gn_utf8_sequence_length(const unsigned char *s, size_t n);

/* NULL if text[length] is a valid class name, else why not ("is empty",
 * ...): 1..GEMMNET_MAX_CLASS_NAME bytes of UTF-8 without control
 * characters or commas, and without blanks at either end, so that a name
 * survives a CSV field and a JSON string unchanged. */
const char *gn_class_name_problem(const char *text, size_t length);

/* Copies names[count] into one allocation: count pointers, then the
 * NUL-terminated strings they point to. NULL on failure or overflow. */
char **gn_names_copy(const gemmnet_allocator *a, const char *const *names, size_t count);

/* Checks names[count] for gemmnet_model_set_class_names: each valid, all
 * distinct. Returns GEMMNET_OK or fails through err. */
int gn_check_class_names(const gemmnet_allocator *a,
                         const char *const *names,
                         size_t count,
                         gemmnet_error *err);

/* Distinct names in the order they were first added, with a hash index.
 * Names live back to back, NUL-terminated, in one growing byte buffer;
 * entries refer to them by offset, so growth never invalidates them. */
typedef struct gn_name_table {
    /* Allocator of the three buffers. */
    gemmnet_allocator allocator;
    /* The names' bytes, [bytes_capacity], bytes_used in use. */
    char *bytes;
    size_t bytes_used;
    size_t bytes_capacity;
    /* offsets[count]: where name i starts in bytes. */
    size_t *offsets;
    size_t count;
    size_t offsets_capacity;
    /* Open-addressing hash slots [slot_count], a power of two kept at most
     * half full: 0 for empty, else 1 + the name's index. */
    size_t *slots;
    size_t slot_count;
} gn_name_table;

/* An empty table using allocator a (NULL: malloc). */
void gn_name_table_init(gn_name_table *t, const gemmnet_allocator *a);
/* Frees the table's buffers; the table is empty afterwards. */
void gn_name_table_free(gn_name_table *t);
/* *index = the index of text[length], added at the end if it is new.
 * Returns GEMMNET_OK, GEMMNET_E_NOMEM or GEMMNET_E_OVERFLOW. */
int gn_name_table_add(gn_name_table *t, const char *text, size_t length, size_t *index);
/* True, with *index, if text[length] is in the table. */
bool gn_name_table_find(const gn_name_table *t, const char *text, size_t length, size_t *index);
/* NUL-terminated name i. */
const char *gn_name_table_name(const gn_name_table *t, size_t i);
/* The names in table order as a gn_names_copy array; NULL on failure. */
char **gn_name_table_copy(const gn_name_table *t, const gemmnet_allocator *a);
/* The names sorted by strcmp as a gn_names_copy array in *sorted, and
 * rank[i] = the sorted position of name i (rank has count entries). */
int gn_name_table_sort(const gn_name_table *t,
                       const gemmnet_allocator *a,
                       char ***sorted /* OUT */,
                       int32_t *rank /* OUT [count] */);

/* ---- standardisation (standardize.c) -------------------------------- */

/* out[rows×D] = (x[rows×D] − mean[D]) / scale[D] in float, the one formula
 * both training-data standardisation and prediction use; out may be x. */
void gn_standardize_rows(
    float *out, const float *x, size_t rows, size_t d, const float *mean, const float *scale);

#endif /* GEMMNET_DATA_H */
