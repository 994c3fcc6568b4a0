/* Reading a training log back (gemmnet plot-loss), strictly: anything that
 * is not the format ../training_log.c writes is reported with its line and
 * field. */
#include "log.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Longest line accepted: a row is five numbers. */
enum { LINE_MAX_BYTES = 1024 };

/* Where the reader is, for messages. */
typedef struct log_cursor {
    const char *command;
    const char *path;
    long line;
} log_cursor;

static bool fail_at(const log_cursor *c, int field, const char *what)
{
    if (field > 0)
        fprintf(stderr, "gemmnet %s: %s:%ld:%d: %s\n", c->command, c->path, c->line, field, what);
    else
        fprintf(stderr, "gemmnet %s: %s:%ld: %s\n", c->command, c->path, c->line, what);
    return false;
}

/* Removes a trailing "\n" or "\r\n"; false if the line had no newline
 * and filled the buffer (too long). */
static bool chomp(char *line, size_t size)
{
    size_t n = strlen(line);
    bool complete = n + 1 < size || (n > 0 && line[n - 1] == '\n');
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    return complete;
}

/* A finite number filling text, or NaN for an empty field when
 * allow_empty; false otherwise. */
static bool parse_number(const char *text, bool allow_empty, double *out)
{
    if (!*text) {
        *out = NAN;
        return allow_empty;
    }
    char *end;
    errno = 0;
    *out = strtod(text, &end);
    return !errno && end != text && !*end && isfinite(*out);
}

/* Splits line at commas into exactly 5 fields. */
static bool split_fields(char *line, char *fields[5])
{
    int n = 0;
    char *p = line;
    for (;;) {
        if (n == 5)
            return false;
        fields[n++] = p;
        char *comma = strchr(p, ',');
        if (!comma)
            return n == 5;
        *comma = '\0';
        p = comma + 1;
    }
}

static bool parse_row(const log_cursor *c, char *line, train_log_row *row)
{
    char *fields[5];
    if (!split_fields(line, fields))
        return fail_at(
            c, 0, "expected 5 comma-separated fields: epoch,loss,accuracy,val_loss,val_accuracy");
    double epoch, values[4];
    if (!parse_number(fields[0], false, &epoch) || epoch < 0 || epoch > INT32_MAX ||
        epoch != floor(epoch))
        return fail_at(c, 1, "the epoch must be an integer >= 0");
    for (int i = 0; i < 4; i++)
        if (!parse_number(fields[i + 1], i >= 2, &values[i]))
            return fail_at(c, i + 2, "expected a finite number");
    if (isnan(values[2]) != isnan(values[3]))
        return fail_at(c, isnan(values[2]) ? 4 : 5,
                       "val_loss and val_accuracy must both be given or both be empty");
    *row = (train_log_row){(int32_t)epoch, values[0], values[1], values[2], values[3]};
    return true;
}

/* Appends row to log, doubling its capacity as needed. */
static bool append_row(train_log *log, size_t *capacity, const train_log_row *row)
{
    if (log->count == *capacity) {
        size_t grown = *capacity ? 2 * *capacity : 256;
        train_log_row *rows = realloc(log->rows, grown * sizeof *rows);
        if (!rows)
            return false;
        log->rows = rows;
        *capacity = grown;
    }
    log->rows[log->count++] = *row;
    log->has_validation = log->has_validation || !isnan(row->val_loss);
    return true;
}

/* The header line, with an optional UTF-8 byte-order mark. */
static bool read_header(FILE *f, log_cursor *c)
{
    char line[LINE_MAX_BYTES];
    c->line = 1;
    if (!fgets(line, sizeof line, f))
        return fail_at(c, 0, "empty file; expected the header " TRAIN_LOG_HEADER);
    chomp(line, sizeof line);
    const char *text = strncmp(line, "\xEF\xBB\xBF", 3) == 0 ? line + 3 : line;
    return strcmp(text, TRAIN_LOG_HEADER) == 0 ||
           fail_at(c, 0, "expected the header " TRAIN_LOG_HEADER);
}

static bool read_rows(FILE *f, log_cursor *c, train_log *log)
{
    char line[LINE_MAX_BYTES];
    size_t capacity = 0;
    while (fgets(line, sizeof line, f)) {
        c->line++;
        if (!chomp(line, sizeof line))
            return fail_at(c, 0, "line longer than 1022 bytes, the limit of a training-log line");
        if (!*line)
            continue;
        train_log_row row;
        if (!parse_row(c, line, &row))
            return false;
        if (!append_row(log, &capacity, &row))
            return fail_at(c, 0, "out of memory");
    }
    if (ferror(f))
        return fail_at(c, 0, "read error");
    return log->count > 0 || fail_at(c, 0, "no rows after the header");
}

bool train_log_read(const char *command, const char *path, train_log *log)
{
    *log = (train_log){0};
    /* "-" is stdin, read once, like every input of the CLI. */
    bool from_stdin = strcmp(path, "-") == 0;
    FILE *f = from_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "gemmnet %s: %s: cannot open: %s\n", command, path, strerror(errno));
        return false;
    }
    /* A directory opens, then reads as nothing: say what it is. */
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fprintf(stderr,
                "gemmnet %s: %s: is a directory, expected a log from 'gemmnet train --log'\n",
                command, path);
        fclose(f);
        return false;
    }
    log_cursor c = {command, from_stdin ? "<stdin>" : path, 0};
    bool ok = read_header(f, &c) && read_rows(f, &c, log);
    if (!from_stdin)
        fclose(f);
    if (!ok)
        train_log_free(log);
    return ok;
}

void train_log_free(train_log *log)
{
    free(log->rows);
    *log = (train_log){0};
}
