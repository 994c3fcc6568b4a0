/* Class names: validity, compact copies, and a hash table of distinct
 * names for the CSV reader's text labels. */
#include "data/data.h"

#include <stdlib.h>
#include <string.h>

#define STRINGIFY_VALUE(x) #x
#define STRINGIFY(x) STRINGIFY_VALUE(x)

size_t gn_utf8_sequence_length(const unsigned char *s, size_t n)
{
    unsigned lead = s[0];
    size_t length = lead < 0x80                    ? 1
                    : lead >= 0xc2 && lead <= 0xdf ? 2
                    : lead >= 0xe0 && lead <= 0xef ? 3
                    : lead >= 0xf0 && lead <= 0xf4 ? 4
                                                   : 0;
    if (length == 0 || length > n)
        return 0;
    for (size_t i = 1; i < length; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if ((lead == 0xe0 && s[1] < 0xa0) || (lead == 0xed && s[1] > 0x9f) ||
        (lead == 0xf0 && s[1] < 0x90) || (lead == 0xf4 && s[1] > 0x8f))
        return 0;
    return length;
}

const char *gn_class_name_problem(const char *text, size_t length)
{
    const unsigned char *s = (const unsigned char *)text;
    if (length == 0)
        return "is empty";
    if (length > GEMMNET_MAX_CLASS_NAME)
        return "is longer than " STRINGIFY(GEMMNET_MAX_CLASS_NAME) " bytes";
    if (s[0] == ' ' || s[length - 1] == ' ')
        return "starts or ends with a blank";
    for (size_t i = 0; i < length;) {
        size_t step = gn_utf8_sequence_length(s + i, length - i);
        if (step == 0)
            return "is not valid UTF-8";
        if (s[i] < 0x20 || s[i] == 0x7f)
            return "contains a control character";
        if (s[i] == ',')
            return "contains a comma";
        i += step;
    }
    return NULL;
}

char **gn_names_copy(const gemmnet_allocator *a, const char *const *names, size_t count)
{
    size_t bytes, text = 0;
    for (size_t i = 0; i < count; i++)
        if (!gn_add_size(text, strlen(names[i]) + 1, &text))
            return NULL;
    if (!gn_mul_size(count, sizeof(char *), &bytes) || !gn_add_size(bytes, text, &bytes))
        return NULL;
    char **copy = gn_alloc(a, bytes);
    if (!copy)
        return NULL;
    char *next = (char *)(copy + count);
    for (size_t i = 0; i < count; i++) {
        size_t n = strlen(names[i]) + 1;
        copy[i] = memcpy(next, names[i], n);
        next += n;
    }
    return copy;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int gn_check_class_names(const gemmnet_allocator *a,
                         const char *const *names,
                         size_t count,
                         gemmnet_error *err)
{
    for (size_t i = 0; i < count; i++) {
        const char *problem =
            names[i] ? gn_class_name_problem(names[i], strlen(names[i])) : "is NULL";
        if (problem)
            return gn_fail(err, GEMMNET_E_INVALID, "class name %zu %s", i, problem);
    }
    /* Distinct: sort a copy of the pointers and compare neighbours. */
    size_t bytes;
    const char **sorted = NULL;
    if (gn_mul_size(count, sizeof *sorted, &bytes))
        sorted = gn_alloc(a, bytes);
    if (!sorted)
        return gn_fail(err, GEMMNET_E_NOMEM, "cannot allocate room to sort %zu class names", count);
    memcpy(sorted, names, count * sizeof *sorted);
    qsort(sorted, count, sizeof *sorted, compare_strings);
    int status = GEMMNET_OK;
    for (size_t i = 1; i < count && status == GEMMNET_OK; i++)
        if (strcmp(sorted[i - 1], sorted[i]) == 0)
            status = gn_fail(err, GEMMNET_E_INVALID, "class name \"%s\" appears twice", sorted[i]);
    gn_release(a, sorted);
    return status;
}

/* ---- the hash table ------------------------------------------------------ */

/* FNV-1a, 64-bit. */
static uint64_t hash_bytes(const char *text, size_t length)
{
    uint64_t h = 14695981039346656037u;
    for (size_t i = 0; i < length; i++)
        h = (h ^ (unsigned char)text[i]) * 1099511628211u;
    return h;
}

void gn_name_table_init(gn_name_table *t, const gemmnet_allocator *a)
{
    *t = (gn_name_table){.allocator = gn_allocator_or_default(a)};
}

void gn_name_table_free(gn_name_table *t)
{
    gn_release(&t->allocator, t->bytes);
    gn_release(&t->allocator, t->offsets);
    gn_release(&t->allocator, t->slots);
    gn_name_table_init(t, &t->allocator);
}

const char *gn_name_table_name(const gn_name_table *t, size_t i)
{
    return t->bytes + t->offsets[i];
}

/* Length of name i without its NUL: up to the next name's start. */
static size_t name_length(const gn_name_table *t, size_t i)
{
    size_t end = i + 1 < t->count ? t->offsets[i + 1] : t->bytes_used;
    return end - t->offsets[i] - 1;
}

/* The slot holding text, or the empty slot where it would go. */
static size_t probe(const gn_name_table *t, const char *text, size_t length)
{
    size_t mask = t->slot_count - 1, s = (size_t)hash_bytes(text, length) & mask;
    for (;; s = (s + 1) & mask) {
        size_t entry = t->slots[s];
        if (entry == 0)
            return s;
        if (name_length(t, entry - 1) == length &&
            memcmp(gn_name_table_name(t, entry - 1), text, length) == 0)
            return s;
    }
}

bool gn_name_table_find(const gn_name_table *t, const char *text, size_t length, size_t *index)
{
    if (t->slot_count == 0)
        return false;
    size_t entry = t->slots[probe(t, text, length)];
    if (entry)
        *index = entry - 1;
    return entry != 0;
}

/* Makes *buffer[*capacity elements of size] hold at least needed: the
 * allocator has no realloc, so this allocates double and copies. */
static int reserve(const gemmnet_allocator *a,
                   void **buffer,
                   size_t *capacity,
                   size_t size,
                   size_t used,
                   size_t needed)
{
    if (needed <= *capacity)
        return GEMMNET_OK;
    size_t grown = *capacity < 16 ? 16 : *capacity, bytes;
    while (grown < needed)
        if (!gn_mul_size(grown, 2, &grown))
            return GEMMNET_E_OVERFLOW;
    if (!gn_mul_size(grown, size, &bytes))
        return GEMMNET_E_OVERFLOW;
    void *fresh = gn_alloc(a, bytes);
    if (!fresh)
        return GEMMNET_E_NOMEM;
    if (used)
        memcpy(fresh, *buffer, used * size);
    gn_release(a, *buffer);
    *buffer = fresh;
    *capacity = grown;
    return GEMMNET_OK;
}

/* Rebuilds the slots at twice the size (64 the first time). */
static int grow_slots(gn_name_table *t)
{
    size_t count = t->slot_count ? 0 : 64, bytes;
    if (t->slot_count && !gn_mul_size(t->slot_count, 2, &count))
        return GEMMNET_E_OVERFLOW;
    if (!gn_mul_size(count, sizeof(size_t), &bytes))
        return GEMMNET_E_OVERFLOW;
    size_t *slots = gn_alloc_zero(&t->allocator, bytes);
    if (!slots)
        return GEMMNET_E_NOMEM;
    gn_release(&t->allocator, t->slots);
    t->slots = slots;
    t->slot_count = count;
    for (size_t i = 0; i < t->count; i++)
        t->slots[probe(t, gn_name_table_name(t, i), name_length(t, i))] = i + 1;
    return GEMMNET_OK;
}

int gn_name_table_add(gn_name_table *t, const char *text, size_t length, size_t *index)
{
    if (gn_name_table_find(t, text, length, index))
        return GEMMNET_OK;
    size_t needed;
    int status = GEMMNET_OK;
    if (t->count + 1 > t->slot_count / 2)
        status = grow_slots(t);
    if (status == GEMMNET_OK)
        status = reserve(&t->allocator, (void **)&t->offsets, &t->offsets_capacity, sizeof(size_t),
                         t->count, t->count + 1);
    if (status == GEMMNET_OK && !gn_add_size(t->bytes_used, length + 1, &needed))
        status = GEMMNET_E_OVERFLOW;
    if (status == GEMMNET_OK)
        status = reserve(&t->allocator, (void **)&t->bytes, &t->bytes_capacity, 1, t->bytes_used,
                         needed);
    if (status != GEMMNET_OK)
        return status;
    memcpy(t->bytes + t->bytes_used, text, length);
    t->bytes[t->bytes_used + length] = '\0';
    t->offsets[t->count] = t->bytes_used;
    t->bytes_used = needed;
    *index = t->count++;
    t->slots[probe(t, text, length)] = t->count;
    return GEMMNET_OK;
}

/* Index of the name starting at offset (offsets increase with the index). */
static size_t index_of_offset(const gn_name_table *t, size_t offset)
{
    size_t low = 0, high = t->count;
    while (high - low > 1) {
        size_t middle = low + (high - low) / 2;
        if (t->offsets[middle] <= offset)
            low = middle;
        else
            high = middle;
    }
    return low;
}

int gn_name_table_sort(const gn_name_table *t,
                       const gemmnet_allocator *a,
                       char ***sorted,
                       int32_t *rank)
{
    *sorted = NULL;
    const char **order = gn_alloc(a, (t->count ? t->count : 1) * sizeof *order);
    if (!order)
        return GEMMNET_E_NOMEM;
    for (size_t i = 0; i < t->count; i++)
        order[i] = gn_name_table_name(t, i);
    qsort(order, t->count, sizeof *order, compare_strings);
    for (size_t j = 0; j < t->count; j++)
        rank[index_of_offset(t, (size_t)(order[j] - t->bytes))] = (int32_t)j;
    *sorted = gn_names_copy(a, order, t->count);
    gn_release(a, order);
    return *sorted ? GEMMNET_OK : GEMMNET_E_NOMEM;
}

char **gn_name_table_copy(const gn_name_table *t, const gemmnet_allocator *a)
{
    /* Both terms are bounded by buffers that exist. */
    char **copy = gn_alloc(a, t->count * sizeof(char *) + t->bytes_used);
    if (!copy)
        return NULL;
    char *text = (char *)(copy + t->count);
    if (t->bytes_used)
        memcpy(text, t->bytes, t->bytes_used);
    for (size_t i = 0; i < t->count; i++)
        copy[i] = text + t->offsets[i];
    return copy;
}
