/* Running a parse or a print under the "C" locale, per thread: the library
 * never calls setlocale, so a caller's decimal comma cannot change what a
 * file means, and other threads are not affected. */
#include "base/base.h"

bool gn_enter_c_locale(locale_t *c_locale, locale_t *saved)
{
    *c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    if (*c_locale == (locale_t)0)
        return false;
    *saved = uselocale(*c_locale);
    return true;
}

void gn_leave_c_locale(locale_t c_locale, locale_t saved)
{
    uselocale(saved);
    freelocale(c_locale);
}
