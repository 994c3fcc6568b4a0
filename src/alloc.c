/* Allocation through the caller's hooks, and overflow-checked sizes. */
#include "internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void *default_alloc(void *context, size_t size)
{
    (void)context;
    return malloc(size);
}

static void default_release(void *context, void *ptr)
{
    (void)context;
    free(ptr);
}

gemmnet_allocator gn_allocator_or_default(const gemmnet_allocator *a)
{
    if (a && a->alloc && a->release)
        return *a;
    return (gemmnet_allocator){default_alloc, default_release, NULL};
}

void *gn_alloc(const gemmnet_allocator *a, size_t size)
{
    return a->alloc(a->context, size ? size : 1);
}

void *gn_alloc_zero(const gemmnet_allocator *a, size_t size)
{
    void *p = gn_alloc(a, size);
    if (p)
        memset(p, 0, size);
    return p;
}

void gn_release(const gemmnet_allocator *a, void *ptr)
{
    if (ptr)
        a->release(a->context, ptr);
}

bool gn_mul_size(size_t a, size_t b, size_t *out)
{
    if (b != 0 && a > SIZE_MAX / b)
        return false;
    *out = a * b;
    return true;
}

bool gn_add_size(size_t a, size_t b, size_t *out)
{
    if (a > SIZE_MAX - b)
        return false;
    *out = a + b;
    return true;
}
