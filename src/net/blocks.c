/* The one walk over rows in blocks (gn_forward_blocks) that predict,
 * predict_proba, hidden activations, evaluation and the trainer's
 * gradients share, and its common visitors: the backward pass and the
 * correct count. Apart from passes.c so that the passes are called across
 * files (the bench times them by wrapping gn_forward and gn_backward). */
#include "net/net.h"

int gn_forward_blocks(const gemmnet_model *m,
                      gemmnet_workspace *ws,
                      gn_blocks *b,
                      gn_block_visit visit,
                      void *context,
                      gemmnet_error *err)
{
    size_t d = (size_t)m->width[0];
    b->cross_entropy = 0.0;
    for (size_t r = b->first; r < b->end; r += ws->block_rows) {
        size_t rows = b->end - r < ws->block_rows ? b->end - r : ws->block_rows;
        const float *x = b->x + r * d;
        int status = b->check_rows ? gn_check_rows_finite(x, rows, d, r, err) : GEMMNET_OK;
        if (status != GEMMNET_OK)
            return status;
        const float *input = b->raw ? gn_first_layer_input(m, ws, x, rows) : x;
        if (!input)
            return gn_fail(err, GEMMNET_E_INVALID,
                           "the workspace has no room for standardised rows");
        ws->dropout.row = ws->dropout.base + r;
        /* A[rows×·] for every layer, P[rows×K] in act[L]. */
        const int32_t *y = b->y ? b->y + r : NULL;
        b->cross_entropy += b->w ? gn_forward_weighted(m, ws, input, y, b->w + r, rows)
                                 : gn_forward(m, ws, input, y, rows);
        status = visit ? visit(context, ws, input, r, rows, err) : GEMMNET_OK;
        if (status != GEMMNET_OK)
            return status;
    }
    return GEMMNET_OK;
}

int gn_backward_block(void *context,
                      gemmnet_workspace *ws,
                      const float *input,
                      size_t r,
                      size_t rows,
                      gemmnet_error *err)
{
    (void)err;
    gn_backward_job *job = context;
    if (job->w)
        gn_backward_weighted(job->model, ws, input, job->y + r, job->w + r, rows, job->scale,
                             r > job->first, job->grad);
    else
        gn_backward(job->model, ws, input, job->y + r, rows, job->scale, r > job->first, job->grad);
    return GEMMNET_OK;
}

int gn_count_correct_block(void *context,
                           gemmnet_workspace *ws,
                           const float *input,
                           size_t r,
                           size_t rows,
                           gemmnet_error *err)
{
    (void)input;
    (void)err;
    gn_blocks *b = context;
    int32_t L = ws->layers;
    size_t k = (size_t)ws->width[L];
    b->correct += gn_count_correct(ws->act[L], b->y + r, rows, k);
    if (b->class_total)
        for (size_t i = 0; i < rows; i++) {
            size_t label = (size_t)b->y[r + i];
            b->class_total[label]++;
            b->class_correct[label] += gn_argmax(ws->act[L] + i * k, k) == label;
        }
    return GEMMNET_OK;
}

size_t gn_argmax(const float *p, size_t k)
{
    size_t best = 0;
    for (size_t j = 1; j < k; j++)
        if (p[j] > p[best])
            best = j;
    return best;
}

size_t gn_count_correct(const float *p, const int32_t *y, size_t rows, size_t k)
{
    size_t correct = 0;
    for (size_t i = 0; i < rows; i++)
        correct += gn_argmax(p + i * k, k) == (size_t)y[i];
    return correct;
}
