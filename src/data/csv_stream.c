/*
 * gemmnet_csv_reader: feature rows from a CSV stream, a block at a time.
 *
 * Unlike the whole-file reader this reads each line once, so it works on
 * pipes and stdin, and holds one line plus the caller's block. The first
 * non-blank line decides the layout: D fields are all features, D + 1 have
 * a label column, which is skipped (prediction input may or may not carry
 * the answers). Errors name FILE:LINE:COLUMN like the whole-file reader's.
 */
#include "data/csv.h"

#include <errno.h>
#include <string.h>

struct gemmnet_csv_reader {
    /* The stream and its line buffer. */
    gn_csv_source source;
    /* Features per row, D. */
    size_t features;
    /* Label column choice (label_name is copied by pointer: the caller
     * keeps it alive, as documented for options). */
    gemmnet_csv_options options;
    /* Fixed by the first non-blank line; fields = 0 before it. */
    gn_csv_layout layout;
    /* The input is exhausted (or failed): later reads return 0 rows. */
    bool done;
    /* A first line waiting for the next line to say whether it is a
     * header: a copy, [first_length] bytes, and its line number. */
    char *first;
    size_t first_length;
    size_t first_number;
    /* The line after a first line that was data: read, not yet returned
     * (it stays in the source's buffer until the next read). */
    const char *held;
    size_t held_length;
};

GEMMNET_API int gemmnet_csv_reader_create(FILE *file,
                                          const char *name,
                                          size_t features,
                                          const gemmnet_csv_options *options,
                                          const gemmnet_allocator *allocator,
                                          gemmnet_csv_reader **reader,
                                          gemmnet_error *err)
{
    if (!reader)
        return gn_fail(err, GEMMNET_E_INVALID, "csv reader: reader must not be NULL");
    *reader = NULL;
    if (!file || !name || features == 0 || features >= SIZE_MAX / 2)
        return gn_fail(err, GEMMNET_E_INVALID, "csv reader: a file, a name and D ≥ 1 are required");
    if (options && (options->label_field < 0 || (options->label_name && !options->label_name[0])))
        return gn_fail(err, GEMMNET_E_INVALID, "%s: invalid label column", name);
    if (options && (options->classes < 0 || (options->class_names && options->classes < 2)))
        return gn_fail(err, GEMMNET_E_INVALID, "%s: invalid classes", name);
    gemmnet_allocator a = gn_allocator_or_default(allocator);
    gemmnet_csv_reader *r = gn_alloc_zero(&a, sizeof *r);
    if (!r)
        return gn_fail(err, GEMMNET_E_NOMEM, "cannot allocate a CSV reader");
    r->source = (gn_csv_source){.path = name, .file = file, .allocator = a};
    r->features = features;
    r->options = options ? *options : (gemmnet_csv_options){0};
    *reader = r;
    return GEMMNET_OK;
}

GEMMNET_API void gemmnet_csv_reader_destroy(gemmnet_csv_reader *reader)
{
    if (!reader)
        return;
    gemmnet_allocator a = reader->source.allocator;
    gn_release(&a, reader->source.line);
    gn_release(&a, reader->first);
    gn_release(&a, reader);
}

/* Fixes the layout from the first non-blank line: D or D + 1 fields. */
static int first_line(gemmnet_csv_reader *r, const char *line, size_t length, gemmnet_error *err)
{
    size_t fields = gn_csv_count_fields(line, length), d = r->features;
    if (fields != d && fields != d + 1)
        return gn_csv_fail_at(&r->source, err, 0, GEMMNET_E_PARSE,
                              "row has %zu field%s, expected %zu (the model's features) or %zu "
                              "(features and a label)",
                              fields, fields == 1 ? "" : "s", d, d + 1);
    return gn_csv_layout_from(&r->source, line, length, fields == d + 1, &r->options, &r->layout,
                              err);
}

/* With options->labels INTEGER, a text label is refused (the label is
 * otherwise skipped unchecked). */
static int check_label(void *context, gn_csv_field f, size_t column, gemmnet_error *err)
{
    const gemmnet_csv_reader *r = context;
    char text[48];
    if (r->options.labels != GEMMNET_CSV_LABELS_INTEGER ||
        gn_csv_label_kind_of(f) != GN_CSV_LABEL_TEXT)
        return GEMMNET_OK;
    if (r->options.classes > 0)
        return gn_csv_fail_at(&r->source, err, column, GEMMNET_E_LABEL,
                              "\"%s\" is not a number, expected an integer label 0..%d (text "
                              "labels need class names)",
                              gn_csv_printable(text, sizeof text, f), (int)r->options.classes - 1);
    return gn_csv_fail_at(&r->source, err, column, GEMMNET_E_LABEL,
                          "\"%s\" is not a number, expected an integer label (text labels need "
                          "class names)",
                          gn_csv_printable(text, sizeof text, f));
}

static int
parse(gemmnet_csv_reader *r, const char *line, size_t length, float *x, gemmnet_error *err)
{
    return gn_csv_parse_row(&r->source, &r->layout, line, length, x, check_label, r, err);
}

/* True if a first line's label f cannot be a class of the options: a
 * name not among class_names, or a number ≥ classes. */
static bool not_a_class(const gemmnet_csv_reader *r, gn_csv_field f)
{
    const gemmnet_csv_options *o = &r->options;
    if (o->class_names) {
        for (int32_t k = 0; k < o->classes; k++)
            if (strlen(o->class_names[k]) == f.length &&
                memcmp(o->class_names[k], f.text, f.length) == 0)
                return false;
        return true;
    }
    if (gn_csv_label_kind_of(f) == GN_CSV_LABEL_TEXT)
        return o->labels == GEMMNET_CSV_LABELS_INTEGER;
    return o->classes > 0 && r->layout.label_index >= (size_t)o->classes;
}

/* Keeps a copy of the first line (its features checked) until the next
 * line's label says whether it is a header. */
static int hold_first(gemmnet_csv_reader *r, const char *line, size_t length, gemmnet_error *err)
{
    int status = gn_csv_parse_row(&r->source, &r->layout, line, length, NULL, NULL, NULL, err);
    if (status != GEMMNET_OK)
        return status;
    r->first = gn_alloc(&r->source.allocator, length + 1);
    if (!r->first)
        return gn_csv_fail_at(&r->source, err, 0, GEMMNET_E_NOMEM,
                              "out of memory for a %zu-byte line", length);
    memcpy(r->first, line, length);
    r->first[length] = '\0';
    r->first_length = length;
    r->first_number = r->source.line_number;
    return GEMMNET_OK;
}

/* Settles the held first line with the next line (NULL at the end): a
 * header when its label is text over next's number (and not one of the
 * class names, if given), or when it is column numbers whose label cannot
 * be a class (or that are the only line); column numbers whose label can
 * be are ambiguous; else it is a data row, parsed into x (*is_row), and
 * next waits for the next call. */
static int settle_first(gemmnet_csv_reader *r,
                        const char *next,
                        size_t next_length,
                        float *x,
                        bool *is_row,
                        gemmnet_error *err)
{
    gn_csv_field label = gn_csv_label_field(&r->layout, r->first, r->first_length);
    gn_csv_field other = next ? gn_csv_label_field(&r->layout, next, next_length) : label;
    size_t now = r->source.line_number;
    r->layout.pending = false;
    r->source.line_number = r->first_number;
    int status = GEMMNET_OK;
    *is_row = false;
    bool text_over_number = gn_csv_label_kind_of(label) == GN_CSV_LABEL_TEXT &&
                            gn_csv_label_kind_of(other) == GN_CSV_LABEL_NUMBER &&
                            (!r->options.class_names || not_a_class(r, label));
    if (text_over_number || (r->layout.column_numbers && (!next || not_a_class(r, label))))
        status = gn_csv_check_text(&r->source, r->first, r->first_length, 1, err);
    else if (r->layout.column_numbers)
        status = gn_csv_ambiguous_header(&r->source, err);
    else {
        *is_row = true;
        status = parse(r, r->first, r->first_length, x, err);
        r->held = next;
        r->held_length = next_length;
    }
    r->source.line_number = now;
    return status;
}

/* A line after the first: the held first line's fate, then the line. */
static int
after_first(gemmnet_csv_reader *r, const char *line, size_t length, float *x, gemmnet_error *err)
{
    bool is_row = false;
    int status = gn_csv_check_fields(&r->source, &r->layout, line, length, err);
    if (status == GEMMNET_OK && r->layout.pending)
        status = settle_first(r, line, length, x, &is_row, err);
    if (status != GEMMNET_OK || is_row)
        return status;
    return parse(r, line, length, x, err);
}

/* Reads lines until a data row lands in x[D] (*got) or the input ends. */
static int next_row(gemmnet_csv_reader *r, float *x, bool *got, gemmnet_error *err)
{
    *got = true;
    if (r->held) {
        const char *line = r->held;
        r->held = NULL;
        return parse(r, line, r->held_length, x, err);
    }
    for (;;) {
        const char *line = NULL;
        size_t length = 0;
        int status = gn_csv_next_line(&r->source, &line, &length, got, err);
        if (status == GEMMNET_OK && !*got && r->layout.pending)
            return settle_first(r, NULL, 0, x, got, err);
        if (status != GEMMNET_OK || !*got)
            return status;
        if (gn_csv_is_blank(line, length))
            continue;
        if (r->layout.fields != 0)
            return after_first(r, line, length, x, err);
        status = first_line(r, line, length, err);
        if (status == GEMMNET_OK && r->layout.pending)
            status = hold_first(r, line, length, err);
        if (status != GEMMNET_OK)
            return status;
        if (r->layout.header || r->layout.pending)
            continue;
        return parse(r, line, length, x, err);
    }
}

/* Fills x[max_rows×D] from the stream; an error ends the stream. */
static int
read_block(gemmnet_csv_reader *r, float *x, size_t max_rows, size_t *rows, gemmnet_error *err)
{
    while (*rows < max_rows && !r->done) {
        bool got = false;
        int status = next_row(r, x + *rows * r->features, &got, err);
        if (status != GEMMNET_OK) {
            r->done = true;
            return status;
        }
        if (got)
            (*rows)++;
        else
            r->done = true;
    }
    return GEMMNET_OK;
}

GEMMNET_API int gemmnet_csv_reader_read(
    gemmnet_csv_reader *reader, float *x, size_t max_rows, size_t *rows, gemmnet_error *err)
{
    if (rows)
        *rows = 0;
    if (!reader || !x || !rows || max_rows == 0)
        return gn_fail(err, GEMMNET_E_INVALID,
                       "csv reader: a reader and x[max_rows ≥ 1 × D] are required");
    locale_t c_locale, caller_locale;
    if (!gn_enter_c_locale(&c_locale, &caller_locale))
        return gn_fail(err, GEMMNET_E_NOMEM, "%s: cannot create the C locale: %s",
                       reader->source.path, strerror(errno));
    int status = read_block(reader, x, max_rows, rows, err);
    gn_leave_c_locale(c_locale, caller_locale);
    return status;
}
