/* What `gemmnet train` prints: progress lines, the log, the accuracies and
 * the confusion matrix, summed over all processes under mpirun. */
#include "training_log.h"
#include "training_run.h"

#include <stdbool.h>
#include <stdlib.h>

int train_report_progress(void *context, const gemmnet_progress *p)
{
    const run *r = context;
    if (r->parallel->rank != 0)
        return 0;
    long print_every = r->args.options.report_every, log_every = r->args.log_every;
    if (r->log && p->epoch % log_every == 0)
        train_log_write(r->log, p);
    if (print_every <= 0 || p->epoch % print_every != 0)
        return 0;
    /* Full batch: one update per epoch, the tutorial's "iteration". */
    const char *unit = r->args.options.batch_size > 0 ? "epoch" : "iteration";
    if (!p->has_validation)
        printf("Loss after %s %d: %f\n", unit, (int)p->epoch, p->train.loss);
    else
        printf("Loss after %s %d: %f accuracy %.4f | val loss %f val accuracy %.4f\n", unit,
               (int)p->epoch, p->train.loss, p->train.accuracy, p->validation.loss,
               p->validation.accuracy);
    return 0;
}

/* Sums v[n] over the processes (in place); no-op for one process. */
static int sum_over_processes(const run *r, double *v, size_t n)
{
    if (r->parallel->size == 1)
        return GEMMNET_OK;
    return r->collective.sum_doubles(r->collective.context, v, n) == 0 ? GEMMNET_OK
                                                                       : GEMMNET_E_COLLECTIVE;
}

/* "accuracy: 0.9750 (195/200)" over all processes' rows of a set; for the
 * training set also the final "loss: 0.070758", the loss the progress
 * lines print, after the last epoch. */
static int print_accuracy(const run *r,
                          const char *label,
                          bool with_loss,
                          gemmnet_workspace *ws,
                          const gemmnet_dataset *data)
{
    const gemmnet_train_options *o = &r->args.options;
    gemmnet_evaluation e;
    int status = gemmnet_evaluate(r->model, ws, data, o->l2, o->reduction, &e, NULL);
    double n = (double)data->rows;
    double counts[3] = {(double)e.correct, n, e.cross_entropy * n};
    if (status == GEMMNET_OK)
        status = sum_over_processes(r, counts, 3);
    if (status != GEMMNET_OK || r->parallel->rank != 0)
        return status;
    /* loss = mean CE + the L2 term, which the sum reduction divides by
     * the rows (here this process's: rescaled to all of them). */
    double penalty = e.loss - e.cross_entropy;
    if (o->reduction == GEMMNET_REDUCTION_SUM)
        penalty *= n / counts[1];
    if (with_loss)
        printf("loss: %f\n", counts[2] / counts[1] + penalty);
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

/* Above this many classes the K×K matrix is neither readable nor cheap
 * (60000 classes: 29 GB of counts), so the report names K instead. */
enum { CONFUSION_MAX_CLASSES = 32 };

static int
print_confusion(const run *r, const char *set, gemmnet_workspace *ws, const gemmnet_dataset *data)
{
    size_t k = (size_t)gemmnet_model_width(r->model, gemmnet_model_layers(r->model));
    if (k > CONFUSION_MAX_CLASSES) {
        if (r->parallel->rank == 0)
            printf("confusion matrix, %s set: not printed for %zu classes (more than %d)\n", set, k,
                   CONFUSION_MAX_CLASSES);
        return GEMMNET_OK;
    }
    size_t *counts = calloc(k * k, sizeof *counts);
    double *matrix = calloc(k * k, sizeof *matrix);
    int status = counts && matrix ? gemmnet_confusion_matrix(r->model, ws, data, counts, NULL)
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

int train_report_results(const run *r, const gemmnet_trainer *trainer, gemmnet_error *err)
{
    int stopped;
    int32_t best = gemmnet_trainer_best_epoch(trainer, &stopped);
    int32_t last = gemmnet_trainer_epochs_done(trainer) - 1;
    if (stopped && r->parallel->rank == 0)
        printf(
            "early stop after epoch %d: keeping the weights of epoch %d (best validation loss)\n",
            (int)last, (int)best);
    else if (best >= 0 && best < last && r->parallel->rank == 0)
        printf("training ended after epoch %d: keeping the weights of epoch %d (best validation "
               "loss)\n",
               (int)last, (int)best);
    const gemmnet_dataset *validation = r->data.validation;
    gemmnet_workspace *ws = NULL;
    int status = gemmnet_workspace_create(r->model, NULL, &ws, err);
    if (status == GEMMNET_OK)
        status = print_accuracy(r, "accuracy", true, ws, r->data.train);
    if (status == GEMMNET_OK && validation)
        status = print_accuracy(r, "validation accuracy", false, ws, validation);
    if (status == GEMMNET_OK)
        status = print_confusion(r, validation ? "validation" : "training", ws,
                                 validation ? validation : r->data.train);
    gemmnet_workspace_destroy(ws);
    return status;
}
