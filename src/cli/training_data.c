/* Loading, splitting and sharding the data of `gemmnet train`. */
#include "training_data.h"

#include "data_agree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* path with every "%r" replaced by the rank; false if it does not fit. */
static bool expand_rank(const char *path, int rank, char *out, size_t size)
{
    size_t used = 0;
    for (const char *c = path; *c; c++) {
        int n = c[0] == '%' && c[1] == 'r' ? snprintf(out + used, size - used, "%d", rank)
                                           : snprintf(out + used, size - used, "%c", *c);
        if (n < 0 || (size_t)n >= size - used)
            return false;
        used += (size_t)n;
        c += c[0] == '%' && c[1] == 'r';
    }
    return true;
}

static bool per_rank_files(const train_args *a)
{
    return a->data.path && strstr(a->data.path, "%r");
}

/* Each process keeps only its part of one shared CSV file, unless a
 * validation split or the standardisation statistics need every row. */
static bool partial_read(const train_args *a, const cli_parallel *p)
{
    return a->data.path && !per_rank_files(a) && p->size > 1 && a->validation_fraction == 0.0 &&
           !a->standardize;
}

static int
load(const train_args *a, const cli_parallel *p, gemmnet_dataset *all, gemmnet_error *err)
{
    if (partial_read(a, p)) {
        data_args mine = a->data;
        mine.part = (uint32_t)p->rank;
        mine.parts = (uint32_t)p->size;
        return load_data(&mine, all, err);
    }
    if (!per_rank_files(a))
        return load_data(&a->data, all, err);
    char path[4096];
    data_args mine = a->data;
    if (!expand_rank(a->data.path, p->rank, path, sizeof path)) {
        snprintf(err->message, sizeof err->message, "--data path too long");
        return GEMMNET_E_INVALID;
    }
    mine.path = path;
    return load_data(&mine, all, err);
}

/* This process's part of set: rows [N·rank/P, N·(rank+1)/P), or the whole
 * set when it is already this process's part (a per-rank file or a
 * partial read; then sizes are summed over the processes, in rank order).
 * Sets *global and *first for the collective. */
static int shard(const train_args *a,
                 const cli_parallel *p,
                 const gemmnet_dataset *set,
                 gemmnet_dataset *out,
                 const gemmnet_dataset **use,
                 size_t *global,
                 size_t *first,
                 gemmnet_error *err)
{
    if (per_rank_files(a) || partial_read(a, p) || p->size == 1) {
        cli_parallel_sizes(p, set->rows, global, first);
        *use = set;
        return GEMMNET_OK;
    }
    size_t n = set->rows, begin = n * (size_t)p->rank / (size_t)p->size;
    size_t end = n * (size_t)(p->rank + 1) / (size_t)p->size;
    *global = n;
    *first = begin;
    *use = out;
    return gemmnet_dataset_slice(set, begin, end - begin, out, err);
}

int run_data_load(const train_args *a, const cli_parallel *p, run_data *d, gemmnet_error *err)
{
    memset(d, 0, sizeof *d);
    int status = load(a, p, &d->all, err);
    if (status == GEMMNET_OK && a->validation_fraction > 0.0)
        status = gemmnet_dataset_split(&d->all, a->validation_fraction, (uint32_t)a->data.seed,
                                       &d->train_all, &d->validation_all, err);
    return status;
}

int run_data_shard(const train_args *a, const cli_parallel *p, run_data *d, gemmnet_error *err)
{
    bool split = a->validation_fraction > 0.0;
    gemmnet_collective *c = &d->collective;
    int status = shard(a, p, split ? &d->train_all : &d->all, &d->train_shard, &d->train,
                       &c->global_rows, &c->first_row, err);
    if (status == GEMMNET_OK && split)
        status = shard(a, p, &d->validation_all, &d->validation_shard, &d->validation,
                       &c->validation_global_rows, &c->validation_first_row, err);
    return status;
}

/* The data source of rank, for messages: its file, or the moons. */
static void source_name(const train_args *a, int rank, char *out, size_t size)
{
    if (!a->data.path)
        snprintf(out, size, "--moons %ld", a->data.moons);
    else if (!per_rank_files(a) || !expand_rank(a->data.path, rank, out, size))
        snprintf(out, size, "%s", a->data.path);
}

/* Fails, the same way on every process, naming ranks i and j, their
 * sources and why. */
static int disagree(const train_args *a, int i, int j, const char *why, gemmnet_error *err)
{
    char first[512], second[512], line[1400];
    source_name(a, i, first, sizeof first);
    source_name(a, j, second, sizeof second);
    snprintf(line, sizeof line, "ranks %d and %d disagree about their data (%s, %s): %s", i, j,
             first, second, why);
    snprintf(err->message, sizeof err->message, "%.*s", (int)sizeof err->message - 1, line);
    return GEMMNET_E_SHAPE;
}

/* True, after a message naming the first rank that could not allocate,
 * if any process could not: a check every process makes, so that none
 * goes on to a collective call the others skip. */
static bool any_out_of_memory(const cli_parallel *p, bool ok, const char *what, gemmnet_error *err)
{
    int failed = cli_parallel_first_failure(p, ok);
    if (failed >= 0)
        snprintf(err->message, sizeof err->message, "rank %d: out of memory for %s", failed, what);
    return failed >= 0;
}

/* The sets this process loaded: their labels y ← map[y] (map NULL: as
 * they are) and K ← k. */
static void relabel(run_data *d, const int32_t *map, int32_t k)
{
    gemmnet_dataset *sets[] = {&d->all, &d->train_all, &d->validation_all};
    for (size_t s = 0; s < sizeof sets / sizeof sets[0]; s++) {
        for (size_t i = 0; map && i < sets[s]->rows; i++)
            sets[s]->y[i] = map[sets[s]->y[i]];
        if (sets[s]->y)
            sets[s]->classes = k;
    }
}

/* Moves the union of the names (sorted) into d->all and maps this
 * process's classes to their place in it. */
static int adopt_names(run_data *d, char **names, int32_t k, gemmnet_error *err)
{
    gemmnet_dataset *all = &d->all;
    size_t bytes = (size_t)k * sizeof *names;
    for (int32_t i = 0; i < k; i++)
        bytes += strlen(names[i]) + 1;
    int32_t *map = malloc((size_t)all->classes * sizeof *map);
    char **copy = all->allocator.alloc(all->allocator.context, bytes);
    if (!map || !copy) {
        free(map);
        if (copy)
            all->allocator.release(all->allocator.context, copy);
        snprintf(err->message, sizeof err->message, "out of memory for %d class names", (int)k);
        return GEMMNET_E_NOMEM;
    }
    char *text = (char *)(copy + k);
    for (int32_t i = 0; i < k; i++) {
        size_t n = strlen(names[i]) + 1;
        copy[i] = memcpy(text, names[i], n);
        text += n;
    }
    /* Both lists are sorted: one merge walk maps every old class. */
    for (int32_t old = 0, at = 0; old < all->classes; old++) {
        while (strcmp(copy[at], all->class_names[old]) != 0)
            at++;
        map[old] = at;
    }
    all->allocator.release(all->allocator.context, all->class_names);
    all->class_names = copy;
    relabel(d, map, k);
    free(map);
    return GEMMNET_OK;
}

/* The union of the gathered names blobs[total], adopted by this process;
 * a malformed blob is a failure every process shares. */
static int adopt_union(const train_args *a,
                       const cli_parallel *p,
                       run_data *d,
                       const agree_summary *s,
                       const unsigned char *blobs,
                       size_t total,
                       bool *shared,
                       gemmnet_error *err)
{
    char **names = NULL, why[256];
    int32_t k = 0;
    int bad = -1, status = GEMMNET_OK;
    if (agree_union_names(blobs, total, s, p->size, &names, &k, &bad, why, sizeof why) != 0) {
        *shared = bad >= 0;
        if (bad >= 0)
            return disagree(a, 0, bad, why, err);
        snprintf(err->message, sizeof err->message, "%s", why);
        return GEMMNET_E_NOMEM;
    }
    status = adopt_names(d, names, k, err);
    free(names);
    return status;
}

/* The names exchange, when the summaries say the names differ. */
static int unify_names(const train_args *a,
                       const cli_parallel *p,
                       run_data *d,
                       const agree_summary *s,
                       const char *blob,
                       bool *shared,
                       gemmnet_error *err)
{
    size_t *sizes = malloc((size_t)p->size * sizeof *sizes), total = 0;
    for (int i = 0; sizes && i < p->size; i++)
        total += sizes[i] = (size_t)s[i].names_bytes;
    unsigned char *blobs = sizes ? malloc(total ? total : 1) : NULL;
    int status = GEMMNET_E_NOMEM;
    *shared = true;
    if (any_out_of_memory(p, blobs != NULL, "the class names", err))
        ;
    else if (cli_parallel_gather_sizes(p, blob, sizes, blobs) != 0) {
        snprintf(err->message, sizeof err->message, "cannot exchange the class names");
        status = GEMMNET_E_COLLECTIVE;
    } else {
        *shared = false;
        status = adopt_union(a, p, d, s, blobs, total, shared, err);
    }
    free(blobs);
    free(sizes);
    return status;
}

/* Decodes the gathered summaries and acts on what they say. */
static int act_on_summaries(const train_args *a,
                            const cli_parallel *p,
                            run_data *d,
                            const unsigned char *wire,
                            agree_summary *s,
                            const char *blob,
                            bool *shared,
                            gemmnet_error *err)
{
    *shared = true;
    for (int i = 0; i < p->size; i++)
        if (!agree_decode(wire + (size_t)i * AGREE_SUMMARY_SIZE, &s[i]))
            return disagree(a, 0, i, "no valid summary of the data (out of memory?)", err);
    int i = 0, j = 0;
    int32_t k = 0;
    char why[256];
    switch (agree_compare(s, p->size, &i, &j, &k, why, sizeof why)) {
    case AGREE_SAME: return GEMMNET_OK;
    case AGREE_UNIFY_CLASSES: relabel(d, NULL, k); return GEMMNET_OK;
    case AGREE_UNIFY_NAMES: *shared = false; return unify_names(a, p, d, s, blob, shared, err);
    default: return disagree(a, i, j, why, err);
    }
}

int run_data_agree(
    const train_args *a, const cli_parallel *p, run_data *d, bool *shared, gemmnet_error *err)
{
    *shared = false;
    if (p->size == 1)
        return GEMMNET_OK;
    size_t size = 0;
    char *blob = agree_names_blob(&d->all, &size);
    unsigned char mine[AGREE_SUMMARY_SIZE] = {0};
    /* Out of memory: an all-zero summary, which the others refuse. */
    if (size != SIZE_MAX) {
        agree_summary s = agree_summarize(&d->all, blob, size);
        agree_encode(&s, mine);
    }
    unsigned char *wire = malloc((size_t)p->size * AGREE_SUMMARY_SIZE);
    agree_summary *s = malloc((size_t)p->size * sizeof *s);
    int status = GEMMNET_E_NOMEM;
    *shared = true;
    if (any_out_of_memory(p, wire && s, "comparing the ranks' data", err))
        ;
    else if (cli_parallel_gather(p, mine, AGREE_SUMMARY_SIZE, wire) != 0) {
        snprintf(err->message, sizeof err->message, "cannot compare the ranks' data");
        status = GEMMNET_E_COLLECTIVE;
    } else
        status = act_on_summaries(a, p, d, wire, s, blob, shared, err);
    free(wire);
    free(s);
    free(blob);
    return status;
}

void run_data_free(run_data *d)
{
    gemmnet_dataset_free(&d->train_shard);
    gemmnet_dataset_free(&d->validation_shard);
    gemmnet_dataset_free(&d->train_all);
    gemmnet_dataset_free(&d->validation_all);
    gemmnet_dataset_free(&d->all);
}
