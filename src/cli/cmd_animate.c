/* gemmnet animate: its options, its data, and the view it draws. */
#include "animate/animate.h"

#include "args.h"
#include "commands.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

static const char animate_help[] =
    "usage: gemmnet animate (--data FILE | --moons N [--noise 0.2]) -o FILE.gif\n"
    "                       [--view boundary|hidden|sweep] [--hidden LIST]\n"
    "                       [--hidden-sizes LIST] [--activation NAME] [--epochs E]\n"
    "                       [--lr R] [--l2 L] [--reduction sum|mean] [--optimizer NAME]\n"
    "                       [--batch B] [--frames 60 | --every K] [--fps 10] [--hold 2]\n"
    "                       [--loop 0] [--size WxH] [--title TEXT] [--seed 0]\n\n"
    "Trains a network (the tutorial's initialisation, seed --seed, and settings unless\n"
    "changed below) and writes an animated GIF of the training as it happens: the\n"
    "progress callback draws a frame after each chosen epoch, so there is no second\n"
    "run. The caption gives the epoch, the training loss and accuracy. The palette\n"
    "holds the class colours exactly; the same command writes the same bytes; the file\n"
    "is written atomically.\n\n"
    "views:\n"
    "  boundary   the decision regions and the data (2 features; any classes, depth)\n"
    "  hidden     the data at its activations in the last hidden layer, which needs 2\n"
    "             or 3 units (XOR: 'gemmnet xor'), with the output layer's separating\n"
    "             line or plane; 3 units turn once around over the animation\n"
    "  sweep      one boundary panel per size of --hidden-sizes, all trained side by\n"
    "             side (one hidden layer each, of --activation), with each one's\n"
    "             accuracy\n\n"
    "  --data FILE, --moons N, --noise S, --label-col N, --classes K   the data\n"
    "  --hidden LIST       hidden widths for boundary and hidden (default 3)\n"
    "  --hidden-sizes LIST for --view sweep (default 1,2,3,4,5,20,50)\n"
    "  --activation NAME   tanh, relu, leaky_relu or sigmoid (default tanh)\n"
    "  --epochs E          passes over the data (default 20000)\n"
    "  --lr, --l2, --reduction, --optimizer, --batch   as for 'gemmnet train'\n"
    "                      (defaults 0.01, 0.01, sum, gd, full batch)\n"
    "  --seed S            seed of the data and the initialisation (default 0)\n"
    "  -o FILE             the animation: a .gif file\n"
    "  --frames N          frames, at epochs spaced logarithmically from 1 to E, as most\n"
    "                      of the change is early (2..1000, default 60)\n"
    "  --every K           instead: a frame every K epochs (at most 1000 frames)\n"
    "  --fps F             frames per second (1..50, default 10)\n"
    "  --hold S            seconds the last frame stays longer (0..60, default 2)\n"
    "  --loop N            0 plays forever, N > 0 plays N + 1 times, -1 once (default 0)\n"
    "  --size WxH          pixels, each 200..2000 (default 480x400 boundary, 480x440\n"
    "                      hidden, 880x480 sweep)\n"
    "  --title TEXT        the title (hidden: the text before \": P % separated ...\")\n";

enum {
    OPT_VIEW = 'V',
    OPT_HIDDEN_LIST = 'H',
    OPT_SIZES = 'Z',
    OPT_ACTIVATION = 'a',
    OPT_EPOCHS_N = 'e',
    OPT_LR = 'r',
    OPT_L2 = 'l',
    OPT_REDUCTION = 'R',
    OPT_OPTIMIZER = 'O',
    OPT_BATCH = 'B',
    OPT_FRAMES = 'F',
    OPT_EVERY = 'K',
    OPT_FPS = 'f',
    OPT_HOLD = 'W',
    OPT_LOOP = 'L',
    OPT_GIF = 'o',
    OPT_GIF_SIZE = 'S',
    OPT_GIF_TITLE = 'T',
};

static const struct option animate_options[] = {
    DATA_OPTIONS,
    {"view", required_argument, NULL, OPT_VIEW},
    {"hidden", required_argument, NULL, OPT_HIDDEN_LIST},
    {"hidden-sizes", required_argument, NULL, OPT_SIZES},
    {"activation", required_argument, NULL, OPT_ACTIVATION},
    {"epochs", required_argument, NULL, OPT_EPOCHS_N},
    {"lr", required_argument, NULL, OPT_LR},
    {"l2", required_argument, NULL, OPT_L2},
    {"reduction", required_argument, NULL, OPT_REDUCTION},
    {"optimizer", required_argument, NULL, OPT_OPTIMIZER},
    {"batch", required_argument, NULL, OPT_BATCH},
    {"frames", required_argument, NULL, OPT_FRAMES},
    {"every", required_argument, NULL, OPT_EVERY},
    {"fps", required_argument, NULL, OPT_FPS},
    {"hold", required_argument, NULL, OPT_HOLD},
    {"loop", required_argument, NULL, OPT_LOOP},
    {"size", required_argument, NULL, OPT_GIF_SIZE},
    {"title", required_argument, NULL, OPT_GIF_TITLE},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const char *const view_names[] = {"boundary", "hidden", "sweep"};
static const char *const reduction_names[] = {"sum", "mean"};
static const char *const optimizer_names[] = {"gd", "momentum", "nesterov", "adam"};

static bool parse_float(const char *option, const char *v, double min, double max, float *out)
{
    double d;
    if (!cli_parse_double("animate", option, v, min, max, &d))
        return false;
    *out = (float)d;
    return true;
}

/* --size WxH, each side in 200..2000. */
static bool parse_size(const char *v, anim_args *a)
{
    int width, height, used = 0;
    if (sscanf(v, "%dx%d%n", &width, &height, &used) == 2 && !v[used] && width >= 200 &&
        width <= 2000 && height >= 200 && height <= 2000) {
        a->width = width;
        a->height = height;
        return true;
    }
    return cli_usage_error("animate", "--size expects WIDTHxHEIGHT, each in 200..2000, got '%s'",
                           v) == 0;
}

/* The training options, with getopt code c. */
static bool parse_training(int c, const char *v, anim_args *a)
{
    gemmnet_train_options *o = &a->options;
    long n = 0;
    int choice = 0;
    bool ok;
    switch (c) {
    case OPT_EPOCHS_N:
        ok = cli_parse_long("animate", "--epochs", v, 1, INT32_MAX, &n);
        o->epochs = (int32_t)n;
        return ok;
    case OPT_LR: return parse_float("--lr", v, 1e-30, 1e30, &o->learning_rate);
    case OPT_L2: return parse_float("--l2", v, 0.0, 1e30, &o->l2);
    case OPT_REDUCTION:
        ok = cli_parse_choice("animate", "--reduction", v, reduction_names, 2, &choice);
        o->reduction = (gemmnet_reduction)choice;
        return ok;
    case OPT_OPTIMIZER:
        ok = cli_parse_choice("animate", "--optimizer", v, optimizer_names, 4, &choice);
        o->optimizer = (gemmnet_optimizer)choice;
        return ok;
    case OPT_BATCH:
        ok = cli_parse_long("animate", "--batch", v, 0, INT32_MAX, &n);
        o->batch_size = (size_t)n;
        return ok;
    default: return parse_data_option("animate", c, v, &a->data);
    }
}

/* One option with getopt code c: false after a usage error. */
static bool animate_option(void *context, int c, const char *v)
{
    anim_args *a = context;
    int choice = 0;
    bool ok;
    switch (c) {
    case OPT_VIEW:
        ok = cli_parse_choice("animate", "--view", v, view_names, 3, &choice);
        a->view = (anim_view)choice;
        return ok;
    case OPT_HIDDEN_LIST:
        a->hidden_given = true;
        return cli_parse_int_list("animate", "--hidden", v, 1, 1 << 16, a->hidden,
                                  GEMMNET_MAX_LAYERS - 1, &a->hidden_count);
    case OPT_SIZES:
        a->sizes_given = true;
        return cli_parse_int_list("animate", "--hidden-sizes", v, 1, 1 << 16, a->sizes,
                                  ANIM_MAX_SIZES, &a->size_count);
    case OPT_ACTIVATION: return cli_parse_activation("animate", "--activation", v, &a->activation);
    case OPT_FRAMES:
        return cli_parse_long("animate", "--frames", v, 2, ANIM_MAX_FRAMES, &a->frames);
    case OPT_EVERY: return cli_parse_long("animate", "--every", v, 1, INT32_MAX, &a->every);
    case OPT_FPS: return cli_parse_double("animate", "--fps", v, 1.0, 50.0, &a->fps);
    case OPT_HOLD: return cli_parse_double("animate", "--hold", v, 0.0, 60.0, &a->hold);
    case OPT_LOOP: return cli_parse_long("animate", "--loop", v, -1, 65535, &a->loop);
    case OPT_GIF: a->output = v; return true;
    case OPT_GIF_SIZE: return parse_size(v, a);
    case OPT_GIF_TITLE: a->title = v; return true;
    default: return parse_training(c, v, a);
    }
}

static void animate_defaults(anim_args *a)
{
    static const int32_t tutorial_sizes[] = {1, 2, 3, 4, 5, 20, 50};
    *a = (anim_args){.data = {.noise = 0.2},
                     .hidden = {3},
                     .hidden_count = 1,
                     .frames = 60,
                     .fps = 10.0,
                     .hold = 2.0};
    a->size_count = (int)(sizeof tutorial_sizes / sizeof tutorial_sizes[0]);
    memcpy(a->sizes, tutorial_sizes, sizeof tutorial_sizes);
    gemmnet_train_options_init(&a->options);
}

/* The view's default size where --size was not given. */
static void default_size(anim_args *a)
{
    static const int sizes[3][2] = {{480, 400}, {440, 400}, {880, 480}};
    if (!a->width) {
        a->width = sizes[a->view][0];
        a->height = sizes[a->view][1];
    }
}

/* Cross-option rules: -1 when fine, else EXIT_USAGE (printed). */
static int check_animate(anim_args *a)
{
    size_t length = a->output ? strlen(a->output) : 0;
    if (!a->data.path == !a->data.moons)
        return cli_usage_error("animate", "give exactly one of --data FILE and --moons N");
    if (!a->output)
        return cli_usage_error("animate", "-o FILE.gif is required");
    if (length < 5 || strcmp(a->output + length - 4, ".gif") != 0)
        return cli_usage_error("animate", "-o expects a name ending in .gif, got '%s'", a->output);
    if (a->view == ANIM_SWEEP && a->hidden_given)
        return cli_usage_error("animate", "--view sweep takes --hidden-sizes, not --hidden");
    if (a->view != ANIM_SWEEP && a->sizes_given)
        return cli_usage_error("animate", "--hidden-sizes goes with --view sweep");
    int32_t last = a->hidden[a->hidden_count - 1];
    if (a->view == ANIM_HIDDEN && last != 2 && last != 3)
        return cli_usage_error("animate",
                               "--view hidden draws the last hidden layer, which needs 2 or 3 "
                               "units; --hidden gives it %d",
                               (int)last);
    long epochs = a->options.epochs;
    if (a->every && epochs / a->every + (epochs % a->every != 0) > ANIM_MAX_FRAMES)
        return cli_usage_error("animate", "--every %ld over %d epochs makes more than %d frames",
                               a->every, (int)a->options.epochs, ANIM_MAX_FRAMES);
    default_size(a);
    return -1;
}

int anim_parse(int argc, char **argv, anim_args *a)
{
    static const cli_syntax syntax = {"animate", animate_help, animate_options,
                                      "o:", animate_option};
    animate_defaults(a);
    int status = cli_parse_options(&syntax, a, argc, argv, NULL);
    return status >= 0 ? status : check_animate(a);
}

/* Boundaries need 2 features; say so before any training. */
static bool check_data(const anim_args *a, const gemmnet_dataset *data)
{
    if (a->view == ANIM_HIDDEN || data->features == 2)
        return true;
    fprintf(stderr, "gemmnet animate: decision regions need 2 features; the data has %zu\n",
            data->features);
    return false;
}

int cmd_animate(int argc, char **argv)
{
    anim_args a;
    int exit_status = anim_parse(argc, argv, &a);
    if (exit_status >= 0)
        return exit_status;
    gemmnet_error err = {0};
    gemmnet_dataset data = {0};
    int status = load_data(&a.data, &data, &err);
    exit_status = EXIT_FAILURE_RUN;
    if (status != GEMMNET_OK)
        cli_report_error("animate", status, &err);
    else if (check_data(&a, &data))
        exit_status = a.view == ANIM_BOUNDARY ? anim_boundary(&a, &data)
                      : a.view == ANIM_HIDDEN ? anim_hidden(&a, &data)
                                              : anim_sweep(&a, &data);
    gemmnet_dataset_free(&data);
    return exit_status;
}
