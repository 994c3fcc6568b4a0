/* Shared between the model format (model_io.c) and model files
 * (model_file.c). Private. */
#ifndef GEMMNET_MODEL_IO_H
#define GEMMNET_MODEL_IO_H

#include "internal.h"

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

#endif /* GEMMNET_MODEL_IO_H */
