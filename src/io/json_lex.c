/* The JSON tokenizer of the model reader: whitespace, punctuation,
 * strings with their escapes (UTF-8 out), numbers as the text strtof
 * reads, and messages at the parser's line and column. */
#include "io/json_lex.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Fails with "LINE:COLUMN: message" at the parser's position. */
int gn_json_fail(json_parser *j, int status, const char *format, ...)
{
    char what[400];
    va_list args;
    va_start(args, format);
    vsnprintf(what, sizeof what, format, args);
    va_end(args);
    return gn_fail(j->err, status, "%zu:%zu: %s", j->line, (size_t)(j->p - j->line_start) + 1,
                   what);
}

void gn_json_skip_space(json_parser *j)
{
    for (; j->p < j->end; j->p++) {
        if (*j->p == '\n') {
            j->line++;
            j->line_start = j->p + 1;
        } else if (*j->p != ' ' && *j->p != '\t' && *j->p != '\r') {
            return;
        }
    }
}

/* What is next, for messages. */
static const char *next_thing(const json_parser *j)
{
    return j->p < j->end ? "something else" : "the end of the text";
}

/* Skips whitespace and consumes c. */
int gn_json_expect(json_parser *j, char c)
{
    gn_json_skip_space(j);
    if (j->p < j->end && *j->p == c) {
        j->p++;
        return GEMMNET_OK;
    }
    return gn_json_fail(j, GEMMNET_E_PARSE, "expected '%c', found %s", c, next_thing(j));
}

/* Skips whitespace; true (and consumes it) if c is next. */
bool gn_json_accept(json_parser *j, char c)
{
    gn_json_skip_space(j);
    if (j->p < j->end && *j->p == c) {
        j->p++;
        return true;
    }
    return false;
}

/* Appends code point u as UTF-8 to out[*n] (room checked by the caller). */
static void put_utf8(char *out, size_t *n, unsigned long u)
{
    if (u < 0x80) {
        out[(*n)++] = (char)u;
    } else if (u < 0x800) {
        out[(*n)++] = (char)(0xc0 | u >> 6);
        out[(*n)++] = (char)(0x80 | (u & 0x3f));
    } else if (u < 0x10000) {
        out[(*n)++] = (char)(0xe0 | u >> 12);
        out[(*n)++] = (char)(0x80 | ((u >> 6) & 0x3f));
        out[(*n)++] = (char)(0x80 | (u & 0x3f));
    } else {
        out[(*n)++] = (char)(0xf0 | u >> 18);
        out[(*n)++] = (char)(0x80 | ((u >> 12) & 0x3f));
        out[(*n)++] = (char)(0x80 | ((u >> 6) & 0x3f));
        out[(*n)++] = (char)(0x80 | (u & 0x3f));
    }
}

/* Four hex digits after "\u". */
static int hex4(json_parser *j, unsigned long *u)
{
    *u = 0;
    for (int i = 0; i < 4; i++, j->p++) {
        char c = j->p < j->end ? *j->p : '\0';
        int digit = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
        if (digit < 0)
            return gn_json_fail(j, GEMMNET_E_PARSE, "expected 4 hex digits after \\u");
        *u = *u * 16 + (unsigned long)digit;
    }
    return GEMMNET_OK;
}

/* The code point of a \u escape (j->p after the 'u'), joining a
 * surrogate pair. */
static int unicode_escape(json_parser *j, unsigned long *u)
{
    int status = hex4(j, u);
    if (status != GEMMNET_OK || *u < 0xd800 || *u > 0xdfff)
        return status;
    unsigned long low = 0;
    if (*u > 0xdbff || j->end - j->p < 2 || j->p[0] != '\\' || j->p[1] != 'u')
        return gn_json_fail(j, GEMMNET_E_PARSE, "unpaired UTF-16 surrogate in \\u escape");
    j->p += 2;
    status = hex4(j, &low);
    if (status == GEMMNET_OK && (low < 0xdc00 || low > 0xdfff))
        return gn_json_fail(j, GEMMNET_E_PARSE, "unpaired UTF-16 surrogate in \\u escape");
    *u = 0x10000 + ((*u - 0xd800) << 10) + (low - 0xdc00);
    return status;
}

/* One escape (j->p after the backslash) appended to out[*n]. */
static int escape(json_parser *j, char *out, size_t *n)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    char c = j->p < j->end ? *j->p++ : '\0';
    const char *at = c ? strchr(from, c) : NULL;
    if (at) {
        out[(*n)++] = to[at - from];
        return GEMMNET_OK;
    }
    unsigned long u = 0;
    if (c != 'u' && (unsigned char)c > 0x20 && (unsigned char)c < 0x7f)
        return gn_json_fail(j, GEMMNET_E_PARSE, "unknown escape '\\%c'", c);
    if (c != 'u') /* a control or non-ASCII byte must not break the message's line */
        return gn_json_fail(j, GEMMNET_E_PARSE, "unknown escape: byte 0x%02x after '\\'",
                            (unsigned char)c);
    int status = unicode_escape(j, &u);
    if (status == GEMMNET_OK)
        put_utf8(out, n, u);
    return status;
}

/* A string into out[capacity] (NUL-terminated), its length in *length. */
int gn_json_parse_string(json_parser *j, char *out, size_t capacity, size_t *length)
{
    int status = gn_json_expect(j, '"');
    size_t n = 0;
    while (status == GEMMNET_OK) {
        if (j->p == j->end)
            return gn_json_fail(j, GEMMNET_E_PARSE, "unterminated string");
        char c = *j->p++;
        if (c == '"')
            break;
        if ((unsigned char)c < 0x20)
            return gn_json_fail(j, GEMMNET_E_PARSE,
                                "control character in a string, expected an escape");
        if (n + 4 >= capacity)
            return gn_json_fail(j, GEMMNET_E_PARSE, "string longer than %zu bytes", capacity - 5);
        if (c == '\\')
            status = escape(j, out, &n);
        else
            out[n++] = c;
    }
    out[n] = '\0';
    *length = n;
    return status;
}

/* text[n] for a message: printable ASCII only (other bytes, bidi and
 * control characters among them, as \xHH), cut with "..." past 32
 * characters, so that a hostile string can neither reorder the terminal
 * line nor crowd out the message. */
const char *gn_json_shown(char out[48], const char *text, size_t n)
{
    return gn_printable(out, 48, text, n);
}

/* The next key, which must be key, and its ':'. */
int gn_json_expect_key(json_parser *j, const char *key)
{
    char text[64];
    size_t n = 0;
    gn_json_skip_space(j);
    const char *at = j->p;
    int status = gn_json_parse_string(j, text, sizeof text, &n);
    if (status == GEMMNET_OK && strcmp(text, key) != 0) {
        char safe[48];
        j->p = at;
        return gn_json_fail(j, GEMMNET_E_PARSE, "expected key \"%s\", found \"%s\"", key,
                            gn_json_shown(safe, text, n));
    }
    return status == GEMMNET_OK ? gn_json_expect(j, ':') : status;
}

/* Length of the JSON number at j->p: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static size_t number_length(const json_parser *j)
{
    const char *p = j->p, *end = j->end;
    p += p < end && *p == '-';
    const char *digits = p;
    while (p < end && *p >= '0' && *p <= '9')
        p++;
    if (p == digits || (*digits == '0' && p - digits > 1))
        return 0;
    if (p < end && *p == '.') {
        const char *fraction = ++p;
        while (p < end && *p >= '0' && *p <= '9')
            p++;
        if (p == fraction)
            return 0;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        p += p < end && (*p == '+' || *p == '-');
        const char *exponent = p;
        while (p < end && *p >= '0' && *p <= '9')
            p++;
        if (p == exponent)
            return 0;
    }
    return (size_t)(p - j->p);
}

/* A number token copied into text[64]. */
static int number_token(json_parser *j, char text[64])
{
    gn_json_skip_space(j);
    size_t n = number_length(j);
    if (n == 0)
        return gn_json_fail(j, GEMMNET_E_PARSE, "expected a number, found %s", next_thing(j));
    if (n >= 64)
        return gn_json_fail(j, GEMMNET_E_PARSE, "number longer than 63 characters");
    memcpy(text, j->p, n);
    text[n] = '\0';
    return GEMMNET_OK;
}

/* A float32: the token through strtof (correctly rounded, "C" locale). */
int gn_json_parse_float(json_parser *j, float *value)
{
    char text[64];
    int status = number_token(j, text);
    if (status != GEMMNET_OK)
        return status;
    *value = strtof(text, NULL);
    if (!isfinite(*value))
        return gn_json_fail(j, GEMMNET_E_NONFINITE, "%s overflows float32", text);
    j->p += strlen(text);
    return GEMMNET_OK;
}

/* An integer in [min, max]. */
int gn_json_parse_integer(json_parser *j, long min, long max, long *value)
{
    char text[64], *stop = NULL;
    int status = number_token(j, text);
    if (status != GEMMNET_OK)
        return status;
    errno = 0;
    *value = strtol(text, &stop, 10);
    if (*stop || errno || *value < min || *value > max)
        return gn_json_fail(j, *value > max && !*stop ? GEMMNET_E_TOO_LARGE : GEMMNET_E_PARSE,
                            "%s is not an integer in %ld..%ld", text, min, max);
    j->p += strlen(text);
    return GEMMNET_OK;
}

/* Exactly count floats in brackets into v[count]. */
int gn_json_parse_floats(json_parser *j, float *v, size_t count)
{
    int status = gn_json_expect(j, '[');
    for (size_t i = 0; i < count && status == GEMMNET_OK; i++) {
        if (i > 0 && (status = gn_json_expect(j, ',')) != GEMMNET_OK)
            return gn_json_accept(j, ']') ? gn_json_fail(j, GEMMNET_E_PARSE,
                                                         "expected %zu values, found %zu", count, i)
                                          : status;
        status = gn_json_parse_float(j, v + i);
    }
    if (status == GEMMNET_OK && !gn_json_accept(j, ']'))
        return gn_json_fail(j, GEMMNET_E_PARSE, "expected ']' after %zu values", count);
    return status;
}

/* "null", consumed if next. */
bool gn_json_accept_null(json_parser *j)
{
    gn_json_skip_space(j);
    if (j->end - j->p >= 4 && memcmp(j->p, "null", 4) == 0) {
        j->p += 4;
        return true;
    }
    return false;
}
