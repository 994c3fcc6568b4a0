/*
 * libFuzzer harness: the MPI agreement decoder (src/cli/data_agree.c) on
 * arbitrary bytes, as if other ranks had sent them.
 *
 * The first byte chooses the number of ranks (1..4); then come their
 * 32-byte summaries and, after them, the names blobs one after another.
 * Every summary that decodes must encode back to the same bytes' meaning;
 * when all decode, the comparison must name two real ranks, and a union
 * of names must come out sorted, distinct and of plausible size.
 */
#include "data_agree.h"

#include <stdlib.h>
#include <string.h>

/* A violated invariant is a finding: stop where the fuzzer sees it. */
#define REQUIRE(condition) ((condition) ? (void)0 : __builtin_trap())

static void check_union(const unsigned char *blobs, size_t size, const agree_summary *s, int n)
{
    char **names = NULL, why[256];
    int32_t k = 0;
    int bad = -1;
    if (agree_union_names(blobs, size, s, n, &names, &k, &bad, why, sizeof why) != 0) {
        REQUIRE(!names && bad < n && why[0]);
        return;
    }
    int64_t total = 0, largest = 0;
    for (int i = 0; i < n; i++) {
        total += s[i].classes;
        largest = s[i].classes > largest ? s[i].classes : largest;
    }
    REQUIRE(k >= largest && k <= total);
    for (int32_t i = 0; i < k; i++) {
        size_t length = strlen(names[i]);
        REQUIRE(length >= 1 && length <= GEMMNET_MAX_CLASS_NAME);
        REQUIRE(i == 0 || strcmp(names[i - 1], names[i]) < 0);
    }
    free(names);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size < 1)
        return 0;
    int n = 1 + data[0] % 4;
    if (size < 1 + (size_t)n * AGREE_SUMMARY_SIZE)
        return 0;
    agree_summary s[4];
    for (int i = 0; i < n; i++) {
        const unsigned char *wire = data + 1 + (size_t)i * AGREE_SUMMARY_SIZE;
        if (!agree_decode(wire, &s[i]))
            return 0;
        unsigned char again[AGREE_SUMMARY_SIZE];
        agree_summary back;
        agree_encode(&s[i], again);
        REQUIRE(agree_decode(again, &back) && back.features == s[i].features &&
                back.classes == s[i].classes && back.names == s[i].names &&
                back.digest == s[i].digest && back.names_bytes == s[i].names_bytes);
    }
    int a = -1, b = -1;
    int32_t k = 0;
    char why[256];
    agree_verdict v = agree_compare(s, n, &a, &b, &k, why, sizeof why);
    REQUIRE(k >= 2);
    if (v == AGREE_DIFFER)
        REQUIRE(a == 0 && b > 0 && b < n && why[0]);
    if (v == AGREE_UNIFY_NAMES) {
        size_t offset = 1 + (size_t)n * AGREE_SUMMARY_SIZE;
        check_union(data + offset, size - offset, s, n);
    }
    return 0;
}
