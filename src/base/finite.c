/* Finiteness checks: the one test for NaN and ±Inf that data, model files,
 * JSON and the trainer's divergence checks share. */
#include "base/base.h"

#include <stdint.h>
#include <string.h>

bool gn_all_finite(const float *v, size_t n)
{
    /* An exponent of all ones marks Inf and NaN; an integer OR reduction
     * vectorises where a float test would not. */
    uint32_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t bits;
        memcpy(&bits, &v[i], sizeof bits);
        bad |= (bits & 0x7f800000u) == 0x7f800000u;
    }
    return bad == 0;
}
