/* Workspaces: the per-block buffers of the forward and backward passes,
 * sized once (for training: rows per block chosen for cache; for
 * inference: at most 1024 rows, fewer for wide models) and carved from one
 * allocation, so that an epoch or a predict call allocates nothing.
 * Created and destroyed here. */
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
    size_t rows = model ? predict_block_rows(model) : PREDICT_BLOCK_ROWS;
    return gn_workspace_create(model, rows, false, allocator, workspace, err);
}
