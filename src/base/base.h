/*
 * src/base/: what every other layer stands on — status and the per-call
 * error message (status.c), allocation through the caller's hooks and
 * overflow-checked sizes (alloc.c), the per-thread "C" locale
 * (c_locale.c), the numpy-compatible generator (rng.c), finiteness checks
 * (finite.c); little-endian byte order is bytes.h's. Private: nothing here
 * is exported (the library is built with -fvisibility=hidden).
 */
#ifndef GEMMNET_BASE_H
#define GEMMNET_BASE_H

#include "gemmnet.h"

#include <locale.h>
#include <stdbool.h>
#include <stddef.h>

/* ---- errors (status.c) ---------------------------------------------- */

/* Records status and a printf-style message in err (if non-NULL) and
 * returns status, so callers can write `return gn_fail(err, ...)`. */
int gn_fail(gemmnet_error *err, int status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* Copies text[length] into out[size] for a message: printable ASCII as
 * is, other bytes (bidi and control characters among them) and quotes as
 * \xHH, cut with "..." past 32 characters; size ≥ 48. Returns out. */
const char *gn_printable(char *out, size_t size, const char *text, size_t length);

/* ---- memory (alloc.c) ----------------------------------------------- */

/* The allocator to use: *a, or malloc/free when a is NULL. */
gemmnet_allocator gn_allocator_or_default(const gemmnet_allocator *a);
/* Allocates size bytes (size 0 allocates 1 byte). */
void *gn_alloc(const gemmnet_allocator *a, size_t size);
/* Allocates size bytes, zero-filled. */
void *gn_alloc_zero(const gemmnet_allocator *a, size_t size);
/* Frees a block from gn_alloc; NULL is allowed. */
void gn_release(const gemmnet_allocator *a, void *ptr);
/* The machine's physical memory in bytes; SIZE_MAX when unknown. cgroup
 * limits are not seen. The default allocator refuses any block above it. */
size_t gn_physical_memory(void);
/* False if bytes, needed at once through allocator a (NULL: malloc),
 * exceed physical memory; a caller's allocator has limits of its own and
 * always passes. */
bool gn_fits_in_memory(const gemmnet_allocator *a, size_t bytes);
/* *out = a·b; false if that overflows size_t. */
bool gn_mul_size(size_t a, size_t b, size_t *out);
/* *out = a + b; false if that overflows size_t. */
bool gn_add_size(size_t a, size_t b, size_t *out);

/* ---- the "C" locale (c_locale.c) ------------------------------------ */

/* Makes the calling thread use the "C" locale, so that strtod, strtof and
 * printf use '.' whatever the caller's LC_NUMERIC, and saves the caller's
 * thread locale in *saved; false (errno set) if it cannot be created.
 * gn_leave_c_locale undoes it. Thread-safe: no global state changes. */
bool gn_enter_c_locale(locale_t *c_locale, locale_t *saved);
void gn_leave_c_locale(locale_t c_locale, locale_t saved);

/* ---- finiteness (finite.c) ------------------------------------------ */

/* True if every value of v[n] is finite. */
bool gn_all_finite(const float *v, size_t n);

/* ---- byte runs --------------------------------------------------------- */

/* A run of bytes (not owned). */
typedef struct gn_span {
    const unsigned char *bytes;
    size_t size;
} gn_span;

/* Little-endian byte order for the model file and checkpoints. */
#include "base/bytes.h"

#endif /* GEMMNET_BASE_H */
