/* The JSON tokenizer of the model reader (json_lex.c): a strict parser
 * over a text span that reports "LINE:COLUMN: what was expected"; the
 * schema that uses it is json.c's. Private to src/io/. */
#ifndef GEMMNET_IO_JSON_LEX_H
#define GEMMNET_IO_JSON_LEX_H

#include "io/io.h"

#include <stdbool.h>

/* The text being parsed and where the parser stands. */
typedef struct json_parser {
    const char *p;
    const char *end;
    /* 1-based line of p, and where that line starts (for the column). */
    size_t line;
    const char *line_start;
    gemmnet_error *err;
} json_parser;

/* Fails with "LINE:COLUMN: message" at the parser's position. */
int gn_json_fail(json_parser *j, int status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* Skips JSON whitespace, counting lines. */
void gn_json_skip_space(json_parser *j);

/* Skips whitespace and consumes c. */
int gn_json_expect(json_parser *j, char c);

/* Skips whitespace; true (and consumes it) if c is next. */
bool gn_json_accept(json_parser *j, char c);

/* A string into out[capacity] (NUL-terminated), its length in *length. */
int gn_json_parse_string(json_parser *j, char *out, size_t capacity, size_t *length);

/* text[n] for a message: printable ASCII only (other bytes, bidi and
 * control characters among them, as \xHH), cut with "..." past 32
 * characters, so that a hostile string can neither reorder the terminal
 * line nor crowd out the message. */
const char *gn_json_shown(char out[48], const char *text, size_t n);

/* The next key, which must be key, and its ':'. */
int gn_json_expect_key(json_parser *j, const char *key);

/* A float32: the token through strtof (correctly rounded, "C" locale). */
int gn_json_parse_float(json_parser *j, float *value);

/* An integer in [min, max]. */
int gn_json_parse_integer(json_parser *j, long min, long max, long *value);

/* Exactly count floats in brackets into v[count]. */
int gn_json_parse_floats(json_parser *j, float *v, size_t count);

/* "null", consumed if next. */
bool gn_json_accept_null(json_parser *j);

#endif
