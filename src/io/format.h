/* Shared between the model format (format.c) and model files on disk
 * (file.c); private to src/io/. */
#ifndef GEMMNET_MODEL_IO_H
#define GEMMNET_MODEL_IO_H

#include "io/io.h"

/* The 8 bytes every model file starts with. */
extern const unsigned char gn_model_magic[8];

/* Bytes a reader needs to see before it knows the declared file size. */
enum { GN_MODEL_PREFIX_BYTES = 24 };

/* Checks the first size bytes (magic, version, declared size) and returns
 * the declared file size: GEMMNET_E_FORMAT for a wrong magic number,
 * GEMMNET_E_TRUNCATED when fewer than GN_MODEL_PREFIX_BYTES are there,
 * GEMMNET_E_VERSION for another version. */
int gn_model_check_prefix(const unsigned char *bytes,
                          size_t size,
                          uint64_t *declared /* OUT */,
                          gemmnet_error *err);

/* Bytes of a model file holding the model and state_size bytes of
 * training state (0 for none). */
size_t gn_model_encoded_size(const gemmnet_model *model, size_t state_size);
/* Encodes model and an optional training-state blob into buffer[size]. */
int gn_model_encode(const gemmnet_model *model,
                    const void *state,
                    size_t state_size,
                    void *buffer,
                    size_t size,
                    gemmnet_error *err);
/* Checks and decodes a whole file's bytes into a model; state (if not
 * NULL) receives where the training state lies in bytes ({NULL, 0} when
 * the file has none). */
int gn_model_decode(const unsigned char *bytes,
                    size_t size,
                    const gemmnet_allocator *allocator,
                    gemmnet_model **model,
                    gn_span *state,
                    gemmnet_error *err);

#endif /* GEMMNET_MODEL_IO_H */
