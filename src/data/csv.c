/*
 * The CSV readers' core: numbers separated by commas, one example per line.
 *
 * Lines are read through a single growing buffer, so memory is the longest
 * line whatever the file's size. Numbers are checked against a fixed
 * grammar before strtod sees them, and the readers run strtod under a
 * thread-local "C" locale, so the caller's LC_NUMERIC never changes what a
 * file means. Every error names FILE:LINE:COLUMN.
 */
#include "data/csv.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- messages ---------------------------------------------------------- */

int gn_csv_fail_at(
    const gn_csv_source *s, gemmnet_error *err, size_t column, int status, const char *format, ...)
{
    char what[sizeof err->message];
    va_list args;
    va_start(args, format);
    vsnprintf(what, sizeof what, format, args);
    va_end(args);
    if (column == 0)
        return gn_fail(err, status, "%s:%zu: %s", s->path, s->line_number, what);
    return gn_fail(err, status, "%s:%zu:%zu: %s", s->path, s->line_number, column, what);
}

/* A huge field must not crowd out the rest of the message. */
const char *gn_csv_printable(char *out, size_t size, gn_csv_field f)
{
    return gn_printable(out, size, f.text, f.length);
}

/* ---- reading lines ----------------------------------------------------- */

/* Doubles the line buffer (256 bytes the first time), keeping its text.
 * The allocator has no realloc, so this copies; doubling keeps the total
 * copying linear in the line's length. */
static int grow_line(gn_csv_source *s, gemmnet_error *err)
{
    size_t capacity = s->capacity ? 0 : 256;
    if (s->capacity && !gn_mul_size(s->capacity, 2, &capacity))
        return gn_csv_fail_at(s, err, 0, GEMMNET_E_OVERFLOW, "line too long to buffer");
    char *line = gn_alloc(&s->allocator, capacity);
    if (!line)
        return gn_csv_fail_at(s, err, 0, GEMMNET_E_NOMEM,
                              "out of memory for a %zu-byte line buffer", capacity);
    if (s->line)
        memcpy(line, s->line, s->length);
    gn_release(&s->allocator, s->line);
    s->line = line;
    s->capacity = capacity;
    return GEMMNET_OK;
}

/* Reads the next line into s->line without its '\n'; *got is false at the
 * end of the file. Stops at a NUL byte so that a binary file is rejected
 * without first being buffered whole. */
static int read_line(gn_csv_source *s, bool *got, gemmnet_error *err)
{
    size_t commas = 0;
    int ch;
    s->line_number++;
    s->length = 0;
    for (;;) {
        /* Keep room for one more byte and the NUL (the first call makes
         * the buffer, so even an empty line has its NUL). */
        if (s->length == GN_CSV_MAX_LINE)
            return gn_csv_fail_at(s, err, 0, GEMMNET_E_TOO_LARGE,
                                  "line longer than %zu bytes (64 MiB), the limit of a CSV line",
                                  GN_CSV_MAX_LINE);
        if (s->length + 1 >= s->capacity) {
            int status = grow_line(s, err);
            if (status != GEMMNET_OK)
                return status;
        }
        if ((ch = getc_unlocked(s->file)) == EOF || ch == '\n')
            break;
        if (ch == '\0')
            return gn_csv_fail_at(s, err, commas + 1, GEMMNET_E_PARSE,
                                  "NUL byte, expected a text file");
        s->line[s->length++] = (char)ch;
        commas += ch == ',';
    }
    if (ferror(s->file))
        return gn_csv_fail_at(s, err, 0, GEMMNET_E_IO, "cannot read: %s", strerror(errno));
    s->line[s->length] = '\0';
    *got = ch == '\n' || s->length > 0;
    return GEMMNET_OK;
}

int gn_csv_next_line(
    gn_csv_source *s, const char **text, size_t *length, bool *got, gemmnet_error *err)
{
    int status = read_line(s, got, err);
    if (status != GEMMNET_OK || !*got)
        return status;
    char *line = s->line;
    size_t n = s->length;
    if (s->line_number == 1 && n >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
        line += 3;
        n -= 3;
    }
    if (n > 0 && line[n - 1] == '\r')
        line[--n] = '\0';
    const char *cr = memchr(line, '\r', n);
    if (cr)
        return gn_csv_fail_at(s, err, gn_csv_count_fields(line, (size_t)(cr - line)),
                              GEMMNET_E_PARSE,
                              "carriage return inside a line, expected \\n or \\r\\n line endings");
    *text = line;
    *length = n;
    return GEMMNET_OK;
}

/* ---- splitting --------------------------------------------------------- */

static bool is_blank_char(char ch)
{
    return ch == ' ' || ch == '\t';
}

bool gn_csv_is_blank(const char *line, size_t length)
{
    for (size_t i = 0; i < length; i++)
        if (!is_blank_char(line[i]))
            return false;
    return true;
}

gn_csv_field gn_csv_next_field(const char **cursor, const char *end)
{
    const char *start = *cursor;
    const char *comma = memchr(start, ',', (size_t)(end - start));
    const char *stop = comma ? comma : end;
    *cursor = comma ? comma + 1 : end;
    while (start < stop && is_blank_char(*start))
        start++;
    while (stop > start && is_blank_char(stop[-1]))
        stop--;
    return (gn_csv_field){start, (size_t)(stop - start)};
}

size_t gn_csv_count_fields(const char *line, size_t length)
{
    size_t fields = 1;
    const char *end = line + length;
    for (const char *p = line; (p = memchr(p, ',', (size_t)(end - p))) != NULL; p++)
        fields++;
    return fields;
}

/* Free text is the one place where the bytes themselves are checked (data
 * fields must match the number grammar, which rejects any garbage). */
int gn_csv_check_text(
    const gn_csv_source *s, const char *text, size_t length, size_t column, gemmnet_error *err)
{
    const unsigned char *b = (const unsigned char *)text;
    for (size_t i = 0; i < length;) {
        size_t step = gn_utf8_sequence_length(b + i, length - i);
        if (step == 0 || (b[i] < 0x20 && b[i] != '\t') || b[i] == 0x7f)
            return gn_csv_fail_at(s, err, column, GEMMNET_E_PARSE,
                                  "byte 0x%02x is not text, expected a CSV text file", b[i]);
        column += b[i] == ',';
        i += step;
    }
    return GEMMNET_OK;
}

/* ---- numbers ----------------------------------------------------------- */

/* Skips the decimal digits at *p and says how many there were. */
static size_t skip_digits(const char **p, const char *end)
{
    const char *start = *p;
    while (*p < end && **p >= '0' && **p <= '9')
        (*p)++;
    return (size_t)(*p - start);
}

/* True if f, after skip bytes, is s, ignoring ASCII case. */
static bool field_is(gn_csv_field f, size_t skip, const char *s)
{
    size_t n = strlen(s);
    if (f.length - skip != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((f.text[skip + i] | 0x20) != s[i])
            return false;
    return true;
}

/* [+-]digits[.digits][(e|E)[+-]digits] with digits on at least one side of
 * the point is a finite number; [+-]nan, inf or infinity in any case is a
 * non-finite one, so that it gets its own message rather than "not a
 * number". */
gn_csv_number_kind gn_csv_classify(gn_csv_field f)
{
    const char *p = f.text, *end = f.text + f.length;
    size_t sign = p < end && (*p == '+' || *p == '-');
    p += sign;
    if (field_is(f, sign, "nan") || field_is(f, sign, "inf") || field_is(f, sign, "infinity"))
        return GN_CSV_NONFINITE;
    size_t digits = skip_digits(&p, end);
    if (p < end && *p == '.') {
        p++;
        digits += skip_digits(&p, end);
    }
    if (digits == 0)
        return GN_CSV_NOT_A_NUMBER;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        p += p < end && (*p == '+' || *p == '-');
        if (skip_digits(&p, end) == 0)
            return GN_CSV_NOT_A_NUMBER;
    }
    return p == end ? GN_CSV_FINITE : GN_CSV_NOT_A_NUMBER;
}

/* True if a field, as text, would be read as a number (of either kind).
 * An empty field is not a number but is not a header name either. */
static bool looks_numeric(gn_csv_field f)
{
    return f.length == 0 || gn_csv_classify(f) != GN_CSV_NOT_A_NUMBER;
}

/* The grammar was checked first, so strtod (under the "C" locale) must
 * stop exactly at the field's end: the byte after it is a blank, a comma
 * or the line's NUL. */
int gn_csv_parse_number(
    const gn_csv_source *s, gn_csv_field f, size_t column, double *value, gemmnet_error *err)
{
    char text[48];
    gn_csv_number_kind kind = gn_csv_classify(f);
    if (kind == GN_CSV_NONFINITE)
        return gn_csv_fail_at(s, err, column, GEMMNET_E_NONFINITE,
                              "\"%s\" is not finite, expected a finite number",
                              gn_csv_printable(text, sizeof text, f));
    if (kind == GN_CSV_NOT_A_NUMBER && f.length == 0)
        return gn_csv_fail_at(s, err, column, GEMMNET_E_PARSE, "empty field, expected a number");
    char *stop = NULL;
    if (kind == GN_CSV_FINITE)
        *value = strtod(f.text, &stop);
    if (kind == GN_CSV_NOT_A_NUMBER || stop != f.text + f.length)
        return gn_csv_fail_at(s, err, column, GEMMNET_E_PARSE, "\"%s\" is not a number",
                              gn_csv_printable(text, sizeof text, f));
    return GEMMNET_OK;
}

/* A double at or beyond FLT_MAX + ½ulp would round to infinity (and
 * converting it is undefined behaviour in C), so it is rejected with the
 * other non-finite values. */
int gn_csv_parse_feature(
    const gn_csv_source *s, gn_csv_field f, size_t column, float *value, gemmnet_error *err)
{
    double v = 0;
    int status = gn_csv_parse_number(s, f, column, &v, err);
    if (status != GEMMNET_OK)
        return status;
    if (!(fabs(v) < 0x1.ffffffp+127)) {
        char text[48];
        return gn_csv_fail_at(s, err, column, GEMMNET_E_NONFINITE,
                              "%s overflows float32, expected a magnitude below 3.4e38",
                              gn_csv_printable(text, sizeof text, f));
    }
    *value = (float)v;
    return GEMMNET_OK;
}

/* ---- layout and rows --------------------------------------------------- */

/* The 0-based column whose header name is name. */
static int find_named_column(const gn_csv_source *s,
                             const char *line,
                             size_t length,
                             const char *name,
                             size_t *index,
                             gemmnet_error *err)
{
    const char *cursor = line, *end = line + length;
    size_t found = SIZE_MAX, n = strlen(name);
    for (size_t column = 0, fields = gn_csv_count_fields(line, length); column < fields; column++) {
        gn_csv_field f = gn_csv_next_field(&cursor, end);
        if (f.length != n || memcmp(f.text, name, n) != 0)
            continue;
        if (found != SIZE_MAX)
            return gn_csv_fail_at(
                s, err, column + 1, GEMMNET_E_INVALID,
                "label column \"%s\" appears twice in the header (also column %zu)", name,
                found + 1);
        found = column;
    }
    if (found == SIZE_MAX)
        return gn_csv_fail_at(s, err, 0, GEMMNET_E_INVALID,
                              "no column named \"%s\", expected it in this header line", name);
    *index = found;
    return GEMMNET_OK;
}

/* True if some field other than the label one is not a number. */
static bool has_text_feature(const char *line, size_t length, size_t label_index)
{
    const char *cursor = line, *end = line + length;
    for (size_t column = 0, fields = gn_csv_count_fields(line, length); column < fields; column++) {
        gn_csv_field f = gn_csv_next_field(&cursor, end);
        if (column != label_index && !looks_numeric(f))
            return true;
    }
    return false;
}

/* The 0-based label index from options->label_field (1-based; 0: the
 * last field, also when options is NULL). */
static int numbered_label(const gn_csv_source *s,
                          const gemmnet_csv_options *options,
                          size_t fields,
                          size_t *index,
                          gemmnet_error *err)
{
    int32_t field = options ? options->label_field : 0;
    if (field > 0 && (size_t)field > fields)
        return gn_csv_fail_at(s, err, 0, GEMMNET_E_INVALID,
                              "label field %d (counted from 1) is past the line's %zu fields",
                              (int)field, fields);
    *index = field == 0 ? fields - 1 : (size_t)field - 1;
    return GEMMNET_OK;
}

/* Plain decimal digits spelling exactly the number n. */
static bool field_is_count(gn_csv_field f, size_t n)
{
    char text[24];
    int used = snprintf(text, sizeof text, "%zu", n);
    return used > 0 && f.length == (size_t)used && memcmp(f.text, text, f.length) == 0;
}

gn_csv_label_kind gn_csv_label_kind_of(gn_csv_field f)
{
    if (f.length == 0)
        return GN_CSV_LABEL_EMPTY;
    return gn_csv_classify(f) == GN_CSV_NOT_A_NUMBER ? GN_CSV_LABEL_TEXT : GN_CSV_LABEL_NUMBER;
}

int gn_csv_ambiguous_header(const gn_csv_source *s, gemmnet_error *err)
{
    return gn_csv_fail_at(s, err, 0, GEMMNET_E_PARSE,
                          "column numbers 0,1,... (a pandas header) or a data row? ambiguous, "
                          "expected the header option (--header yes or --header no)");
}

/* Column numbers, as pandas writes the names of unnamed columns: every
 * feature field is its own 0-based column number in plain digits, and
 * the label field is too or is text. At least two features unless the
 * label is text, so that a one-feature row like "0,1" stays data. */
static bool column_numbers(const char *line, size_t length, size_t fields, size_t label_index)
{
    const char *cursor = line, *end = line + length;
    bool text_label = false;
    for (size_t column = 0; column < fields; column++) {
        gn_csv_field f = gn_csv_next_field(&cursor, end);
        if (column == label_index && gn_csv_label_kind_of(f) == GN_CSV_LABEL_TEXT)
            text_label = true;
        else if (!field_is_count(f, column))
            return false;
    }
    size_t features = fields - (label_index != SIZE_MAX);
    return features >= 2 || (text_label && features >= 1);
}

/* The header option, and the label name that needs a header. */
static int header_option(const gn_csv_source *s,
                         const gemmnet_csv_options *options,
                         const char *name,
                         gemmnet_csv_header *header,
                         gemmnet_error *err)
{
    *header = options ? options->header : GEMMNET_CSV_HEADER_AUTO;
    if (*header != GEMMNET_CSV_HEADER_AUTO && *header != GEMMNET_CSV_HEADER_YES &&
        *header != GEMMNET_CSV_HEADER_NO)
        return gn_fail(err, GEMMNET_E_INVALID, "%s: header option %d is invalid", s->path,
                       (int)*header);
    if (*header == GEMMNET_CSV_HEADER_NO && name)
        return gn_fail(err, GEMMNET_E_INVALID,
                       "%s: the label column is named (\"%s\"), so the file needs a header, "
                       "but the header option says there is none",
                       s->path, name);
    return GEMMNET_OK;
}

int gn_csv_layout_from(const gn_csv_source *s,
                       const char *line,
                       size_t length,
                       bool with_label,
                       const gemmnet_csv_options *options,
                       gn_csv_layout *layout,
                       gemmnet_error *err)
{
    size_t fields = gn_csv_count_fields(line, length);
    const char *name = with_label && options ? options->label_name : NULL;
    *layout = (gn_csv_layout){
        .fields = fields, .reference_line = s->line_number, .label_index = SIZE_MAX};
    int status = GEMMNET_OK;
    if (name)
        status = gn_csv_check_text(s, line, length, 1, err);
    if (status == GEMMNET_OK && name)
        status = find_named_column(s, line, length, name, &layout->label_index, err);
    else if (status == GEMMNET_OK && with_label)
        status = numbered_label(s, options, fields, &layout->label_index, err);
    gemmnet_csv_header header = GEMMNET_CSV_HEADER_AUTO;
    if (status == GEMMNET_OK)
        status = header_option(s, options, name, &header, err);
    if (status != GEMMNET_OK)
        return status;
    if (header == GEMMNET_CSV_HEADER_AUTO) {
        layout->header = name || has_text_feature(line, length, layout->label_index);
        layout->column_numbers =
            !layout->header && column_numbers(line, length, fields, layout->label_index);
        layout->pending = !layout->header && layout->label_index != SIZE_MAX;
        if (!layout->header && !layout->pending && layout->column_numbers)
            return gn_csv_ambiguous_header(s, err);
    } else {
        layout->header = header == GEMMNET_CSV_HEADER_YES;
    }
    return layout->header ? gn_csv_check_text(s, line, length, 1, err) : GEMMNET_OK;
}

int gn_csv_check_fields(const gn_csv_source *s,
                        const gn_csv_layout *layout,
                        const char *line,
                        size_t length,
                        gemmnet_error *err)
{
    size_t fields = gn_csv_count_fields(line, length);
    if (fields != layout->fields)
        return gn_csv_fail_at(s, err, 0, GEMMNET_E_PARSE,
                              "row has %zu field%s, expected %zu like line %zu", fields,
                              fields == 1 ? "" : "s", layout->fields, layout->reference_line);
    return GEMMNET_OK;
}

int gn_csv_parse_row(const gn_csv_source *s,
                     const gn_csv_layout *layout,
                     const char *line,
                     size_t length,
                     float *x,
                     gn_csv_label_fn on_label,
                     void *context,
                     gemmnet_error *err)
{
    const char *cursor = line, *end = line + length;
    for (size_t column = 0, feature = 0; column < layout->fields; column++) {
        gn_csv_field f = gn_csv_next_field(&cursor, end);
        float value = 0;
        int status = column != layout->label_index
                         ? gn_csv_parse_feature(s, f, column + 1, &value, err)
                     : on_label ? on_label(context, f, column + 1, err)
                                : GEMMNET_OK;
        if (status != GEMMNET_OK)
            return status;
        if (x && column != layout->label_index)
            x[feature++] = value;
    }
    return GEMMNET_OK;
}

gn_csv_field gn_csv_label_field(const gn_csv_layout *layout, const char *line, size_t length)
{
    const char *cursor = line, *end = line + length;
    gn_csv_field f = {line, 0};
    for (size_t column = 0; column <= layout->label_index; column++)
        f = gn_csv_next_field(&cursor, end);
    return f;
}
