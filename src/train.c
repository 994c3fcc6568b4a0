/* Training: epochs of full-batch gradient descent in cache-sized row
 * blocks, progress reports, and non-finite detection. */
#include "internal.h"

#include <math.h>

GEMMNET_API void gemmnet_train_options_init(gemmnet_train_options *options)
{
    *options = (gemmnet_train_options){
        .epochs = 20000,
        .learning_rate = 0.01f,
        .l2 = 0.01f,
        .reduction = GEMMNET_REDUCTION_SUM,
        .report_every = 1000,
    };
}

static int check_options(const gemmnet_train_options *o, gemmnet_error *err)
{
    if (o->epochs < 0)
        return gn_fail(err, GEMMNET_E_INVALID, "epochs must be ≥ 0 (got %d)", (int)o->epochs);
    if (!isfinite(o->learning_rate) || o->learning_rate <= 0.0f)
        return gn_fail(err, GEMMNET_E_INVALID, "learning rate must be finite and > 0 (got %g)",
                       (double)o->learning_rate);
    if (!isfinite(o->l2) || o->l2 < 0.0f)
        return gn_fail(err, GEMMNET_E_INVALID, "l2 must be finite and ≥ 0 (got %g)", (double)o->l2);
    if (o->reduction != GEMMNET_REDUCTION_SUM && o->reduction != GEMMNET_REDUCTION_MEAN)
        return gn_fail(err, GEMMNET_E_INVALID, "unknown reduction %d", (int)o->reduction);
    if (o->report_every < 0)
        return gn_fail(err, GEMMNET_E_INVALID, "report_every must be ≥ 0");
    return GEMMNET_OK;
}

/* Buffers of one training run, allocated once. */
typedef struct trainer {
    gemmnet_model *model;
    const gemmnet_dataset *data;
    const gemmnet_train_options *options;
    /* Forward/backward buffers for block_rows rows. */
    gemmnet_workspace *workspace;
    /* ∇ of the loss, same layout as the parameter block. */
    float *grad;
    /* 1 for summed gradients, 1/N for averaged ones. */
    float scale;
} trainer;

/* grad = ∇ over all rows, block by block (weight gradients accumulate
 * with beta = 1 after the first block). */
static void full_batch_gradient(trainer *t)
{
    const gemmnet_dataset *data = t->data;
    size_t block = t->workspace->block_rows;
    for (size_t r = 0; r < data->rows; r += block) {
        size_t rows = data->rows - r < block ? data->rows - r : block;
        const float *x = data->x + r * data->features;
        gn_forward(t->model, t->workspace, x, NULL, rows);
        gn_backward(t->model, t->workspace, x, data->y + r, rows, t->scale, r > 0, t->grad);
    }
}

static int report(trainer *t, int32_t epoch, gemmnet_error *err)
{
    const gemmnet_train_options *o = t->options;
    gemmnet_progress progress = {.epoch = epoch};
    int status = gemmnet_evaluate(t->model, t->workspace, t->data, o->l2, o->reduction,
                                  &progress.train);
    if (status != GEMMNET_OK)
        return gn_fail(err, status, "epoch %d: evaluation failed", (int)epoch);
    if (o->progress(o->progress_context, &progress) != 0)
        return gn_fail(err, GEMMNET_E_STOPPED, "training stopped by the progress callback after epoch %d",
                       (int)epoch);
    return GEMMNET_OK;
}

static int run_epochs(trainer *t, gemmnet_error *err)
{
    const gemmnet_train_options *o = t->options;
    for (int32_t epoch = 0; epoch < o->epochs; epoch++) {
        full_batch_gradient(t);
        if (!gn_all_finite(t->grad, t->model->parameter_count))
            return gn_fail(err, GEMMNET_E_NONFINITE,
                           "epoch %d: the gradient is not finite (learning rate too large, or "
                           "input values too large?); the model keeps the weights from before "
                           "this epoch",
                           (int)epoch);
        gn_update_gd(t->model, t->grad, o->learning_rate, o->l2);
        if (o->progress && o->report_every > 0 && epoch % o->report_every == 0) {
            int status = report(t, epoch, err);
            if (status != GEMMNET_OK)
                return status;
        }
    }
    return GEMMNET_OK;
}

GEMMNET_API int gemmnet_train(gemmnet_model *model,
                              const gemmnet_dataset *data,
                              const gemmnet_train_options *options,
                              gemmnet_error *err)
{
    if (!model || !data || !options)
        return gn_fail(err, GEMMNET_E_INVALID, "model, data and options are required");
    int status = check_options(options, err);
    if (status == GEMMNET_OK)
        status = gn_check_dataset(data, model, err);
    if (status != GEMMNET_OK)
        return status;
    size_t block = options->block_rows ? options->block_rows : gn_auto_block_rows(model, data->rows);
    block = block < data->rows ? block : data->rows;
    trainer t = {.model = model, .data = data, .options = options};
    t.scale = options->reduction == GEMMNET_REDUCTION_SUM ? 1.0f : (float)(1.0 / (double)data->rows);
    gemmnet_allocator a = gn_allocator_or_default(options->allocator);
    status = gn_workspace_create(model, block, true, &a, &t.workspace, err);
    if (status != GEMMNET_OK)
        return status;
    t.grad = gn_alloc(&a, model->parameter_count * sizeof(float));
    if (!t.grad)
        status = gn_fail(err, GEMMNET_E_NOMEM, "cannot allocate %zu gradient values",
                         model->parameter_count);
    else
        status = run_epochs(&t, err);
    gn_release(&a, t.grad);
    gemmnet_workspace_destroy(t.workspace);
    return status;
}
