/*
 * gemmnet_dataset_read_csv: a whole CSV file into a data set.
 *
 * The file is read twice through a single line buffer. The first pass
 * checks every field and counts rows, columns, the largest integer label
 * or the distinct text labels; the second fills a data set allocated at
 * exactly N×D. Memory is therefore the data set plus the longest line (plus
 * the distinct class names), whatever the file's size, and every error is
 * reported at its first occurrence in file order. Both passes run the same
 * code; the second only stores what the first has already checked.
 *
 * Labels are integers 0..K−1 when the first data row's label is a number.
 * Otherwise they are class names, numbered in sorted (strcmp) order, which
 * does not depend on the order of the rows (as scikit-learn's LabelEncoder
 * does); or, when the caller gives the names (a model's), by those.
 */
#include "data/csv.h"

#include <errno.h>
#include <math.h>
#include <string.h>

/* What the first pass returns to start again with mixed labels (never
 * returned to the caller). */
enum { MIXED_LABELS = 1000 };

/* The most classes a model has (its widths are at most 2^24), so the
 * most a file's labels may name. */
enum { MAX_CLASSES = 1 << 24 };

/* How the label column is read, decided by the first data row. */
typedef enum label_mode { LABELS_UNDECIDED, LABELS_INTEGER, LABELS_TEXT } label_mode;

/* Everything one read needs: the input, the options and the results. */
typedef struct csv_read {
    /* The file and its line buffer. */
    gn_csv_source source;
    /* Number of classes as given; 0 means infer. */
    int32_t classes;
    /* Header name of the label column, or NULL. */
    const char *label_name;
    /* Class names as given ([classes]), or NULL. */
    const char *const *given_names;
    /* The options as passed (for the layout). */
    gemmnet_csv_options options;
    /* Fixed by the first non-blank line of a pass; fields = 0 before it. */
    gn_csv_layout layout;
    /* Data rows seen so far in this pass (the header is not one). */
    size_t rows;
    /* Largest integer label seen so far in this pass; -1 before any. */
    int32_t max_label;
    /* How labels are read; decided in the first pass. */
    label_mode mode;
    /* Text labels: the distinct names (first-appearance order), or the
     * given names in their order. */
    gn_name_table names;
    /* Second pass: class of names entry i. */
    int32_t *class_of;
    /* The current row's label, set by the label callback. */
    int32_t label;
    /* Where the second pass stores rows; NULL during the first. */
    gemmnet_dataset *data;
    /* The data rows the second pass stores: [keep_first, keep_end). */
    size_t keep_first;
    size_t keep_end;
    /* Data rows the first pass counted. */
    size_t total_rows;
    /* First pass, while the first line waits for the next line's label to
     * say whether it is a header: its label field (a class name at most,
     * else the line is data at once) and its line number. */
    char first_label[GEMMNET_MAX_CLASS_NAME + 2];
    size_t first_label_length;
    size_t first_number;
    /* A first line of column numbers, taken as a header unless another
     * row has its label: then the header is ambiguous. */
    bool candidate;
    bool candidate_seen;
    /* A first line with a text label over a number: a header, unless a
     * later row has a text label too; then the labels are mixed and the
     * first pass starts again, with every label a name. */
    bool tentative;
    bool mixed;
    /* Decided by the first pass, followed by the second. */
    bool first_is_header;
    /* The second pass is running. */
    bool second_pass;
} csv_read;

/* ---- labels ------------------------------------------------------------ */

/* True if a field that matches the number grammar spells an integer
 * exactly (1, 1.0, 1e2, 2.50e1), judged on its digits rather than on the
 * double strtod rounds it to: 0.99999999999999999999 rounds to 1 and
 * 1e-400 to 0, and neither is an integer. */
static bool spells_integer(gn_csv_field f)
{
    const char *p = f.text, *end = f.text + f.length;
    p += p < end && (*p == '+' || *p == '-');
    const char *digits = p;
    while (p < end && *p >= '0' && *p <= '9')
        p++;
    long long point = p - digits;
    const char *fraction = p < end && *p == '.' ? ++p : NULL;
    while (p < end && *p >= '0' && *p <= '9')
        p++;
    const char *digits_end = p;
    long long exponent = 0, sign = 1;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            sign = *p++ == '-' ? -1 : 1;
        for (; p < end; p++)
            exponent = exponent < 100000000 ? exponent * 10 + (*p - '0') : exponent;
    }
    /* Digit i (0-based, the point skipped) counts i < point + exponent. */
    long long whole = point + sign * exponent, i = 0;
    for (const char *d = digits; d < digits_end; d++) {
        if (d + 1 == fraction)
            continue;
        if (i++ >= whole && *d != '0')
            return false;
    }
    return true;
}

/* An integral value (1 and 1.0 alike) in [0, classes) when the classes are
 * given, else in [0, 2^24 − 1], the classes a model can have. */
static int integer_label(csv_read *r, gn_csv_field f, size_t column, gemmnet_error *err)
{
    const gn_csv_source *s = &r->source;
    char text[48];
    if (f.length > 0 && gn_csv_classify(f) == GN_CSV_NOT_A_NUMBER && r->options.labels)
        return gn_csv_fail_at(
            s, err, column, GEMMNET_E_LABEL,
            "\"%s\" is not a number, expected an integer label 0..%d (text labels "
            "need class names)",
            gn_csv_printable(text, sizeof text, f),
            r->classes > 0 ? (int)r->classes - 1 : MAX_CLASSES - 1);
    if (f.length > 0 && gn_csv_classify(f) == GN_CSV_NOT_A_NUMBER && r->tentative)
        return MIXED_LABELS;
    if (f.length > 0 && gn_csv_classify(f) == GN_CSV_NOT_A_NUMBER)
        return gn_csv_fail_at(s, err, column, GEMMNET_E_PARSE,
                              "\"%s\" is not a number, expected an integer label as on line %zu",
                              gn_csv_printable(text, sizeof text, f), r->layout.reference_line);
    double v = 0;
    int status = gn_csv_parse_number(s, f, column, &v, err);
    if (status != GEMMNET_OK)
        return status;
    if (v < 0 || v != floor(v) || !spells_integer(f))
        return gn_csv_fail_at(s, err, column, GEMMNET_E_LABEL,
                              "label %s is not a non-negative integer",
                              gn_csv_printable(text, sizeof text, f));
    if (r->classes > 0 && v >= r->classes)
        return gn_csv_fail_at(s, err, column, GEMMNET_E_LABEL,
                              "label %s is out of range, expected 0..%d (classes = %d)",
                              gn_csv_printable(text, sizeof text, f), (int)r->classes - 1,
                              (int)r->classes);
    if (v > MAX_CLASSES - 1)
        return gn_csv_fail_at(s, err, column, GEMMNET_E_LABEL,
                              "label %s is too large, expected at most %d (a model has at most "
                              "2^24 classes)",
                              gn_csv_printable(text, sizeof text, f), MAX_CLASSES - 1);
    r->label = (int32_t)v;
    if (r->label > r->max_label)
        r->max_label = r->label;
    /* A column-numbers candidate's label is its own column number. */
    if (r->candidate && (size_t)r->label == r->layout.label_index)
        r->candidate_seen = true;
    return GEMMNET_OK;
}

/* True if f is the label of a column-numbers candidate first line. */
static bool is_candidate_label(const csv_read *r, gn_csv_field f)
{
    return r->candidate && r->first_label_length == f.length &&
           memcmp(r->first_label, f.text, f.length) == 0;
}

/* Checks a text label: text, and a valid class name. */
static int check_name(csv_read *r, gn_csv_field f, size_t column, gemmnet_error *err)
{
    const gn_csv_source *s = &r->source;
    char text[48];
    if (f.length == 0)
        return gn_csv_fail_at(s, err, column, GEMMNET_E_LABEL,
                              "empty label, expected a class name");
    int status = gn_csv_check_text(s, f.text, f.length, column, err);
    if (status != GEMMNET_OK)
        return status;
    const char *problem = gn_class_name_problem(f.text, f.length);
    if (problem)
        return gn_csv_fail_at(s, err, column, GEMMNET_E_LABEL,
                              "label \"%s\" %s, expected a class name",
                              gn_csv_printable(text, sizeof text, f), problem);
    return GEMMNET_OK;
}

/* A class name: looked up among the given names, or collected (first
 * pass) and then mapped to its sorted position (second pass). */
static int text_label(csv_read *r, gn_csv_field f, size_t column, gemmnet_error *err)
{
    const gn_csv_source *s = &r->source;
    char text[48];
    int status = check_name(r, f, column, err);
    if (status != GEMMNET_OK)
        return status;
    size_t index = 0;
    if (is_candidate_label(r, f))
        r->candidate_seen = true;
    if (r->given_names || r->data) {
        if (!gn_name_table_find(&r->names, f.text, f.length, &index))
            return r->given_names
                       ? gn_csv_fail_at(s, err, column, GEMMNET_E_LABEL,
                                        "unknown class \"%s\", expected one of the %d given "
                                        "class names (\"%s\", ...)",
                                        gn_csv_printable(text, sizeof text, f), (int)r->classes,
                                        r->given_names[0])
                       : gn_csv_fail_at(s, err, 0, GEMMNET_E_IO,
                                        "the file changed while being read");
    } else if (gn_name_table_add(&r->names, f.text, f.length, &index) != GEMMNET_OK) {
        return gn_csv_fail_at(s, err, column, GEMMNET_E_NOMEM, "out of memory for class names");
    } else if (index >= MAX_CLASSES) {
        return gn_csv_fail_at(s, err, column, GEMMNET_E_LABEL,
                              "label \"%s\" is one class too many, expected at most 2^24 "
                              "distinct labels",
                              gn_csv_printable(text, sizeof text, f));
    }
    r->label = r->class_of ? r->class_of[index] : (int32_t)index;
    return GEMMNET_OK;
}

static int on_label(void *context, gn_csv_field f, size_t column, gemmnet_error *err)
{
    csv_read *r = context;
    return r->mode == LABELS_TEXT ? text_label(r, f, column, err)
                                  : integer_label(r, f, column, err);
}

/* ---- rows and passes --------------------------------------------------- */

/* Integer or text labels, from the first data row's label f (or the
 * options). */
static void decide_mode(csv_read *r, gn_csv_field f)
{
    bool text = r->options.labels != GEMMNET_CSV_LABELS_INTEGER &&
                (r->given_names || gn_csv_label_kind_of(f) == GN_CSV_LABEL_TEXT);
    r->mode = text ? LABELS_TEXT : LABELS_INTEGER;
}

/* Parses a data row; in the second pass, stores its features in
 * x[row×D .. row×D + D) and its label in y[row]. */
static int parse_row(csv_read *r, const char *line, size_t length, gemmnet_error *err)
{
    bool keep = r->data && r->rows >= r->keep_first && r->rows < r->keep_end;
    gemmnet_dataset *data = keep ? r->data : NULL;
    if (r->data && r->rows >= r->total_rows)
        return gn_csv_fail_at(&r->source, err, 0, GEMMNET_E_IO,
                              "the file changed while being read");
    if (r->mode == LABELS_UNDECIDED)
        decide_mode(r, gn_csv_label_field(&r->layout, line, length));
    size_t at = r->rows - r->keep_first;
    float *x = data ? data->x + at * data->features : NULL;
    int status = gn_csv_parse_row(&r->source, &r->layout, line, length, x, on_label, r, err);
    if (status != GEMMNET_OK)
        return status;
    if (data)
        data->y[at] = r->label;
    r->rows++;
    return GEMMNET_OK;
}

/* The held first line's label field. */
static gn_csv_field first_label(const csv_read *r)
{
    return (gn_csv_field){r->first_label, r->first_label_length};
}

/* Takes the held first line as a data row (its features were checked
 * when it was held), under its own line number. */
static int first_as_row(csv_read *r, gemmnet_error *err)
{
    size_t now = r->source.line_number;
    r->source.line_number = r->first_number;
    if (r->mode == LABELS_UNDECIDED)
        decide_mode(r, first_label(r));
    int status = on_label(r, first_label(r), r->layout.label_index + 1, err);
    r->source.line_number = now;
    r->rows += status == GEMMNET_OK;
    return status;
}

/* The second data line (or the end: next NULL) settles the held first
 * line: a header when its label is text over a number (tentatively), a
 * candidate header when it is column numbers, else a data row. Mixed
 * labels are all names. */
static int settle_first(csv_read *r, const char *next, size_t next_length, gemmnet_error *err)
{
    gn_csv_field label = first_label(r);
    gn_csv_field other = next ? gn_csv_label_field(&r->layout, next, next_length) : label;
    r->layout.pending = false;
    if (r->mixed)
        r->mode = LABELS_TEXT;
    if (!r->mixed && !r->given_names && gn_csv_label_kind_of(label) == GN_CSV_LABEL_TEXT &&
        gn_csv_label_kind_of(other) == GN_CSV_LABEL_NUMBER) {
        r->tentative = r->options.labels != GEMMNET_CSV_LABELS_INTEGER;
        r->first_is_header = true;
        return GEMMNET_OK;
    }
    if (!r->layout.column_numbers)
        return first_as_row(r, err);
    r->candidate = r->first_is_header = true;
    return GEMMNET_OK;
}

/* Holds the first line until the next line settles it: checks its
 * features now (so that errors stay in file order) and its text (it may
 * be a header), and keeps its label field and line number. A label too
 * long to keep cannot be a class name: the line is a data row. */
static int hold_first(csv_read *r, const char *line, size_t length, gemmnet_error *err)
{
    gn_csv_field label = gn_csv_label_field(&r->layout, line, length);
    if (label.length >= sizeof r->first_label) {
        r->layout.pending = false;
        return parse_row(r, line, length, err);
    }
    int status = gn_csv_parse_row(&r->source, &r->layout, line, length, NULL, NULL, NULL, err);
    if (status == GEMMNET_OK)
        status = gn_csv_check_text(&r->source, line, length, 1, err);
    memcpy(r->first_label, label.text, label.length);
    r->first_label[label.length] = '\0';
    r->first_label_length = label.length;
    r->first_number = r->source.line_number;
    return status;
}

/* The first non-blank line fixes the number of fields and where the label
 * is; then it is a header (skipped), the first data row, or (first pass)
 * held until the next line says which. The second pass follows the
 * first's decision. */
static int parse_first_line(csv_read *r, const char *line, size_t length, gemmnet_error *err)
{
    if (gn_csv_count_fields(line, length) < 2)
        return gn_csv_fail_at(&r->source, err, 0, GEMMNET_E_PARSE,
                              "row has 1 field, expected at least 2: one feature and a label");
    int status = gn_csv_layout_from(&r->source, line, length, true, &r->options, &r->layout, err);
    if (status != GEMMNET_OK)
        return status;
    if (r->second_pass) {
        r->layout.pending = false;
        r->layout.header = r->first_is_header;
    }
    if (r->layout.pending)
        return hold_first(r, line, length, err);
    r->first_is_header = r->layout.header;
    return r->layout.header ? GEMMNET_OK : parse_row(r, line, length, err);
}

/* At the end of the first pass: settles a first line still held (the
 * file's only line), and refuses a candidate header another row's label
 * makes ambiguous. */
static int finish_first(csv_read *r, gemmnet_error *err)
{
    int status = r->layout.pending ? settle_first(r, NULL, 0, err) : GEMMNET_OK;
    if (status == GEMMNET_OK && r->candidate && r->candidate_seen) {
        r->source.line_number = r->first_number;
        status = gn_csv_ambiguous_header(&r->source, err);
    }
    return status;
}

/* Reads the file from where it stands (its start), counting lines and the
 * shape afresh. */
static int run_pass(csv_read *r, gemmnet_error *err)
{
    r->source.line_number = 0;
    r->layout = (gn_csv_layout){0};
    r->rows = 0;
    r->max_label = -1;
    for (;;) {
        const char *line = NULL;
        size_t length = 0;
        bool got = false;
        int status = gn_csv_next_line(&r->source, &line, &length, &got, err);
        if (status != GEMMNET_OK || !got)
            return status == GEMMNET_OK && !r->second_pass ? finish_first(r, err) : status;
        if (gn_csv_is_blank(line, length))
            continue;
        if (r->layout.fields == 0)
            status = parse_first_line(r, line, length, err);
        else if ((status = gn_csv_check_fields(&r->source, &r->layout, line, length, err)) ==
                 GEMMNET_OK) {
            if (r->layout.pending)
                status = settle_first(r, line, length, err);
            if (status == GEMMNET_OK)
                status = parse_row(r, line, length, err);
        }
        if (status != GEMMNET_OK)
            return status;
    }
}

/* K for text labels found in the file, and the sorted names as the data
 * set's class names with class_of mapping the table to them. */
static int settle_text_classes(csv_read *r, gemmnet_dataset *data, gemmnet_error *err)
{
    const char *path = r->source.path;
    size_t found = r->names.count;
    if (found < 2)
        return gn_fail(err, GEMMNET_E_LABEL,
                       "%s: the labels name a single class (\"%s\"), expected at least 2", path,
                       gn_name_table_name(&r->names, 0));
    if (found > INT32_MAX || (r->classes > 0 && (size_t)r->classes != found))
        return gn_fail(err, GEMMNET_E_LABEL, "%s: the labels name %zu classes, expected %d", path,
                       found, (int)r->classes);
    gemmnet_allocator *a = &r->source.allocator;
    r->class_of = gn_alloc(a, found * sizeof *r->class_of);
    if (!r->class_of ||
        gn_name_table_sort(&r->names, a, &data->class_names, r->class_of) != GEMMNET_OK)
        return gn_fail(err, GEMMNET_E_NOMEM, "%s: out of memory for %zu class names", path, found);
    data->classes = (int32_t)found;
    return GEMMNET_OK;
}

/* Classes and class names of the data set after the first pass. */
static int settle_classes(csv_read *r, gemmnet_dataset *data, gemmnet_error *err)
{
    if (r->given_names) {
        data->class_names = gn_names_copy(&r->source.allocator, r->given_names, (size_t)r->classes);
        data->classes = r->classes;
        return data->class_names ? GEMMNET_OK
                                 : gn_fail(err, GEMMNET_E_NOMEM,
                                           "%s: out of memory for class names", r->source.path);
    }
    if (r->mode == LABELS_TEXT)
        return settle_text_classes(r, data, err);
    int32_t inferred = r->max_label + 1 > 2 ? r->max_label + 1 : 2;
    data->classes = r->classes > 0 ? r->classes : inferred;
    return GEMMNET_OK;
}

/* Runs the first pass again from the start with every label a name (a
 * text label below a first line with a text label over a number). */
static int restart_mixed(csv_read *r, gemmnet_error *err)
{
    gn_name_table_free(&r->names);
    gn_name_table_init(&r->names, &r->source.allocator);
    r->mode = LABELS_UNDECIDED;
    r->tentative = r->candidate = r->candidate_seen = r->first_is_header = false;
    r->mixed = true;
    if (fseek(r->source.file, 0, SEEK_SET) != 0)
        return gn_csv_fail_at(&r->source, err, 0, GEMMNET_E_IO,
                              "cannot seek back to re-read it: %s, expected a regular file",
                              strerror(errno));
    return run_pass(r, err);
}

/* Counts in a first pass, allocates data [N×D] exactly, fills it in a
 * second. The passes must find the same shape, or the file changed. */
static int read_passes(csv_read *r, gemmnet_dataset *data, gemmnet_error *err)
{
    int status = run_pass(r, err);
    if (status == MIXED_LABELS)
        status = restart_mixed(r, err);
    if (status != GEMMNET_OK)
        return status;
    size_t rows = r->rows, names = r->names.count;
    int32_t max_label = r->max_label;
    if (rows == 0)
        return gn_csv_fail_at(&r->source, err, 0, GEMMNET_E_PARSE,
                              "no data rows, expected lines of numbers%s",
                              r->layout.fields ? " after the header" : "");
    /* The part of the rows to keep (all of them unless parts > 1). */
    uint32_t parts = r->options.parts > 1 ? r->options.parts : 1, part = r->options.part;
    r->total_rows = rows;
    r->keep_first = rows * part / parts;
    r->keep_end = rows * (part + 1) / parts;
    status = gemmnet_dataset_alloc(data, r->keep_end - r->keep_first, r->layout.fields - 1,
                                   &r->source.allocator, err);
    if (status != GEMMNET_OK)
        return status;
    r->data = data;
    status = settle_classes(r, data, err);
    if (status != GEMMNET_OK)
        return status;
    r->second_pass = true;
    r->candidate = r->tentative = false;
    if (fseek(r->source.file, 0, SEEK_SET) != 0)
        return gn_csv_fail_at(&r->source, err, 0, GEMMNET_E_IO,
                              "cannot seek back to re-read it: %s, expected a regular file",
                              strerror(errno));
    status = run_pass(r, err);
    if (status == GEMMNET_OK &&
        (r->rows != rows || r->max_label != max_label || r->names.count != names))
        status =
            gn_csv_fail_at(&r->source, err, 0, GEMMNET_E_IO, "the file changed while being read");
    return status;
}

/* The given class names go into the table in order, so that a name's
 * table index is its class. */
static int load_given_names(csv_read *r, gemmnet_error *err)
{
    for (int32_t k = 0; r->given_names && k < r->classes; k++) {
        size_t index = 0;
        const char *name = r->given_names[k];
        if (gn_name_table_add(&r->names, name, strlen(name), &index) != GEMMNET_OK)
            return gn_fail(err, GEMMNET_E_NOMEM, "%s: out of memory for class names",
                           r->source.path);
        if (index != (size_t)k)
            return gn_fail(err, GEMMNET_E_INVALID, "%s: class name \"%s\" is given twice",
                           r->source.path, name);
    }
    return GEMMNET_OK;
}

/* Opens the file, runs both passes, and closes it, freeing the line
 * buffer and the name table (and the data set, on failure) on every path. */
static int read_file(gemmnet_dataset *data,
                     const char *path,
                     const gemmnet_csv_options *options,
                     const gemmnet_allocator *allocator,
                     gemmnet_error *err)
{
    csv_read r = {.source = {.path = path, .allocator = gn_allocator_or_default(allocator)}};
    r.options = options ? *options : (gemmnet_csv_options){0};
    r.classes = r.options.classes;
    r.given_names = r.options.class_names;
    gn_name_table_init(&r.names, &r.source.allocator);
    int status = load_given_names(&r, err);
    if (status == GEMMNET_OK) {
        r.source.file = fopen(path, "rb");
        if (!r.source.file)
            status = gn_fail(err, GEMMNET_E_IO, "%s: cannot open: %s", path, strerror(errno));
    }
    if (status == GEMMNET_OK) {
        status = read_passes(&r, data, err);
        fclose(r.source.file);
    }
    gn_release(&r.source.allocator, r.source.line);
    gn_release(&r.source.allocator, r.class_of);
    gn_name_table_free(&r.names);
    if (status != GEMMNET_OK) {
        if (r.data)
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
    if (!options)
        return GEMMNET_OK;
    if (options->label_field < 0)
        return gn_fail(err, GEMMNET_E_INVALID,
                       "%s: label field %d is invalid, expected 0 (the last) or a 1-based number",
                       path, (int)options->label_field);
    if (options->classes < 0 || options->classes == 1)
        return gn_fail(err, GEMMNET_E_INVALID,
                       "%s: %d classes is invalid, expected at least 2 or 0 to infer them", path,
                       (int)options->classes);
    if (options->label_name && !options->label_name[0])
        return gn_fail(err, GEMMNET_E_INVALID, "%s: the label column name is empty", path);
    if (options->class_names && options->classes < 2)
        return gn_fail(err, GEMMNET_E_INVALID, "%s: class names need classes ≥ 2 (got %d)", path,
                       (int)options->classes);
    for (int32_t k = 0; options->class_names && k < options->classes; k++)
        if (!options->class_names[k])
            return gn_fail(err, GEMMNET_E_INVALID, "%s: class name %d is NULL", path, (int)k);
    if (options->labels == GEMMNET_CSV_LABELS_INTEGER && options->class_names)
        return gn_fail(err, GEMMNET_E_INVALID,
                       "%s: integer labels and class names exclude each other", path);
    if (options->labels != GEMMNET_CSV_LABELS_AUTO && options->labels != GEMMNET_CSV_LABELS_INTEGER)
        return gn_fail(err, GEMMNET_E_INVALID, "%s: labels option %d is invalid", path,
                       (int)options->labels);
    if (options->parts > 1 && options->part >= options->parts)
        return gn_fail(err, GEMMNET_E_INVALID, "%s: part %lu of %lu does not exist", path,
                       (unsigned long)options->part, (unsigned long)options->parts);
    return GEMMNET_OK;
}

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
    locale_t c_locale, caller_locale;
    if (!gn_enter_c_locale(&c_locale, &caller_locale))
        return gn_fail(err, GEMMNET_E_NOMEM, "%s: cannot create the C locale: %s", path,
                       strerror(errno));
    status = read_file(data, path, options, allocator, err);
    gn_leave_c_locale(c_locale, caller_locale);
    return status;
}
