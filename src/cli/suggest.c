/* Suggestions by edit distance (optimal string alignment: Levenshtein
 * plus swaps of adjacent characters, so "trian" is one edit from
 * "train"). */
#include "suggest.h"

#include <string.h>

/* Longest word compared; longer ones get no suggestion. */
enum { MAX_WORD = 64 };

static size_t min3(size_t a, size_t b, size_t c)
{
    size_t m = a < b ? a : b;
    return m < c ? m : c;
}

/* d[i][j]: distance between a[0..i) and b[0..j). */
static size_t distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    static size_t d[MAX_WORD + 1][MAX_WORD + 1];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= m; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < d[i][j])
                d[i][j] = d[i - 2][j - 2] + 1;
        }
    }
    return d[n][m];
}

const char *cli_suggest(const char *word, const char *const *candidates, size_t count)
{
    size_t length = strlen(word);
    if (length == 0 || length > MAX_WORD)
        return NULL;
    const char *best = NULL, *prefix_of = NULL;
    size_t best_distance = length <= 4 ? 2 : 3, prefixes = 0;
    for (size_t i = 0; i < count; i++) {
        const char *c = candidates[i];
        if (!c || strlen(c) > MAX_WORD)
            continue;
        if (strncmp(c, word, length) == 0) {
            prefix_of = c;
            prefixes++;
        }
        size_t d = distance(word, c);
        if (d < best_distance) {
            best_distance = d;
            best = c;
        }
    }
    if (best)
        return best;
    return prefixes == 1 ? prefix_of : NULL;
}
