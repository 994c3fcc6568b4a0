/* Status codes and the per-call error message. */
#include "base/base.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

GEMMNET_API const char *gemmnet_strerror(int status)
{
    switch (status) {
    case GEMMNET_OK: return "success";
    case GEMMNET_E_INVALID: return "invalid argument";
    case GEMMNET_E_NOMEM: return "out of memory";
    case GEMMNET_E_OVERFLOW: return "size overflow";
    case GEMMNET_E_IO: return "input/output error";
    case GEMMNET_E_PARSE: return "malformed input";
    case GEMMNET_E_LABEL: return "label out of range";
    case GEMMNET_E_NONFINITE: return "non-finite value";
    case GEMMNET_E_SHAPE: return "shape mismatch";
    case GEMMNET_E_STOPPED: return "stopped by callback";
    case GEMMNET_E_FORMAT: return "not a valid gemmnet model file";
    case GEMMNET_E_VERSION: return "unsupported model file version";
    case GEMMNET_E_TRUNCATED: return "truncated model file";
    case GEMMNET_E_CHECKSUM: return "model file checksum mismatch";
    case GEMMNET_E_TOO_LARGE: return "model sizes too large";
    case GEMMNET_E_COLLECTIVE: return "collective operation failed";
    default: return "unknown status";
    }
}

/* Messages are one line whatever their arguments hold (a path or a quoted
 * field with a newline, a stray control byte): those bytes become '?'. */
static void keep_one_line(char *message)
{
    for (unsigned char *c = (unsigned char *)message; *c; c++)
        if (*c < 0x20 || *c == 0x7f)
            *c = '?';
}

int gn_fail(gemmnet_error *err, int status, const char *format, ...)
{
    if (err) {
        va_list args;
        va_start(args, format);
        err->status = status;
        vsnprintf(err->message, sizeof err->message, format, args);
        va_end(args);
        keep_one_line(err->message);
    }
    return status;
}

const char *gn_printable(char *out, size_t size, const char *text, size_t length)
{
    size_t used = 0;
    for (size_t i = 0; i < length; i++) {
        unsigned char b = (unsigned char)text[i];
        if (used + 8 >= size || used >= 32) {
            memcpy(out + used, "...", 4);
            return out;
        }
        if (b >= 0x20 && b < 0x7f && b != '"' && b != '\\')
            out[used++] = (char)b;
        else
            used += (size_t)snprintf(out + used, size - used, "\\x%02x", b);
    }
    out[used] = '\0';
    return out;
}
