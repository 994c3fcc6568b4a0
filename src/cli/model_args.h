/* What the model commands (predict, eval, dump, import) share: loading a
 * model, the --model, --data and --label-col options, reading a whole
 * input. Each reports its own failure as one line on stderr. */
#ifndef GEMMNET_CLI_MODEL_ARGS_H
#define GEMMNET_CLI_MODEL_ARGS_H

#include <gemmnet.h>
#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

/* A model and the CSV rows to run it on: predict's and eval's input. */
typedef struct model_input_args {
    /* --model FILE. */
    const char *model_path;
    /* --data FILE ("-" is stdin where the command reads a stream). */
    const char *data_path;
    /* --label-col, over label_field = 0 (the last column). */
    gemmnet_csv_options csv;
} model_input_args;

/* getopt codes of --model, --data and --label-col. */
enum {
    OPT_INPUT_MODEL = 'm',
    OPT_INPUT_DATA = 'd',
    OPT_INPUT_LABEL_COL = 'c',
    OPT_INPUT_HEADER = 'h' + 512
};

/* Their getopt_long entries, for commands to copy into their tables. */
// clang-format off
#define MODEL_INPUT_OPTIONS                                         \
    {"model", required_argument, NULL, OPT_INPUT_MODEL},            \
    {"data", required_argument, NULL, OPT_INPUT_DATA},              \
    {"label-col", required_argument, NULL, OPT_INPUT_LABEL_COL},    \
    {"header", required_argument, NULL, OPT_INPUT_HEADER}
// clang-format on

/* Takes option code if it is --model, --data, --label-col or --header:
 * false after a usage error, or when it is another. */
bool model_input_option(const char *command, int code, const char *value, model_input_args *a);

/* --header auto|yes|no; false after a usage error. */
bool cli_parse_header(const char *command, const char *text, gemmnet_csv_header *header);

/* The model's classes and class names as CSV options: text labels map to
 * its names, and without names only integer labels are accepted. The
 * caller frees *names (see cli_model_class_names). */
int cli_model_labels(const gemmnet_model *model, gemmnet_csv_options *csv, const char ***names);

/* −1 when both --model and --data were given, else EXIT_USAGE after
 * "--model FILE and --data DATA_FORM are required". */
int model_input_check(const char *command, const model_input_args *a, const char *data_form);

/* The model's class names, in a malloc'd array of its K classes (the
 * caller frees the array, not the names), or NULL when it has none.
 * Returns GEMMNET_OK or GEMMNET_E_NOMEM. */
int cli_model_class_names(const gemmnet_model *model, const char ***names /* OUT */);

/* Loads the model file at path, or prints "gemmnet COMMAND: why" and
 * returns NULL. */
gemmnet_model *cli_load_model(const char *command, const char *path);

/* --label-col N|NAME: an integer (-1 for the last column, else 0-based)
 * sets options->label_field (N + 1, or 0 for −1); any other text is a header name. */
void cli_set_label_column(const char *text, gemmnet_csv_options *options);

/* The most cli_read_all reads: a JSON model of some 16 million parameters
 * (dump writes about 16 bytes each). */
#define CLI_READ_ALL_MAX ((size_t)256 << 20)

/* Reads all of path ("-" is stdin) into a malloc'd, NUL-terminated
 * buffer, its size in *length; or prints why and returns NULL. Reading
 * stops early at a first non-blank byte other than '{' (the parser then
 * names it), and fails past CLI_READ_ALL_MAX bytes. */
char *cli_read_all(const char *command, const char *path, size_t *length);

/* Opens path for reading ("-" is stdin), or prints why and returns NULL. */
FILE *cli_open_input(const char *command, const char *path);

#endif
