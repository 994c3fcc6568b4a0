/* Command-line parsing, atomic output files and failure reports. */
#include "args.h"

#include "streams.h"
#include "suggest.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

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

/* The text of the option getopt_long just returned: argv[optind − 1], or
 * the element before it when the option's value was a separate argument. */
static const char *option_text(char **argv)
{
    return optarg && optarg == argv[optind - 1] && optind >= 2 ? argv[optind - 2]
                                                               : argv[optind - 1];
}

/* Whether text ("--name" or "--name=value") spells option exactly:
 * getopt_long also takes unambiguous prefixes, which the CLI refuses so
 * that no undocumented spelling becomes something to keep. */
static bool spelled_out(const char *text, const char *option)
{
    if (strncmp(text, "--", 2) != 0)
        return true; /* a short option */
    size_t length = strcspn(text + 2, "=");
    return strlen(option) == length && strncmp(text + 2, option, length) == 0;
}

/* "unknown option '--hid' (did you mean '--hidden'?)". */
static int unknown_option(const cli_syntax *syntax, const char *text)
{
    size_t count = 0;
    while (syntax->options[count].name)
        count++;
    const char *names[128];
    count = count < 128 ? count : 128;
    for (size_t i = 0; i < count; i++)
        names[i] = syntax->options[i].name;
    char word[80];
    size_t length = strncmp(text, "--", 2) == 0 ? strcspn(text + 2, "=") : 0;
    snprintf(word, sizeof word, "%.*s", (int)(length < 79 ? length : 79), text + 2);
    const char *guess = length ? cli_suggest(word, names, count) : NULL;
    if (guess)
        return cli_usage_error(syntax->command, "unknown option '%.*s' (did you mean '--%s'?)",
                               (int)(length + 2), text, guess);
    return cli_usage_error(syntax->command, "unknown option '%s'", text);
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
    int c, index = -1;
    while ((c = getopt_long(argc, argv, short_options, syntax->options, &index)) != -1) {
        if (c == '?' || (c != ':' && index >= 0 &&
                         !spelled_out(option_text(argv), syntax->options[index].name)))
            return unknown_option(syntax, c == '?' ? argv[optind - 1] : option_text(argv));
        index = -1;
        if (c == 'h') {
            fputs(syntax->help, stdout);
            return 0;
        }
        if (c == ':')
            return cli_usage_error(syntax->command, "%s needs a value", argv[optind - 1]);
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

bool cli_parse_activation(const char *command,
                          const char *option,
                          const char *text,
                          gemmnet_activation *out)
{
    const char *names[GEMMNET_ACTIVATION_COUNT];
    for (int f = 0; f < GEMMNET_ACTIVATION_COUNT; f++)
        names[f] = gemmnet_activation_name((gemmnet_activation)f);
    int index = 0;
    bool ok = cli_parse_choice(command, option, text, names, GEMMNET_ACTIVATION_COUNT, &index);
    *out = (gemmnet_activation)index;
    return ok;
}

/* "gemmnet CMD: what", for the output files (the library's message names
 * the file). */
static void report_output_error(const gemmnet_error *err)
{
    if (cli_command())
        fprintf(stderr, "gemmnet %s: %s\n", cli_command(), err->message);
    else
        fprintf(stderr, "gemmnet: %s\n", err->message);
}

int cli_output_open(const char *path, gemmnet_output **out, gemmnet_error *err)
{
    return gemmnet_output_open(!path || strcmp(path, "-") == 0 ? "/dev/stdout" : path, out, err);
}

gemmnet_output *cli_open_output(const char *path)
{
    gemmnet_output *out = NULL;
    gemmnet_error err = {0};
    if (cli_output_open(path, &out, &err) != GEMMNET_OK)
        report_output_error(&err);
    return out;
}

int cli_commit_output(gemmnet_output *out)
{
    /* Standard output follows the one rule for it (streams.c). */
    bool to_stdout = out && gemmnet_output_stream(out) == stdout;
    gemmnet_error err = {0};
    errno = 0;
    if (gemmnet_output_commit(out, &err) == GEMMNET_OK)
        return 0;
    if (to_stdout)
        cli_report_stdout_failure(errno);
    else
        report_output_error(&err);
    return -1;
}

void cli_discard_output(gemmnet_output *out)
{
    gemmnet_output_discard(out);
}

void cli_report_error(const char *command, int status, const gemmnet_error *err)
{
    if (status == GEMMNET_E_IO && cli_stdout_failed() && !err->message[0]) {
        cli_report_stdout_failure(0);
        return;
    }
    fprintf(stderr, "gemmnet %s: %s\n", command,
            err->message[0] ? err->message : gemmnet_strerror(status));
}
