/* Inference from a const model: probabilities, labels, loss and accuracy.
 * Rows are processed in blocks of the workspace's size, so any n works
 * with a fixed amount of memory. Rows are raw: a model that carries a
 * standardisation gets a standardised copy of each block, made in the
 * workspace (the caller's rows and the model stay untouched, so threads
 * with their own workspaces can share both). */
#include "internal.h"

#include <string.h>

/* Rows per block of an inference workspace. */
enum { PREDICT_BLOCK_ROWS = 1024 };

/* Rows per block: PREDICT_BLOCK_ROWS, fewer for a wide model so that a
 * block's activations (and standardised input) stay within about 2^24
 * floats (64 MiB), but at least one row: a D = 2^24 model needs one row's
 * worth, not 1024 × D. */
static size_t predict_block_rows(const gemmnet_model *model)
{
    size_t per_row = 0;
    for (int32_t l = 0; l <= model->layers; l++)
        per_row += (size_t)model->width[l];
    size_t rows = ((size_t)1 << 24) / (per_row ? per_row : 1);
    return rows < 1 ? 1 : rows > PREDICT_BLOCK_ROWS ? PREDICT_BLOCK_ROWS : rows;
}

GEMMNET_API int gemmnet_workspace_create(const gemmnet_model *model,
                                         const gemmnet_allocator *allocator,
                                         gemmnet_workspace **workspace,
                                         gemmnet_error *err)
{
    return gn_workspace_create(model, predict_block_rows(model), false, allocator, workspace, err);
}

static bool same_shape(const gemmnet_model *m, const gemmnet_workspace *ws)
{
    if (m->layers != ws->layers)
        return false;
    return memcmp(m->width, ws->width, sizeof(int32_t) * (size_t)(m->layers + 1)) == 0;
}

int gn_check_inference(const gemmnet_model *m, const gemmnet_workspace *ws, const void *x, size_t n)
{
    if (!m || !ws || (!x && n > 0))
        return GEMMNET_E_INVALID;
    return same_shape(m, ws) ? GEMMNET_OK : GEMMNET_E_SHAPE;
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

GEMMNET_API int gemmnet_predict_proba(const gemmnet_model *model,
                                      gemmnet_workspace *workspace,
                                      const float *x,
                                      size_t n,
                                      float *proba)
{
    int status = gn_check_inference(model, workspace, x, n);
    if (status != GEMMNET_OK || (n > 0 && !proba))
        return status != GEMMNET_OK ? status : GEMMNET_E_INVALID;
    size_t d = (size_t)model->width[0], k = (size_t)model->width[model->layers];
    for (size_t r = 0; r < n; r += workspace->block_rows) {
        size_t rows = block_at(workspace, r, n);
        const float *input = gn_first_layer_input(model, workspace, x + r * d, rows);
        if (!input)
            return GEMMNET_E_INVALID;
        gn_forward(model, workspace, input, NULL, rows);
        memcpy(proba + r * k, workspace->act[model->layers], rows * k * sizeof(float));
    }
    return GEMMNET_OK;
}

GEMMNET_API int gemmnet_predict(const gemmnet_model *model,
                                gemmnet_workspace *workspace,
                                const float *x,
                                size_t n,
                                int32_t *labels)
{
    int status = gn_check_inference(model, workspace, x, n);
    if (status != GEMMNET_OK || (n > 0 && !labels))
        return status != GEMMNET_OK ? status : GEMMNET_E_INVALID;
    size_t d = (size_t)model->width[0], k = (size_t)model->width[model->layers];
    for (size_t r = 0; r < n; r += workspace->block_rows) {
        size_t rows = block_at(workspace, r, n);
        const float *input = gn_first_layer_input(model, workspace, x + r * d, rows);
        if (!input)
            return GEMMNET_E_INVALID;
        gn_forward(model, workspace, input, NULL, rows);
        const float *p = workspace->act[model->layers];
        for (size_t i = 0; i < rows; i++)
            labels[r + i] = (int32_t)argmax(p + i * k, k);
    }
    return GEMMNET_OK;
}

/* Loss and accuracy over data; standardise says whether the rows are raw
 * (apply the model's standardisation) or already standardised. */
static int evaluate_rows(const gemmnet_model *model,
                         gemmnet_workspace *workspace,
                         const gemmnet_dataset *data,
                         float l2,
                         gemmnet_reduction reduction,
                         bool standardise,
                         gemmnet_evaluation *result)
{
    int status = gn_check_inference(model, workspace, data, 1);
    if (status != GEMMNET_OK || !result || data->rows == 0)
        return status != GEMMNET_OK ? status : GEMMNET_E_INVALID;
    status = gn_check_dataset(data, model, NULL);
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
            return GEMMNET_E_INVALID;
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
                                 gemmnet_evaluation *result)
{
    return evaluate_rows(model, workspace, data, l2, reduction, true, result);
}

int gn_evaluate_prepared(const gemmnet_model *m,
                         gemmnet_workspace *ws,
                         const gemmnet_dataset *data,
                         float l2,
                         gemmnet_reduction reduction,
                         gemmnet_evaluation *result)
{
    return evaluate_rows(m, ws, data, l2, reduction, false, result);
}
