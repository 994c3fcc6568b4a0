/* Layers as sgemm sequences: the forward and backward passes over one
 * block of rows, in a workspace (workspace.c), and what the first layer
 * reads. */
#include "net/net.h"

#include <string.h>

double gn_forward(
    const gemmnet_model *m, gemmnet_workspace *ws, const float *x, const int32_t *y, size_t rows)
{
    return gn_forward_weighted(m, ws, x, y, NULL, rows);
}

double gn_forward_weighted(const gemmnet_model *m,
                           gemmnet_workspace *ws,
                           const float *x,
                           const int32_t *y,
                           const float *w,
                           size_t rows)
{
    const float *input = x;
    for (int32_t l = 1; l <= m->layers; l++) {
        size_t in = (size_t)m->width[l - 1], out = (size_t)m->width[l];
        const float *weights = m->parameters + m->weight_offset[l - 1];
        const float *b = m->parameters + m->bias_offset[l - 1];
        float *z = ws->act[l];
        /* Z_l[rows×out] = A_{l−1}[rows×in]·W_l[in×out] */
        gn_sgemm(false, false, rows, out, in, 1.0f, input, in, weights, out, 0.0f, z, out);
        if (l == m->layers)
            return gn_bias_softmax_weighted(z, b, y, w, rows, out);
        gn_bias_activation(z, b, rows, out, m->activation[l - 1]);
        if (ws->dropout.p > 0.0f)
            gn_dropout_forward(&ws->dropout, l, z, rows, out);
        input = z;
    }
    return 0.0; /* not reached: layers ≥ 1 */
}

/* Layers L..1 of the backward pass from dZ_L in ws->act[L]. */
static void backward_layers(const gemmnet_model *m,
                            gemmnet_workspace *ws,
                            const float *x,
                            size_t rows,
                            bool accumulate,
                            float *grad)
{
    int32_t top = m->layers;
    float beta = accumulate ? 1.0f : 0.0f;
    float *dz = ws->act[top];
    for (int32_t l = top; l >= 1; l--) {
        size_t in = (size_t)m->width[l - 1], out = (size_t)m->width[l];
        const float *input = l > 1 ? ws->act[l - 1] : x;
        /* dW_l[in×out] (+)= A_{l−1}ᵀ[in×rows]·dZ_l[rows×out] */
        gn_sgemm(true, false, in, out, rows, 1.0f, input, in, dz, out, beta,
                 grad + m->weight_offset[l - 1], out);
        if (l == 1)
            break;
        /* dA_{l−1}[rows×in] = dZ_l[rows×out]·W_lᵀ[out×in] */
        gn_sgemm(false, true, rows, in, out, 1.0f, dz, out, m->parameters + m->weight_offset[l - 1],
                 out, 0.0f, ws->delta, in);
        if (ws->dropout.p > 0.0f)
            gn_dropout_backward(&ws->dropout, l - 1, ws->act[l - 1], ws->delta, rows, in);
        /* dZ_{l−1} = dA ⊙ f'(A_{l−1}), over A_{l−1}, which dW_l no longer needs */
        gn_activation_grad(ws->act[l - 1], ws->delta, rows, in, m->activation[l - 2], accumulate,
                           grad + m->bias_offset[l - 2]);
        dz = ws->act[l - 1];
    }
}

void gn_backward(const gemmnet_model *m,
                 gemmnet_workspace *ws,
                 const float *x,
                 const int32_t *y,
                 size_t rows,
                 float scale,
                 bool accumulate,
                 float *grad)
{
    int32_t top = m->layers;
    /* dZ_L[rows×K] = scale·(P − Y); db_L = column sums */
    gn_softmax_grad(ws->act[top], y, rows, (size_t)m->width[top], scale, accumulate,
                    grad + m->bias_offset[top - 1]);
    backward_layers(m, ws, x, rows, accumulate, grad);
}

void gn_backward_weighted(const gemmnet_model *m,
                          gemmnet_workspace *ws,
                          const float *x,
                          const int32_t *y,
                          const float *w,
                          size_t rows,
                          float scale,
                          bool accumulate,
                          float *grad)
{
    int32_t top = m->layers;
    /* dZ_L[rows×K] = scale·w ⊙ (P − Y) row by row; db_L = column sums */
    gn_softmax_grad_weighted(ws->act[top], y, w, rows, (size_t)m->width[top], scale, accumulate,
                             grad + m->bias_offset[top - 1]);
    backward_layers(m, ws, x, rows, accumulate, grad);
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
