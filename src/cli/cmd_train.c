/* gemmnet train: load or generate data, train (data-parallel under
 * mpirun), print the tutorial's lines, the final accuracy and the
 * confusion matrix. */
#include "args.h"
#include "commands.h"
#include "parallel.h"
#include "train_args.h"
#include "train_data.h"

#include <gemmnet.h>
#include <stdlib.h>

/* What the end-of-run report needs. */
typedef struct run {
    const cli_parallel *parallel;
    gemmnet_collective collective;
    const train_args *args;
    run_data data;
    gemmnet_model *model;
} run;

static int print_progress(void *context, const gemmnet_progress *p)
{
    const run *r = context;
    if (r->parallel->rank != 0)
        return 0;
    if (!p->has_validation)
        printf("Loss after iteration %d: %f\n", (int)p->epoch, p->train.loss);
    else
        printf("Loss after iteration %d: %f accuracy %.4f | val loss %f val accuracy %.4f\n",
               (int)p->epoch, p->train.loss, p->train.accuracy, p->validation.loss,
               p->validation.accuracy);
    return 0;
}

static int build_model(const train_args *a, const gemmnet_dataset *data, gemmnet_model **model,
                       gemmnet_error *err)
{
    if (data->features > INT32_MAX)
        return GEMMNET_E_INVALID;
    gemmnet_architecture arch = {.inputs = (int32_t)data->features,
                                 .classes = data->classes,
                                 .hidden_layers = a->hidden_count,
                                 .hidden = a->hidden,
                                 .activations = a->activation_count ? a->activation : NULL};
    int status = gemmnet_model_create(&arch, NULL, model, err);
    if (status == GEMMNET_OK)
        status = gemmnet_model_init(*model, a->init, (uint32_t)a->data.seed, err);
    return status;
}

/* Sums v[n] over the processes (in place); no-op for one process. */
static int sum_over_processes(const run *r, double *v, size_t n)
{
    if (r->parallel->size == 1)
        return GEMMNET_OK;
    return r->collective.sum_doubles(r->collective.context, v, n) == 0 ? GEMMNET_OK
                                                                       : GEMMNET_E_COLLECTIVE;
}

/* "accuracy: 0.9750 (195/200)" over all processes' rows of a set. */
static int print_accuracy(const run *r, const char *label, gemmnet_workspace *ws,
                          const gemmnet_dataset *data)
{
    const gemmnet_train_options *o = &r->args->options;
    gemmnet_evaluation e;
    int status = gemmnet_evaluate(r->model, ws, data, o->l2, o->reduction, &e);
    double counts[2] = {(double)e.correct, (double)data->rows};
    if (status == GEMMNET_OK)
        status = sum_over_processes(r, counts, 2);
    if (status == GEMMNET_OK && r->parallel->rank == 0)
        printf("%s: %.4f (%.0f/%.0f)\n", label, counts[0] / counts[1], counts[0], counts[1]);
    return status;
}

static void print_matrix(const char *set, const double *matrix, size_t k)
{
    printf("confusion matrix, %s set (rows: true class, columns: predicted):\n%6s", set, "");
    for (size_t j = 0; j < k; j++)
        printf(" %7zu", j);
    for (size_t i = 0; i < k; i++) {
        printf("\n%6zu", i);
        for (size_t j = 0; j < k; j++)
            printf(" %7.0f", matrix[i * k + j]);
    }
    printf("\n");
}

static int print_confusion(const run *r, const char *set, gemmnet_workspace *ws,
                           const gemmnet_dataset *data)
{
    size_t k = (size_t)gemmnet_model_width(r->model, gemmnet_model_layers(r->model));
    size_t *counts = calloc(k * k, sizeof *counts);
    double *matrix = calloc(k * k, sizeof *matrix);
    int status = counts && matrix ? gemmnet_confusion_matrix(r->model, ws, data, counts)
                                  : GEMMNET_E_NOMEM;
    for (size_t i = 0; status == GEMMNET_OK && i < k * k; i++)
        matrix[i] = (double)counts[i];
    if (status == GEMMNET_OK)
        status = sum_over_processes(r, matrix, k * k);
    if (status == GEMMNET_OK && r->parallel->rank == 0)
        print_matrix(set, matrix, k);
    free(counts);
    free(matrix);
    return status;
}

static int report_results(const run *r, gemmnet_trainer *trainer, gemmnet_error *err)
{
    int stopped;
    int32_t best = gemmnet_trainer_best_epoch(trainer, &stopped);
    if (stopped && r->parallel->rank == 0)
        printf("early stop after epoch %d: keeping the weights of epoch %d (best validation loss)\n",
               (int)gemmnet_trainer_epochs_done(trainer) - 1, (int)best);
    const gemmnet_dataset *validation = r->data.validation;
    gemmnet_workspace *ws = NULL;
    int status = gemmnet_workspace_create(r->model, NULL, &ws, err);
    if (status == GEMMNET_OK)
        status = print_accuracy(r, "accuracy", ws, r->data.train);
    if (status == GEMMNET_OK && validation)
        status = print_accuracy(r, "validation accuracy", ws, validation);
    if (status == GEMMNET_OK)
        status = print_confusion(r, validation ? "validation" : "training", ws,
                                 validation ? validation : r->data.train);
    gemmnet_workspace_destroy(ws);
    return status;
}

/* Training settings for this run: the parsed ones plus the callback,
 * the validation set and the collective. */
static gemmnet_train_options run_options(run *r)
{
    gemmnet_train_options o = r->args->options;
    o.progress = print_progress;
    o.progress_context = r;
    o.shuffle_seed = (uint32_t)r->args->data.seed;
    o.validation = r->data.validation;
    o.collective = r->parallel->size > 1 ? &r->collective : NULL;
    return o;
}

/* Reports a set-up failure: the failing process names itself, rank 0
 * names the failing rank. Returns the exit status. */
static int report_failure(const run *r, int status, int failed, const gemmnet_error *err)
{
    const char *message = err->message[0] ? err->message : gemmnet_strerror(status);
    if (status != GEMMNET_OK && r->parallel->size > 1)
        fprintf(stderr, "gemmnet train: rank %d: %s\n", r->parallel->rank, message);
    else if (status != GEMMNET_OK)
        fprintf(stderr, "gemmnet train: %s\n", message);
    else if (r->parallel->rank == 0)
        fprintf(stderr, "gemmnet train: stopping: rank %d failed (see its message)\n", failed);
    return EXIT_FAILURE_RUN;
}

/* Loads the data, builds the model and the trainer on every process. A
 * failure on any process stops all of them: every step that can fail on
 * one process alone is followed by a check all processes make together,
 * before the next collective call, so none is left waiting in one.
 * Returns 0 to go on, else the exit status. */
static int set_up(run *r, gemmnet_train_options *o, gemmnet_trainer **trainer, gemmnet_error *err)
{
    int status = run_data_load(r->args, r->parallel, &r->data, err);
    int failed = cli_parallel_first_failure(r->parallel, status == GEMMNET_OK);
    if (failed >= 0)
        return report_failure(r, status, failed, err);
    status = run_data_shard(r->args, r->parallel, &r->data, err);
    if (status == GEMMNET_OK)
        status = build_model(r->args, r->data.train, &r->model, err);
    if (status == GEMMNET_OK) {
        const gemmnet_collective *shape = &r->data.collective;
        r->collective.global_rows = shape->global_rows;
        r->collective.first_row = shape->first_row;
        r->collective.validation_global_rows = shape->validation_global_rows;
        r->collective.validation_first_row = shape->validation_first_row;
        *o = run_options(r);
        status = gemmnet_trainer_create(r->model, r->data.train, o, trainer, err);
    }
    failed = cli_parallel_first_failure(r->parallel, status == GEMMNET_OK);
    return failed < 0 ? 0 : report_failure(r, status, failed, err);
}

static int run_training(const train_args *a, const cli_parallel *p)
{
    run r = {.parallel = p, .args = a, .collective = cli_parallel_collective(p)};
    gemmnet_error err = {0};
    gemmnet_train_options o;
    gemmnet_trainer *trainer = NULL;
    int exit_status = set_up(&r, &o, &trainer, &err);
    if (exit_status == 0) {
        /* Failures from here on are the same on every process (the
         * gradient is summed before it is checked): rank 0 reports. */
        int status = gemmnet_trainer_run(trainer, o.epochs, &err);
        if (status == GEMMNET_OK)
            status = report_results(&r, trainer, &err);
        if (status != GEMMNET_OK && p->rank == 0)
            fprintf(stderr, "gemmnet train: %s\n", err.message[0] ? err.message : gemmnet_strerror(status));
        exit_status = status == GEMMNET_OK ? 0 : EXIT_FAILURE_RUN;
    }
    gemmnet_trainer_destroy(trainer);
    gemmnet_model_destroy(r.model);
    run_data_free(&r.data);
    return exit_status;
}

int cmd_train(int argc, char **argv)
{
    cli_parallel p;
    cli_parallel_init(&argc, &argv, &p);
    train_args a;
    int exit_status = parse_train_args(argc, argv, &a);
    if (exit_status < 0 && a.threads > 0 && gemmnet_blas_set_threads((int)a.threads) != GEMMNET_OK)
        exit_status = cli_usage_error("train", "cannot set %ld BLAS threads", a.threads);
    if (exit_status < 0)
        exit_status = run_training(&a, &p);
    cli_parallel_finalize();
    return exit_status;
}
