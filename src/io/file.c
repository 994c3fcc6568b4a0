/*
 * Model files on disk: atomic saving and reading a whole file. The format
 * itself is format.c's.
 *
 * Saving encodes the whole file in memory and hands it to output_file.c,
 * which writes it atomically (what a save may replace is decided there).
 */
#include "io/format.h"
#include "io/output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- saving ------------------------------------------------------------ */

int gn_model_save_state(const gemmnet_model *m,
                        gn_span state,
                        const char *path,
                        const gn_file_ops *ops,
                        gemmnet_error *err)
{
    if (!m || !path || !path[0])
        return gn_fail(err, GEMMNET_E_INVALID, "save: a model and a path are required");
    const gemmnet_allocator *a = &m->allocator;
    size_t size = gn_model_encoded_size(m, state.size);
    unsigned char *bytes = gn_alloc(a, size);
    int status =
        bytes ? GEMMNET_OK
              : gn_fail(err, GEMMNET_E_NOMEM, "%s: cannot allocate %zu bytes to save", path, size);
    if (status == GEMMNET_OK)
        status = gn_model_encode(m, state.bytes, state.size, bytes, size, err);
    if (status == GEMMNET_OK)
        status = gn_output_write_file(path, bytes, size, ops, a, err);
    gn_release(a, bytes);
    return status;
}

int gn_model_save_with(const gemmnet_model *m,
                       const char *path,
                       const gn_file_ops *ops,
                       gemmnet_error *err)
{
    /* A model loaded from a checkpoint keeps its training state. */
    gn_span state = {NULL, 0};
    if (m)
        state = (gn_span){m->training_state, m->training_state_size};
    return gn_model_save_state(m, state, path, ops, err);
}

GEMMNET_API int gemmnet_model_save(const gemmnet_model *model, const char *path, gemmnet_error *err)
{
    return gn_model_save_with(model, path, NULL, err);
}

/* ---- loading ----------------------------------------------------------- */

/* Reads up to size bytes (fewer only at the end of the file). */
static int read_up_to(int fd, unsigned char *bytes, size_t size, size_t *got)
{
    *got = 0;
    while (*got < size) {
        ssize_t n = read(fd, bytes + *got, size - *got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        *got += (size_t)n;
    }
    return 0;
}

/* Reads the rest of a file whose first bytes are prefix[got] into one
 * buffer of exactly the declared size, which fstat has confirmed, so the
 * allocation is justified by bytes that exist. */
static int read_model_bytes(int fd,
                            const char *path,
                            const unsigned char *prefix,
                            size_t got,
                            size_t size,
                            const gemmnet_allocator *a,
                            unsigned char **out,
                            gemmnet_error *err)
{
    unsigned char *bytes = gn_alloc(a, size + 1);
    if (!bytes)
        return gn_fail(err, GEMMNET_E_NOMEM, "%s: cannot allocate %zu bytes to read it", path,
                       size);
    memcpy(bytes, prefix, got);
    size_t rest = 0;
    /* One byte more than expected, to notice a file that grew. */
    if (read_up_to(fd, bytes + got, size + 1 - got, &rest) != 0) {
        gn_release(a, bytes);
        return gn_fail(err, GEMMNET_E_IO, "%s: cannot read: %s", path, strerror(errno));
    }
    if (got + rest != size) {
        gn_release(a, bytes);
        return gn_fail(err, GEMMNET_E_IO, "%s: the file changed while being read", path);
    }
    *out = bytes;
    return GEMMNET_OK;
}

/* Size checks that need no allocation: the prefix, then the declared size
 * against the file's actual size. */
static int check_file_size(const char *path,
                           const unsigned char *prefix,
                           size_t got,
                           off_t actual,
                           size_t *size,
                           gemmnet_error *err)
{
    uint64_t declared = 0;
    gemmnet_error detail = {0};
    int status = gn_model_check_prefix(prefix, got, &declared, &detail);
    if (status != GEMMNET_OK)
        return gn_fail(err, status, "%s: %s", path, detail.message);
    if ((uint64_t)actual < declared)
        return gn_fail(err, GEMMNET_E_TRUNCATED,
                       "%s: the file is truncated: %lld bytes of the %llu its header declares",
                       path, (long long)actual, (unsigned long long)declared);
    if ((uint64_t)actual > declared)
        return gn_fail(err, GEMMNET_E_FORMAT, "%s: %llu stray bytes follow the model's %llu bytes",
                       path, (unsigned long long)((uint64_t)actual - declared),
                       (unsigned long long)declared);
    if (declared >= SIZE_MAX)
        return gn_fail(err, GEMMNET_E_TOO_LARGE, "%s: %llu bytes do not fit in memory", path,
                       (unsigned long long)declared);
    *size = (size_t)declared;
    return GEMMNET_OK;
}

/* Where a loaded file's training state goes: a copy (made with the
 * model's allocator), or nowhere. */
typedef struct state_copy {
    unsigned char **bytes;
    size_t *size;
} state_copy;

/* Decodes bytes[size] (a whole file) and copies its training state. */
static int decode_file(const char *path,
                       const unsigned char *bytes,
                       size_t size,
                       const gemmnet_allocator *a,
                       gemmnet_model **out,
                       state_copy copy,
                       gemmnet_error *err)
{
    gemmnet_error detail = {0};
    gn_span state = {NULL, 0};
    int status = gn_model_decode(bytes, size, a, out, copy.bytes ? &state : NULL, &detail);
    if (status != GEMMNET_OK)
        return gn_fail(err, status, "%s: %s", path, detail.message);
    if (!copy.bytes || !state.size)
        return GEMMNET_OK;
    *copy.bytes = gn_alloc(a, state.size);
    if (!*copy.bytes) {
        gemmnet_model_destroy(*out);
        *out = NULL;
        return gn_fail(err, GEMMNET_E_NOMEM, "%s: cannot allocate its training state", path);
    }
    memcpy(*copy.bytes, state.bytes, state.size);
    *copy.size = state.size;
    return GEMMNET_OK;
}

/* Reads and decodes an open regular file. */
static int load_open_file(int fd,
                          const char *path,
                          const gemmnet_allocator *a,
                          gemmnet_model **out,
                          state_copy copy,
                          gemmnet_error *err)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return gn_fail(err, GEMMNET_E_IO, "%s: cannot stat: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return gn_fail(err, GEMMNET_E_IO, "%s: not a regular file, expected a model file", path);
    unsigned char prefix[GN_MODEL_PREFIX_BYTES];
    size_t got = 0, size = 0;
    if (read_up_to(fd, prefix, sizeof prefix, &got) != 0)
        return gn_fail(err, GEMMNET_E_IO, "%s: cannot read: %s", path, strerror(errno));
    int status = check_file_size(path, prefix, got, got < sizeof prefix ? (off_t)got : st.st_size,
                                 &size, err);
    unsigned char *bytes = NULL;
    if (status == GEMMNET_OK)
        status = read_model_bytes(fd, path, prefix, got, size, a, &bytes, err);
    if (status != GEMMNET_OK)
        return status;
    status = decode_file(path, bytes, size, a, out, copy, err);
    gn_release(a, bytes);
    return status;
}

static int load_path(const char *path,
                     const gemmnet_allocator *allocator,
                     gemmnet_model **model,
                     state_copy copy,
                     gemmnet_error *err)
{
    if (!model)
        return gn_fail(err, GEMMNET_E_INVALID, "load: an output pointer is required");
    *model = NULL;
    if (!path)
        return gn_fail(err, GEMMNET_E_INVALID, "load: a path is required");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return gn_fail(err, GEMMNET_E_IO, "%s: cannot open: %s", path, strerror(errno));
    gemmnet_allocator a = gn_allocator_or_default(allocator);
    int status = load_open_file(fd, path, &a, model, copy, err);
    close(fd);
    return status;
}

GEMMNET_API int gemmnet_model_load(const char *path,
                                   const gemmnet_allocator *allocator,
                                   gemmnet_model **model,
                                   gemmnet_error *err)
{
    return load_path(path, allocator, model, (state_copy){NULL, NULL}, err);
}

int gn_model_load_state(const char *path,
                        const gemmnet_allocator *allocator,
                        gemmnet_model **model,
                        unsigned char **state,
                        size_t *state_size,
                        gemmnet_error *err)
{
    *state = NULL;
    *state_size = 0;
    return load_path(path, allocator, model, (state_copy){state, state_size}, err);
}
