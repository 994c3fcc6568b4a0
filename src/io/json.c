/*
 * A model as JSON text: written for people and tools (gemmnet dump), and
 * read back (gemmnet import) so exactly that saving the result reproduces
 * the original model file byte for byte.
 *
 * Floats are printed with %.9g, which identifies every float32 uniquely,
 * and read with strtof, which rounds correctly, so every value survives.
 * Both run under a thread-local "C" locale: '.' is the decimal point
 * whatever the caller's LC_NUMERIC.
 *
 * The reader is a small strict parser for exactly this schema: the keys in
 * the order the writer puts them, any JSON whitespace, standard string
 * escapes. It reads straight into the model (no tree), allocates through
 * the caller's allocator, and reports "LINE:COLUMN: what was expected".
 * A general JSON library (json-c) would add a dependency, bypass the
 * allocator hooks, and hand back doubles instead of the number's text.
 */
#include "io/io.h"
#include "io/base64.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Names of the activations, indexed by gemmnet_activation. */
static const char *const activation_names[GEMMNET_ACTIVATION_COUNT] = {"tanh", "relu", "leaky_relu",
                                                                       "sigmoid"};

/* Widest layer the text may declare, as in model files: 2^24. */
#define MAX_JSON_WIDTH (1L << 24)

/* ---- writing ----------------------------------------------------------- */

/* count floats, comma-separated, inside brackets. */
static void write_floats(FILE *f, const float *v, size_t count)
{
    fputc('[', f);
    for (size_t i = 0; i < count; i++)
        fprintf(f, i ? ", %.9g" : "%.9g", (double)v[i]);
    fputc(']', f);
}

/* A valid class name needs escapes only for '"' and '\\'. */
static void write_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void write_architecture(FILE *f, const gemmnet_model *m)
{
    fprintf(f, "{\n  \"format\": \"gemmnet-model\",\n  \"version\": %d,\n",
            GEMMNET_MODEL_FORMAT_VERSION);
    fprintf(f, "  \"inputs\": %d,\n  \"hidden\": [", (int)m->width[0]);
    for (int32_t l = 1; l < m->layers; l++)
        fprintf(f, "%s\n    {\"width\": %d, \"activation\": \"%s\"}", l > 1 ? "," : "",
                (int)m->width[l], activation_names[m->activation[l - 1]]);
    fprintf(f, "%s],\n  \"classes\": %d,\n", m->layers > 1 ? "\n  " : "", (int)m->width[m->layers]);
    fprintf(f, "  \"reduction\": \"%s\",\n  \"l2\": %.9g,\n",
            m->reduction == GEMMNET_REDUCTION_SUM ? "sum" : "mean", (double)m->l2);
}

static void write_metadata(FILE *f, const gemmnet_model *m)
{
    size_t d = (size_t)m->width[0];
    fputs("  \"standardization\": ", f);
    if (m->mean) {
        fputs("{\n    \"mean\": ", f);
        write_floats(f, m->mean, d);
        fputs(",\n    \"scale\": ", f);
        write_floats(f, m->scale, d);
        fputs("\n  },\n", f);
    } else {
        fputs("null,\n", f);
    }
    fputs("  \"class_names\": ", f);
    if (m->class_names) {
        fputc('[', f);
        for (int32_t k = 0; k < m->width[m->layers]; k++) {
            fputs(k ? ", " : "", f);
            write_string(f, m->class_names[k]);
        }
        fputs("],\n", f);
    } else {
        fputs("null,\n", f);
    }
}

/* Each layer: W[in×out] one row per line, then b[out]. */
static void write_layers(FILE *f, const gemmnet_model *m)
{
    fputs("  \"layers\": [", f);
    for (int32_t l = 1; l <= m->layers; l++) {
        size_t in = (size_t)m->width[l - 1], out = (size_t)m->width[l];
        const float *w = m->parameters + m->weight_offset[l - 1];
        fprintf(f, "%s\n    {\n      \"weights\": [", l > 1 ? "," : "");
        for (size_t i = 0; i < in; i++) {
            fputs(i ? ",\n        " : "\n        ", f);
            write_floats(f, w + i * out, out);
        }
        fputs("\n      ],\n      \"biases\": ", f);
        write_floats(f, m->parameters + m->bias_offset[l - 1], out);
        fputs("\n    }", f);
    }
    fputs("\n  ]", f);
}

/* A checkpoint's training state, when the model carries one, as base64:
 * opaque bytes (docs/formats.md has their layout) kept exact. */
static void write_training_state(FILE *f, const gemmnet_model *m)
{
    if (m->training_state) {
        fputs(",\n  \"training_state\": \"", f);
        gn_base64_write(f, m->training_state, m->training_state_size);
        fputc('"', f);
    }
    fputs("\n}\n", f);
}

GEMMNET_API int gemmnet_model_write_json(const gemmnet_model *model, FILE *file, gemmnet_error *err)
{
    if (!model || !file)
        return gn_fail(err, GEMMNET_E_INVALID, "write_json: a model and a file are required");
    if (!gn_all_finite(model->parameters, model->parameter_count))
        return gn_fail(err, GEMMNET_E_NONFINITE,
                       "the model has NaN or Inf parameters, which JSON "
                       "cannot hold");
    locale_t c_locale, caller_locale;
    if (!gn_enter_c_locale(&c_locale, &caller_locale))
        return gn_fail(err, GEMMNET_E_NOMEM, "cannot create the C locale: %s", strerror(errno));
    write_architecture(file, model);
    write_metadata(file, model);
    write_layers(file, model);
    write_training_state(file, model);
    gn_leave_c_locale(c_locale, caller_locale);
    if (ferror(file))
        return gn_fail(err, GEMMNET_E_IO, "cannot write the JSON text: %s", strerror(errno));
    return GEMMNET_OK;
}

/* ---- reading: tokens --------------------------------------------------- */

/* The text being parsed and where the parser stands. */
typedef struct json_parser {
    const char *p;
    const char *end;
    /* 1-based line of p, and where that line starts (for the column). */
    size_t line;
    const char *line_start;
    gemmnet_error *err;
} json_parser;

static int fail(json_parser *j, int status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* Fails with "LINE:COLUMN: message" at the parser's position. */
static int fail(json_parser *j, int status, const char *format, ...)
{
    char what[400];
    va_list args;
    va_start(args, format);
    vsnprintf(what, sizeof what, format, args);
    va_end(args);
    return gn_fail(j->err, status, "%zu:%zu: %s", j->line, (size_t)(j->p - j->line_start) + 1,
                   what);
}

static void skip_space(json_parser *j)
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
static int expect(json_parser *j, char c)
{
    skip_space(j);
    if (j->p < j->end && *j->p == c) {
        j->p++;
        return GEMMNET_OK;
    }
    return fail(j, GEMMNET_E_PARSE, "expected '%c', found %s", c, next_thing(j));
}

/* Skips whitespace; true (and consumes it) if c is next. */
static bool accept(json_parser *j, char c)
{
    skip_space(j);
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
            return fail(j, GEMMNET_E_PARSE, "expected 4 hex digits after \\u");
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
        return fail(j, GEMMNET_E_PARSE, "unpaired UTF-16 surrogate in \\u escape");
    j->p += 2;
    status = hex4(j, &low);
    if (status == GEMMNET_OK && (low < 0xdc00 || low > 0xdfff))
        return fail(j, GEMMNET_E_PARSE, "unpaired UTF-16 surrogate in \\u escape");
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
        return fail(j, GEMMNET_E_PARSE, "unknown escape '\\%c'", c);
    if (c != 'u') /* a control or non-ASCII byte must not break the message's line */
        return fail(j, GEMMNET_E_PARSE, "unknown escape: byte 0x%02x after '\\'", (unsigned char)c);
    int status = unicode_escape(j, &u);
    if (status == GEMMNET_OK)
        put_utf8(out, n, u);
    return status;
}

/* A string into out[capacity] (NUL-terminated), its length in *length. */
static int parse_string(json_parser *j, char *out, size_t capacity, size_t *length)
{
    int status = expect(j, '"');
    size_t n = 0;
    while (status == GEMMNET_OK) {
        if (j->p == j->end)
            return fail(j, GEMMNET_E_PARSE, "unterminated string");
        char c = *j->p++;
        if (c == '"')
            break;
        if ((unsigned char)c < 0x20)
            return fail(j, GEMMNET_E_PARSE, "control character in a string, expected an escape");
        if (n + 4 >= capacity)
            return fail(j, GEMMNET_E_PARSE, "string longer than %zu bytes", capacity - 5);
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
static const char *shown(char out[48], const char *text, size_t n)
{
    return gn_printable(out, 48, text, n);
}

/* The next key, which must be key, and its ':'. */
static int expect_key(json_parser *j, const char *key)
{
    char text[64];
    size_t n = 0;
    skip_space(j);
    const char *at = j->p;
    int status = parse_string(j, text, sizeof text, &n);
    if (status == GEMMNET_OK && strcmp(text, key) != 0) {
        char safe[48];
        j->p = at;
        return fail(j, GEMMNET_E_PARSE, "expected key \"%s\", found \"%s\"", key,
                    shown(safe, text, n));
    }
    return status == GEMMNET_OK ? expect(j, ':') : status;
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
    skip_space(j);
    size_t n = number_length(j);
    if (n == 0)
        return fail(j, GEMMNET_E_PARSE, "expected a number, found %s", next_thing(j));
    if (n >= 64)
        return fail(j, GEMMNET_E_PARSE, "number longer than 63 characters");
    memcpy(text, j->p, n);
    text[n] = '\0';
    return GEMMNET_OK;
}

/* A float32: the token through strtof (correctly rounded, "C" locale). */
static int parse_float(json_parser *j, float *value)
{
    char text[64];
    int status = number_token(j, text);
    if (status != GEMMNET_OK)
        return status;
    *value = strtof(text, NULL);
    if (!isfinite(*value))
        return fail(j, GEMMNET_E_NONFINITE, "%s overflows float32", text);
    j->p += strlen(text);
    return GEMMNET_OK;
}

/* An integer in [min, max]. */
static int parse_integer(json_parser *j, long min, long max, long *value)
{
    char text[64], *stop = NULL;
    int status = number_token(j, text);
    if (status != GEMMNET_OK)
        return status;
    errno = 0;
    *value = strtol(text, &stop, 10);
    if (*stop || errno || *value < min || *value > max)
        return fail(j, *value > max && !*stop ? GEMMNET_E_TOO_LARGE : GEMMNET_E_PARSE,
                    "%s is not an integer in %ld..%ld", text, min, max);
    j->p += strlen(text);
    return GEMMNET_OK;
}

/* Exactly count floats in brackets into v[count]. */
static int parse_floats(json_parser *j, float *v, size_t count)
{
    int status = expect(j, '[');
    for (size_t i = 0; i < count && status == GEMMNET_OK; i++) {
        if (i > 0 && (status = expect(j, ',')) != GEMMNET_OK)
            return accept(j, ']')
                       ? fail(j, GEMMNET_E_PARSE, "expected %zu values, found %zu", count, i)
                       : status;
        status = parse_float(j, v + i);
    }
    if (status == GEMMNET_OK && !accept(j, ']'))
        return fail(j, GEMMNET_E_PARSE, "expected ']' after %zu values", count);
    return status;
}

/* "null", consumed if next. */
static bool accept_null(json_parser *j)
{
    skip_space(j);
    if (j->end - j->p >= 4 && memcmp(j->p, "null", 4) == 0) {
        j->p += 4;
        return true;
    }
    return false;
}

/* ---- reading: the schema ----------------------------------------------- */

/* The architecture read so far: widths[0..layers] and activations. */
typedef struct json_shape {
    int32_t layers;
    int32_t width[GEMMNET_MAX_LAYERS + 1];
    gemmnet_activation activation[GEMMNET_MAX_LAYERS];
} json_shape;

/* A string that must be one of names[count]; its index in *index. */
static int parse_choice(json_parser *j, const char *const *names, size_t count, size_t *index)
{
    char text[64];
    size_t n = 0;
    skip_space(j);
    const char *at = j->p;
    int status = parse_string(j, text, sizeof text, &n);
    for (size_t i = 0; status == GEMMNET_OK && i < count; i++)
        if (strcmp(text, names[i]) == 0) {
            *index = i;
            return GEMMNET_OK;
        }
    char safe[48];
    j->p = status == GEMMNET_OK ? at : j->p;
    return status == GEMMNET_OK
               ? fail(j, GEMMNET_E_PARSE, "unknown value \"%s\"", shown(safe, text, n))
               : status;
}

/* "format" and "version". */
static int parse_preamble(json_parser *j)
{
    static const char *const format[] = {"gemmnet-model"};
    size_t index = 0;
    long version = 0;
    int status = expect(j, '{');
    if (status == GEMMNET_OK && (status = expect_key(j, "format")) == GEMMNET_OK &&
        parse_choice(j, format, 1, &index) != GEMMNET_OK)
        return fail(j, GEMMNET_E_FORMAT, "expected \"gemmnet-model\": not a gemmnet model dump");
    if (status == GEMMNET_OK && (status = expect(j, ',')) == GEMMNET_OK &&
        (status = expect_key(j, "version")) == GEMMNET_OK)
        status = parse_integer(j, 0, 1L << 30, &version);
    if (status == GEMMNET_OK && version != GEMMNET_MODEL_FORMAT_VERSION)
        return fail(j, GEMMNET_E_VERSION, "version %ld is not supported, expected %d", version,
                    GEMMNET_MODEL_FORMAT_VERSION);
    return status;
}

/* One {"width": W, "activation": "name"} of the hidden list. */
static int parse_hidden_layer(json_parser *j, json_shape *s)
{
    long width = 0;
    size_t activation = 0;
    int32_t l = s->layers;
    if (l >= GEMMNET_MAX_LAYERS)
        return fail(j, GEMMNET_E_TOO_LARGE, "more than %d hidden layers", GEMMNET_MAX_LAYERS - 1);
    int status = expect(j, '{');
    if (status == GEMMNET_OK && (status = expect_key(j, "width")) == GEMMNET_OK)
        status = parse_integer(j, 1, MAX_JSON_WIDTH, &width);
    if (status == GEMMNET_OK && (status = expect(j, ',')) == GEMMNET_OK &&
        (status = expect_key(j, "activation")) == GEMMNET_OK)
        status = parse_choice(j, activation_names, GEMMNET_ACTIVATION_COUNT, &activation);
    if (status == GEMMNET_OK)
        status = expect(j, '}');
    s->width[l] = (int32_t)width;
    s->activation[l - 1] = (gemmnet_activation)activation;
    s->layers++;
    return status;
}

/* "inputs", "hidden" and "classes": s->layers ends as L. */
static int parse_shape(json_parser *j, json_shape *s)
{
    long inputs = 0, classes = 0;
    int status = expect(j, ',');
    if (status == GEMMNET_OK && (status = expect_key(j, "inputs")) == GEMMNET_OK)
        status = parse_integer(j, 1, MAX_JSON_WIDTH, &inputs);
    s->width[0] = (int32_t)inputs;
    s->layers = 1;
    if (status == GEMMNET_OK && (status = expect(j, ',')) == GEMMNET_OK &&
        (status = expect_key(j, "hidden")) == GEMMNET_OK)
        status = expect(j, '[');
    if (status == GEMMNET_OK && !accept(j, ']')) {
        do
            status = parse_hidden_layer(j, s);
        while (status == GEMMNET_OK && accept(j, ','));
        if (status == GEMMNET_OK)
            status = expect(j, ']');
    }
    if (status == GEMMNET_OK && (status = expect(j, ',')) == GEMMNET_OK &&
        (status = expect_key(j, "classes")) == GEMMNET_OK)
        status = parse_integer(j, 2, MAX_JSON_WIDTH, &classes);
    s->width[s->layers] = (int32_t)classes;
    return status;
}

/* Creates the model once its shape is known. Each parameter needs at
 * least two characters of text ("0,"), so a shape implying more than the
 * text can hold is absurd and is refused before allocating anything. */
static int
create_model(json_parser *j, const json_shape *s, const gemmnet_allocator *a, gemmnet_model **out)
{
    uint64_t count = 0;
    for (int32_t l = 1; l <= s->layers; l++)
        count += (uint64_t)s->width[l - 1] * (uint64_t)s->width[l] + (uint64_t)s->width[l];
    if (count > (uint64_t)(j->end - j->p) / 2)
        return fail(j, GEMMNET_E_TOO_LARGE,
                    "the widths imply %llu parameters, more than the rest of the text holds",
                    (unsigned long long)count);
    gemmnet_architecture arch = {.inputs = s->width[0],
                                 .classes = s->width[s->layers],
                                 .hidden_layers = s->layers - 1,
                                 .hidden = s->width + 1,
                                 .activations = s->activation};
    return gemmnet_model_create(&arch, a, out, j->err);
}

/* "reduction" and "l2". */
static int parse_loss(json_parser *j, gemmnet_model *m)
{
    static const char *const reductions[] = {"sum", "mean"};
    size_t reduction = 0;
    float l2 = 0.0f;
    int status = expect(j, ',');
    if (status == GEMMNET_OK && (status = expect_key(j, "reduction")) == GEMMNET_OK)
        status = parse_choice(j, reductions, 2, &reduction);
    if (status == GEMMNET_OK && (status = expect(j, ',')) == GEMMNET_OK &&
        (status = expect_key(j, "l2")) == GEMMNET_OK)
        status = parse_float(j, &l2);
    if (status == GEMMNET_OK && !(l2 >= 0.0f))
        return fail(j, GEMMNET_E_PARSE, "l2 must be ≥ 0");
    m->reduction = reduction ? GEMMNET_REDUCTION_MEAN : GEMMNET_REDUCTION_SUM;
    m->l2 = l2;
    return status;
}

/* "standardization": null or {"mean": [D], "scale": [D]}. */
static int parse_standardization(json_parser *j, gemmnet_model *m)
{
    size_t d = (size_t)m->width[0];
    int status = expect(j, ',');
    if (status == GEMMNET_OK)
        status = expect_key(j, "standardization");
    if (status != GEMMNET_OK || accept_null(j))
        return status;
    m->mean = gn_alloc(&m->allocator, 2 * d * sizeof(float));
    if (!m->mean)
        return gn_fail(j->err, GEMMNET_E_NOMEM, "cannot allocate %zu standardisation values",
                       2 * d);
    m->scale = m->mean + d;
    if ((status = expect(j, '{')) == GEMMNET_OK && (status = expect_key(j, "mean")) == GEMMNET_OK)
        status = parse_floats(j, m->mean, d);
    if (status == GEMMNET_OK && (status = expect(j, ',')) == GEMMNET_OK &&
        (status = expect_key(j, "scale")) == GEMMNET_OK)
        status = parse_floats(j, m->scale, d);
    for (size_t i = 0; status == GEMMNET_OK && i < d; i++)
        if (!(m->scale[i] > 0.0f))
            return fail(j, GEMMNET_E_PARSE, "scale[%zu] is %g, expected a value > 0", i,
                        (double)m->scale[i]);
    return status == GEMMNET_OK ? expect(j, '}') : status;
}

/* One class name, valid and new, added to names. */
static int parse_class_name(json_parser *j, gn_name_table *names, size_t k)
{
    char text[GEMMNET_MAX_CLASS_NAME + 8];
    size_t n = 0, index = 0;
    skip_space(j);
    const char *at = j->p;
    int status = parse_string(j, text, sizeof text, &n);
    if (status != GEMMNET_OK)
        return status;
    const char *problem = gn_class_name_problem(text, n);
    if (problem) {
        j->p = at;
        return fail(j, GEMMNET_E_PARSE, "class name %zu %s", k, problem);
    }
    if (gn_name_table_add(names, text, n, &index) != GEMMNET_OK)
        return gn_fail(j->err, GEMMNET_E_NOMEM, "cannot allocate the class names");
    if (index != k) {
        char safe[48];
        j->p = at;
        return fail(j, GEMMNET_E_PARSE, "class name \"%s\" appears twice", shown(safe, text, n));
    }
    return GEMMNET_OK;
}

/* "class_names": null or [K strings]. */
static int parse_class_names(json_parser *j, gemmnet_model *m)
{
    size_t k = (size_t)m->width[m->layers];
    int status = expect(j, ',');
    if (status == GEMMNET_OK)
        status = expect_key(j, "class_names");
    if (status != GEMMNET_OK || accept_null(j))
        return status;
    gn_name_table names;
    gn_name_table_init(&names, &m->allocator);
    status = expect(j, '[');
    for (size_t i = 0; i < k && status == GEMMNET_OK; i++)
        if (i == 0 || (status = expect(j, ',')) == GEMMNET_OK)
            status = parse_class_name(j, &names, i);
    if (status == GEMMNET_OK)
        status = accept(j, ']') ? GEMMNET_OK
                                : fail(j, GEMMNET_E_PARSE, "expected ']' after %zu class names", k);
    if (status == GEMMNET_OK && !(m->class_names = gn_name_table_copy(&names, &m->allocator)))
        status = gn_fail(j->err, GEMMNET_E_NOMEM, "cannot allocate the class names");
    gn_name_table_free(&names);
    return status;
}

/* {"weights": [in rows of out], "biases": [out]} of layer l. */
static int parse_layer(json_parser *j, gemmnet_model *m, int32_t l)
{
    size_t in = (size_t)m->width[l - 1], out = (size_t)m->width[l];
    float *w = m->parameters + m->weight_offset[l - 1];
    int status = expect(j, '{');
    if (status == GEMMNET_OK && (status = expect_key(j, "weights")) == GEMMNET_OK)
        status = expect(j, '[');
    for (size_t i = 0; i < in && status == GEMMNET_OK; i++)
        if (i == 0 || (status = expect(j, ',')) == GEMMNET_OK)
            status = parse_floats(j, w + i * out, out);
    if (status == GEMMNET_OK && !accept(j, ']'))
        return fail(j, GEMMNET_E_PARSE, "expected ']' after the %zu weight rows of layer %d", in,
                    (int)l);
    if (status == GEMMNET_OK && (status = expect(j, ',')) == GEMMNET_OK &&
        (status = expect_key(j, "biases")) == GEMMNET_OK)
        status = parse_floats(j, m->parameters + m->bias_offset[l - 1], out);
    return status == GEMMNET_OK ? expect(j, '}') : status;
}

/* "training_state": "base64" (after the layers, only for a checkpoint). */
static int parse_training_state(json_parser *j, gemmnet_model *m)
{
    int status = expect_key(j, "training_state");
    if (status == GEMMNET_OK)
        status = expect(j, '"');
    if (status != GEMMNET_OK)
        return status;
    const char *start = j->p, *close = memchr(start, '"', (size_t)(j->end - start));
    if (!close)
        return fail(j, GEMMNET_E_PARSE, "the training state's string does not end");
    size_t length = (size_t)(close - start);
    unsigned char *bytes = gn_alloc(&m->allocator, length / 4 * 3 + 1);
    if (!bytes)
        return fail(j, GEMMNET_E_NOMEM, "cannot allocate %zu bytes of training state",
                    length / 4 * 3);
    size_t size = gn_base64_decode(start, length, bytes);
    if (size == SIZE_MAX || size == 0)
        status = fail(j, GEMMNET_E_PARSE, "the training state is not base64 text");
    else
        status = gn_model_set_training_state(m, bytes, size, j->err);
    gn_release(&m->allocator, bytes);
    j->p = close + 1;
    return status;
}

/* "layers": [L layers], the closing brace, then nothing but whitespace. */
static int parse_layers(json_parser *j, gemmnet_model *m)
{
    int status = expect(j, ',');
    if (status == GEMMNET_OK && (status = expect_key(j, "layers")) == GEMMNET_OK)
        status = expect(j, '[');
    for (int32_t l = 1; l <= m->layers && status == GEMMNET_OK; l++)
        if (l == 1 || (status = expect(j, ',')) == GEMMNET_OK)
            status = parse_layer(j, m, l);
    if (status == GEMMNET_OK && !accept(j, ']'))
        return fail(j, GEMMNET_E_PARSE, "expected ']' after %d layers", (int)m->layers);
    if (status == GEMMNET_OK && accept(j, ','))
        status = parse_training_state(j, m);
    if (status == GEMMNET_OK && (status = expect(j, '}')) == GEMMNET_OK) {
        skip_space(j);
        if (j->p != j->end)
            return fail(j, GEMMNET_E_PARSE, "unexpected text after the model");
    }
    return status;
}

static int parse_model(json_parser *j, const gemmnet_allocator *a, gemmnet_model **out)
{
    json_shape shape = {0};
    gemmnet_model *m = NULL;
    int status = parse_preamble(j);
    if (status == GEMMNET_OK)
        status = parse_shape(j, &shape);
    if (status == GEMMNET_OK)
        status = create_model(j, &shape, a, &m);
    if (status == GEMMNET_OK)
        status = parse_loss(j, m);
    if (status == GEMMNET_OK)
        status = parse_standardization(j, m);
    if (status == GEMMNET_OK)
        status = parse_class_names(j, m);
    if (status == GEMMNET_OK)
        status = parse_layers(j, m);
    if (status != GEMMNET_OK) {
        gemmnet_model_destroy(m);
        return status;
    }
    *out = m;
    return GEMMNET_OK;
}

GEMMNET_API int gemmnet_model_read_json(const char *text,
                                        size_t length,
                                        const gemmnet_allocator *allocator,
                                        gemmnet_model **model,
                                        gemmnet_error *err)
{
    if (!model)
        return gn_fail(err, GEMMNET_E_INVALID, "read_json: model must not be NULL");
    *model = NULL;
    if (!text && length > 0)
        return gn_fail(err, GEMMNET_E_INVALID, "read_json: text must not be NULL");
    static const char empty[1];
    const char *start = text ? text : empty;
    json_parser j = {.p = start, .end = start + length, .line = 1, .line_start = start, .err = err};
    locale_t c_locale, caller_locale;
    if (!gn_enter_c_locale(&c_locale, &caller_locale))
        return gn_fail(err, GEMMNET_E_NOMEM, "cannot create the C locale: %s", strerror(errno));
    int status = parse_model(&j, allocator, model);
    gn_leave_c_locale(c_locale, caller_locale);
    return status;
}
