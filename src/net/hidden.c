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

/* What gemmnet_hidden_activations copies out of each block. */
typedef struct hidden_copy {
    int32_t layer;
    float *out;
} hidden_copy;

/* Visitor: act[layer][rows×H] checked finite, then copied out. The whole
 * forward pass ran (it is one call); the layers above leave act[layer]
 * untouched. */
static int copy_layer(void *context,
                      gemmnet_workspace *ws,
                      const float *input,
                      size_t r,
                      size_t rows,
                      gemmnet_error *err)
{
    (void)input;
    hidden_copy *c = context;
    size_t h = (size_t)ws->width[c->layer];
    int status = gn_check_outputs_finite(ws->act[c->layer], rows, h, r, "activations", err);
    if (status == GEMMNET_OK)
        memcpy(c->out + r * h, ws->act[c->layer], rows * h * sizeof(float));
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
    gn_blocks b = {.x = x, .first = 0, .end = n, .raw = true, .check_rows = true};
    hidden_copy c = {layer, out};
    return gn_forward_blocks(model, workspace, &b, copy_layer, &c, err);
}
