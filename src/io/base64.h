/* Base64 (RFC 4648, padded) for the training state inside a model's JSON
 * (json.c); private to src/io/. */
#ifndef GEMMNET_IO_BASE64_H
#define GEMMNET_IO_BASE64_H

#include "io/io.h"

#include <stdio.h>

/* Writes bytes[size] as padded base64 (RFC 4648) to f. */
void gn_base64_write(FILE *f, const unsigned char *bytes, size_t size);
/* Decodes text[length] of padded base64 into out[3·length/4]; returns the
 * byte count, SIZE_MAX for text that is not canonical padded base64. */
size_t gn_base64_decode(const char *text, size_t length, unsigned char *out);

#endif
