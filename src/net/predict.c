/* Inference from a const model: probabilities and labels (evaluation is
 * metrics.c's), and the checks every inference call makes.
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

/* What an inference call copies out of each block. */
typedef struct answers {
    const gemmnet_model *model;
    float *proba;
    int32_t *labels;
} answers;

/* Visitor of predict and predict_proba: P[rows×K] checked finite, then
 * copied out whole (proba) or as each row's most probable class (labels). */
static int copy_answers(void *context,
                        gemmnet_workspace *ws,
                        const float *input,
                        size_t r,
                        size_t rows,
                        gemmnet_error *err)
{
    (void)input;
    answers *a = context;
    int32_t L = a->model->layers;
    size_t k = (size_t)a->model->width[L];
    int status = gn_check_outputs_finite(ws->act[L], rows, k, r, "probabilities", err);
    if (status == GEMMNET_OK && a->proba)
        memcpy(a->proba + r * k, ws->act[L], rows * k * sizeof(float));
    for (size_t i = 0; status == GEMMNET_OK && a->labels && i < rows; i++)
        a->labels[r + i] = (int32_t)gn_argmax(ws->act[L] + i * k, k);
    return status;
}

/* The shared body of predict and predict_proba: raw rows, checked finite. */
static int infer(const gemmnet_model *model,
                 gemmnet_workspace *workspace,
                 const float *x,
                 size_t n,
                 answers *a,
                 gemmnet_error *err)
{
    gn_blocks b = {.x = x, .first = 0, .end = n, .raw = true, .check_rows = true};
    return gn_forward_blocks(model, workspace, &b, copy_answers, a, err);
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
    answers a = {.model = model, .proba = proba};
    return status == GEMMNET_OK ? infer(model, workspace, x, n, &a, err) : status;
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
    answers a = {.model = model, .labels = labels};
    return status == GEMMNET_OK ? infer(model, workspace, x, n, &a, err) : status;
}
