/*
 * src/io/: models in and out of bytes — the binary model format, encoding
 * and validation (format.c; format.h is this folder's own), files on disk
 * with atomic saving (file.c), and the JSON text form (json.c). This header
 * declares what other layers use. Private.
 */
#ifndef GEMMNET_IO_H
#define GEMMNET_IO_H

#include "base/base.h"
#include "net/net.h"

/* The system calls gemmnet_model_save makes, replaceable so that tests can
 * fail each one and check that the previous file survives. Each returns
 * what the POSIX call of the same name returns. */
typedef struct gn_file_ops {
    int (*open)(const char *path, int flags, int mode);
    long (*write)(int fd, const void *bytes, size_t size);
    int (*fsync)(int fd);
    int (*close)(int fd);
    int (*rename)(const char *from, const char *to);
} gn_file_ops;

/* gemmnet_model_save through ops (NULL: the real calls). */
int gn_model_save_with(const gemmnet_model *m,
                       const char *path,
                       const gn_file_ops *ops,
                       gemmnet_error *err);

/* Saves m with a training-state section (a checkpoint), atomically like
 * gemmnet_model_save; ops NULL for the real calls. */
int gn_model_save_state(const gemmnet_model *m,
                        gn_span state,
                        const char *path,
                        const gn_file_ops *ops,
                        gemmnet_error *err);
/* Loads a model file and a copy of its training state (*state NULL and
 * *state_size 0 when it has none; release *state with the allocator). */
int gn_model_load_state(const char *path,
                        const gemmnet_allocator *allocator,
                        gemmnet_model **model,
                        unsigned char **state,
                        size_t *state_size,
                        gemmnet_error *err);

#endif /* GEMMNET_IO_H */
