/* Allocation through the caller's hooks, and overflow-checked sizes. */
#include "base/base.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Blocks below this are never checked against physical memory (saves a
 * system call on the many small allocations). */
#define LARGE_BLOCK ((size_t)1 << 30)

size_t gn_physical_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGESIZE);
    size_t bytes;
    if (pages <= 0 || page_size <= 0 || !gn_mul_size((size_t)pages, (size_t)page_size, &bytes))
        return SIZE_MAX;
    return bytes;
}

/* Linux overcommits: malloc may grant a block that can only be paid for by
 * the OOM killer once it is touched. One larger than physical memory can
 * never be paid for, so it is refused here and the caller reports
 * GEMMNET_E_NOMEM with the byte count instead of the process dying later. */
static void *default_alloc(void *context, size_t size)
{
    (void)context;
    if (size >= LARGE_BLOCK && size > gn_physical_memory())
        return NULL;
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

bool gn_fits_in_memory(const gemmnet_allocator *a, size_t bytes)
{
    gemmnet_allocator resolved = gn_allocator_or_default(a);
    return resolved.alloc != default_alloc || bytes < LARGE_BLOCK || bytes <= gn_physical_memory();
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
