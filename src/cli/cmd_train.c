/* gemmnet train: load or generate data, train, print the tutorial's lines. */
#include "args.h"
#include "commands.h"

#include <gemmnet.h>
#include <getopt.h>
#include <limits.h>
#include <string.h>

static const char train_help[] =
    "usage: gemmnet train (--data FILE.csv | --moons N [--noise 0.2]) [OPTIONS]\n\n"
    "Trains a tanh network with a softmax output by full-batch gradient\n"
    "descent. The defaults are the tutorial's: 'gemmnet train --moons 200'\n"
    "reproduces its run and its printed losses.\n\n"
    "data:\n"
    "  --data FILE       CSV of numbers, optional header, integer label column\n"
    "  --label-col N     0-based label column (default: the last)\n"
    "  --classes K       number of classes (default: 1 + the largest label)\n"
    "  --moons N         generate make_moons(N) instead of reading a file\n"
    "  --noise S         moons noise (default 0.2)\n"
    "network and training:\n"
    "  --hidden LIST     hidden widths, e.g. 3 or 16,8 (default 3; 0 = none)\n"
    "  --epochs E        passes over the data (default 20000)\n"
    "  --lr R            learning rate (default 0.01)\n"
    "  --l2 L            L2 strength on weights (default 0.01)\n"
    "  --reduction M     sum (tutorial: gradients summed) or mean (default sum)\n"
    "  --seed S          seed of the data and of the weights (default 0)\n"
    "  --print-every P   print the loss every P epochs, 0 = never (default 1000)\n"
    "  --threads N       BLAS threads (default: the backend's)\n"
    "  --block-rows R    rows per cache block (default: chosen from the widths)\n";

typedef struct train_args {
    const char *data_path;
    long moons;
    double noise;
    long label_column;
    long classes;
    int32_t hidden[GEMMNET_MAX_LAYERS];
    int hidden_count;
    long epochs;
    double learning_rate;
    double l2;
    gemmnet_reduction reduction;
    long seed;
    long print_every;
    long threads;
    long block_rows;
} train_args;

static const struct option train_options[] = {
    {"data", required_argument, NULL, 'd'},      {"label-col", required_argument, NULL, 'c'},
    {"classes", required_argument, NULL, 'k'},   {"moons", required_argument, NULL, 'm'},
    {"noise", required_argument, NULL, 'z'},     {"hidden", required_argument, NULL, 'H'},
    {"epochs", required_argument, NULL, 'e'},    {"lr", required_argument, NULL, 'r'},
    {"l2", required_argument, NULL, 'l'},        {"reduction", required_argument, NULL, 'R'},
    {"seed", required_argument, NULL, 's'},      {"print-every", required_argument, NULL, 'p'},
    {"threads", required_argument, NULL, 't'},   {"block-rows", required_argument, NULL, 'b'},
    {"help", no_argument, NULL, 'h'},            {NULL, 0, NULL, 0},
};

static bool parse_reduction(const char *text, gemmnet_reduction *out)
{
    if (strcmp(text, "sum") == 0)
        *out = GEMMNET_REDUCTION_SUM;
    else if (strcmp(text, "mean") == 0)
        *out = GEMMNET_REDUCTION_MEAN;
    else
        return cli_usage_error("train", "--reduction expects sum or mean, got '%s'", text) == 0;
    return true;
}

/* One option's value into a; false after reporting a usage error. */
static bool parse_train_option(int c, const char *v, train_args *a)
{
    const char *t = "train";
    switch (c) {
    case 'd': a->data_path = v; return true;
    case 'c': return cli_parse_long(t, "--label-col", v, -1, INT32_MAX - 1, &a->label_column);
    case 'k': return cli_parse_long(t, "--classes", v, 2, INT32_MAX, &a->classes);
    case 'm': return cli_parse_long(t, "--moons", v, 2, INT32_MAX, &a->moons);
    case 'z': return cli_parse_double(t, "--noise", v, 0.0, 1e6, &a->noise);
    case 'H':
        if (strcmp(v, "0") == 0)
            return (a->hidden_count = 0) == 0;
        return cli_parse_int_list(t, "--hidden", v, 1, 1 << 20, a->hidden, GEMMNET_MAX_LAYERS - 1,
                                  &a->hidden_count);
    case 'e': return cli_parse_long(t, "--epochs", v, 0, INT32_MAX, &a->epochs);
    case 'r': return cli_parse_double(t, "--lr", v, 1e-30, 1e30, &a->learning_rate);
    case 'l': return cli_parse_double(t, "--l2", v, 0.0, 1e30, &a->l2);
    case 'R': return parse_reduction(v, &a->reduction);
    case 's': return cli_parse_long(t, "--seed", v, 0, UINT32_MAX, &a->seed);
    case 'p': return cli_parse_long(t, "--print-every", v, 0, INT32_MAX, &a->print_every);
    case 't': return cli_parse_long(t, "--threads", v, 1, 1024, &a->threads);
    case 'b': return cli_parse_long(t, "--block-rows", v, 1, INT32_MAX, &a->block_rows);
    default: return false;
    }
}

/* Returns -1 to go on, else the exit status. */
static int parse_train(int argc, char **argv, train_args *a)
{
    *a = (train_args){.noise = 0.2, .label_column = -1, .hidden = {3}, .hidden_count = 1,
                      .epochs = 20000, .learning_rate = 0.01, .l2 = 0.01, .print_every = 1000};
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":h", train_options, NULL)) != -1) {
        if (c == 'h') {
            fputs(train_help, stdout);
            return 0;
        }
        if (c == ':')
            return cli_usage_error("train", "%s needs a value", argv[optind - 1]);
        if (c == '?')
            return cli_usage_error("train", "unknown option '%s'", argv[optind - 1]);
        if (!parse_train_option(c, optarg, a))
            return EXIT_USAGE;
    }
    if (optind < argc)
        return cli_usage_error("train", "unexpected argument '%s'", argv[optind]);
    if (!a->data_path == !a->moons)
        return cli_usage_error("train", "give exactly one of --data FILE and --moons N");
    return -1;
}

static int load_data(const train_args *a, gemmnet_dataset *data, gemmnet_error *err)
{
    if (a->moons)
        return gemmnet_dataset_moons(data, (size_t)a->moons, a->noise, (uint32_t)a->seed, NULL,
                                     err);
    gemmnet_csv_options csv = {.label_column = (int32_t)a->label_column,
                               .classes = (int32_t)a->classes};
    return gemmnet_dataset_read_csv(data, a->data_path, &csv, NULL, err);
}

static int print_loss(void *context, const gemmnet_progress *p)
{
    (void)context;
    printf("Loss after iteration %d: %f\n", (int)p->epoch, p->train.loss);
    return 0;
}

static int build_model(const train_args *a, const gemmnet_dataset *data, gemmnet_model **model,
                       gemmnet_error *err)
{
    gemmnet_architecture arch = {.inputs = (int32_t)data->features,
                                 .classes = data->classes,
                                 .hidden_layers = a->hidden_count,
                                 .hidden = a->hidden};
    if (data->features > INT32_MAX)
        return GEMMNET_E_INVALID;
    int status = gemmnet_model_create(&arch, NULL, model, err);
    if (status == GEMMNET_OK)
        gemmnet_model_init_tutorial(*model, (uint32_t)a->seed);
    return status;
}

static int train_and_report(const train_args *a, gemmnet_model *model,
                            const gemmnet_dataset *data, gemmnet_error *err)
{
    gemmnet_train_options o;
    gemmnet_train_options_init(&o);
    o.epochs = (int32_t)a->epochs;
    o.learning_rate = (float)a->learning_rate;
    o.l2 = (float)a->l2;
    o.reduction = a->reduction;
    o.report_every = (int32_t)a->print_every;
    o.progress = print_loss;
    o.block_rows = (size_t)a->block_rows;
    int status = gemmnet_train(model, data, &o, err);
    gemmnet_workspace *ws = NULL;
    gemmnet_evaluation e;
    if (status == GEMMNET_OK)
        status = gemmnet_workspace_create(model, NULL, &ws, err);
    if (status == GEMMNET_OK)
        status = gemmnet_evaluate(model, ws, data, o.l2, o.reduction, &e);
    if (status == GEMMNET_OK)
        printf("accuracy: %.4f (%zu/%zu)\n", e.accuracy, e.correct, data->rows);
    gemmnet_workspace_destroy(ws);
    return status;
}

int cmd_train(int argc, char **argv)
{
    train_args a;
    int exit_status = parse_train(argc, argv, &a);
    if (exit_status >= 0)
        return exit_status;
    if (a.threads > 0 && gemmnet_blas_set_threads((int)a.threads) != GEMMNET_OK)
        return cli_usage_error("train", "cannot set %ld BLAS threads", a.threads);
    gemmnet_error err = {0};
    gemmnet_dataset data = {0};
    gemmnet_model *model = NULL;
    int status = load_data(&a, &data, &err);
    if (status == GEMMNET_OK)
        status = build_model(&a, &data, &model, &err);
    if (status == GEMMNET_OK)
        status = train_and_report(&a, model, &data, &err);
    if (status != GEMMNET_OK)
        fprintf(stderr, "gemmnet train: %s\n", err.message[0] ? err.message : gemmnet_strerror(status));
    gemmnet_model_destroy(model);
    gemmnet_dataset_free(&data);
    return status == GEMMNET_OK ? 0 : EXIT_FAILURE_RUN;
}
