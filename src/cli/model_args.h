/* What the model commands (predict, eval, dump, import) share: loading a
 * model, the --label-col option, reading a whole input. Each reports its
 * own failure as one line on stderr. */
#ifndef GEMMNET_CLI_MODEL_ARGS_H
#define GEMMNET_CLI_MODEL_ARGS_H

#include <gemmnet.h>
#include <stddef.h>

/* Loads the model file at path, or prints "gemmnet COMMAND: why" and
 * returns NULL. */
gemmnet_model *cli_load_model(const char *command, const char *path);

/* --label-col N|NAME: an integer (-1 for the last column, else 0-based)
 * sets options->label_column; any other text is a header name. */
void cli_set_label_column(const char *text, gemmnet_csv_options *options);

/* Reads all of path ("-" is stdin) into a malloc'd, NUL-terminated
 * buffer, its size in *length; or prints why and returns NULL. */
char *cli_read_all(const char *command, const char *path, size_t *length);

/* Opens path for reading ("-" is stdin), or prints why and returns NULL. */
FILE *cli_open_input(const char *command, const char *path);

#endif
