/* gemmnet baseline: the closed-form ridge least-squares linear classifier,
 * the counterpart of the tutorial's logistic-regression baseline. */
#include "args.h"
#include "commands.h"
#include "train_args.h"

#include <gemmnet.h>
#include <getopt.h>

static const char baseline_help[] =
    "usage: gemmnet baseline (--data FILE.csv | --moons N [--noise 0.2]) [--l2 0.01]\n"
    "                        [--label-col N] [--classes K] [--seed 0]\n\n"
    "Fits [X 1]·B ≈ onehot(y) in closed form, B = ([X 1]ᵀ[X 1] + λI)⁻¹[X 1]ᵀ onehot(y)\n"
    "(LAPACKE sposv; the intercept is not regularised), and prints its training\n"
    "accuracy. On the tutorial's moons it gets 0.85, like logistic regression.\n";

/* Returns -1 to go on, else the exit status. */
static int parse_baseline(int argc, char **argv, data_args *d, double *l2)
{
    static const struct option options[] = {
        {"data", required_argument, NULL, OPT_DATA},   {"label-col", required_argument, NULL, OPT_LABEL_COL},
        {"classes", required_argument, NULL, OPT_CLASSES}, {"moons", required_argument, NULL, OPT_MOONS},
        {"noise", required_argument, NULL, OPT_NOISE}, {"seed", required_argument, NULL, OPT_SEED},
        {"l2", required_argument, NULL, 'l'},          {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    *d = (data_args){.noise = 0.2};
    *l2 = 0.01;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        bool ok;
        if (c == 'h') {
            fputs(baseline_help, stdout);
            return 0;
        }
        if (c == ':')
            return cli_usage_error("baseline", "%s needs a value", argv[optind - 1]);
        if (c == '?')
            return cli_usage_error("baseline", "unknown option '%s'", argv[optind - 1]);
        ok = c == 'l' ? cli_parse_double("baseline", "--l2", optarg, 0.0, 1e30, l2)
                      : parse_data_option("baseline", c, optarg, d);
        if (!ok)
            return EXIT_USAGE;
    }
    if (optind < argc)
        return cli_usage_error("baseline", "unexpected argument '%s'", argv[optind]);
    if (!d->path == !d->moons)
        return cli_usage_error("baseline", "give exactly one of --data FILE and --moons N");
    return -1;
}

int cmd_baseline(int argc, char **argv)
{
    data_args d;
    double l2;
    int exit_status = parse_baseline(argc, argv, &d, &l2);
    if (exit_status >= 0)
        return exit_status;
    gemmnet_error err = {0};
    gemmnet_dataset data = {0};
    gemmnet_model *model = NULL;
    gemmnet_workspace *ws = NULL;
    gemmnet_evaluation e;
    int status = load_data(&d, &data, &err);
    if (status == GEMMNET_OK)
        status = gemmnet_baseline_ridge(&data, (float)l2, NULL, &model, &err);
    if (status == GEMMNET_OK)
        status = gemmnet_workspace_create(model, NULL, &ws, &err);
    if (status == GEMMNET_OK)
        status = gemmnet_evaluate(model, ws, &data, 0.0f, GEMMNET_REDUCTION_MEAN, &e);
    if (status == GEMMNET_OK)
        printf("ridge least squares (l2 %g): accuracy: %.4f (%zu/%zu)\n", l2, e.accuracy, e.correct,
               data.rows);
    else
        fprintf(stderr, "gemmnet baseline: %s\n", err.message[0] ? err.message : gemmnet_strerror(status));
    gemmnet_workspace_destroy(ws);
    gemmnet_model_destroy(model);
    gemmnet_dataset_free(&data);
    return status == GEMMNET_OK ? 0 : EXIT_FAILURE_RUN;
}
