/* Strict parsing of command-line values: the whole text must be a value
 * in range, else a one-line message on stderr names the command, the
 * option and what was expected. */
#ifndef GEMMNET_CLI_ARGS_H
#define GEMMNET_CLI_ARGS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Exit statuses of the gemmnet command. */
enum { EXIT_USAGE = 2, EXIT_FAILURE_RUN = 1 };

/* An integer in [min, max]. */
bool cli_parse_long(const char *command, const char *option, const char *text, long min, long max,
                    long *out);
/* A finite number in [min, max]. */
bool cli_parse_double(const char *command, const char *option, const char *text, double min,
                      double max, double *out);
/* A comma list of 1..max_count integers in [min, max]. */
bool cli_parse_int_list(const char *command, const char *option, const char *text, long min,
                        long max, int32_t *out, int max_count, int *count);
/* One of names[count] (the index goes to *out). */
bool cli_parse_choice(const char *command, const char *option, const char *text,
                      const char *const *names, int count, int *out);
/* Reports a usage error for command and returns EXIT_USAGE. */
int cli_usage_error(const char *command, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
/* Opens path for writing through a temporary file in the same directory;
 * cli_commit_output makes it appear atomically. "-" or NULL is stdout. */
FILE *cli_open_output(const char *path, char *temp_path, size_t temp_size);
/* Flushes, syncs and renames the temporary file over path (or flushes
 * stdout); on failure removes the temporary file. Returns 0 or -1 and
 * prints the reason. */
int cli_commit_output(FILE *f, const char *path, const char *temp_path);

#endif
