/* Base64 (RFC 4648, with padding) for the training state a model carries
 * into its JSON text: binary bytes, kept exact, in a JSON string. */
#include "io/base64.h"

#include <string.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void gn_base64_write(FILE *f, const unsigned char *bytes, size_t size)
{
    for (size_t i = 0; i < size; i += 3) {
        /* Up to three bytes → a 24-bit group → four characters. */
        uint32_t group = (uint32_t)bytes[i] << 16;
        if (i + 1 < size)
            group |= (uint32_t)bytes[i + 1] << 8;
        if (i + 2 < size)
            group |= bytes[i + 2];
        char out[4] = {alphabet[group >> 18], alphabet[(group >> 12) & 63],
                       i + 1 < size ? alphabet[(group >> 6) & 63] : '=',
                       i + 2 < size ? alphabet[group & 63] : '='};
        fwrite(out, 1, 4, f);
    }
}

static int sextet(char c)
{
    const char *at = c ? strchr(alphabet, c) : NULL;
    return at ? (int)(at - alphabet) : -1;
}

size_t gn_base64_decode(const char *text, size_t length, unsigned char *out)
{
    if (length % 4 != 0)
        return SIZE_MAX;
    size_t n = 0;
    for (size_t i = 0; i < length; i += 4) {
        bool last = i + 4 == length;
        int pad = last && text[i + 3] == '=' ? (text[i + 2] == '=' ? 2 : 1) : 0;
        int v[4];
        for (int k = 0; k < 4; k++) {
            v[k] = k >= 4 - pad ? 0 : sextet(text[i + (size_t)k]);
            if (v[k] < 0)
                return SIZE_MAX;
        }
        uint32_t group =
            (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        out[n++] = (unsigned char)(group >> 16);
        if (pad < 2)
            out[n++] = (unsigned char)(group >> 8);
        if (pad < 1)
            out[n++] = (unsigned char)group;
    }
    return n;
}
