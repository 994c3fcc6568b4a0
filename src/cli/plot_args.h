/* Options the plot commands share. Where plot and plot-hidden get their
 * model and data: a model file (--model) or, as a fallback, a network
 * trained in-process with the tutorial's settings (--hidden); a CSV file
 * (--data) or generated moons (--moons). And the picture: -o, --size,
 * --title. */
#ifndef GEMMNET_CLI_PLOT_ARGS_H
#define GEMMNET_CLI_PLOT_ARGS_H

#include "training_options.h"

#include <gemmnet.h>
#include <getopt.h>

/* getopt codes of the model options (the data options use training_options.h's). */
enum { OPT_MODEL = 'M', OPT_HIDDEN = 'H', OPT_EPOCHS = 'e' };

/* The getopt_long entries of the model and data options, in this order,
 * for commands to copy into their own tables. */
// clang-format off
#define PLOT_SOURCE_OPTIONS                               \
    {"model", required_argument, NULL, OPT_MODEL},        \
    {"hidden", required_argument, NULL, OPT_HIDDEN},      \
    {"epochs", required_argument, NULL, OPT_EPOCHS},      \
    DATA_OPTIONS
// clang-format on

/* Help text lines of those options. */
#define PLOT_SOURCE_HELP \
    "  --model FILE      a model saved by 'gemmnet train --save' (or 'gemmnet import')\n" \
    "  --hidden LIST     instead of --model: train hidden widths LIST (e.g. 3) here,\n" \
    "                    with the tutorial's settings and init seed --seed\n" \
    "  --epochs E        with --hidden: passes over the data (default 20000)\n" \
    "  --data FILE|-     CSV of the points (label in the last column unless --label-col)\n" \
    "  --moons N         instead of --data: make_moons(N) with --noise (0.2) and --seed (0)\n" \
    "  --label-col N|NAME  label column of --data: 0-based index, -1 for the last, or a\n" \
    "                    header name (default: the last)\n" \
    "  --classes K       number of classes of --data (default: the model's, or 1 + the\n" \
    "                    largest label)\n"

/* What the model and data options asked for. */
typedef struct plot_source {
    /* --model FILE, or NULL. */
    const char *model_path;
    /* --hidden widths; hidden_count is −1 when --hidden was not given. */
    int32_t hidden[GEMMNET_MAX_LAYERS];
    int hidden_count;
    /* --epochs, or −1 for the tutorial's. */
    long epochs;
    /* --data, --moons, --noise, --seed, --label-col, --classes. */
    data_args data;
} plot_source;

/* Sets the defaults. */
void plot_source_init(plot_source *s /* OUT */);
/* Takes option c if it is a model or data option: 1 when taken, 0 when c
 * is not one of them, −1 after a usage error (printed). */
int plot_source_option(const char *command, int c, const char *value, plot_source *s);
/* Cross-option rules after parsing: −1 when fine, else EXIT_USAGE
 * (printed). */
int plot_source_check(const char *command, const plot_source *s);
/* Loads or trains the model and loads or generates the data. On failure
 * prints "gemmnet COMMAND: why", frees what it made and returns false. */
bool plot_source_load(const char *command,
                      const plot_source *s,
                      gemmnet_model **model /* OUT */,
                      gemmnet_dataset *data /* OUT */);

/* getopt codes of the picture options. */
enum { OPT_OUTPUT = 'o', OPT_SIZE = 'S', OPT_TITLE = 'T' };

/* The picture asked for. */
typedef struct plot_picture {
    /* -o FILE: .png, .svg or .pdf. */
    const char *output;
    /* --size WxH in pixels. */
    int width;
    int height;
    /* --title TEXT, or NULL for the command's own. */
    const char *title;
} plot_picture;

/* Takes -o, --size or --title (the size in 200..4000 per side): 1 when
 * taken, 0 when c is not one of them, −1 after a usage error. */
int plot_picture_option(const char *command, int c, const char *value, plot_picture *p);
/* −1 when -o names a .png, .svg or .pdf file, else EXIT_USAGE (printed). */
int plot_picture_check(const char *command, const plot_picture *p);

/* What plot and plot-hidden draw from, and the picture they draw. */
typedef struct plot_request {
    plot_source source;
    plot_picture picture;
} plot_request;

/* Sets the defaults: the picture's size is width × height. */
void plot_request_init(plot_request *r /* OUT */, int width, int height);
/* Takes a source or picture option: false after a usage error (printed),
 * or when code is neither. */
bool plot_request_option(const char *command, int code, const char *value, plot_request *r);
/* Cross-option rules of the source, then of the picture: −1 when fine,
 * else EXIT_USAGE (printed). */
int plot_request_check(const char *command, const plot_request *r);

/* Draws a picture of a loaded model and data set: the exit status. */
typedef int (*plot_draw_fn)(const void *context, gemmnet_model *model, const gemmnet_dataset *data);
/* Loads (or trains) the source's model and data, draws with them and frees
 * them: draw's exit status, or 1 when loading failed. */
int plot_source_draw(const char *command,
                     const plot_source *s,
                     plot_draw_fn draw,
                     const void *context);

/* "hidden layer size 3", "hidden layers 8, 4" or "no hidden layer". */
void plot_describe_hidden(const gemmnet_model *model, char *out, size_t size);

#endif
