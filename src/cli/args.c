/* Command-line parsing, atomic output files and failure reports. */
#include "args.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cli_usage_error(const char *command, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    fprintf(stderr, "gemmnet %s: ", command);
    vfprintf(stderr, format, args);
    fprintf(stderr, " (see 'gemmnet %s --help')\n", command);
    va_end(args);
    return EXIT_USAGE;
}

/* After the options: the operands, for the command or (operands NULL)
 * none at all. */
static int take_operands(const cli_syntax *syntax, int argc, char **argv, cli_operands *operands)
{
    if (operands)
        *operands = (cli_operands){argv + optind, argc - optind};
    else if (optind < argc)
        return cli_usage_error(syntax->command, "unexpected argument '%s'", argv[optind]);
    return -1;
}

int cli_parse_options(
    const cli_syntax *syntax, void *context, int argc, char **argv, cli_operands *operands)
{
    /* The leading ':' makes a missing value ':' rather than '?', so that
     * the two get their own messages; opterr = 0 silences getopt's. */
    char short_options[32];
    snprintf(short_options, sizeof short_options, ":h%s", syntax->short_options);
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, short_options, syntax->options, NULL)) != -1) {
        if (c == 'h') {
            fputs(syntax->help, stdout);
            return 0;
        }
        if (c == ':')
            return cli_usage_error(syntax->command, "%s needs a value", argv[optind - 1]);
        if (c == '?')
            return cli_usage_error(syntax->command, "unknown option '%s'", argv[optind - 1]);
        if (!syntax->handle(context, c, optarg))
            return EXIT_USAGE;
    }
    return take_operands(syntax, argc, argv, operands);
}

/* Skips the decimal digits at *p; how many there were. */
static size_t skip_digits(const char **p)
{
    const char *start = *p;
    while (**p >= '0' && **p <= '9')
        (*p)++;
    return (size_t)(*p - start);
}

/* [+-]digits: what an integer option takes (no blanks, no hex, so that
 * every number option reads the same way). */
static bool is_decimal_integer(const char *text)
{
    const char *p = text + (*text == '+' || *text == '-');
    return skip_digits(&p) > 0 && *p == '\0';
}

/* [+-]digits[.digits][(e|E)[+-]digits], digits on at least one side of
 * the point: the CSV number grammar (no blanks, hex, inf or nan). */
static bool is_decimal_number(const char *text)
{
    const char *p = text + (*text == '+' || *text == '-');
    size_t digits = skip_digits(&p);
    if (*p == '.') {
        p++;
        digits += skip_digits(&p);
    }
    if (digits == 0)
        return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        p += *p == '+' || *p == '-';
        if (skip_digits(&p) == 0)
            return false;
    }
    return *p == '\0';
}

bool cli_parse_long(
    const char *command, const char *option, const char *text, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (!is_decimal_integer(text) || errno || end == text || *end || v < min || v > max) {
        cli_usage_error(command, "%s expects an integer in %ld..%ld, got '%s'", option, min, max,
                        text);
        return false;
    }
    *out = v;
    return true;
}

bool cli_parse_double(
    const char *command, const char *option, const char *text, double min, double max, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (!is_decimal_number(text) || errno || end == text || *end || !isfinite(v) || v < min ||
        v > max) {
        cli_usage_error(command, "%s expects a number in [%g, %g], got '%s'", option, min, max,
                        text);
        return false;
    }
    *out = v;
    return true;
}

bool cli_parse_int_list(const char *command,
                        const char *option,
                        const char *text,
                        long min,
                        long max,
                        int32_t *out,
                        int max_count,
                        int *count)
{
    *count = 0;
    const char *p = text;
    while (*p) {
        char *end;
        errno = 0;
        long v = strtol(p, &end, 10);
        bool digits = *p >= '0' && *p <= '9';
        if (!digits || errno || end == p || (*end && *end != ',') || v < min || v > max ||
            *count == max_count)
            goto bad;
        out[(*count)++] = (int32_t)v;
        p = *end ? end + 1 : end;
        if (*end == ',' && !*p)
            goto bad;
    }
    if (*count > 0)
        return true;
bad:
    cli_usage_error(command, "%s expects up to %d comma-separated integers in %ld..%ld, got '%s'",
                    option, max_count, min, max, text);
    return false;
}

bool cli_parse_choice(const char *command,
                      const char *option,
                      const char *text,
                      const char *const *names,
                      int count,
                      int *out)
{
    char list[256] = "";
    for (int i = 0; i < count; i++) {
        if (strcmp(text, names[i]) == 0) {
            *out = i;
            return true;
        }
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", names[i]);
    }
    cli_usage_error(command, "%s expects one of %s, got '%s'", option, list, text);
    return false;
}

FILE *cli_open_output(const char *path, char *temp_path, size_t temp_size)
{
    if (!path || strcmp(path, "-") == 0)
        return stdout;
    int n = snprintf(temp_path, temp_size, "%s.tmp-XXXXXX", path);
    if (n < 0 || (size_t)n >= temp_size) {
        fprintf(stderr, "gemmnet: %s: path too long\n", path);
        return NULL;
    }
    int fd = mkstemp(temp_path);
    /* mkstemp creates 0600; give the file the mode a plain create would
     * (0666 less the umask), since it replaces the user's file. */
    mode_t mask = umask(0);
    umask(mask);
    if (fd >= 0)
        fchmod(fd, 0666 & ~mask);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        fprintf(stderr, "gemmnet: %s: cannot create a temporary file: %s\n", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(temp_path);
        }
    }
    return f;
}

int cli_commit_output(FILE *f, const char *path, const char *temp_path)
{
    if (f == stdout)
        return fflush(stdout) == 0 ? 0 : -1;
    int error = 0;
    errno = 0;
    if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0)
        error = errno ? errno : EIO;
    if (fclose(f) != 0 && !error)
        error = errno;
    if (!error && rename(temp_path, path) != 0)
        error = errno;
    if (!error)
        return 0;
    unlink(temp_path);
    fprintf(stderr, "gemmnet: %s: write failed: %s (the previous file, if any, is unchanged)\n",
            path, strerror(error));
    return -1;
}

void cli_discard_output(FILE *f, const char *temp_path)
{
    if (f == stdout)
        return;
    fclose(f);
    unlink(temp_path);
}

void cli_report_error(const char *command, int status, const gemmnet_error *err)
{
    fprintf(stderr, "gemmnet %s: %s\n", command,
            err->message[0] ? err->message : gemmnet_strerror(status));
}
