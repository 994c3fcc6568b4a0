/* Atomic output files, the one implementation behind model saves,
 * checkpoints and the public gemmnet_output_* calls. Private. */
#ifndef GEMMNET_OUTPUT_FILE_H
#define GEMMNET_OUTPUT_FILE_H

#include "io/io.h"

/* One write in progress. A file is written to a temporary "TARGET.tmp-PID-N"
 * in the target's directory and renamed over it at commit; a direct output
 * (/dev/stdout, /dev/null, /dev/fd/N) is written in place. */
typedef struct gn_output_file {
    const gn_file_ops *ops;
    gemmnet_allocator allocator;
    /* The descriptor written to, or -1 once closed. */
    int fd;
    /* Writing straight to a descriptor: no temporary, no rename. */
    bool direct;
    /* The path as given, for messages; the file replaced (path, or a
     * symbolic link's target, then owned as resolved); the temporary; the
     * signal registry slot or -1. */
    const char *path;
    const char *target;
    char *resolved;
    char *temp;
    int slot;
    /* The previous file's mode and owner, kept by the new one. */
    bool had_previous;
    unsigned mode;
    long uid, gid;
} gn_output_file;

/* Checks what path names, removes temporaries of the same target left by
 * dead processes, and creates the temporary (or opens the direct output).
 * ops NULL: the real system calls. GEMMNET_E_IO with a message naming path
 * for anything that is not a regular file, a missing one, a symbolic link
 * to a regular file or a direct output. */
int gn_output_begin(gn_output_file *w,
                    const char *path,
                    const gn_file_ops *ops,
                    const gemmnet_allocator *allocator,
                    gemmnet_error *err);
/* Writes bytes[size] to w, retrying short writes and EINTR; -1 with errno. */
int gn_output_write(gn_output_file *w, const void *bytes, size_t size);
/* fsyncs, closes, gives the file the previous one's mode and owner and
 * renames it over the target; on failure removes the temporary. error is
 * an errno already met while writing (0 for none), reported as "write". */
int gn_output_commit(gn_output_file *w, int error, gemmnet_error *err);
/* Closes and removes the temporary; the previous file stays. */
void gn_output_abort(gn_output_file *w);

/* begin + write + commit of bytes[size]. */
int gn_output_write_file(const char *path,
                         const void *bytes,
                         size_t size,
                         const gn_file_ops *ops,
                         const gemmnet_allocator *allocator,
                         gemmnet_error *err);

#endif
