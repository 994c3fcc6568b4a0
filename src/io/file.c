/*
 * Model files on disk: atomic saving and reading a whole file. The format
 * itself is format.c's.
 *
 * Saving writes a temporary file next to the target (same directory, so the
 * rename cannot cross file systems), fsyncs it, and renames it over the
 * target: a reader, a crash or a full disk sees either the old file or the
 * new one, never a mix. On failure the temporary file is removed.
 */
#include "io/format.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the real system calls --------------------------------------------- */

static int real_open(const char *path, int flags, int mode)
{
    return open(path, flags, (mode_t)mode);
}

static long real_write(int fd, const void *bytes, size_t size)
{
    return (long)write(fd, bytes, size);
}

static const gn_file_ops real_ops = {real_open, real_write, fsync, close, rename};

/* ---- saving ------------------------------------------------------------ */

/* Writes all of bytes[size], retrying short writes and EINTR. */
static int write_all(const gn_file_ops *ops, int fd, const unsigned char *bytes, size_t size)
{
    while (size > 0) {
        long n = ops->write(fd, bytes, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = EIO;
            return -1;
        }
        bytes += n;
        size -= (size_t)n;
    }
    return 0;
}

/* Creates "PATH.tmp-PID-N" exclusively, with 0666 & ~umask like any new
 * file; N counts past names left by other writers. */
static int create_temporary(const gn_file_ops *ops, const char *path, char *temp, size_t size)
{
    int fd = -1;
    for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
        snprintf(temp, size, "%s.tmp-%ld-%d", path, (long)getpid(), attempt);
        fd = ops->open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    return fd;
}

/* Makes the rename durable: fsync of the directory holding path. A
 * failure here cannot undo the rename, and the file is complete, so it is
 * not reported. */
static void sync_directory(const char *path, char *scratch, size_t size)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(scratch, size, ".");
    else
        snprintf(scratch, size, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    int fd = open(scratch, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

/* Writes bytes[size] to a temporary file, syncs it and renames it to path;
 * temp[temp_size] is scratch for the temporary name. */
static int replace_file(const gn_file_ops *ops,
                        const char *path,
                        const unsigned char *bytes,
                        size_t size,
                        char *temp,
                        size_t temp_size,
                        gemmnet_error *err)
{
    int fd = create_temporary(ops, path, temp, temp_size);
    if (fd < 0)
        return gn_fail(err, GEMMNET_E_IO, "%s: cannot create a temporary file next to it: %s", path,
                       strerror(errno));
    const char *step = "write";
    int failed = write_all(ops, fd, bytes, size);
    if (!failed && (failed = ops->fsync(fd)) != 0)
        step = "fsync";
    int error = errno;
    if (ops->close(fd) != 0 && !failed) {
        failed = -1, step = "close", error = errno;
    }
    if (!failed && ops->rename(temp, path) != 0)
        failed = -1, step = "rename", error = errno;
    if (failed) {
        unlink(temp);
        return gn_fail(err, GEMMNET_E_IO,
                       "%s: %s failed: %s (the previous file, if any, is unchanged)", path, step,
                       strerror(error));
    }
    sync_directory(path, temp, temp_size);
    return GEMMNET_OK;
}

int gn_model_save_state(const gemmnet_model *m,
                        gn_span state,
                        const char *path,
                        const gn_file_ops *ops,
                        gemmnet_error *err)
{
    if (!m || !path || !path[0])
        return gn_fail(err, GEMMNET_E_INVALID, "save: a model and a path are required");
    const gemmnet_allocator *a = &m->allocator;
    size_t size = gn_model_encoded_size(m, state.size), temp_size = strlen(path) + 64;
    unsigned char *bytes = gn_alloc(a, size);
    char *temp = gn_alloc(a, temp_size);
    int status = bytes && temp ? GEMMNET_OK
                               : gn_fail(err, GEMMNET_E_NOMEM,
                                         "%s: cannot allocate %zu bytes to save", path, size);
    if (status == GEMMNET_OK)
        status = gn_model_encode(m, state.bytes, state.size, bytes, size, err);
    if (status == GEMMNET_OK)
        status = replace_file(ops ? ops : &real_ops, path, bytes, size, temp, temp_size, err);
    gn_release(a, bytes);
    gn_release(a, temp);
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
