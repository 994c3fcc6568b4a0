/* gemmnet sweep: the tutorial's hidden-size experiment. Trains one network
 * per size with the tutorial's settings, prints final loss and training
 * accuracy, and draws every decision boundary plus the linear baseline's. */
#include "args.h"
#include "baseline.h"
#include "commands.h"
#include "plot_args.h"
#include "plot/boundary.h"
#include "plot/canvas.h"
#include "sweep_run.h"
#include "training_options.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Most sizes one sweep takes. */
enum { SWEEP_MAX_SIZES = 32 };
/* Default pixels of one panel. */
enum { PANEL_WIDTH = 300, PANEL_HEIGHT = 280 };

static const char sweep_help[] =
    "usage: gemmnet sweep (--moons N [--noise 0.2] | --data FILE)\n"
    "                     [--hidden-sizes 1,2,3,4,5,20,50] [--epochs 20000] [--seed 0]\n"
    "                     [--jobs N] [--no-baseline] [-o FILE.png|.svg|.pdf]\n"
    "                     [--columns C] [--size WxH]\n\n"
    "The tutorial's experiment: for each hidden size, a network with one tanh hidden\n"
    "layer is initialised like the tutorial (seed --seed) and trained with its\n"
    "settings (20000 full-batch passes, lr 0.01, l2 0.01, summed gradients). Prints\n"
    "the final loss and training accuracy of each, and of the closed-form ridge\n"
    "baseline ('gemmnet baseline'). With -o, also draws one decision-boundary panel\n"
    "per size, titled \"Hidden Layer size N: A %\" with its training accuracy A, and\n"
    "one for the baseline.\n\n"
    "  --moons N, --noise S, --data FILE|-, --classes K   the data\n"
    "  --label-col N|NAME  label column of --data: 0-based index, -1 for the last, or\n"
    "                    a header name (default: the last)\n"
    "  --hidden-sizes LIST  hidden widths to train (default 1,2,3,4,5,20,50)\n"
    "  --epochs E        passes over the data (default 20000)\n"
    "  --seed S          seed of the data and of the initialisation (default 0)\n"
    "  --jobs N          train N networks at once, BLAS then at 1 thread each\n"
    "                    (default: the number of CPUs)\n"
    "  --no-baseline     leave out the linear baseline\n"
    "  -o FILE           the picture: .png, .svg or .pdf (default: table only)\n"
    "  --columns C       panels per row (default 4)\n"
    "  --size WxH        pixels (default 300 x 280 per panel)\n\n"
    "sweep is one of the picture commands: a build without cairo (-Dplot=disabled)\n"
    "has none of them, the table included; 'gemmnet train' and 'gemmnet baseline'\n"
    "give the same numbers one size at a time.\n";

typedef struct sweep_args {
    data_args data;
    int32_t sizes[SWEEP_MAX_SIZES];
    int size_count;
    long epochs;
    long jobs;
    long columns;
    bool baseline;
    plot_picture picture;
} sweep_args;

enum { OPT_SIZES = 'Z', OPT_JOBS = 'j', OPT_NO_BASELINE = 'n', OPT_COLUMNS = 'C' };

static const struct option sweep_options[] = {
    DATA_OPTIONS,
    {"hidden-sizes", required_argument, NULL, OPT_SIZES},
    {"epochs", required_argument, NULL, 'e'},
    {"jobs", required_argument, NULL, OPT_JOBS},
    {"no-baseline", no_argument, NULL, OPT_NO_BASELINE},
    {"columns", required_argument, NULL, OPT_COLUMNS},
    {"size", required_argument, NULL, OPT_SIZE},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* One option with getopt code c: false after a usage error. */
static bool sweep_option(void *context, int c, const char *v)
{
    sweep_args *a = context;
    switch (c) {
    case OPT_SIZES:
        return cli_parse_int_list("sweep", "--hidden-sizes", v, 1, 1 << 16, a->sizes,
                                  SWEEP_MAX_SIZES, &a->size_count);
    case 'e': return cli_parse_long("sweep", "--epochs", v, 0, INT32_MAX, &a->epochs);
    case OPT_JOBS: return cli_parse_long("sweep", "--jobs", v, 1, 256, &a->jobs);
    case OPT_COLUMNS:
        return cli_parse_long("sweep", "--columns", v, 1, SWEEP_MAX_SIZES + 1, &a->columns);
    case OPT_NO_BASELINE: a->baseline = false; return true;
    case OPT_OUTPUT:
    case OPT_SIZE: return plot_picture_option("sweep", c, v, &a->picture) > 0;
    default: return parse_data_option("sweep", c, v, &a->data);
    }
}

static void sweep_defaults(sweep_args *a)
{
    static const int32_t tutorial_sizes[] = {1, 2, 3, 4, 5, 20, 50};
    *a = (sweep_args){.data = {.noise = 0.2}, .epochs = 20000, .columns = 4, .baseline = true};
    a->size_count = (int)(sizeof tutorial_sizes / sizeof tutorial_sizes[0]);
    for (int i = 0; i < a->size_count; i++)
        a->sizes[i] = tutorial_sizes[i];
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    a->jobs = cpus > 0 ? cpus : 1;
}

/* Returns -1 to go on, else the exit status. */
static int parse_sweep(int argc, char **argv, sweep_args *a)
{
    static const cli_syntax syntax = {"sweep", sweep_help, sweep_options, "o:", sweep_option};
    sweep_defaults(a);
    int status = cli_parse_options(&syntax, a, argc, argv, NULL);
    if (status >= 0)
        return status;
    if (!a->data.path == !a->data.moons)
        return cli_usage_error("sweep", "give exactly one of --data FILE and --moons N");
    return a->picture.output ? plot_picture_check("sweep", &a->picture) : -1;
}

static void print_table(const sweep_job *jobs,
                        int count,
                        const gemmnet_model *baseline,
                        const gemmnet_evaluation *b,
                        size_t rows)
{
    printf("hidden size  final loss  training accuracy\n");
    for (int i = 0; i < count; i++)
        printf("%11d  %10.6f  %.4f (%zu/%zu)\n", (int)jobs[i].hidden, jobs[i].result.loss,
               jobs[i].result.accuracy, jobs[i].result.correct, rows);
    if (baseline)
        printf("%11s  %10s  %.4f (%zu/%zu)  linear baseline (ridge least squares)\n", "ridge", "-",
               b->accuracy, b->correct, rows);
}

/* Draws the panels in a grid of a.columns, row by row. */
static int draw_sweep(const sweep_args *a,
                      const sweep_job *jobs,
                      const gemmnet_model *baseline,
                      const gemmnet_evaluation *b,
                      const gemmnet_dataset *data)
{
    int panels = a->size_count + (baseline ? 1 : 0);
    int columns = panels < a->columns ? panels : (int)a->columns;
    int rows = (panels + columns - 1) / columns;
    int width = a->picture.width ? a->picture.width : columns * PANEL_WIDTH;
    int height = a->picture.height ? a->picture.height : rows * PANEL_HEIGHT;
    plot_canvas canvas;
    if (!plot_canvas_open(&canvas, "sweep", a->picture.output, width, height))
        return 1;
    gemmnet_error err = {0};
    int status = GEMMNET_OK;
    for (int p = 0; p < panels && status == GEMMNET_OK; p++) {
        char title[64];
        if (p < a->size_count)
            snprintf(title, sizeof title, "Hidden Layer size %d: %.1f %%", (int)jobs[p].hidden,
                     100.0 * jobs[p].result.accuracy);
        else
            snprintf(title, sizeof title, "Linear baseline (ridge): %.1f %%", 100.0 * b->accuracy);
        plot_rect panel = {(double)(p % columns) * width / columns,
                           (double)(p / columns) * height / rows, (double)width / columns,
                           (double)height / rows};
        status = plot_boundary_panel(canvas.cr, panel, p < a->size_count ? jobs[p].model : baseline,
                                     data, title, &err);
    }
    if (status != GEMMNET_OK)
        cli_report_error("sweep", status, &err);
    return plot_canvas_close(&canvas, "sweep", status == GEMMNET_OK) == 0 ? 0 : 1;
}

/* Trains, fits the baseline, prints the table. */
static int run_sweep(const sweep_args *a,
                     const gemmnet_dataset *data,
                     sweep_job *jobs,
                     gemmnet_model **baseline,
                     gemmnet_evaluation *b,
                     gemmnet_error *err)
{
    for (int i = 0; i < a->size_count; i++)
        jobs[i] = (sweep_job){.hidden = a->sizes[i]};
    sweep_settings settings = {data, (int32_t)a->epochs, (uint32_t)a->data.seed, (int)a->jobs};
    int status = sweep_train_all(jobs, a->size_count, &settings);
    for (int i = 0; i < a->size_count; i++) {
        if (jobs[i].status != GEMMNET_OK) {
            *err = jobs[i].err;
            return jobs[i].status;
        }
    }
    /* l2 0.01: the tutorial's, and gemmnet baseline's default. */
    if (a->baseline)
        status = baseline_fit(data, 0.01f, baseline, b, err);
    if (status == GEMMNET_OK)
        print_table(jobs, a->size_count, *baseline, b, data->rows);
    return status;
}

/* Pictures need 2 features; say so before any training. */
static bool check_drawable(const sweep_args *a, const gemmnet_dataset *data)
{
    if (!a->picture.output || data->features == 2)
        return true;
    fprintf(stderr, "gemmnet sweep: decision regions need 2 features; the data has %zu\n",
            data->features);
    return false;
}

int cmd_sweep(int argc, char **argv)
{
    sweep_args a;
    int exit_status = parse_sweep(argc, argv, &a);
    if (exit_status >= 0)
        return exit_status;
    gemmnet_error err = {0};
    gemmnet_dataset data = {0};
    gemmnet_model *baseline = NULL;
    sweep_job jobs[SWEEP_MAX_SIZES] = {0};
    gemmnet_evaluation b = {0};
    exit_status = EXIT_FAILURE_RUN;
    int status = load_data(&a.data, &data, &err);
    if (status == GEMMNET_OK && check_drawable(&a, &data)) {
        status = run_sweep(&a, &data, jobs, &baseline, &b, &err);
        if (status == GEMMNET_OK)
            exit_status = a.picture.output ? draw_sweep(&a, jobs, baseline, &b, &data) : 0;
    }
    if (status != GEMMNET_OK)
        cli_report_error("sweep", status, &err);
    sweep_jobs_free(jobs, a.size_count);
    gemmnet_model_destroy(baseline);
    gemmnet_dataset_free(&data);
    return exit_status;
}
