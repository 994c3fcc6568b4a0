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

/* Reads lines until a data row lands in x[D] (*got) or the input ends. */
static int next_row(gemmnet_csv_reader *r, float *x, bool *got, gemmnet_error *err)
{
    for (;;) {
        const char *line = NULL;
        size_t length = 0;
        int status = gn_csv_next_line(&r->source, &line, &length, got, err);
        if (status != GEMMNET_OK || !*got)
            return status;
        if (gn_csv_is_blank(line, length))
            continue;
        if (r->layout.fields == 0) {
            status = first_line(r, line, length, err);
            if (status != GEMMNET_OK)
                return status;
            if (r->layout.header)
                continue;
        } else if ((status = gn_csv_check_fields(&r->source, &r->layout, line, length, err)) !=
                   GEMMNET_OK) {
            return status;
        }
        return gn_csv_parse_row(&r->source, &r->layout, line, length, x, NULL, NULL, err);
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
