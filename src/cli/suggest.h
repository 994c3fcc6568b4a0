/* "Did you mean ...?" for mistyped commands and options. */
#ifndef GEMMNET_CLI_SUGGEST_H
#define GEMMNET_CLI_SUGGEST_H

#include <stddef.h>

/* The candidate closest to word, if it is close enough to be the one
 * meant: at most 2 insertions, deletions, substitutions or swaps of
 * adjacent characters (1 for words of up to 4 characters), or word is a
 * prefix of exactly one candidate. NULL when none is. candidates[count]
 * may contain NULLs, which are skipped. */
const char *cli_suggest(const char *word, const char *const *candidates, size_t count);

#endif
