/* Layers as sgemm sequences: the forward and backward passes over one
 * block of rows, and the buffers they run in. */
#include "net/net.h"

#include <string.h>

/* Sub-buffers start on 64-byte boundaries (16 floats). */
static size_t round_up16(size_t n)
{
    return (n + 15) & ~(size_t)15;
}

size_t gn_auto_block_rows(const gemmnet_model *m, size_t rows_total)
{
    /* Bytes a row of the block touches: its input, every layer's
     * activations, and the backward pass's dA buffer. */
    size_t floats_per_row = (size_t)m->width[0] + (size_t)m->max_width;
    for (int32_t l = 1; l <= m->layers; l++)
        floats_per_row += (size_t)m->width[l];
    size_t rows = (512u * 1024u) / (floats_per_row * sizeof(float));
    /* Keep the weight-gradient GEMMs (depth = rows) efficient even when
     * the block then spills from L2 to L3. */
    if (rows < 1024)
        rows = 1024;
    if (rows > rows_total)
        rows = rows_total;
    return rows ? rows : 1;
}

/* Adds a [rows×width] sub-buffer, padded to 16 floats, to *total; false
 * on overflow. */
static bool add_buffer(size_t rows, size_t width, size_t *total)
{
    size_t part;
    return gn_mul_size(rows, width, &part) && gn_add_size(part, 15, &part) &&
           gn_add_size(*total, round_up16(part), total);
}

/* Floats the workspace needs for block_rows rows: every layer's
 * activations, the backward pass's dA[R×max width] (with_delta), and the
 * standardised input block input[R×D] (with_input); false on overflow. */
static bool
workspace_floats(const gemmnet_model *m, size_t rows, bool with_delta, bool with_input, size_t *out)
{
    size_t total = 0, bytes;
    for (int32_t l = 1; l <= m->layers; l++)
        if (!add_buffer(rows, (size_t)m->width[l], &total))
            return false;
    if (with_delta && m->layers > 1 && !add_buffer(rows, (size_t)m->max_width, &total))
        return false;
    if (with_input && !add_buffer(rows, (size_t)m->width[0], &total))
        return false;
    *out = total;
    return gn_mul_size(total, sizeof(float), &bytes);
}

/* Points act[], delta and input into ws->block (laid out as
 * workspace_floats counts them for m). */
static void carve_workspace(
    gemmnet_workspace *ws, const gemmnet_model *m, size_t rows, bool with_delta, bool with_input)
{
    float *next = ws->block;
    for (int32_t l = 1; l <= ws->layers; l++) {
        ws->act[l] = next;
        next += round_up16(rows * (size_t)ws->width[l]);
    }
    ws->delta = with_delta && ws->layers > 1 ? next : NULL;
    next += ws->delta ? round_up16(rows * (size_t)m->max_width) : 0;
    ws->input = with_input ? next : NULL;
}

int gn_workspace_create(const gemmnet_model *m,
                        size_t block_rows,
                        bool with_delta,
                        const gemmnet_allocator *allocator,
                        gemmnet_workspace **out,
                        gemmnet_error *err)
{
    if (!out)
        return gn_fail(err, GEMMNET_E_INVALID, "workspace must not be NULL");
    *out = NULL;
    if (!m)
        return gn_fail(err, GEMMNET_E_INVALID, "a workspace needs a model");
    /* Inference always standardises into input[]; training only when the
     * model carries a standardisation (its data is then raw). */
    bool with_input = !with_delta || m->mean;
    size_t floats;
    if (block_rows == 0 || block_rows > INT32_MAX ||
        !workspace_floats(m, block_rows, with_delta, with_input, &floats))
        return gn_fail(err, GEMMNET_E_OVERFLOW, "a workspace of %zu rows is too large", block_rows);
    gemmnet_allocator a = gn_allocator_or_default(allocator);
    gemmnet_workspace *ws = gn_alloc_zero(&a, sizeof *ws);
    float *block = gn_alloc(&a, floats * sizeof(float));
    if (!ws || !block) {
        gn_release(&a, ws);
        gn_release(&a, block);
        return gn_fail(err, GEMMNET_E_NOMEM, "cannot allocate a %zu-byte workspace",
                       floats * sizeof(float));
    }
    ws->allocator = a;
    ws->block_rows = block_rows;
    ws->block = block;
    ws->layers = m->layers;
    memcpy(ws->width, m->width, sizeof ws->width);
    carve_workspace(ws, m, block_rows, with_delta, with_input);
    *out = ws;
    return GEMMNET_OK;
}

GEMMNET_API void gemmnet_workspace_destroy(gemmnet_workspace *workspace)
{
    if (!workspace)
        return;
    gemmnet_allocator a = workspace->allocator;
    gn_release(&a, workspace->block);
    gn_release(&a, workspace);
}

double gn_forward(
    const gemmnet_model *m, gemmnet_workspace *ws, const float *x, const int32_t *y, size_t rows)
{
    const float *input = x;
    for (int32_t l = 1; l <= m->layers; l++) {
        size_t in = (size_t)m->width[l - 1], out = (size_t)m->width[l];
        const float *w = m->parameters + m->weight_offset[l - 1];
        const float *b = m->parameters + m->bias_offset[l - 1];
        float *z = ws->act[l];
        /* Z_l[rows×out] = A_{l−1}[rows×in]·W_l[in×out] */
        gn_sgemm(false, false, rows, out, in, 1.0f, input, in, w, out, 0.0f, z, out);
        if (l == m->layers)
            return gn_bias_softmax(z, b, y, rows, out);
        gn_bias_activation(z, b, rows, out, m->activation[l - 1]);
        input = z;
    }
    return 0.0; /* not reached: layers ≥ 1 */
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
    float beta = accumulate ? 1.0f : 0.0f;
    float *dz = ws->act[top];
    /* dZ_L[rows×K] = scale·(P − Y); db_L = column sums */
    gn_softmax_grad(dz, y, rows, (size_t)m->width[top], scale, accumulate,
                    grad + m->bias_offset[top - 1]);
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
        /* dZ_{l−1} = dA ⊙ f'(A_{l−1}), over A_{l−1}, which dW_l no longer needs */
        gn_activation_grad(ws->act[l - 1], ws->delta, rows, in, m->activation[l - 2], accumulate,
                           grad + m->bias_offset[l - 2]);
        dz = ws->act[l - 1];
    }
}
