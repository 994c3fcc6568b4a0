/* Hidden-layer activations of a const model, block by block, for callers
 * that want to look inside the network (gemmnet plot-hidden). Rows are raw
 * and go through the model's standardisation exactly as in net/predict.c, so
 * that the activations are the ones prediction computes. */
#include "net/net.h"

#include <string.h>

static int check_call(const gemmnet_model *m,
                      const gemmnet_workspace *ws,
                      const float *x,
                      size_t n,
                      int32_t layer,
                      const float *out,
                      gemmnet_error *err)
{
    int status = gn_check_inference(m, ws, x, n, err);
    if (status == GEMMNET_OK && n > 0 && !out)
        return gn_fail(err, GEMMNET_E_INVALID, "out must not be NULL");
    if (status == GEMMNET_OK && (layer < 1 || layer >= m->layers))
        return gn_fail(err, GEMMNET_E_INVALID, "hidden layer %d does not exist, expected 1..%d",
                       (int)layer, (int)m->layers - 1);
    return status;
}

GEMMNET_API int gemmnet_hidden_activations(const gemmnet_model *model,
                                           gemmnet_workspace *workspace,
                                           const float *x,
                                           size_t n,
                                           int32_t layer,
                                           float *out,
                                           gemmnet_error *err)
{
    int status = check_call(model, workspace, x, n, layer, out, err);
    if (status != GEMMNET_OK)
        return status;
    size_t d = (size_t)model->width[0], h = (size_t)model->width[layer];
    for (size_t r = 0; r < n; r += workspace->block_rows) {
        size_t rows = n - r < workspace->block_rows ? n - r : workspace->block_rows;
        status = gn_check_rows_finite(x + r * d, rows, d, r, err);
        if (status != GEMMNET_OK)
            return status;
        const float *input = gn_first_layer_input(model, workspace, x + r * d, rows);
        if (!input)
            return gn_fail(err, GEMMNET_E_INVALID,
                           "the workspace has no room for standardised rows");
        /* The whole forward pass runs (it is one call); act[layer][rows×H]
         * is left untouched by the layers above it. */
        gn_forward(model, workspace, input, NULL, rows);
        status = gn_check_outputs_finite(workspace->act[layer], rows, h, r, "activations", err);
        if (status != GEMMNET_OK)
            return status;
        memcpy(out + r * h, workspace->act[layer], rows * h * sizeof(float));
    }
    return GEMMNET_OK;
}
