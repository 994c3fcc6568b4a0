/* The CLI's rules for its standard streams, kept in one place:
 *  - "-" as an input file is stdin, for every command: inputs that must be
 *    read more than once (a CSV file is read in two passes, a model file is
 *    checked against its size) are first copied to an unnamed temporary
 *    file, and messages name it "<stdin>";
 *  - a failed write of stdout is an error: one line naming it and exit
 *    status 1, checked once for every command before it exits;
 *  - a streaming command (predict) flushes its answers before it waits for
 *    more input, so a slow producer sees each answer. */
#ifndef GEMMNET_CLI_STREAMS_H
#define GEMMNET_CLI_STREAMS_H

#include <gemmnet.h>
#include <stdbool.h>
#include <stdio.h>

/* The command being run ("train"), for messages that have no other way to
 * know it (atomic output files, stdout); "gemmnet" names none. */
void cli_set_command(const char *name);
const char *cli_command(void);

/* What messages call path: "<stdin>" for "-", else path. */
const char *cli_input_name(const char *path);

/* The path to hand to a library call that opens path itself: path, or for
 * "-" a copy of stdin in an unnamed temporary file. Returns NULL with the
 * reason in err (stdin can be read only once, or the copy failed). */
const char *cli_input_path(const char *path, gemmnet_error *err);

/* Takes stdin for one input; false when another input already took it. */
bool cli_claim_stdin(void);

/* Rewrites the temporary file's name in a library message to "<stdin>". */
void cli_fix_message(gemmnet_error *err);

/* gemmnet_dataset_read_csv for path, "-" being stdin. */
int cli_read_csv(gemmnet_dataset *data,
                 const char *path,
                 const gemmnet_csv_options *options,
                 gemmnet_error *err);

/* Reports a failed write of stdout once ("gemmnet CMD: standard output:
 * write failed: why"), with error the errno seen, or 0 to take it from
 * errno. Later reports of the same failure print nothing. */
void cli_report_stdout_failure(int error);

/* Whether stdout has failed (a write error kept by the stream). */
bool cli_stdout_failed(void);

/* Flushes and closes stdout before the process exits. Returns status, or
 * 1 (after the message) if stdout could not be written. */
int cli_finish(int status);

/* Whether in is a regular file (not a pipe, socket or terminal). */
bool cli_input_is_file(FILE *in);

/* Whether reading the next byte of in could wait: none is left in its
 * buffer and none is ready in its descriptor (a pipe or terminal with
 * nothing written yet). For pipes and terminals: see cli_input_is_file. */
bool cli_input_would_wait(FILE *in);

#endif
