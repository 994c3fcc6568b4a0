/* Strict parsing of command lines: one getopt_long loop for every
 * command, and values that must be whole and in range, else a one-line
 * message on stderr names the command, the option and what was expected.
 * Also the CLI's atomic output files and its report of library failures. */
#ifndef GEMMNET_CLI_ARGS_H
#define GEMMNET_CLI_ARGS_H

#include <gemmnet.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Exit statuses of the gemmnet command. */
enum { EXIT_USAGE = 2, EXIT_FAILURE_RUN = 1 };

/* Takes one option of a command: code is getopt_long's (the table's val,
 * or the short option's letter), value its argument (NULL for a flag).
 * Returns false after printing a usage error. */
typedef bool (*cli_option_fn)(void *context, int code, const char *value);

/* What a command accepts on its command line. */
typedef struct cli_syntax {
    /* The command's name in messages: "eval". */
    const char *command;
    /* What -h and --help print on stdout. */
    const char *help;
    /* getopt_long's table: {"help", no_argument, NULL, 'h'} among the
     * entries, a zero entry last. */
    const struct option *options;
    /* Short options besides -h, in getopt's notation ("o:" for -o FILE),
     * or "". */
    const char *short_options;
    /* Takes every option but -h and --help. */
    cli_option_fn handle;
} cli_syntax;

/* The arguments after the options: values[count]. */
typedef struct cli_operands {
    char **values;
    int count;
} cli_operands;

/* Parses a command's options (argv[0] is the command). -h or --help
 * prints the help and returns 0; an unknown option, a missing value or a
 * value syntax->handle rejects returns EXIT_USAGE after a message.
 * Operands go to *operands for the command to check; with operands NULL,
 * any is a usage error. Returns -1 to go on. */
int cli_parse_options(const cli_syntax *syntax,
                      void *context,
                      int argc,
                      char **argv,
                      cli_operands *operands /* OUT */);

/* An integer in [min, max]. */
bool cli_parse_long(
    const char *command, const char *option, const char *text, long min, long max, long *out);
/* A finite number in [min, max]. */
bool cli_parse_double(
    const char *command, const char *option, const char *text, double min, double max, double *out);
/* A comma list of 1..max_count integers in [min, max]. */
bool cli_parse_int_list(const char *command,
                        const char *option,
                        const char *text,
                        long min,
                        long max,
                        int32_t *out,
                        int max_count,
                        int *count);
/* One of names[count] (the index goes to *out). */
bool cli_parse_choice(const char *command,
                      const char *option,
                      const char *text,
                      const char *const *names,
                      int count,
                      int *out);
/* Parses an activation by its name (gemmnet_activation_name); false after
 * a usage error listing the names. */
bool cli_parse_activation(const char *command,
                          const char *option,
                          const char *text,
                          gemmnet_activation *out);
/* Reports a usage error for command and returns EXIT_USAGE. */
int cli_usage_error(const char *command, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
/* Opens path for writing by gemmnet_output_open's rules (atomically, to a
 * temporary that cli_commit_output renames); "-" or NULL is stdout.
 * Prints why and returns NULL on failure. Write through
 * gemmnet_output_stream. */
gemmnet_output *cli_open_output(const char *path);
/* cli_open_output that leaves the message in err instead of printing. */
int cli_output_open(const char *path, gemmnet_output **out /* OUT */, gemmnet_error *err);
/* Flushes, syncs and renames the temporary file over path (or flushes
 * stdout); on failure removes the temporary file. Returns 0 or -1 and
 * prints the reason. Frees out. */
int cli_commit_output(gemmnet_output *out);
/* Gives up a file from cli_open_output: removes the temporary file, so
 * that the previous file, if any, stays. Frees out. */
void cli_discard_output(gemmnet_output *out);

/* Prints "gemmnet COMMAND: why" for a failed library call: err's message,
 * else the status's own text. */
void cli_report_error(const char *command, int status, const gemmnet_error *err);

#endif
