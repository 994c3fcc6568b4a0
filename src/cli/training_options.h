/* Options of `gemmnet train` and `gemmnet baseline`, and loading their data. */
#ifndef GEMMNET_CLI_TRAIN_ARGS_H
#define GEMMNET_CLI_TRAIN_ARGS_H

#include <gemmnet.h>
#include <getopt.h>
#include <stdbool.h>

/* Where the data comes from: a CSV file or generated moons. */
typedef struct data_args {
    const char *path;
    long moons;
    double noise;
    /* --label-col as given: an index (-1 = last) or a header name. */
    const char *label_column;
    long classes;
    long seed;
    /* Whether --seed was given (resuming takes the checkpoint's). */
    bool seed_given;
    /* --header auto|yes|no: whether the CSV's first line is a header. */
    gemmnet_csv_header header;
    /* Read only part `part` of `parts` of the CSV rows (parts ≤ 1: all). */
    uint32_t part;
    uint32_t parts;
} data_args;

/* Everything `gemmnet train` was asked to do. */
typedef struct train_args {
    data_args data;
    int32_t hidden[GEMMNET_MAX_LAYERS];
    int hidden_count;
    gemmnet_activation activation[GEMMNET_MAX_LAYERS];
    int activation_count;
    gemmnet_init init;
    /* Training settings (progress callback and validation set unset). */
    gemmnet_train_options options;
    /* Held-out fraction for --val, 0 for none. */
    double validation_fraction;
    long threads;
    /* --standardize: train on (x − mean)/scale, stored in the model. */
    bool standardize;
    /* --save FILE: the model with its training state (a checkpoint). */
    const char *save_path;
    /* --checkpoint-every E: also save every E epochs. */
    long checkpoint_every;
    /* --resume FILE: continue a checkpointed run. */
    const char *resume_path;
    /* --log FILE, --log-every N: per-epoch loss and accuracy as CSV. */
    const char *log_path;
    long log_every;
    /* The first option given that sets what --resume takes from the
     * checkpoint (for the usage error), or NULL. */
    const char *setting_given;
    /* Whether --l2, --weight-decay, --hidden (or --activation) and --init
     * were given: AdamW's --l2 default, and what --init-from checks. */
    bool l2_given;
    bool weight_decay_given;
    bool hidden_given;
    bool init_given;
    /* --init-from MODEL: a warm start from MODEL's weights, or NULL. */
    const char *init_from;
    /* --class-weight as given ("balanced" or a list), or NULL, and the
     * weights made from it (class_weights.c; freed by the command). */
    const char *class_weight;
    float *class_weight_values;
} train_args;

/* Parses `gemmnet train` options; -1 to go on, else the exit status. */
int parse_train_args(int argc, char **argv, train_args *a);
/* Parses one data option (--data, --moons, --noise, --label-col,
 * --classes, --seed, --header) with getopt code c; false after a usage
 * error. */
bool parse_data_option(const char *command, int c, const char *value, data_args *a);
/* Loads or generates the data set. */
int load_data(const data_args *a, gemmnet_dataset *data, gemmnet_error *err);

/* getopt codes of the data options, shared by train, baseline, sweep and
 * the plot commands. */
enum {
    OPT_DATA = 'd',
    OPT_LABEL_COL = 'c',
    OPT_CLASSES = 'k',
    OPT_MOONS = 'm',
    OPT_NOISE = 'z',
    OPT_SEED = 's',
    OPT_HEADER = 'h' + 512
};

/* Their getopt_long entries, for commands to copy into their tables. */
// clang-format off
#define DATA_OPTIONS                                          \
    {"data", required_argument, NULL, OPT_DATA},              \
    {"label-col", required_argument, NULL, OPT_LABEL_COL},    \
    {"classes", required_argument, NULL, OPT_CLASSES},        \
    {"moons", required_argument, NULL, OPT_MOONS},            \
    {"noise", required_argument, NULL, OPT_NOISE},            \
    {"seed", required_argument, NULL, OPT_SEED},              \
    {"header", required_argument, NULL, OPT_HEADER}
// clang-format on

#endif
