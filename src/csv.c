/*
 * CSV reader: numbers separated by commas, one example per line, one column
 * an integer class label.
 *
 * The file is read twice through a single line buffer. The first pass
 * checks every field and counts rows, columns and the largest label; the
 * second fills a data set allocated at exactly N×D. Memory is therefore the
 * data set plus the longest line, whatever the file's size, and every error
 * is reported at its first occurrence in file order. Both passes run the
 * same code; the second only stores what the first has already checked.
 *
 * Numbers are checked against a fixed grammar before strtod sees them, and
 * strtod runs under a thread-local "C" locale, so the caller's LC_NUMERIC
 * never changes what a file means.
 */
#include "internal.h"

#include <errno.h>
#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a pass learns about the file; the two passes must agree on it. */
typedef struct csv_shape {
    /* Fields per line, from the first non-blank line; 0 before it. */
    size_t fields;
    /* The line that set fields, named by the ragged-row message. */
    size_t reference_line;
    /* 0-based label column, resolved against fields. */
    size_t label_index;
    /* Data rows seen so far (the header is not one). */
    size_t rows;
    /* Largest label seen so far; -1 before any. */
    int32_t max_label;
} csv_shape;

/* Everything one read needs: the input, the options and the results. */
typedef struct csv_context {
    /* File name, for messages. */
    const char *path;
    /* The open file. */
    FILE *file;
    /* Allocator for the line buffer (and the data set). */
    gemmnet_allocator allocator;
    /* Current line, [capacity] bytes: length bytes without the '\n',
     * then a NUL. */
    char *line;
    size_t length;
    size_t capacity;
    /* 1-based number of the line being read; one past the last line once
     * the file is exhausted. */
    size_t line_number;
    /* Label column as given: 0-based, or -1 for the last. */
    int32_t label_column;
    /* Number of classes as given; 0 means infer. */
    int32_t classes;
    /* What this pass has found so far. */
    csv_shape shape;
    /* Where the second pass stores rows; NULL during the first. */
    gemmnet_dataset *data;
} csv_context;

/* One field of a line: text[0..length), blanks around it removed. */
typedef struct csv_field {
    const char *text;
    size_t length;
} csv_field;

/* What the text of a field is. */
typedef enum csv_number_kind {
    CSV_NOT_A_NUMBER,
    CSV_FINITE,
    CSV_NONFINITE
} csv_number_kind;

/* ---- messages ---------------------------------------------------------- */

/* Fails with "PATH:LINE:COLUMN: message"; COLUMN (1-based) is left out
 * when it is 0, for errors that belong to a whole line. */
static int fail_at(const csv_context *c,
                   gemmnet_error *err,
                   size_t column,
                   int status,
                   const char *format,
                   ...) __attribute__((format(printf, 5, 6)));

static int fail_at(const csv_context *c,
                   gemmnet_error *err,
                   size_t column,
                   int status,
                   const char *format,
                   ...)
{
    char what[sizeof err->message];
    va_list args;
    va_start(args, format);
    vsnprintf(what, sizeof what, format, args);
    va_end(args);
    if (column == 0)
        return gn_fail(err, status, "%s:%zu: %s", c->path, c->line_number, what);
    return gn_fail(err, status, "%s:%zu:%zu: %s", c->path, c->line_number, column, what);
}

/* Copies a field into out[size] for a message: printable ASCII as is,
 * other bytes as \xHH, cut with "..." past 32 characters so that a huge
 * field cannot crowd out the rest of the message. */
static const char *printable(char *out, size_t size, csv_field f)
{
    size_t used = 0;
    for (size_t i = 0; i < f.length; i++) {
        unsigned char b = (unsigned char)f.text[i];
        if (used + 8 >= size || used >= 32) {
            memcpy(out + used, "...", 4);
            return out;
        }
        if (b >= 0x20 && b < 0x7f && b != '"' && b != '\\')
            out[used++] = (char)b;
        else
            used += (size_t)snprintf(out + used, size - used, "\\x%02x", b);
    }
    out[used] = '\0';
    return out;
}

/* ---- reading lines ----------------------------------------------------- */

/* Doubles the line buffer (256 bytes the first time), keeping its text.
 * The allocator has no realloc, so this copies; doubling keeps the total
 * copying linear in the line's length. */
static int grow_line(csv_context *c, gemmnet_error *err)
{
    size_t capacity = c->capacity ? 0 : 256;
    if (c->capacity && !gn_mul_size(c->capacity, 2, &capacity))
        return fail_at(c, err, 0, GEMMNET_E_OVERFLOW, "line too long to buffer");
    char *line = gn_alloc(&c->allocator, capacity);
    if (!line)
        return fail_at(c, err, 0, GEMMNET_E_NOMEM,
                       "out of memory for a %zu-byte line buffer", capacity);
    if (c->line)
        memcpy(line, c->line, c->length);
    gn_release(&c->allocator, c->line);
    c->line = line;
    c->capacity = capacity;
    return GEMMNET_OK;
}

/* Reads the next line into c->line without its '\n'; *got is false at the
 * end of the file. Stops at a NUL byte so that a binary file is rejected
 * without first being buffered whole. */
static int read_line(csv_context *c, bool *got, gemmnet_error *err)
{
    size_t commas = 0;
    int ch;
    c->line_number++;
    c->length = 0;
    for (;;) {
        /* Keep room for one more byte and the NUL (the first call makes
         * the buffer, so even an empty line has its NUL). */
        if (c->length + 1 >= c->capacity) {
            int status = grow_line(c, err);
            if (status != GEMMNET_OK)
                return status;
        }
        if ((ch = getc_unlocked(c->file)) == EOF || ch == '\n')
            break;
        if (ch == '\0')
            return fail_at(c, err, commas + 1, GEMMNET_E_PARSE, "NUL byte, expected a text file");
        c->line[c->length++] = (char)ch;
        commas += ch == ',';
    }
    if (ferror(c->file))
        return fail_at(c, err, 0, GEMMNET_E_IO, "cannot read: %s", strerror(errno));
    c->line[c->length] = '\0';
    *got = ch == '\n' || c->length > 0;
    return GEMMNET_OK;
}

/* ---- splitting and checking text --------------------------------------- */

static bool is_blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* Returns the field that starts at *cursor (inside a line ending at end)
 * and moves *cursor past the comma that closes it. */
static csv_field next_field(const char **cursor, const char *end)
{
    const char *start = *cursor;
    const char *comma = memchr(start, ',', (size_t)(end - start));
    const char *stop = comma ? comma : end;
    *cursor = comma ? comma + 1 : end;
    while (start < stop && is_blank(*start))
        start++;
    while (stop > start && is_blank(stop[-1]))
        stop--;
    return (csv_field){start, (size_t)(stop - start)};
}

/* Number of comma-separated fields in line[0..length). */
static size_t count_fields(const char *line, size_t length)
{
    size_t fields = 1;
    const char *end = line + length;
    for (const char *p = line; (p = memchr(p, ',', (size_t)(end - p))) != NULL; p++)
        fields++;
    return fields;
}

/* Length of the well-formed UTF-8 sequence at s[0..n), or 0 if there is
 * none (overlong forms, surrogates and code points past U+10FFFF are not). */
static size_t utf8_sequence_length(const unsigned char *s, size_t n)
{
    unsigned lead = s[0];
    size_t length = lead < 0x80                    ? 1
                    : lead >= 0xc2 && lead <= 0xdf ? 2
                    : lead >= 0xe0 && lead <= 0xef ? 3
                    : lead >= 0xf0 && lead <= 0xf4 ? 4
                                                   : 0;
    if (length == 0 || length > n)
        return 0;
    for (size_t i = 1; i < length; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if ((lead == 0xe0 && s[1] < 0xa0) || (lead == 0xed && s[1] > 0x9f) ||
        (lead == 0xf0 && s[1] < 0x90) || (lead == 0xf4 && s[1] > 0x8f))
        return 0;
    return length;
}

/* A header's names are free text, so only here is the text itself checked
 * (data fields must match the number grammar, which rejects any garbage):
 * control bytes and malformed UTF-8 mean the file is not text at all. */
static int check_header_text(const csv_context *c, const char *line, size_t length, gemmnet_error *err)
{
    const unsigned char *s = (const unsigned char *)line;
    size_t column = 1;
    for (size_t i = 0; i < length;) {
        size_t step = utf8_sequence_length(s + i, length - i);
        if (step == 0 || (s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f)
            return fail_at(c, err, column, GEMMNET_E_PARSE,
                           "byte 0x%02x is not text, expected a CSV text file", s[i]);
        column += s[i] == ',';
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

/* True if f is s, ignoring ASCII case. */
static bool field_is(csv_field f, size_t skip, const char *s)
{
    size_t n = strlen(s);
    if (f.length - skip != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((f.text[skip + i] | 0x20) != s[i])
            return false;
    return true;
}

/* Classifies a field: [+-]digits[.digits][(e|E)[+-]digits] with digits on
 * at least one side of the point is a finite number; [+-]nan, inf or
 * infinity in any case is a non-finite one, so that it gets its own
 * message rather than "not a number". */
static csv_number_kind classify_number(csv_field f)
{
    const char *p = f.text, *end = f.text + f.length;
    size_t sign = p < end && (*p == '+' || *p == '-');
    p += sign;
    if (field_is(f, sign, "nan") || field_is(f, sign, "inf") || field_is(f, sign, "infinity"))
        return CSV_NONFINITE;
    size_t digits = skip_digits(&p, end);
    if (p < end && *p == '.') {
        p++;
        digits += skip_digits(&p, end);
    }
    if (digits == 0)
        return CSV_NOT_A_NUMBER;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        p += p < end && (*p == '+' || *p == '-');
        if (skip_digits(&p, end) == 0)
            return CSV_NOT_A_NUMBER;
    }
    return p == end ? CSV_FINITE : CSV_NOT_A_NUMBER;
}

/* True if a field, as text, would be read as a number (of either kind).
 * An empty field is not a number but is not a header name either. */
static bool looks_numeric(csv_field f)
{
    return f.length == 0 || classify_number(f) != CSV_NOT_A_NUMBER;
}

/* Parses a field as a finite double. The grammar was checked first, so
 * strtod (under the "C" locale) must stop exactly at the field's end: the
 * byte after it is a blank, a comma or the line's NUL. */
static int parse_number(const csv_context *c, csv_field f, size_t column, double *value, gemmnet_error *err)
{
    char text[48];
    csv_number_kind kind = classify_number(f);
    if (kind == CSV_NONFINITE)
        return fail_at(c, err, column, GEMMNET_E_NONFINITE,
                       "\"%s\" is not finite, expected a finite number",
                       printable(text, sizeof text, f));
    if (kind == CSV_NOT_A_NUMBER && f.length == 0)
        return fail_at(c, err, column, GEMMNET_E_PARSE, "empty field, expected a number");
    char *stop = NULL;
    if (kind == CSV_FINITE)
        *value = strtod(f.text, &stop);
    if (kind == CSV_NOT_A_NUMBER || stop != f.text + f.length)
        return fail_at(c, err, column, GEMMNET_E_PARSE, "\"%s\" is not a number",
                       printable(text, sizeof text, f));
    return GEMMNET_OK;
}

/* Parses a feature as a float. A double at or beyond FLT_MAX + ½ulp would
 * round to infinity (and converting it is undefined behaviour in C), so
 * it is rejected with the other non-finite values. */
static int parse_feature(const csv_context *c, csv_field f, size_t column, float *value, gemmnet_error *err)
{
    double v = 0;
    int status = parse_number(c, f, column, &v, err);
    if (status != GEMMNET_OK)
        return status;
    if (!(fabs(v) < 0x1.ffffffp+127)) {
        char text[48];
        return fail_at(c, err, column, GEMMNET_E_NONFINITE,
                       "%s overflows float32, expected a magnitude below 3.4e38",
                       printable(text, sizeof text, f));
    }
    *value = (float)v;
    return GEMMNET_OK;
}

/* Parses a label: an integral value (1 and 1.0 alike) in [0, classes) when
 * the classes are given, else in [0, INT32_MAX − 1] so that 1 + the
 * largest label still fits the data set's int32 class count. */
static int parse_label(const csv_context *c, csv_field f, size_t column, int32_t *label, gemmnet_error *err)
{
    char text[48];
    double v = 0;
    int status = parse_number(c, f, column, &v, err);
    if (status != GEMMNET_OK)
        return status;
    if (v < 0 || v != floor(v))
        return fail_at(c, err, column, GEMMNET_E_LABEL, "label %s is not a non-negative integer",
                       printable(text, sizeof text, f));
    if (c->classes > 0 && v >= c->classes)
        return fail_at(c, err, column, GEMMNET_E_LABEL,
                       "label %s is out of range, expected 0..%d (classes = %d)",
                       printable(text, sizeof text, f), (int)c->classes - 1, (int)c->classes);
    if (v > INT32_MAX - 1)
        return fail_at(c, err, column, GEMMNET_E_LABEL, "label %s is too large, expected at most %d",
                       printable(text, sizeof text, f), (int)(INT32_MAX - 1));
    *label = (int32_t)v;
    return GEMMNET_OK;
}

/* ---- rows -------------------------------------------------------------- */

/* Parses a data row of shape.fields fields; in the second pass, stores
 * its features in x[row×D .. row×D + D) and its label in y[row]. */
static int parse_row(csv_context *c, const char *line, size_t length, gemmnet_error *err)
{
    gemmnet_dataset *data = c->data;
    size_t row = c->shape.rows;
    if (data && row >= data->rows)
        return fail_at(c, err, 0, GEMMNET_E_IO, "the file changed while being read");
    float *x = data ? data->x + row * data->features : NULL;
    const char *cursor = line;
    int32_t label = 0;
    for (size_t column = 0, feature = 0; column < c->shape.fields; column++) {
        csv_field f = next_field(&cursor, line + length);
        float value = 0;
        int status = column == c->shape.label_index
                         ? parse_label(c, f, column + 1, &label, err)
                         : parse_feature(c, f, column + 1, &value, err);
        if (status != GEMMNET_OK)
            return status;
        if (x && column != c->shape.label_index)
            x[feature++] = value;
    }
    if (data)
        data->y[row] = label;
    if (label > c->shape.max_label)
        c->shape.max_label = label;
    c->shape.rows++;
    return GEMMNET_OK;
}

/* True if the first line is a header: some field is text, not a number. */
static bool is_header(const char *line, size_t length)
{
    const char *cursor = line, *end = line + length;
    for (size_t column = count_fields(line, length); column > 0; column--)
        if (!looks_numeric(next_field(&cursor, end)))
            return true;
    return false;
}

/* The first non-blank line fixes the number of fields and where the label
 * is; then it is either a header (skipped) or the first data row. */
static int parse_first_line(csv_context *c, const char *line, size_t length, gemmnet_error *err)
{
    size_t fields = count_fields(line, length);
    if (fields < 2)
        return fail_at(c, err, 0, GEMMNET_E_PARSE,
                       "row has 1 field, expected at least 2: one feature and a label");
    if (c->label_column >= 0 && (size_t)c->label_column >= fields)
        return fail_at(c, err, 0, GEMMNET_E_INVALID,
                       "label column %d is out of range, expected 0..%zu or -1 for the last",
                       (int)c->label_column, fields - 1);
    c->shape.fields = fields;
    c->shape.reference_line = c->line_number;
    c->shape.label_index = c->label_column < 0 ? fields - 1 : (size_t)c->label_column;
    if (is_header(line, length))
        return check_header_text(c, line, length, err);
    return parse_row(c, line, length, err);
}

/* Parses the line in c->line: drops a UTF-8 byte order mark on line 1
 * and a '\r' before the '\n', skips blank lines, checks the field count. */
static int parse_line(csv_context *c, gemmnet_error *err)
{
    char *line = c->line;
    size_t length = c->length;
    if (c->line_number == 1 && length >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
        line += 3;
        length -= 3;
    }
    if (length > 0 && line[length - 1] == '\r')
        line[--length] = '\0';
    const char *cr = memchr(line, '\r', length);
    if (cr)
        return fail_at(c, err, count_fields(line, (size_t)(cr - line)), GEMMNET_E_PARSE,
                       "carriage return inside a line, expected \\n or \\r\\n line endings");
    size_t skip = 0;
    while (skip < length && is_blank(line[skip]))
        skip++;
    if (skip == length)
        return GEMMNET_OK;
    if (c->shape.fields == 0)
        return parse_first_line(c, line, length, err);
    size_t fields = count_fields(line, length);
    if (fields != c->shape.fields)
        return fail_at(c, err, 0, GEMMNET_E_PARSE, "row has %zu field%s, expected %zu like line %zu",
                       fields, fields == 1 ? "" : "s", c->shape.fields, c->shape.reference_line);
    return parse_row(c, line, length, err);
}

/* ---- the two passes ---------------------------------------------------- */

/* Reads the file from where it stands (its start) through parse_line,
 * counting lines and the shape afresh. */
static int run_pass(csv_context *c, gemmnet_error *err)
{
    c->line_number = 0;
    c->shape = (csv_shape){.max_label = -1};
    for (;;) {
        bool got = false;
        int status = read_line(c, &got, err);
        if (status != GEMMNET_OK || !got)
            return status;
        status = parse_line(c, err);
        if (status != GEMMNET_OK)
            return status;
    }
}

/* Counts in a first pass, allocates data [N×D] exactly, fills it in a
 * second. The passes must find the same shape, or the file changed. */
static int read_passes(csv_context *c, gemmnet_dataset *data, gemmnet_error *err)
{
    int status = run_pass(c, err);
    if (status != GEMMNET_OK)
        return status;
    csv_shape counted = c->shape;
    if (counted.rows == 0)
        return fail_at(c, err, 0, GEMMNET_E_PARSE,
                       "no data rows, expected lines of numbers%s",
                       counted.fields ? " after the header" : "");
    status = gemmnet_dataset_alloc(data, counted.rows, counted.fields - 1, &c->allocator, err);
    if (status != GEMMNET_OK)
        return status;
    c->data = data;
    if (fseek(c->file, 0, SEEK_SET) != 0)
        return fail_at(c, err, 0, GEMMNET_E_IO,
                       "cannot seek back to re-read it: %s, expected a regular file",
                       strerror(errno));
    status = run_pass(c, err);
    if (status != GEMMNET_OK)
        return status;
    if (c->shape.rows != counted.rows || c->shape.max_label != counted.max_label)
        return fail_at(c, err, 0, GEMMNET_E_IO, "the file changed while being read");
    int32_t inferred = counted.max_label + 1 > 2 ? counted.max_label + 1 : 2;
    data->classes = c->classes > 0 ? c->classes : inferred;
    return GEMMNET_OK;
}

/* Opens the file, runs both passes, and closes it, freeing the line
 * buffer (and the data set, on failure) on every path. */
static int read_file(gemmnet_dataset *data,
                     const char *path,
                     const gemmnet_csv_options *options,
                     const gemmnet_allocator *allocator,
                     gemmnet_error *err)
{
    csv_context c = {.path = path, .allocator = gn_allocator_or_default(allocator)};
    c.label_column = options ? options->label_column : -1;
    c.classes = options ? options->classes : 0;
    c.file = fopen(path, "rb");
    if (!c.file)
        return gn_fail(err, GEMMNET_E_IO, "%s: cannot open: %s", path, strerror(errno));
    int status = read_passes(&c, data, err);
    gn_release(&c.allocator, c.line);
    fclose(c.file);
    if (status != GEMMNET_OK) {
        if (c.data)
            gemmnet_dataset_free(data);
        memset(data, 0, sizeof *data);
    }
    return status;
}

/* Checks the arguments that do not depend on the file. */
static int check_arguments(const gemmnet_dataset *data,
                           const char *path,
                           const gemmnet_csv_options *options,
                           gemmnet_error *err)
{
    if (!data || !path)
        return gn_fail(err, GEMMNET_E_INVALID, "read_csv: data and path must not be NULL");
    if (options && options->label_column < -1)
        return gn_fail(err, GEMMNET_E_INVALID,
                       "%s: label column %d is invalid, expected -1 (the last) or a 0-based index",
                       path, (int)options->label_column);
    if (options && (options->classes < 0 || options->classes == 1))
        return gn_fail(err, GEMMNET_E_INVALID,
                       "%s: %d classes is invalid, expected at least 2 or 0 to infer them",
                       path, (int)options->classes);
    return GEMMNET_OK;
}

/* Reads under a thread-local "C" locale so that strtod's decimal point is
 * always '.', then restores the caller's locale. */
GEMMNET_API int gemmnet_dataset_read_csv(gemmnet_dataset *data /* OUT */,
                                         const char *path,
                                         const gemmnet_csv_options *options,
                                         const gemmnet_allocator *allocator,
                                         gemmnet_error *err)
{
    if (data)
        memset(data, 0, sizeof *data);
    int status = check_arguments(data, path, options, err);
    if (status != GEMMNET_OK)
        return status;
    locale_t c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    if (c_locale == (locale_t)0)
        return gn_fail(err, GEMMNET_E_NOMEM, "%s: cannot create the C locale: %s", path,
                       strerror(errno));
    locale_t caller_locale = uselocale(c_locale);
    status = read_file(data, path, options, allocator, err);
    uselocale(caller_locale);
    freelocale(c_locale);
    return status;
}
