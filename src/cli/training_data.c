/* Loading, splitting and sharding the data of `gemmnet train`. */
#include "training_data.h"

#include <stdio.h>
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

void run_data_free(run_data *d)
{
    gemmnet_dataset_free(&d->train_shard);
    gemmnet_dataset_free(&d->validation_shard);
    gemmnet_dataset_free(&d->train_all);
    gemmnet_dataset_free(&d->validation_all);
    gemmnet_dataset_free(&d->all);
}
