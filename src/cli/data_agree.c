/* The processes' data summaries, their comparison and the union of their
 * class names (see data_agree.h). */
#include "data_agree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *agree_names_blob(const gemmnet_dataset *data, size_t *size)
{
    *size = 0;
    if (!data->class_names)
        return NULL;
    size_t total = 0;
    for (int32_t k = 0; k < data->classes; k++)
        total += strlen(data->class_names[k]) + 1;
    char *blob = malloc(total);
    if (!blob) {
        *size = SIZE_MAX;
        return NULL;
    }
    size_t at = 0;
    for (int32_t k = 0; k < data->classes; k++) {
        size_t n = strlen(data->class_names[k]) + 1;
        memcpy(blob + at, data->class_names[k], n);
        at += n;
    }
    *size = total;
    return blob;
}

/* FNV-1a, 64 bits: a digest to compare the names with, not a MAC. */
static uint64_t fnv1a(const char *bytes, size_t size)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < size; i++)
        h = (h ^ (unsigned char)bytes[i]) * 0x100000001b3u;
    return h;
}

agree_summary agree_summarize(const gemmnet_dataset *data, const char *blob, size_t size)
{
    bool names = data->class_names != NULL;
    return (agree_summary){.features = data->features,
                           .classes = data->classes,
                           .names = names,
                           .digest = names ? fnv1a(blob, size) : 0,
                           .names_bytes = names ? size : 0};
}

static void put(unsigned char *out, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        out[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get(const unsigned char *in, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v |= (uint64_t)in[i] << (8 * i);
    return v;
}

void agree_encode(const agree_summary *s, unsigned char out[AGREE_SUMMARY_SIZE])
{
    put(out, s->features, 8);
    put(out + 8, (uint32_t)s->classes, 4);
    put(out + 12, s->names, 4);
    put(out + 16, s->digest, 8);
    put(out + 24, s->names_bytes, 8);
}

bool agree_decode(const unsigned char in[AGREE_SUMMARY_SIZE], agree_summary *s)
{
    uint64_t classes = get(in + 8, 4), kind = get(in + 12, 4);
    *s = (agree_summary){.features = get(in, 8),
                         .classes = (int32_t)(classes & 0x7fffffff),
                         .names = kind == 1,
                         .digest = get(in + 16, 8),
                         .names_bytes = get(in + 24, 8)};
    /* Each name takes at least 2 bytes (a byte and its NUL). */
    bool names_fit = s->names ? s->names_bytes >= 2 * (uint64_t)s->classes &&
                                    s->names_bytes <= AGREE_MAX_NAMES_BYTES
                              : s->names_bytes == 0 && s->digest == 0;
    return s->features >= 1 && classes >= 2 && classes <= INT32_MAX && kind <= 1 && names_fit;
}

agree_verdict
agree_compare(const agree_summary *s, int n, int *a, int *b, int32_t *k, char *why, size_t size)
{
    agree_verdict verdict = AGREE_SAME;
    *a = 0;
    *k = s[0].classes;
    for (int i = 1; i < n; i++) {
        *b = i;
        if (s[i].features != s[0].features) {
            snprintf(why, size, "%llu features against %llu", (unsigned long long)s[0].features,
                     (unsigned long long)s[i].features);
            return AGREE_DIFFER;
        }
        if (s[i].names != s[0].names) {
            snprintf(why, size, "%s labels against %s", s[0].names ? "text" : "integer",
                     s[i].names ? "text" : "integer");
            return AGREE_DIFFER;
        }
        if (s[i].names && (s[i].digest != s[0].digest || s[i].classes != s[0].classes ||
                           s[i].names_bytes != s[0].names_bytes))
            verdict = AGREE_UNIFY_NAMES;
        else if (!s[i].names && s[i].classes != s[0].classes && verdict == AGREE_SAME)
            verdict = AGREE_UNIFY_CLASSES;
        if (s[i].classes > *k)
            *k = s[i].classes;
    }
    return verdict;
}

static int compare_names(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Checks blob[size] holds count NUL-terminated, non-empty names in
 * strictly increasing order, and puts them in out[count]. */
static bool split_names(const char *blob, uint64_t size, int32_t count, const char **out)
{
    uint64_t at = 0;
    for (int32_t i = 0; i < count; i++) {
        const char *end = at < size ? memchr(blob + at, '\0', (size_t)(size - at)) : NULL;
        size_t length = end ? (size_t)(end - (blob + at)) : 0;
        if (!end || length == 0 || length > GEMMNET_MAX_CLASS_NAME)
            return false;
        out[i] = blob + at;
        if (i > 0 && strcmp(out[i - 1], out[i]) >= 0)
            return false;
        at += length + 1;
    }
    return at == size;
}

/* Copies the distinct sorted names all[n] into one allocation. */
static char **pack(const char **all, size_t n, int32_t *k)
{
    size_t distinct = 0, bytes = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || strcmp(all[i - 1], all[i]) != 0) {
            distinct++;
            bytes += strlen(all[i]) + 1;
        }
    char **names = malloc(distinct * sizeof *names + bytes);
    if (!names)
        return NULL;
    char *text = (char *)(names + distinct);
    for (size_t i = 0, j = 0; i < n; i++)
        if (i == 0 || strcmp(all[i - 1], all[i]) != 0) {
            size_t length = strlen(all[i]) + 1;
            names[j++] = memcpy(text, all[i], length);
            text += length;
        }
    *k = (int32_t)distinct;
    return names;
}

int agree_union_names(const unsigned char *blobs,
                      size_t blobs_size,
                      const agree_summary *s,
                      int n,
                      char ***names,
                      int32_t *k,
                      int *bad_rank,
                      char *why,
                      size_t size)
{
    uint64_t total = 0, at = 0;
    *names = NULL;
    *bad_rank = -1;
    /* The blobs must be there before their counts size anything: each
     * name takes at least 2 bytes of them. */
    for (int i = 0; i < n; i++) {
        total += (uint64_t)s[i].classes;
        at += s[i].names_bytes;
        if (!s[i].names || at > blobs_size || 2 * (uint64_t)s[i].classes > s[i].names_bytes) {
            *bad_rank = i;
            snprintf(why, size, "malformed class names from rank %d", i);
            return -1;
        }
    }
    at = 0;
    if (total > INT32_MAX) {
        snprintf(why, size, "more than %d class names in all", (int)INT32_MAX);
        return -1;
    }
    const char **all = malloc((total ? total : 1) * sizeof *all);
    if (!all) {
        snprintf(why, size, "out of memory for %llu class names", (unsigned long long)total);
        return -1;
    }
    size_t used = 0;
    for (int i = 0; i < n && *bad_rank < 0; i++) {
        bool fits = s[i].names_bytes <= blobs_size - at;
        if (!s[i].names || !fits ||
            !split_names((const char *)blobs + at, s[i].names_bytes, s[i].classes, all + used))
            *bad_rank = i;
        at += fits ? s[i].names_bytes : 0;
        used += (size_t)s[i].classes;
    }
    if (*bad_rank >= 0)
        snprintf(why, size, "malformed class names from rank %d", *bad_rank);
    else {
        qsort(all, used, sizeof *all, compare_names);
        *names = pack(all, used, k);
        if (!*names)
            snprintf(why, size, "out of memory for %zu class names", used);
    }
    free(all);
    return *names ? 0 : -1;
}
