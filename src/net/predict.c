/* Inference from a const model: probabilities, labels, loss and accuracy.
 * Rows are processed in blocks of the workspace's size, so any n works
 * with a fixed amount of memory. Rows are raw: a model that carries a
 * standardisation gets a standardised copy of each block, made in the
 * workspace (the caller's rows and the model stay untouched, so threads
 * with their own workspaces can share both). */
#include "net/net.h"

#include <math.h>
#include <string.h>

static bool same_shape(const gemmnet_model *m, const gemmnet_workspace *ws)
{
    if (m->layers != ws->layers)
        return false;
    return memcmp(m->width, ws->width, sizeof(int32_t) * (size_t)(m->layers + 1)) == 0;
}

int gn_check_inference(const gemmnet_model *m,
                       const gemmnet_workspace *ws,
                       const void *x,
                       size_t n,
                       gemmnet_error *err)
{
    if (!m || !ws)
        return gn_fail(err, GEMMNET_E_INVALID, "a model and a workspace are required");
    if (!x && n > 0)
        return gn_fail(err, GEMMNET_E_INVALID, "%zu rows given as NULL", n);
    if (!same_shape(m, ws))
        return gn_fail(err, GEMMNET_E_SHAPE,
                       "the workspace was made for a model of another shape (%d layers, %d "
                       "inputs; this model: %d layers, %d inputs): create one for this model",
                       (int)ws->layers, (int)ws->width[0], (int)m->layers, (int)m->width[0]);
    return GEMMNET_OK;
}

int gn_check_rows_finite(const float *x, size_t rows, size_t d, size_t first, gemmnet_error *err)
{
    if (gn_all_finite(x, rows * d))
        return GEMMNET_OK;
    size_t i = 0;
    while (isfinite(x[i]))
        i++;
    return gn_fail(err, GEMMNET_E_NONFINITE, "row %zu, feature %zu: %g is not a finite number",
                   first + i / d + 1, i % d + 1, (double)x[i]);
}

int gn_check_outputs_finite(
    const float *v, size_t rows, size_t width, size_t first, const char *what, gemmnet_error *err)
{
    if (gn_all_finite(v, rows * width))
        return GEMMNET_OK;
    size_t i = 0;
    while (isfinite(v[i]))
        i++;
    return gn_fail(err, GEMMNET_E_NONFINITE,
                   "row %zu: the model's %s are not finite although the row is (weights too "
                   "large for float32?)",
                   first + i / width + 1, what);
}

/* What the first layer reads for rows x[rows×D]: x itself, or with a
 * standardisation its transformed copy in ws->input[R×D]. Returns NULL
 * when the model needs the copy but the workspace (a training one) has
 * no room for it. */
const float *
gn_first_layer_input(const gemmnet_model *m, gemmnet_workspace *ws, const float *x, size_t rows)
{
    if (!m->mean)
        return x;
    if (!ws->input)
        return NULL;
    gn_standardize_rows(ws->input, x, rows, (size_t)m->width[0], m->mean, m->scale);
    return ws->input;
}

/* Rows of the block starting at r of n. */
static size_t block_at(const gemmnet_workspace *ws, size_t r, size_t n)
{
    return n - r < ws->block_rows ? n - r : ws->block_rows;
}

static size_t argmax(const float *p, size_t k)
{
    size_t best = 0;
    for (size_t j = 1; j < k; j++)
        if (p[j] > p[best])
            best = j;
    return best;
}

/* Forward pass of the rows [r, r + rows) of x[n×D] after checking that
 * they are finite; leaves the probabilities in ws->act[L] and checks them. */
static int forward_block(const gemmnet_model *m,
                         gemmnet_workspace *ws,
                         const float *x,
                         size_t r,
                         size_t rows,
                         gemmnet_error *err)
{
    size_t d = (size_t)m->width[0], k = (size_t)m->width[m->layers];
    int status = gn_check_rows_finite(x + r * d, rows, d, r, err);
    if (status != GEMMNET_OK)
        return status;
    const float *input = gn_first_layer_input(m, ws, x + r * d, rows);
    if (!input)
        return gn_fail(err, GEMMNET_E_INVALID, "the workspace has no room for standardised rows");
    gn_forward(m, ws, input, NULL, rows);
    return gn_check_outputs_finite(ws->act[m->layers], rows, k, r, "probabilities", err);
}

GEMMNET_API int gemmnet_predict_proba(const gemmnet_model *model,
                                      gemmnet_workspace *workspace,
                                      const float *x,
                                      size_t n,
                                      float *proba,
                                      gemmnet_error *err)
{
    int status = gn_check_inference(model, workspace, x, n, err);
    if (status == GEMMNET_OK && n > 0 && !proba)
        status = gn_fail(err, GEMMNET_E_INVALID, "proba must not be NULL");
    size_t k = status == GEMMNET_OK ? (size_t)model->width[model->layers] : 0;
    for (size_t r = 0; status == GEMMNET_OK && r < n; r += workspace->block_rows) {
        size_t rows = block_at(workspace, r, n);
        status = forward_block(model, workspace, x, r, rows, err);
        if (status == GEMMNET_OK)
            memcpy(proba + r * k, workspace->act[model->layers], rows * k * sizeof(float));
    }
    return status;
}

GEMMNET_API int gemmnet_predict(const gemmnet_model *model,
                                gemmnet_workspace *workspace,
                                const float *x,
                                size_t n,
                                int32_t *labels,
                                gemmnet_error *err)
{
    int status = gn_check_inference(model, workspace, x, n, err);
    if (status == GEMMNET_OK && n > 0 && !labels)
        status = gn_fail(err, GEMMNET_E_INVALID, "labels must not be NULL");
    size_t k = status == GEMMNET_OK ? (size_t)model->width[model->layers] : 0;
    for (size_t r = 0; status == GEMMNET_OK && r < n; r += workspace->block_rows) {
        size_t rows = block_at(workspace, r, n);
        status = forward_block(model, workspace, x, r, rows, err);
        const float *p = workspace->act[model->layers];
        for (size_t i = 0; status == GEMMNET_OK && i < rows; i++)
            labels[r + i] = (int32_t)argmax(p + i * k, k);
    }
    return status;
}

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
        status = gn_check_dataset(data, model, err);
    if (status != GEMMNET_OK)
        return status;
    size_t d = data->features, k = (size_t)model->width[model->layers];
    double cross_entropy = 0.0;
    size_t correct = 0;
    for (size_t r = 0; r < data->rows; r += workspace->block_rows) {
        size_t rows = block_at(workspace, r, data->rows);
        const float *x = data->x + r * d;
        const float *input = standardise ? gn_first_layer_input(model, workspace, x, rows) : x;
        if (!input)
            return gn_fail(err, GEMMNET_E_INVALID,
                           "the workspace has no room for standardised rows");
        cross_entropy += gn_forward(model, workspace, input, data->y + r, rows);
        const float *p = workspace->act[model->layers];
        for (size_t i = 0; i < rows; i++)
            correct += argmax(p + i * k, k) == (size_t)data->y[r + i];
    }
    gn_fill_evaluation(model, l2, reduction, cross_entropy, (double)correct, (double)data->rows,
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
