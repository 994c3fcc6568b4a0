/* Parsing `gemmnet train` options into library settings. */
#include "training_options.h"

#include "args.h"
#include "model_args.h"
#include "streams.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const optimizer_names[] = {"gd", "momentum", "nesterov", "adam", "adamw"};

/* getopt codes of the options beyond one character. */
enum {
    OPT_WEIGHT_DECAY = 'W' + 256,
    OPT_CLIP_NORM = 'N' + 256,
    OPT_INIT_FROM = 'I' + 256,
    OPT_CLASS_WEIGHT = 'K' + 256,
    OPT_DROPOUT = 'D' + 256
};
static const char *const init_names[] = {"tutorial", "xavier", "he", "orthogonal"};
static const char *const reduction_names[] = {"sum", "mean"};

static const struct option train_options[] = {
    DATA_OPTIONS,
    {"hidden", required_argument, NULL, 'H'},
    {"activation", required_argument, NULL, 'a'},
    {"init", required_argument, NULL, 'i'},
    {"epochs", required_argument, NULL, 'e'},
    {"lr", required_argument, NULL, 'r'},
    {"l2", required_argument, NULL, 'l'},
    {"reduction", required_argument, NULL, 'R'},
    {"batch", required_argument, NULL, 'B'},
    {"schedule", required_argument, NULL, 'S'},
    {"optimizer", required_argument, NULL, 'O'},
    {"momentum", required_argument, NULL, 'M'},
    {"beta1", required_argument, NULL, '1'},
    {"beta2", required_argument, NULL, '2'},
    {"eps", required_argument, NULL, 'E'},
    {"val", required_argument, NULL, 'v'},
    {"patience", required_argument, NULL, 'P'},
    {"print-every", required_argument, NULL, 'p'},
    {"threads", required_argument, NULL, 't'},
    {"block-rows", required_argument, NULL, 'b'},
    {"standardize", no_argument, NULL, 'z' + 256},
    {"save", required_argument, NULL, 'o'},
    {"checkpoint-every", required_argument, NULL, 'C'},
    {"resume", required_argument, NULL, 'u'},
    {"log", required_argument, NULL, 'g'},
    {"log-every", required_argument, NULL, 'G'},
    {"weight-decay", required_argument, NULL, OPT_WEIGHT_DECAY},
    {"clip-norm", required_argument, NULL, OPT_CLIP_NORM},
    {"init-from", required_argument, NULL, OPT_INIT_FROM},
    {"class-weight", required_argument, NULL, OPT_CLASS_WEIGHT},
    {"dropout", required_argument, NULL, OPT_DROPOUT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const char train_help[] =
    "usage: gemmnet train (--data FILE.csv | --moons N [--noise 0.2]) [OPTIONS]\n\n"
    "Trains a feed-forward network with a softmax output. The defaults are the\n"
    "tutorial's: 'gemmnet train --moons 200' reproduces its run and printed losses.\n\n"
    "data:\n"
    "  --data FILE         CSV of numbers, optional header, integer label column\n"
    "  --label-col N|NAME  label column: 0-based index, -1 = last, or a header name\n"
    "                      (default: the last); text labels become class names\n"
    "  --header auto|yes|no  whether the first line is a header (default auto:\n"
    "                      see docs/data.md)\n"
    "  --classes K         number of classes (default: 1 + the largest label)\n"
    "  --moons N           generate make_moons(N) instead of reading a file\n"
    "  --noise S           moons noise (default 0.2)\n"
    "  --val F             hold out a seeded fraction F of the rows for validation\n"
    "  --standardize       train on (x - mean) / std of the training rows, kept in the model\n"
    "network:\n"
    "  --hidden LIST       hidden widths, e.g. 3 or 16,8 (default 3; 0 = softmax regression)\n"
    "  --activation LIST   tanh, relu, leaky_relu or sigmoid: one for all layers or one\n"
    "                      per hidden layer, e.g. relu,tanh (default tanh)\n"
    "  --init NAME         tutorial (randn/sqrt(in)), xavier, he, orthogonal (default tutorial)\n"
    "  --init-from MODEL   start from MODEL's weights and standardisation (a warm start, fresh\n"
    "                      optimizer state); its shape must match the data and --hidden,\n"
    "                      --activation if given (they default to MODEL's)\n"
    "  --seed S            seed of the data, the weights, the shuffles and the split (default 0)\n"
    "training:\n"
    "  --epochs E          passes over the data (default 20000)\n"
    "  --lr R              initial learning rate (default 0.01)\n"
    "  --l2 L              L2 strength on weights, added to the gradient (default 0.01;\n"
    "                      0 with --optimizer adamw)\n"
    "  --reduction M       sum (gradients summed, the tutorial's) or mean (default sum)\n"
    "  --batch B           minibatch size, reshuffled every epoch; 0 = full batch (default 0)\n"
    "  --schedule S        constant | step:EVERY:FACTOR | exp:K | inv:K (default constant)\n"
    "  --optimizer NAME    gd, momentum, nesterov, adam or adamw (default gd)\n"
    "  --momentum MU       for momentum and nesterov (default 0.9)\n"
    "  --beta1 B1 --beta2 B2 --eps E   for adam and adamw (defaults 0.9, 0.999, 1e-8)\n"
    "  --weight-decay WD   for adamw: W -= lr*WD*W each update, decoupled from the\n"
    "                      gradient; biases are not decayed (default 0.01)\n"
    "  --clip-norm C       scale the gradient down to L2 norm C when it is larger\n"
    "                      (default 0 = off)\n"
    "  --dropout P         inverted dropout: zero each hidden unit with probability P\n"
    "                      during training, 0 <= P < 1 (default 0 = off)\n"
    "  --patience P        with --val: stop after P epochs without a better validation\n"
    "                      loss and keep the best weights (default 0 = off)\n"
    "  --class-weight balanced|W0,W1,...   weight each row's loss by its class's\n"
    "                      weight: balanced = N/(K*count_k) (sklearn's), or one weight\n"
    "                      per class (K of them); also weights the validation loss.\n"
    "                      Give it again with --resume (default: all 1)\n"
    "saving and resuming:\n"
    "  --save FILE         save the model with its training state (atomically)\n"
    "  --checkpoint-every E   also save it every E epochs (needs --save)\n"
    "  --resume FILE       continue the run saved in FILE up to --epochs in all, with its\n"
    "                      settings: bit-identical to an uninterrupted run (same data)\n"
    "  --log FILE          write epoch,loss,accuracy,val_loss,val_accuracy as CSV\n"
    "  --log-every N       log every N epochs (default 1)\n"
    "output and speed:\n"
    "  --print-every P     print the loss every P epochs, 0 = never (default 1000)\n"
    "  --threads N         BLAS threads, and row-block workers when the data are large\n"
    "                      enough (default: the backend's thread count); with a\n"
    "                      single-threaded BLAS (atlas, netlib), N row-block workers\n"
    "  --block-rows R      rows per cache block (default: chosen from the widths)\n";

bool parse_data_option(const char *command, int c, const char *v, data_args *a)
{
    switch (c) {
    case OPT_DATA: a->path = v; return true;
    case OPT_LABEL_COL: a->label_column = v; return true;
    case OPT_HEADER: return cli_parse_header(command, v, &a->header);
    case OPT_CLASSES: return cli_parse_long(command, "--classes", v, 2, INT32_MAX, &a->classes);
    case OPT_MOONS: return cli_parse_long(command, "--moons", v, 2, INT32_MAX, &a->moons);
    case OPT_NOISE: return cli_parse_double(command, "--noise", v, 0.0, 1e6, &a->noise);
    case OPT_SEED:
        a->seed_given = true;
        return cli_parse_long(command, "--seed", v, 0, UINT32_MAX, &a->seed);
    default: return false;
    }
}

/* --schedule constant | step:EVERY:FACTOR | exp:K | inv:K */
static bool parse_schedule(const char *v, gemmnet_schedule *s)
{
    char kind[16];
    double a = 0.0, b = 0.0;
    char extra;
    int fields = sscanf(v, "%15[a-z]:%lf:%lf%c", kind, &a, &b, &extra);
    if (strcmp(v, "constant") == 0) {
        s->kind = GEMMNET_SCHEDULE_CONSTANT;
        return true;
    }
    if (fields == 3 && strcmp(kind, "step") == 0 && a >= 1 && a <= INT32_MAX && a == (int32_t)a &&
        b > 0 && b < 1e30) {
        *s = (gemmnet_schedule){
            .kind = GEMMNET_SCHEDULE_STEP, .every = (int32_t)a, .factor = (float)b};
        return true;
    }
    if (fields == 2 && (strcmp(kind, "exp") == 0 || strcmp(kind, "inv") == 0) && a >= 0 &&
        a < 1e30) {
        s->kind = kind[0] == 'e' ? GEMMNET_SCHEDULE_EXP : GEMMNET_SCHEDULE_INV;
        s->k = (float)a;
        return true;
    }
    cli_usage_error("train",
                    "--schedule expects constant, step:EVERY:FACTOR, exp:K or inv:K, got '%s'", v);
    return false;
}

/* --activation NAME[,NAME...] */
static bool parse_activations(const char *v, train_args *a)
{
    char copy[1024];
    if (snprintf(copy, sizeof copy, "%s", v) >= (int)sizeof copy)
        return cli_usage_error("train", "--activation list too long") == 0;
    a->activation_count = 0;
    /* Every name between commas counts, so "relu,,tanh" is an error. */
    for (char *name = copy, *comma; name; name = comma ? comma + 1 : NULL) {
        if ((comma = strchr(name, ',')) != NULL)
            *comma = '\0';
        if (a->activation_count == GEMMNET_MAX_LAYERS - 1)
            return cli_usage_error("train", "--activation lists more than %d functions",
                                   GEMMNET_MAX_LAYERS - 1) == 0;
        if (!cli_parse_activation("train", "--activation", name,
                                  &a->activation[a->activation_count]))
            return false;
        a->activation_count++;
    }
    return true;
}

static bool
parse_float_option(const char *option, const char *v, double min, double max, float *out)
{
    double d;
    if (!cli_parse_double("train", option, v, min, max, &d))
        return false;
    *out = (float)d;
    return true;
}

/* --val F: a fraction strictly between 0 and 1 (both parts non-empty). */
static bool parse_fraction(const char *v, double *out)
{
    double f = 0.0;
    if (!cli_parse_double("train", "--val", v, 0.0, 1.0, &f))
        return false;
    if (f > 0.0 && f < 1.0) {
        *out = f;
        return true;
    }
    return cli_usage_error("train",
                           "--val expects a fraction above 0 and below 1 (rows are left to train "
                           "on), got '%s'",
                           v) == 0;
}

static bool parse_enum(const char *option, const char *v, const char *const *names, int n, int *out)
{
    return cli_parse_choice("train", option, v, names, n, out);
}

/* Saving, resuming, logging and data options with getopt code c. */
static bool parse_output_option(int c, const char *v, train_args *a)
{
    const char *t = "train";
    switch (c) {
    case 'z' + 256: a->standardize = true; return true;
    case 'o': a->save_path = v; return true;
    case 'C': return cli_parse_long(t, "--checkpoint-every", v, 1, INT32_MAX, &a->checkpoint_every);
    case 'u': a->resume_path = v; return true;
    case 'g': a->log_path = v; return true;
    case 'G': return cli_parse_long(t, "--log-every", v, 1, INT32_MAX, &a->log_every);
    case OPT_INIT_FROM: a->init_from = v; return true;
    default: return parse_data_option(t, c, v, &a->data);
    }
}

/* Options whose values --resume takes from the checkpoint instead. */
static const char *setting_name(int c)
{
    static const char codes[] = "HairlRBSOM12EPb";
    static const char *const names[] = {"--hidden",    "--activation", "--init",      "--lr",
                                        "--l2",        "--reduction",  "--batch",     "--schedule",
                                        "--optimizer", "--momentum",   "--beta1",     "--beta2",
                                        "--eps",       "--patience",   "--block-rows"};
    if (c == 'z' + 256)
        return "--standardize";
    if (c == OPT_WEIGHT_DECAY)
        return "--weight-decay";
    if (c == OPT_CLIP_NORM)
        return "--clip-norm";
    if (c == OPT_DROPOUT)
        return "--dropout";
    if (c == OPT_SEED)
        return "--seed";
    const char *at = c > 0 && c < 256 ? strchr(codes, c) : NULL;
    return at ? names[at - codes] : NULL;
}

/* Network and training options with getopt code c. */
static bool parse_train_option(int c, const char *v, train_args *a)
{
    gemmnet_train_options *o = &a->options;
    const char *t = "train";
    long n;
    int choice;
    bool ok;
    switch (c) {
    case 'H':
        a->hidden_given = true;
        if (strcmp(v, "0") == 0)
            return (a->hidden_count = 0) == 0;
        return cli_parse_int_list(t, "--hidden", v, 1, 1 << 20, a->hidden, GEMMNET_MAX_LAYERS - 1,
                                  &a->hidden_count);
    case 'a': return parse_activations(v, a);
    case 'i':
        a->init_given = true;
        ok = parse_enum("--init", v, init_names, 4, &choice);
        a->init = (gemmnet_init)choice;
        return ok;
    case 'e':
        ok = cli_parse_long(t, "--epochs", v, 0, INT32_MAX, &n);
        o->epochs = (int32_t)n;
        return ok;
    case 'r': return parse_float_option("--lr", v, 1e-30, 1e30, &o->learning_rate);
    case 'l': a->l2_given = true; return parse_float_option("--l2", v, 0.0, 1e30, &o->l2);
    case OPT_WEIGHT_DECAY:
        a->weight_decay_given = true;
        return parse_float_option("--weight-decay", v, 0.0, 1e30, &o->weight_decay);
    case OPT_CLIP_NORM: return parse_float_option("--clip-norm", v, 0.0, 1e30, &o->clip_norm);
    case OPT_CLASS_WEIGHT: a->class_weight = v; return true;
    case OPT_DROPOUT: return parse_float_option("--dropout", v, 0.0, 0.999999, &o->dropout);
    case 'R':
        ok = parse_enum("--reduction", v, reduction_names, 2, &choice);
        o->reduction = (gemmnet_reduction)choice;
        return ok;
    case 'B':
        ok = cli_parse_long(t, "--batch", v, 0, INT32_MAX, &n);
        o->batch_size = (size_t)n;
        return ok;
    case 'S': return parse_schedule(v, &o->schedule);
    case 'O':
        ok = parse_enum("--optimizer", v, optimizer_names, 5, &choice);
        o->optimizer = (gemmnet_optimizer)choice;
        return ok;
    case 'M': return parse_float_option("--momentum", v, 0.0, 0.999999, &o->momentum);
    case '1': return parse_float_option("--beta1", v, 0.0, 0.999999, &o->beta1);
    case '2': return parse_float_option("--beta2", v, 0.0, 0.999999, &o->beta2);
    case 'E': return parse_float_option("--eps", v, 1e-30, 1.0, &o->epsilon);
    case 'v': return parse_fraction(v, &a->validation_fraction);
    case 'P':
        ok = cli_parse_long(t, "--patience", v, 0, INT32_MAX, &n);
        o->patience = (int32_t)n;
        return ok;
    case 'p':
        ok = cli_parse_long(t, "--print-every", v, 0, INT32_MAX, &n);
        o->report_every = (int32_t)n;
        return ok;
    case 't': return cli_parse_long(t, "--threads", v, 1, 1024, &a->threads);
    case 'b':
        ok = cli_parse_long(t, "--block-rows", v, 1, INT32_MAX, &n);
        o->block_rows = (size_t)n;
        return ok;
    default: return parse_output_option(c, v, a);
    }
}

/* True if two output paths are one file: the same name, or (both
 * existing) the same inode. */
static bool same_file(const char *x, const char *y)
{
    struct stat a, b;
    if (strcmp(x, y) == 0)
        return true;
    return stat(x, &a) == 0 && stat(y, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* AdamW's decay is its own; AdamW is decoupled unless --l2 asks for
 * the coupled term too. A warm start takes its shape and inputs' scaling
 * from the model. */
static int check_optimizer_args(train_args *a)
{
    gemmnet_train_options *o = &a->options;
    if (a->weight_decay_given && o->optimizer != GEMMNET_OPT_ADAMW && !a->resume_path)
        return cli_usage_error("train",
                               "--weight-decay is for --optimizer adamw (use --l2 for the others)");
    if (o->optimizer == GEMMNET_OPT_ADAMW && !a->l2_given)
        o->l2 = 0.0f;
    if (a->init_from && a->resume_path)
        return cli_usage_error("train", "give --init-from MODEL or --resume FILE, not both");
    if (a->init_from && a->init_given)
        return cli_usage_error("train", "--init-from takes the model's weights: drop --init");
    if (a->init_from && a->standardize)
        return cli_usage_error("train",
                               "--init-from keeps the model's standardisation: drop --standardize");
    return -1;
}

/* Cross-option rules, checked after all options are read. */
static int check_train_args(train_args *a)
{
    if (!a->data.path == !a->data.moons)
        return cli_usage_error("train", "give exactly one of --data FILE and --moons N");
    if (a->activation_count > 1 && a->activation_count != a->hidden_count)
        return cli_usage_error("train", "--activation lists %d functions for %d hidden layers",
                               a->activation_count, a->hidden_count);
    for (int i = a->activation_count; a->activation_count == 1 && i < a->hidden_count; i++)
        a->activation[i] = a->activation[0];
    if (a->options.patience > 0 && a->validation_fraction == 0.0 && !a->resume_path)
        return cli_usage_error("train", "--patience needs --val");
    if (a->checkpoint_every && !a->save_path)
        return cli_usage_error("train", "--checkpoint-every needs --save FILE");
    if (a->resume_path && a->setting_given)
        return cli_usage_error("train",
                               "--resume continues with the checkpoint's settings: drop %s",
                               a->setting_given);
    if (a->log_path && !a->log_every)
        a->log_every = 1;
    if (a->log_path && a->save_path && same_file(a->log_path, a->save_path))
        return cli_usage_error("train", "--save and --log name the same file '%s'", a->save_path);
    return check_optimizer_args(a);
}

/* One option; also notes the first that --resume would override. */
static bool train_option(void *context, int code, const char *value)
{
    train_args *a = context;
    if (!parse_train_option(code, value, a))
        return false;
    if (!a->setting_given)
        a->setting_given = setting_name(code);
    return true;
}

int parse_train_args(int argc, char **argv, train_args *a)
{
    static const cli_syntax syntax = {"train", train_help, train_options, "", train_option};
    *a = (train_args){.data = {.noise = 0.2}, .hidden = {3}, .hidden_count = 1};
    gemmnet_train_options_init(&a->options);
    int status = cli_parse_options(&syntax, a, argc, argv, NULL);
    return status >= 0 ? status : check_train_args(a);
}

int load_data(const data_args *a, gemmnet_dataset *data, gemmnet_error *err)
{
    if (a->moons)
        return gemmnet_dataset_generate(data, GEMMNET_SYNTH_MOONS, (size_t)a->moons, 2, a->noise,
                                        (uint32_t)a->seed, NULL, err);
    gemmnet_csv_options csv = {.classes = (int32_t)a->classes, .part = a->part, .parts = a->parts};
    if (a->label_column)
        cli_set_label_column(a->label_column, &csv);
    csv.header = a->header;
    return cli_read_csv(data, a->path, &csv, err);
}
