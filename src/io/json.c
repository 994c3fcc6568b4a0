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
 * The reader is a small strict parser (the tokens are json_lex.c's) for
 * exactly this schema: the keys in
 * the order the writer puts them, any JSON whitespace, standard string
 * escapes. It reads straight into the model (no tree), allocates through
 * the caller's allocator, and reports "LINE:COLUMN: what was expected".
 * A general JSON library (json-c) would add a dependency, bypass the
 * allocator hooks, and hand back doubles instead of the number's text.
 */
#include "io/io.h"
#include "io/base64.h"
#include "io/json_lex.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

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
                (int)m->width[l], gemmnet_activation_name(m->activation[l - 1]));
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
    gn_json_skip_space(j);
    const char *at = j->p;
    int status = gn_json_parse_string(j, text, sizeof text, &n);
    for (size_t i = 0; status == GEMMNET_OK && i < count; i++)
        if (strcmp(text, names[i]) == 0) {
            *index = i;
            return GEMMNET_OK;
        }
    char safe[48];
    j->p = status == GEMMNET_OK ? at : j->p;
    return status == GEMMNET_OK ? gn_json_fail(j, GEMMNET_E_PARSE, "unknown value \"%s\"",
                                               gn_json_shown(safe, text, n))
                                : status;
}

/* "format" and "version". */
static int parse_preamble(json_parser *j)
{
    static const char *const format[] = {"gemmnet-model"};
    size_t index = 0;
    long version = 0;
    int status = gn_json_expect(j, '{');
    if (status == GEMMNET_OK && (status = gn_json_expect_key(j, "format")) == GEMMNET_OK &&
        parse_choice(j, format, 1, &index) != GEMMNET_OK)
        return gn_json_fail(j, GEMMNET_E_FORMAT,
                            "expected \"gemmnet-model\": not a gemmnet model dump");
    if (status == GEMMNET_OK && (status = gn_json_expect(j, ',')) == GEMMNET_OK &&
        (status = gn_json_expect_key(j, "version")) == GEMMNET_OK)
        status = gn_json_parse_integer(j, 0, 1L << 30, &version);
    if (status == GEMMNET_OK && version != GEMMNET_MODEL_FORMAT_VERSION)
        return gn_json_fail(j, GEMMNET_E_VERSION, "version %ld is not supported, expected %d",
                            version, GEMMNET_MODEL_FORMAT_VERSION);
    return status;
}

/* One {"width": W, "activation": "name"} of the hidden list. */
static int parse_hidden_layer(json_parser *j, json_shape *s)
{
    long width = 0;
    size_t activation = 0;
    int32_t l = s->layers;
    if (l >= GEMMNET_MAX_LAYERS)
        return gn_json_fail(j, GEMMNET_E_TOO_LARGE, "more than %d hidden layers",
                            GEMMNET_MAX_LAYERS - 1);
    const char *names[GEMMNET_ACTIVATION_COUNT];
    for (int f = 0; f < GEMMNET_ACTIVATION_COUNT; f++)
        names[f] = gemmnet_activation_name((gemmnet_activation)f);
    int status = gn_json_expect(j, '{');
    if (status == GEMMNET_OK && (status = gn_json_expect_key(j, "width")) == GEMMNET_OK)
        status = gn_json_parse_integer(j, 1, MAX_JSON_WIDTH, &width);
    if (status == GEMMNET_OK && (status = gn_json_expect(j, ',')) == GEMMNET_OK &&
        (status = gn_json_expect_key(j, "activation")) == GEMMNET_OK)
        status = parse_choice(j, names, GEMMNET_ACTIVATION_COUNT, &activation);
    if (status == GEMMNET_OK)
        status = gn_json_expect(j, '}');
    s->width[l] = (int32_t)width;
    s->activation[l - 1] = (gemmnet_activation)activation;
    s->layers++;
    return status;
}

/* "inputs", "hidden" and "classes": s->layers ends as L. */
static int parse_shape(json_parser *j, json_shape *s)
{
    long inputs = 0, classes = 0;
    int status = gn_json_expect(j, ',');
    if (status == GEMMNET_OK && (status = gn_json_expect_key(j, "inputs")) == GEMMNET_OK)
        status = gn_json_parse_integer(j, 1, MAX_JSON_WIDTH, &inputs);
    s->width[0] = (int32_t)inputs;
    s->layers = 1;
    if (status == GEMMNET_OK && (status = gn_json_expect(j, ',')) == GEMMNET_OK &&
        (status = gn_json_expect_key(j, "hidden")) == GEMMNET_OK)
        status = gn_json_expect(j, '[');
    if (status == GEMMNET_OK && !gn_json_accept(j, ']')) {
        do
            status = parse_hidden_layer(j, s);
        while (status == GEMMNET_OK && gn_json_accept(j, ','));
        if (status == GEMMNET_OK)
            status = gn_json_expect(j, ']');
    }
    if (status == GEMMNET_OK && (status = gn_json_expect(j, ',')) == GEMMNET_OK &&
        (status = gn_json_expect_key(j, "classes")) == GEMMNET_OK)
        status = gn_json_parse_integer(j, 2, MAX_JSON_WIDTH, &classes);
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
        return gn_json_fail(
            j, GEMMNET_E_TOO_LARGE,
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
    int status = gn_json_expect(j, ',');
    if (status == GEMMNET_OK && (status = gn_json_expect_key(j, "reduction")) == GEMMNET_OK)
        status = parse_choice(j, reductions, 2, &reduction);
    if (status == GEMMNET_OK && (status = gn_json_expect(j, ',')) == GEMMNET_OK &&
        (status = gn_json_expect_key(j, "l2")) == GEMMNET_OK)
        status = gn_json_parse_float(j, &l2);
    if (status == GEMMNET_OK && !(l2 >= 0.0f))
        return gn_json_fail(j, GEMMNET_E_PARSE, "l2 must be ≥ 0");
    m->reduction = reduction ? GEMMNET_REDUCTION_MEAN : GEMMNET_REDUCTION_SUM;
    m->l2 = l2;
    return status;
}

/* "standardization": null or {"mean": [D], "scale": [D]}. */
static int parse_standardization(json_parser *j, gemmnet_model *m)
{
    size_t d = (size_t)m->width[0];
    int status = gn_json_expect(j, ',');
    if (status == GEMMNET_OK)
        status = gn_json_expect_key(j, "standardization");
    if (status != GEMMNET_OK || gn_json_accept_null(j))
        return status;
    m->mean = gn_alloc(&m->allocator, 2 * d * sizeof(float));
    if (!m->mean)
        return gn_fail(j->err, GEMMNET_E_NOMEM, "cannot allocate %zu standardisation values",
                       2 * d);
    m->scale = m->mean + d;
    if ((status = gn_json_expect(j, '{')) == GEMMNET_OK &&
        (status = gn_json_expect_key(j, "mean")) == GEMMNET_OK)
        status = gn_json_parse_floats(j, m->mean, d);
    if (status == GEMMNET_OK && (status = gn_json_expect(j, ',')) == GEMMNET_OK &&
        (status = gn_json_expect_key(j, "scale")) == GEMMNET_OK)
        status = gn_json_parse_floats(j, m->scale, d);
    for (size_t i = 0; status == GEMMNET_OK && i < d; i++)
        if (!(m->scale[i] > 0.0f))
            return gn_json_fail(j, GEMMNET_E_PARSE, "scale[%zu] is %g, expected a value > 0", i,
                                (double)m->scale[i]);
    return status == GEMMNET_OK ? gn_json_expect(j, '}') : status;
}

/* One class name, valid and new, added to names. */
static int parse_class_name(json_parser *j, gn_name_table *names, size_t k)
{
    char text[GEMMNET_MAX_CLASS_NAME + 8];
    size_t n = 0, index = 0;
    gn_json_skip_space(j);
    const char *at = j->p;
    int status = gn_json_parse_string(j, text, sizeof text, &n);
    if (status != GEMMNET_OK)
        return status;
    const char *problem = gn_class_name_problem(text, n);
    if (problem) {
        j->p = at;
        return gn_json_fail(j, GEMMNET_E_PARSE, "class name %zu %s", k, problem);
    }
    if (gn_name_table_add(names, text, n, &index) != GEMMNET_OK)
        return gn_fail(j->err, GEMMNET_E_NOMEM, "cannot allocate the class names");
    if (index != k) {
        char safe[48];
        j->p = at;
        return gn_json_fail(j, GEMMNET_E_PARSE, "class name \"%s\" appears twice",
                            gn_json_shown(safe, text, n));
    }
    return GEMMNET_OK;
}

/* "class_names": null or [K strings]. */
static int parse_class_names(json_parser *j, gemmnet_model *m)
{
    size_t k = (size_t)m->width[m->layers];
    int status = gn_json_expect(j, ',');
    if (status == GEMMNET_OK)
        status = gn_json_expect_key(j, "class_names");
    if (status != GEMMNET_OK || gn_json_accept_null(j))
        return status;
    gn_name_table names;
    gn_name_table_init(&names, &m->allocator);
    status = gn_json_expect(j, '[');
    for (size_t i = 0; i < k && status == GEMMNET_OK; i++)
        if (i == 0 || (status = gn_json_expect(j, ',')) == GEMMNET_OK)
            status = parse_class_name(j, &names, i);
    if (status == GEMMNET_OK)
        status = gn_json_accept(j, ']')
                     ? GEMMNET_OK
                     : gn_json_fail(j, GEMMNET_E_PARSE, "expected ']' after %zu class names", k);
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
    int status = gn_json_expect(j, '{');
    if (status == GEMMNET_OK && (status = gn_json_expect_key(j, "weights")) == GEMMNET_OK)
        status = gn_json_expect(j, '[');
    for (size_t i = 0; i < in && status == GEMMNET_OK; i++)
        if (i == 0 || (status = gn_json_expect(j, ',')) == GEMMNET_OK)
            status = gn_json_parse_floats(j, w + i * out, out);
    if (status == GEMMNET_OK && !gn_json_accept(j, ']'))
        return gn_json_fail(j, GEMMNET_E_PARSE,
                            "expected ']' after the %zu weight rows of layer %d", in, (int)l);
    if (status == GEMMNET_OK && (status = gn_json_expect(j, ',')) == GEMMNET_OK &&
        (status = gn_json_expect_key(j, "biases")) == GEMMNET_OK)
        status = gn_json_parse_floats(j, m->parameters + m->bias_offset[l - 1], out);
    return status == GEMMNET_OK ? gn_json_expect(j, '}') : status;
}

/* "training_state": "base64" (after the layers, only for a checkpoint). */
static int parse_training_state(json_parser *j, gemmnet_model *m)
{
    int status = gn_json_expect_key(j, "training_state");
    if (status == GEMMNET_OK)
        status = gn_json_expect(j, '"');
    if (status != GEMMNET_OK)
        return status;
    const char *start = j->p, *close = memchr(start, '"', (size_t)(j->end - start));
    if (!close)
        return gn_json_fail(j, GEMMNET_E_PARSE, "the training state's string does not end");
    size_t length = (size_t)(close - start);
    unsigned char *bytes = gn_alloc(&m->allocator, length / 4 * 3 + 1);
    if (!bytes)
        return gn_json_fail(j, GEMMNET_E_NOMEM, "cannot allocate %zu bytes of training state",
                            length / 4 * 3);
    size_t size = gn_base64_decode(start, length, bytes);
    if (size == SIZE_MAX || size == 0)
        status = gn_json_fail(j, GEMMNET_E_PARSE, "the training state is not base64 text");
    else
        status = gn_model_set_training_state(m, bytes, size, j->err);
    gn_release(&m->allocator, bytes);
    j->p = close + 1;
    return status;
}

/* "layers": [L layers], the closing brace, then nothing but whitespace. */
static int parse_layers(json_parser *j, gemmnet_model *m)
{
    int status = gn_json_expect(j, ',');
    if (status == GEMMNET_OK && (status = gn_json_expect_key(j, "layers")) == GEMMNET_OK)
        status = gn_json_expect(j, '[');
    for (int32_t l = 1; l <= m->layers && status == GEMMNET_OK; l++)
        if (l == 1 || (status = gn_json_expect(j, ',')) == GEMMNET_OK)
            status = parse_layer(j, m, l);
    if (status == GEMMNET_OK && !gn_json_accept(j, ']'))
        return gn_json_fail(j, GEMMNET_E_PARSE, "expected ']' after %d layers", (int)m->layers);
    if (status == GEMMNET_OK && gn_json_accept(j, ','))
        status = parse_training_state(j, m);
    if (status == GEMMNET_OK && (status = gn_json_expect(j, '}')) == GEMMNET_OK) {
        gn_json_skip_space(j);
        if (j->p != j->end)
            return gn_json_fail(j, GEMMNET_E_PARSE, "unexpected text after the model");
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
