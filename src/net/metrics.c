/* Evaluation of a model on a data set: the loss (the one formula of the
 * reported loss), accuracy and the confusion matrix, side by side as in
 * gemmnet.h. */
#include "net/net.h"

#include <math.h>
#include <string.h>

/* Loss and accuracy over data; standardise says whether the rows are raw
 * (apply the model's standardisation) or already standardised. The loss
 * may come out non-finite (the trainer checks it with its own message). */
static int evaluate_rows(const gemmnet_model *model,
                         gemmnet_workspace *workspace,
                         const gemmnet_dataset *data,
                         float l2,
                         gemmnet_reduction reduction,
                         bool standardise,
                         gemmnet_evaluation *result,
                         gemmnet_error *err)
{
    int status = gn_check_inference(model, workspace, data, 1, err);
    if (status == GEMMNET_OK && !result)
        status = gn_fail(err, GEMMNET_E_INVALID, "result must not be NULL");
    if (status == GEMMNET_OK)
        status = gn_check_dataset(data, model, err); /* shape, labels, finite rows */
    gn_blocks b = {.x = data ? data->x : NULL,
                   .y = data ? data->y : NULL,
                   .first = 0,
                   .end = data ? data->rows : 0,
                   .raw = standardise};
    if (status == GEMMNET_OK)
        status = gn_forward_blocks(model, workspace, &b, gn_count_correct_block, &b, err);
    if (status != GEMMNET_OK)
        return status;
    gn_fill_evaluation(model, l2, reduction, b.cross_entropy, (double)b.correct, (double)data->rows,
                       result);
    return GEMMNET_OK;
}

void gn_fill_evaluation(const gemmnet_model *m,
                        float l2,
                        gemmnet_reduction reduction,
                        double cross_entropy,
                        double correct,
                        double rows,
                        gemmnet_evaluation *result)
{
    double penalty = 0.5 * l2 * gn_weight_square_sum(m);
    result->cross_entropy = cross_entropy / rows;
    result->loss = reduction == GEMMNET_REDUCTION_SUM ? (cross_entropy + penalty) / rows
                                                      : cross_entropy / rows + penalty;
    result->correct = (size_t)correct;
    result->accuracy = correct / rows;
    result->balanced_accuracy = 0.0;
}

double gn_balanced_accuracy(const size_t *class_correct, const size_t *class_total, size_t k)
{
    double recall = 0.0;
    size_t present = 0;
    for (size_t j = 0; j < k; j++)
        if (class_total[j] > 0) {
            recall += (double)class_correct[j] / (double)class_total[j];
            present++;
        }
    return present ? recall / (double)present : 0.0;
}

/* result->balanced_accuracy over data: a second walk counting each
 * class's rows and correct rows (K + K counts from the model's allocator). */
static int fill_balanced_accuracy(const gemmnet_model *model,
                                  gemmnet_workspace *workspace,
                                  const gemmnet_dataset *data,
                                  gemmnet_evaluation *result,
                                  gemmnet_error *err)
{
    size_t k = (size_t)model->width[model->layers];
    gemmnet_allocator a = model->allocator;
    size_t *counts = gn_alloc_zero(&a, 2 * k * sizeof *counts);
    if (!counts)
        return gn_fail(err, GEMMNET_E_NOMEM, "cannot allocate the counts of %zu classes", k);
    gn_blocks b = {.x = data->x,
                   .y = data->y,
                   .first = 0,
                   .end = data->rows,
                   .raw = true,
                   .class_correct = counts,
                   .class_total = counts + k};
    int status = gn_forward_blocks(model, workspace, &b, gn_count_correct_block, &b, err);
    if (status == GEMMNET_OK)
        result->balanced_accuracy = gn_balanced_accuracy(counts, counts + k, k);
    gn_release(&a, counts);
    return status;
}

GEMMNET_API int gemmnet_evaluate(const gemmnet_model *model,
                                 gemmnet_workspace *workspace,
                                 const gemmnet_dataset *data,
                                 float l2,
                                 gemmnet_reduction reduction,
                                 gemmnet_evaluation *result,
                                 gemmnet_error *err)
{
    if (!isfinite(l2) || l2 < 0.0f ||
        (reduction != GEMMNET_REDUCTION_SUM && reduction != GEMMNET_REDUCTION_MEAN))
        return gn_fail(err, GEMMNET_E_INVALID,
                       "l2 must be finite and ≥ 0 and the reduction sum or mean (got %g, %d)",
                       (double)l2, (int)reduction);
    int status = evaluate_rows(model, workspace, data, l2, reduction, true, result, err);
    if (status == GEMMNET_OK)
        status = fill_balanced_accuracy(model, workspace, data, result, err);
    if (status == GEMMNET_OK && !isfinite(result->loss))
        return gn_fail(err, GEMMNET_E_NONFINITE,
                       "the loss is not finite although the data is (weights too large for "
                       "float32?)");
    return status;
}

int gn_evaluate_raw(const gemmnet_model *m,
                    gemmnet_workspace *ws,
                    const gemmnet_dataset *data,
                    float l2,
                    gemmnet_reduction reduction,
                    gemmnet_evaluation *result,
                    gemmnet_error *err)
{
    return evaluate_rows(m, ws, data, l2, reduction, true, result, err);
}

int gn_evaluate_prepared(const gemmnet_model *m,
                         gemmnet_workspace *ws,
                         const gemmnet_dataset *data,
                         float l2,
                         gemmnet_reduction reduction,
                         gemmnet_evaluation *result)
{
    return evaluate_rows(m, ws, data, l2, reduction, false, result, NULL);
}

GEMMNET_API int gemmnet_confusion_matrix(const gemmnet_model *model,
                                         gemmnet_workspace *workspace,
                                         const gemmnet_dataset *data,
                                         size_t *matrix,
                                         gemmnet_error *err)
{
    int status = gn_check_inference(model, workspace, data, 1, err);
    if (status == GEMMNET_OK && !matrix)
        status = gn_fail(err, GEMMNET_E_INVALID, "matrix must not be NULL");
    if (status == GEMMNET_OK)
        status = gn_check_dataset(data, model, err);
    if (status != GEMMNET_OK)
        return status;
    size_t k = (size_t)model->width[model->layers];
    memset(matrix, 0, k * k * sizeof *matrix);
    int32_t predicted[256];
    for (size_t r = 0; r < data->rows; r += 256) {
        size_t rows = data->rows - r < 256 ? data->rows - r : 256;
        gemmnet_error detail = {0};
        status = gemmnet_predict(model, workspace, data->x + r * data->features, rows, predicted,
                                 &detail);
        if (status != GEMMNET_OK)
            return gn_fail(err, status, "rows %zu..%zu: %s", r + 1, r + rows, detail.message);
        for (size_t i = 0; i < rows; i++)
            matrix[(size_t)data->y[r + i] * k + (size_t)predicted[i]]++;
    }
    return GEMMNET_OK;
}
