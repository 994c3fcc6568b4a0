/*
 * Output files: what a save may replace, the temporary it writes, and the
 * rename that makes it appear whole.
 *
 * A save writes "TARGET.tmp-PID-N" in the target's directory (so the rename
 * cannot cross file systems), fsyncs it and renames it over the target: a
 * reader, a crash or a full disk sees the old file or the new one, never a
 * mix. Only a regular file (or nothing) is replaced; a symbolic link to a
 * regular file has that file replaced and stays a link; /dev/stdout,
 * /dev/stderr, /dev/fd/N and /dev/null are written in place; anything else
 * is refused. Temporaries in flight are listed for
 * gemmnet_output_remove_temporaries (a signal handler's call), and those a
 * killed process left behind are removed by the next save of the target.
 */
/* realpath is XSI. */
#define _XOPEN_SOURCE 700
#include "io/output.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
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

/* ---- temporaries in flight, for signal handlers ------------------------- */

/* Lock-free pointers, so that a handler may read them at any moment. */
enum { IN_FLIGHT_SLOTS = 32 };
static _Atomic(char *) in_flight[IN_FLIGHT_SLOTS];

/* Lists temp; returns its slot, or -1 when all are taken (the write goes on,
 * only a signal could then leave the temporary behind). */
static int register_temporary(char *temp)
{
    for (int i = 0; i < IN_FLIGHT_SLOTS; i++) {
        char *expected = NULL;
        if (atomic_compare_exchange_strong(&in_flight[i], &expected, temp))
            return i;
    }
    return -1;
}

static void unregister_temporary(int slot)
{
    if (slot >= 0)
        atomic_store(&in_flight[slot], NULL);
}

GEMMNET_API void gemmnet_output_remove_temporaries(void)
{
    /* unlink is async-signal-safe; a name already renamed is simply gone. */
    for (int i = 0; i < IN_FLIGHT_SLOTS; i++) {
        char *temp = atomic_exchange(&in_flight[i], NULL);
        if (temp)
            unlink(temp);
    }
}

/* ---- what the path names ------------------------------------------------ */

/* The descriptor a direct output stands for: 1 for /dev/stdout, N for
 * /dev/fd/N; -2 for /dev/null; -1 when path is not one. */
static int direct_descriptor(const char *path)
{
    if (strcmp(path, "/dev/stdout") == 0)
        return 1;
    if (strcmp(path, "/dev/stderr") == 0)
        return 2;
    if (strcmp(path, "/dev/null") == 0)
        return -2;
    const char *digits = NULL;
    if (strncmp(path, "/dev/fd/", 8) == 0)
        digits = path + 8;
    else if (strncmp(path, "/proc/self/fd/", 14) == 0)
        digits = path + 14;
    if (!digits || *digits < '0' || *digits > '9')
        return -1;
    char *end;
    long fd = strtol(digits, &end, 10);
    return *end || fd > INT_MAX ? -1 : (int)fd;
}

static const char *kind_of(mode_t mode)
{
    return S_ISDIR(mode)    ? "a directory"
           : S_ISCHR(mode)  ? "a character device"
           : S_ISBLK(mode)  ? "a block device"
           : S_ISFIFO(mode) ? "a FIFO"
           : S_ISSOCK(mode) ? "a socket"
                            : "not a regular file";
}

static char *copy_string(const gemmnet_allocator *a, const char *text)
{
    char *copy = gn_alloc(a, strlen(text) + 1);
    if (copy)
        strcpy(copy, text);
    return copy;
}

/* w->target: path itself, or the regular file a symbolic link names. */
static int resolve_link(gn_output_file *w, gemmnet_error *err)
{
    struct stat st;
    if (stat(w->path, &st) != 0)
        return gn_fail(err, GEMMNET_E_IO,
                       "%s: a symbolic link to nothing (%s); refusing to create its target",
                       w->path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return gn_fail(err, GEMMNET_E_IO,
                       "%s: a symbolic link to %s; only a regular file is replaced", w->path,
                       kind_of(st.st_mode));
    char *resolved = realpath(w->path, NULL);
    if (!resolved)
        return gn_fail(err, GEMMNET_E_IO, "%s: cannot resolve the symbolic link: %s", w->path,
                       strerror(errno));
    w->target = w->resolved = copy_string(&w->allocator, resolved);
    free(resolved);
    return w->target ? GEMMNET_OK : gn_fail(err, GEMMNET_E_NOMEM, "%s: out of memory", w->path);
}

/* Finds what path names: nothing or a regular file (w->target = path), a
 * link to a regular file (its target); refuses the rest. Records the
 * previous file's mode and owner. */
static int check_target(gn_output_file *w, gemmnet_error *err)
{
    struct stat st;
    int status = GEMMNET_OK;
    if (lstat(w->path, &st) != 0) {
        if (errno != ENOENT)
            return gn_fail(err, GEMMNET_E_IO, "%s: %s", w->path, strerror(errno));
    } else if (S_ISLNK(st.st_mode)) {
        status = resolve_link(w, err);
    } else if (!S_ISREG(st.st_mode)) {
        return gn_fail(err, GEMMNET_E_IO, "%s: is %s; only a regular file is replaced", w->path,
                       kind_of(st.st_mode));
    }
    if (status != GEMMNET_OK)
        return status;
    if (!w->target)
        w->target = w->path;
    if (stat(w->target, &st) == 0) {
        w->had_previous = true;
        w->mode = (unsigned)(st.st_mode & 0777);
        w->uid = (long)st.st_uid;
        w->gid = (long)st.st_gid;
    }
    return GEMMNET_OK;
}

/* ---- stale temporaries -------------------------------------------------- */

/* Whether name is "BASE.tmp-PID-N" of a process that no longer exists. */
static bool is_stale_temporary(const char *name, const char *base, size_t base_length)
{
    if (strncmp(name, base, base_length) != 0 || strncmp(name + base_length, ".tmp-", 5) != 0)
        return false;
    const char *p = name + base_length + 5;
    char *end;
    long pid = strtol(p, &end, 10);
    if (end == p || *end != '-' || pid <= 0 || pid > INT_MAX || pid == (long)getpid())
        return false;
    p = end + 1;
    if (*p < '0' || *p > '9')
        return false;
    strtol(p, &end, 10);
    /* EPERM: the process exists under another user. */
    return !*end && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* Removes the regular files "TARGET.tmp-PID-N" that dead processes left. */
static void remove_stale_temporaries(const char *target)
{
    const char *slash = strrchr(target, '/');
    const char *base = slash ? slash + 1 : target;
    char dir[PATH_MAX];
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if ((size_t)(slash - target) >= sizeof dir)
        return;
    else
        snprintf(dir, sizeof dir, "%.*s", slash == target ? 1 : (int)(slash - target), target);
    DIR *d = opendir(dir);
    if (!d)
        return;
    size_t base_length = strlen(base);
    struct dirent *entry;
    while ((entry = readdir(d)) != NULL) {
        char stale[PATH_MAX];
        struct stat st;
        if (!is_stale_temporary(entry->d_name, base, base_length) ||
            (size_t)snprintf(stale, sizeof stale, "%s/%s", dir, entry->d_name) >= sizeof stale)
            continue;
        if (lstat(stale, &st) == 0 && S_ISREG(st.st_mode))
            unlink(stale);
    }
    closedir(d);
}

/* ---- writing ------------------------------------------------------------ */

/* Creates "TARGET.tmp-PID-N" exclusively, with 0666 & ~umask like any new
 * file; N counts past names left by other writers. */
static int create_temporary(gn_output_file *w, gemmnet_error *err)
{
    size_t size = strlen(w->target) + 64;
    if (!(w->temp = gn_alloc(&w->allocator, size)))
        return gn_fail(err, GEMMNET_E_NOMEM, "%s: out of memory", w->path);
    for (int attempt = 0; attempt < 100 && w->fd < 0; attempt++) {
        snprintf(w->temp, size, "%s.tmp-%ld-%d", w->target, (long)getpid(), attempt);
        w->fd = w->ops->open(w->temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (w->fd < 0 && errno != EEXIST)
            break;
    }
    if (w->fd < 0)
        return gn_fail(err, GEMMNET_E_IO, "%s: cannot create a temporary file next to it: %s",
                       w->path, strerror(errno));
    w->slot = register_temporary(w->temp);
    return GEMMNET_OK;
}

static int open_direct(gn_output_file *w, int descriptor, gemmnet_error *err)
{
    w->direct = true;
    if (descriptor == -2)
        w->fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    else
        w->fd = fcntl(descriptor, F_DUPFD_CLOEXEC, 3);
    if (w->fd < 0)
        return gn_fail(err, GEMMNET_E_IO, "%s: cannot open: %s", w->path, strerror(errno));
    return GEMMNET_OK;
}

static void release(gn_output_file *w)
{
    gn_release(&w->allocator, w->resolved);
    gn_release(&w->allocator, w->temp);
    w->resolved = w->temp = NULL;
    w->target = NULL;
}

int gn_output_begin(gn_output_file *w,
                    const char *path,
                    const gn_file_ops *ops,
                    const gemmnet_allocator *allocator,
                    gemmnet_error *err)
{
    *w = (gn_output_file){.ops = ops ? ops : &real_ops,
                          .allocator = gn_allocator_or_default(allocator),
                          .fd = -1,
                          .path = path,
                          .slot = -1};
    if (!path || !path[0])
        return gn_fail(err, GEMMNET_E_INVALID, "save: a path is required");
    int descriptor = direct_descriptor(path), status;
    if (descriptor != -1)
        return open_direct(w, descriptor, err);
    status = check_target(w, err);
    if (status == GEMMNET_OK) {
        remove_stale_temporaries(w->target);
        status = create_temporary(w, err);
    }
    if (status != GEMMNET_OK)
        release(w);
    return status;
}

int gn_output_write(gn_output_file *w, const void *bytes, size_t size)
{
    const unsigned char *p = bytes;
    while (size > 0) {
        long n = w->ops->write(w->fd, p, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = EIO;
            return -1;
        }
        p += n;
        size -= (size_t)n;
    }
    return 0;
}

/* The previous file's permission bits and, where permitted, owner. */
static void keep_mode(const gn_output_file *w)
{
    if (!w->had_previous)
        return;
    struct stat st;
    if (fstat(w->fd, &st) == 0 && ((long)st.st_uid != w->uid || (long)st.st_gid != w->gid))
        (void)!fchown(w->fd, (uid_t)w->uid, (gid_t)w->gid);
    (void)fchmod(w->fd, (mode_t)w->mode);
}

/* Makes the rename durable: fsync of the directory holding the target. A
 * failure here cannot undo the rename, and the file is complete, so it is
 * not reported. */
static void sync_directory(const char *target)
{
    const char *slash = strrchr(target, '/');
    char dir[PATH_MAX];
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if ((size_t)(slash - target) < sizeof dir)
        snprintf(dir, sizeof dir, "%.*s", slash == target ? 1 : (int)(slash - target), target);
    else
        return;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

static int commit_direct(gn_output_file *w, int error, gemmnet_error *err)
{
    if (close(w->fd) != 0 && !error)
        error = errno;
    w->fd = -1;
    release(w);
    if (!error)
        return GEMMNET_OK;
    return gn_fail(err, GEMMNET_E_IO, "%s: write failed: %s", w->path, strerror(error));
}

int gn_output_commit(gn_output_file *w, int error, gemmnet_error *err)
{
    if (w->direct)
        return commit_direct(w, error, err);
    const char *step = "write";
    if (!error) {
        keep_mode(w);
        if (w->ops->fsync(w->fd) != 0)
            step = "fsync", error = errno;
    }
    if (w->ops->close(w->fd) != 0 && !error)
        step = "close", error = errno;
    w->fd = -1;
    if (!error && w->ops->rename(w->temp, w->target) != 0)
        step = "rename", error = errno;
    if (error)
        unlink(w->temp);
    unregister_temporary(w->slot);
    if (!error)
        sync_directory(w->target);
    release(w);
    if (!error)
        return GEMMNET_OK;
    return gn_fail(err, GEMMNET_E_IO, "%s: %s failed: %s (the previous file, if any, is unchanged)",
                   w->path, step, strerror(error));
}

void gn_output_abort(gn_output_file *w)
{
    if (w->fd >= 0)
        w->ops->close(w->fd);
    w->fd = -1;
    if (!w->direct && w->temp)
        unlink(w->temp);
    unregister_temporary(w->slot);
    release(w);
}

int gn_output_write_file(const char *path,
                         const void *bytes,
                         size_t size,
                         const gn_file_ops *ops,
                         const gemmnet_allocator *allocator,
                         gemmnet_error *err)
{
    gn_output_file w;
    int status = gn_output_begin(&w, path, ops, allocator, err);
    if (status != GEMMNET_OK)
        return status;
    if (w.direct)
        fflush(stdout); /* the process's buffered output goes first */
    int error = gn_output_write(&w, bytes, size) == 0 ? 0 : errno;
    return gn_output_commit(&w, error, err);
}

/* ---- the public stream ------------------------------------------------- */

struct gemmnet_output {
    gn_output_file file;
    FILE *stream;
    /* stream is the process's stdout or stderr, not ours to close. */
    bool shared;
};

/* A stream over w: the process's own stdout or stderr for descriptors 1
 * and 2 (so that its other output keeps its order), else a stdio stream
 * over a duplicate of w's descriptor, which commit closes first. */
static FILE *open_stream(const char *path, const gn_output_file *w, bool *shared)
{
    int descriptor = direct_descriptor(path);
    *shared = descriptor == 1 || descriptor == 2;
    if (*shared)
        return descriptor == 1 ? stdout : stderr;
    int copy = fcntl(w->fd, F_DUPFD_CLOEXEC, 3);
    FILE *f = copy >= 0 ? fdopen(copy, "wb") : NULL;
    if (!f && copy >= 0)
        close(copy);
    return f;
}

GEMMNET_API int gemmnet_output_open(const char *path, gemmnet_output **output, gemmnet_error *err)
{
    if (!output)
        return gn_fail(err, GEMMNET_E_INVALID, "output: an output pointer is required");
    *output = NULL;
    gemmnet_allocator a = gn_allocator_or_default(NULL);
    gemmnet_output *o = gn_alloc(&a, sizeof *o);
    if (!o)
        return gn_fail(err, GEMMNET_E_NOMEM, "%s: out of memory", path ? path : "output");
    int status = gn_output_begin(&o->file, path, NULL, NULL, err);
    if (status == GEMMNET_OK && !(o->stream = open_stream(path, &o->file, &o->shared))) {
        status = gn_fail(err, GEMMNET_E_IO, "%s: cannot open a stream: %s", path, strerror(errno));
        gn_output_abort(&o->file);
    }
    if (status != GEMMNET_OK) {
        gn_release(&a, o);
        return status;
    }
    *output = o;
    return GEMMNET_OK;
}

GEMMNET_API FILE *gemmnet_output_stream(gemmnet_output *output)
{
    return output ? output->stream : NULL;
}

/* Flushes (and, unless shared, closes) the stream: 0 or the errno of the
 * first failure, EIO when stdio recorded one without a reason. */
static int close_stream(gemmnet_output *o)
{
    errno = 0;
    int error = fflush(o->stream) != 0 || ferror(o->stream) ? (errno ? errno : EIO) : 0;
    if (!o->shared && fclose(o->stream) != 0 && !error)
        error = errno ? errno : EIO;
    o->stream = NULL;
    return error;
}

GEMMNET_API int gemmnet_output_commit(gemmnet_output *output, gemmnet_error *err)
{
    if (!output)
        return gn_fail(err, GEMMNET_E_INVALID, "output: NULL");
    int error = close_stream(output);
    int status = gn_output_commit(&output->file, error, err);
    gemmnet_allocator a = gn_allocator_or_default(NULL);
    gn_release(&a, output);
    return status;
}

GEMMNET_API void gemmnet_output_discard(gemmnet_output *output)
{
    if (!output)
        return;
    if (!output->shared)
        fclose(output->stream);
    else
        fflush(output->stream);
    gn_output_abort(&output->file);
    gemmnet_allocator a = gn_allocator_or_default(NULL);
    gn_release(&a, output);
}
