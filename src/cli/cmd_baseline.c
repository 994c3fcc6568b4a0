/* gemmnet baseline: the closed-form ridge least-squares linear classifier,
 * the counterpart of the tutorial's logistic-regression baseline. */
#include "args.h"
#include "baseline.h"
#include "commands.h"
#include "train_args.h"

#include <gemmnet.h>

static const char baseline_help[] =
    "usage: gemmnet baseline (--data FILE.csv | --moons N [--noise 0.2]) [--l2 0.01]\n"
    "                        [--label-col N] [--classes K] [--seed 0]\n\n"
    "Fits [X 1]·B ≈ onehot(y) in closed form, B = ([X 1]ᵀ[X 1] + λI)⁻¹[X 1]ᵀ onehot(y)\n"
    "(LAPACKE sposv; the intercept is not regularised), and prints its training\n"
    "accuracy. On the tutorial's moons it gets 0.85, like logistic regression.\n";

/* What baseline was asked for. */
typedef struct baseline_args {
    data_args data;
    /* --l2: the ridge strength. */
    double l2;
} baseline_args;

enum { OPT_L2 = 'l' };

static const struct option baseline_options[] = {
    DATA_OPTIONS,
    {"l2", required_argument, NULL, OPT_L2},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* --l2, or a data option. */
static bool baseline_option(void *context, int code, const char *value)
{
    baseline_args *a = context;
    if (code == OPT_L2)
        return cli_parse_double("baseline", "--l2", value, 0.0, 1e30, &a->l2);
    return parse_data_option("baseline", code, value, &a->data);
}

/* Returns -1 to go on, else the exit status. */
static int parse_baseline(int argc, char **argv, baseline_args *a)
{
    static const cli_syntax syntax = {"baseline", baseline_help, baseline_options, "",
                                      baseline_option};
    *a = (baseline_args){.data = {.noise = 0.2}, .l2 = 0.01};
    int status = cli_parse_options(&syntax, a, argc, argv, NULL);
    if (status < 0 && !a->data.path == !a->data.moons)
        return cli_usage_error("baseline", "give exactly one of --data FILE and --moons N");
    return status;
}

int baseline_fit(const gemmnet_dataset *data,
                 float l2,
                 gemmnet_model **model,
                 gemmnet_evaluation *result,
                 gemmnet_error *err)
{
    gemmnet_workspace *ws = NULL;
    int status = gemmnet_baseline_ridge(data, l2, NULL, model, err);
    if (status == GEMMNET_OK)
        status = gemmnet_workspace_create(*model, NULL, &ws, err);
    if (status == GEMMNET_OK)
        status = gemmnet_evaluate(*model, ws, data, 0.0f, GEMMNET_REDUCTION_MEAN, result, NULL);
    gemmnet_workspace_destroy(ws);
    return status;
}

int cmd_baseline(int argc, char **argv)
{
    baseline_args a;
    int exit_status = parse_baseline(argc, argv, &a);
    if (exit_status >= 0)
        return exit_status;
    gemmnet_error err = {0};
    gemmnet_dataset data = {0};
    gemmnet_model *model = NULL;
    gemmnet_evaluation e;
    int status = load_data(&a.data, &data, &err);
    if (status == GEMMNET_OK)
        status = baseline_fit(&data, (float)a.l2, &model, &e, &err);
    if (status == GEMMNET_OK)
        printf("ridge least squares (l2 %g): accuracy: %.4f (%zu/%zu)\n", a.l2, e.accuracy,
               e.correct, data.rows);
    else
        cli_report_error("baseline", status, &err);
    gemmnet_model_destroy(model);
    gemmnet_dataset_free(&data);
    return status == GEMMNET_OK ? 0 : EXIT_FAILURE_RUN;
}
