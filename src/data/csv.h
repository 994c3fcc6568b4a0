/*
 * The CSV readers' shared core (csv.c): lines through one growing buffer,
 * fields, the number grammar, header text, the layout the first line fixes,
 * and "FILE:LINE:COLUMN: ..." messages. Used by the whole-file reader
 * (csv_read.c) and the streaming reader (csv_stream.c). Private.
 */
#ifndef GEMMNET_CSV_H
#define GEMMNET_CSV_H

#include "data/data.h"

#include <stdio.h>

/* One field of a line: text[0..length), blanks around it removed. */
typedef struct gn_csv_field {
    const char *text;
    size_t length;
} gn_csv_field;

/* What the text of a field is. */
typedef enum gn_csv_number_kind {
    GN_CSV_NOT_A_NUMBER,
    GN_CSV_FINITE,
    GN_CSV_NONFINITE
} gn_csv_number_kind;

/* The longest CSV line read (without its newline): far above any real
 * row (2^24 features, the widest layer, of 3 characters each), low enough
 * that one endless line cannot take the memory. */
#define GN_CSV_MAX_LINE ((size_t)64 << 20)

/* An input read line by line. */
typedef struct gn_csv_source {
    /* File name, for messages. */
    const char *path;
    /* The open file. */
    FILE *file;
    /* Allocator of the line buffer. */
    gemmnet_allocator allocator;
    /* Current line, [capacity] bytes: length bytes without the '\n', then
     * a NUL. */
    char *line;
    size_t length;
    size_t capacity;
    /* 1-based number of the line being read; one past the last line once
     * the file is exhausted. */
    size_t line_number;
} gn_csv_source;

/* Where the label is, fixed by the first non-blank line. */
typedef struct gn_csv_layout {
    /* Fields per line. */
    size_t fields;
    /* The line that set fields, named by the ragged-row message. */
    size_t reference_line;
    /* 0-based label column, or SIZE_MAX when the lines have no label. */
    size_t label_index;
    /* The first line is a header (names, not data). */
    bool header;
    /* Header option AUTO and the first line not a header by itself (every
     * feature field a number) but with a label: whether it is a header
     * depends on the labels below it, which the reader decides. */
    bool pending;
    /* The first line is column numbers (gn_csv_column_numbers). */
    bool column_numbers;
} gn_csv_layout;

/* What a label field holds, for telling a header from data. */
typedef enum gn_csv_label_kind {
    GN_CSV_LABEL_EMPTY,
    GN_CSV_LABEL_NUMBER,
    GN_CSV_LABEL_TEXT
} gn_csv_label_kind;

/* Fails with "PATH:LINE:COLUMN: message"; COLUMN (1-based) is left out
 * when it is 0, for errors that belong to a whole line. */
int gn_csv_fail_at(
    const gn_csv_source *s, gemmnet_error *err, size_t column, int status, const char *format, ...)
    __attribute__((format(printf, 5, 6)));

/* Copies a field into out[size] for a message: printable ASCII as is,
 * other bytes as \xHH, cut with "..." past 32 characters. */
const char *gn_csv_printable(char *out, size_t size, gn_csv_field f);

/* Reads the next line and returns it in *text[*length] without a UTF-8
 * byte order mark on line 1 and without a final '\r'; *got is false at
 * the end of the input. A NUL byte or a '\r' inside the line is an error. */
int gn_csv_next_line(
    gn_csv_source *s, const char **text, size_t *length, bool *got, gemmnet_error *err);

/* True if line[0..length) holds only blanks. */
bool gn_csv_is_blank(const char *line, size_t length);

/* The field that starts at *cursor (inside a line ending at end); moves
 * *cursor past the comma that closes it. */
gn_csv_field gn_csv_next_field(const char **cursor, const char *end);

/* Number of comma-separated fields in line[0..length). */
size_t gn_csv_count_fields(const char *line, size_t length);

/* Classifies a field by the number grammar (see csv.c). */
gn_csv_number_kind gn_csv_classify(gn_csv_field f);

/* Parses a field as a finite double; column is 1-based, for messages. */
int gn_csv_parse_number(
    const gn_csv_source *s, gn_csv_field f, size_t column, double *value, gemmnet_error *err);

/* Parses a field as a finite float32. */
int gn_csv_parse_feature(
    const gn_csv_source *s, gn_csv_field f, size_t column, float *value, gemmnet_error *err);

/* Checks free text (a header line, a text label) starting at 1-based
 * column: control bytes and malformed UTF-8 mean the file is not text. */
int gn_csv_check_text(
    const gn_csv_source *s, const char *text, size_t length, size_t column, gemmnet_error *err);

/* Fixes the layout from the first non-blank line[0..length): with_label
 * says whether the lines have a label column, found by options->label_name
 * in the header or options->label_field (0: the last); the line is a
 * header when options->header is YES, or (AUTO) when label_name is given
 * or a feature field is not a number; else, with a label, the reader
 * decides (pending). Without a label, a line of column numbers is
 * ambiguous (AUTO). Checks a header's text. */
int gn_csv_layout_from(const gn_csv_source *s,
                       const char *line,
                       size_t length,
                       bool with_label,
                       const gemmnet_csv_options *options,
                       gn_csv_layout *layout /* OUT */,
                       gemmnet_error *err);

/* The kind of a label field: empty, a number (of either kind) or text. */
gn_csv_label_kind gn_csv_label_kind_of(gn_csv_field f);

/* Fails with the message for a first line of column numbers that may be
 * a header or data (at the line s->line_number). */
int gn_csv_ambiguous_header(const gn_csv_source *s, gemmnet_error *err);

/* Checks that a line has the layout's number of fields. */
int gn_csv_check_fields(const gn_csv_source *s,
                        const gn_csv_layout *layout,
                        const char *line,
                        size_t length,
                        gemmnet_error *err);

/* Called with a data row's label field (column is 1-based). */
typedef int (*gn_csv_label_fn)(void *context, gn_csv_field f, size_t column, gemmnet_error *err);

/* Parses a data row field by field in order, so that the first bad field
 * is the one reported: features into x[D] (only checked when x is NULL),
 * the label field to on_label (skipped unchecked when NULL). */
int gn_csv_parse_row(const gn_csv_source *s,
                     const gn_csv_layout *layout,
                     const char *line,
                     size_t length,
                     float *x,
                     gn_csv_label_fn on_label,
                     void *context,
                     gemmnet_error *err);

/* The label field of a data row; layout must have one. */
gn_csv_field gn_csv_label_field(const gn_csv_layout *layout, const char *line, size_t length);

#endif /* GEMMNET_CSV_H */
