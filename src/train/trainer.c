/* Training: epochs of full-batch or minibatch updates in cache-sized row
 * blocks, learning-rate schedules, progress reports, validation with early
 * stopping, and non-finite detection. */
#include "train/train.h"

#include <math.h>
#include <string.h>

GEMMNET_API void gemmnet_train_options_init(gemmnet_train_options *options)
{
    if (!options)
        return;
    *options = (gemmnet_train_options){
        .epochs = 20000,
        .learning_rate = 0.01f,
        .l2 = 0.01f,
        .reduction = GEMMNET_REDUCTION_SUM,
        .report_every = 1000,
        .optimizer = GEMMNET_OPT_GD,
        .momentum = 0.9f,
        .beta1 = 0.9f,
        .beta2 = 0.999f,
        .epsilon = 1e-8f,
        .schedule = {.kind = GEMMNET_SCHEDULE_CONSTANT, .every = 1, .factor = 1.0f, .k = 0.0f},
        .weight_decay = 0.01f,
    };
}

static bool in_unit_interval(float v)
{
    return v >= 0.0f && v < 1.0f;
}

static int check_schedule(const gemmnet_schedule *s, gemmnet_error *err)
{
    if (s->kind < GEMMNET_SCHEDULE_CONSTANT || s->kind > GEMMNET_SCHEDULE_INV)
        return gn_fail(err, GEMMNET_E_INVALID, "unknown schedule %d", (int)s->kind);
    if (s->kind == GEMMNET_SCHEDULE_STEP &&
        (s->every < 1 || !(s->factor > 0.0f) || !isfinite(s->factor)))
        return gn_fail(err, GEMMNET_E_INVALID, "step schedule needs every ≥ 1 and factor > 0");
    if (!(s->k >= 0.0f) || !isfinite(s->k))
        return gn_fail(err, GEMMNET_E_INVALID, "schedule rate k must be finite and ≥ 0");
    return GEMMNET_OK;
}

static int check_optimizer(const gemmnet_train_options *o, gemmnet_error *err)
{
    if (o->optimizer < GEMMNET_OPT_GD || o->optimizer > GEMMNET_OPT_ADAMW)
        return gn_fail(err, GEMMNET_E_INVALID, "unknown optimizer %d", (int)o->optimizer);
    if (!in_unit_interval(o->momentum))
        return gn_fail(err, GEMMNET_E_INVALID, "momentum must be in [0, 1) (got %g)",
                       (double)o->momentum);
    if (!in_unit_interval(o->beta1) || !in_unit_interval(o->beta2))
        return gn_fail(err, GEMMNET_E_INVALID, "beta1 and beta2 must be in [0, 1)");
    if (!(o->epsilon > 0.0f) || !isfinite(o->epsilon))
        return gn_fail(err, GEMMNET_E_INVALID, "epsilon must be finite and > 0");
    if (!(o->weight_decay >= 0.0f) || !isfinite(o->weight_decay))
        return gn_fail(err, GEMMNET_E_INVALID, "weight decay must be finite and ≥ 0 (got %g)",
                       (double)o->weight_decay);
    if (!(o->clip_norm >= 0.0f) || !isfinite(o->clip_norm))
        return gn_fail(err, GEMMNET_E_INVALID, "clip norm must be finite and ≥ 0 (got %g)",
                       (double)o->clip_norm);
    if (!(o->dropout >= 0.0f && o->dropout < 1.0f))
        return gn_fail(err, GEMMNET_E_INVALID, "dropout must be finite, ≥ 0 and < 1 (got %g)",
                       (double)o->dropout);
    return check_schedule(&o->schedule, err);
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
    if (o->report_every < 0 || o->patience < 0)
        return gn_fail(err, GEMMNET_E_INVALID, "report_every and patience must be ≥ 0");
    if (o->patience > 0 && !o->validation)
        return gn_fail(err, GEMMNET_E_INVALID, "early stopping (patience) needs a validation set");
    if (o->threads < 0 || o->threads > GN_MAX_WORKERS)
        return gn_fail(err, GEMMNET_E_INVALID, "threads must be in [0, %d] (got %d)",
                       GN_MAX_WORKERS, (int)o->threads);
    return check_optimizer(o, err);
}

/* Sizes of the carved float block; false on overflow. */
static bool float_block_size(const gemmnet_trainer *t, size_t *out)
{
    size_t p = t->model->parameter_count, total = 2 * p, part; /* grad, previous */
    total += gn_optimizer_state_floats(t->options.optimizer, p); /* ≤ 4P, checked by layout */
    if (t->options.patience > 0 && !gn_add_size(total, p, &total))
        return false;
    if (t->batch_rows < t->global_rows) {
        if (!gn_mul_size(t->batch_rows, t->data->features, &part) ||
            !gn_add_size(total, part, &total))
            return false;
    }
    return gn_mul_size(total, sizeof(float), out);
}

static void carve(gemmnet_trainer *t)
{
    size_t p = t->model->parameter_count, s = gn_optimizer_state_floats(t->options.optimizer, p);
    t->grad = t->floats;
    t->state = s ? t->grad + p : NULL;
    t->best = t->options.patience > 0 ? t->grad + p + s : NULL;
    t->previous = t->grad + p + s + (t->best ? p : 0);
    t->batch_x = t->previous + p;
    if (t->ints) {
        t->batch_y = t->ints;
        t->order = t->ints + t->batch_rows;
    }
}

/* *total = bytes the run holds at once: the data, the model and `buffers`
 * bytes of training buffers (SIZE_MAX if that overflows). A run that
 * cannot fit in physical memory is refused before anything is touched. */
static bool run_fits_in_memory(const gemmnet_trainer *t, size_t buffers, size_t *total)
{
    size_t data = 0, model = 0;
    *total = SIZE_MAX;
    bool sized = gn_mul_size(t->data->rows, t->data->features + 1, &data) &&
                 gn_mul_size(data, sizeof(float), &data) &&
                 gn_mul_size(t->model->parameter_count, sizeof(float), &model) &&
                 gn_add_size(buffers, data, total) && gn_add_size(*total, model, total);
    return sized && gn_fits_in_memory(&t->allocator, *total);
}

static int allocate_buffers(gemmnet_trainer *t, gemmnet_error *err)
{
    size_t float_bytes, int_bytes = 0;
    bool minibatch = t->batch_rows < t->global_rows;
    if (!float_block_size(t, &float_bytes) ||
        (minibatch && !gn_mul_size(t->batch_rows + t->global_rows, sizeof(int32_t), &int_bytes)))
        return gn_fail(err, GEMMNET_E_OVERFLOW, "training buffers for %zu parameters overflow",
                       t->model->parameter_count);
    size_t total = SIZE_MAX;
    if (float_bytes > SIZE_MAX - int_bytes ||
        !run_fits_in_memory(t, float_bytes + int_bytes, &total))
        return gn_fail(err, GEMMNET_E_NOMEM,
                       "training needs %zu bytes at once (data, model and training buffers), "
                       "more than the %zu bytes of memory this machine has",
                       total, gn_physical_memory());
    t->floats = gn_alloc_zero(&t->allocator, float_bytes);
    t->ints = minibatch ? gn_alloc(&t->allocator, int_bytes) : NULL;
    if (!t->floats || (minibatch && !t->ints))
        return gn_fail(err, GEMMNET_E_NOMEM, "cannot allocate %zu bytes of training buffers",
                       float_bytes + int_bytes);
    carve(t);
    /* A block never needs more rows than this process holds of a batch. */
    size_t local = t->batch_rows < t->data->rows ? t->batch_rows : t->data->rows;
    size_t block =
        t->options.block_rows ? t->options.block_rows : gn_auto_block_rows(t->model, local);
    block = block < local ? block : local;
    return gn_workspace_create(t->model, block, true, &t->allocator, &t->workspace, err);
}

/* The shard must lie inside the global rows, and the hooks must exist. */
static int check_collective(const gemmnet_collective *c,
                            const gemmnet_dataset *data,
                            const gemmnet_dataset *validation,
                            gemmnet_error *err)
{
    if (!c->sum_floats || !c->sum_doubles)
        return gn_fail(err, GEMMNET_E_INVALID, "a collective needs both sum hooks");
    if (c->global_rows > INT32_MAX || c->first_row > c->global_rows ||
        data->rows > c->global_rows - c->first_row)
        return gn_fail(err, GEMMNET_E_SHAPE,
                       "rows %zu..%zu of this shard lie outside the %zu global rows", c->first_row,
                       c->first_row + data->rows, c->global_rows);
    if (validation && (c->validation_first_row > c->validation_global_rows ||
                       validation->rows > c->validation_global_rows - c->validation_first_row))
        return gn_fail(err, GEMMNET_E_SHAPE, "the validation shard lies outside its global rows");
    return GEMMNET_OK;
}

static int check_inputs(gemmnet_model *model,
                        const gemmnet_dataset *data,
                        const gemmnet_train_options *options,
                        gemmnet_error *err)
{
    if (!model || !data || !options)
        return gn_fail(err, GEMMNET_E_INVALID, "model, data and options are required");
    int status = check_options(options, err);
    if (status == GEMMNET_OK)
        status = gn_check_dataset(data, model, err);
    if (status == GEMMNET_OK && options->collective)
        status = check_collective(options->collective, data, options->validation, err);
    /* Minibatches shuffle int32 row indices (numpy's permutation). */
    if (status == GEMMNET_OK && !options->collective && options->batch_size > 0 &&
        options->batch_size < data->rows && data->rows > INT32_MAX)
        status = gn_fail(err, GEMMNET_E_INVALID,
                         "minibatches over %zu rows: at most 2147483647 rows can be shuffled",
                         data->rows);
    if (status == GEMMNET_OK && options->validation) {
        gemmnet_error detail = {0};
        status = gn_check_dataset(options->validation, model, &detail);
        if (status != GEMMNET_OK)
            gn_fail(err, status, "validation set: %s", detail.message);
    }
    return status;
}

GEMMNET_API int gemmnet_trainer_create(gemmnet_model *model,
                                       const gemmnet_dataset *data,
                                       const gemmnet_train_options *options,
                                       gemmnet_trainer **trainer,
                                       gemmnet_error *err)
{
    if (!trainer)
        return gn_fail(err, GEMMNET_E_INVALID, "trainer must not be NULL");
    *trainer = NULL;
    int status = check_inputs(model, data, options, err);
    if (status != GEMMNET_OK)
        return status;
    gemmnet_allocator a = gn_allocator_or_default(options->allocator);
    gemmnet_trainer *t = gn_alloc_zero(&a, sizeof *t);
    if (!t)
        return gn_fail(err, GEMMNET_E_NOMEM, "cannot allocate a trainer");
    *t = (gemmnet_trainer){.allocator = a,
                           .model = model,
                           .data = data,
                           .options = *options,
                           .best_loss = INFINITY,
                           .best_epoch = -1};
    const gemmnet_collective *c = options->collective;
    t->global_rows = c ? c->global_rows : data->rows;
    t->first_row = c ? c->first_row : 0;
    size_t b = options->batch_size;
    t->batch_rows = b > 0 && b < t->global_rows ? b : t->global_rows;
    gemmnet_rng_seed(&t->rng, options->shuffle_seed);
    status = allocate_buffers(t, err);
    if (status == GEMMNET_OK)
        status = gn_rows_create(t, err);
    if (status == GEMMNET_OK)
        status = gn_weights_create(t, err);
    if (status != GEMMNET_OK) {
        gemmnet_trainer_destroy(t);
        return status;
    }
    /* The model's file and eval report the loss it was trained with; a
     * training state it carried described other weights. */
    model->reduction = options->reduction;
    model->l2 = options->l2;
    gn_model_drop_training_state(model);
    *trainer = t;
    return GEMMNET_OK;
}

GEMMNET_API void gemmnet_trainer_destroy(gemmnet_trainer *trainer)
{
    if (!trainer)
        return;
    gemmnet_allocator a = trainer->allocator;
    gn_rows_destroy(trainer);
    gn_weights_destroy(trainer);
    gemmnet_workspace_destroy(trainer->workspace);
    gn_release(&a, trainer->floats);
    gn_release(&a, trainer->ints);
    gn_release(&a, trainer);
}

/* The gradient scale of a batch of batch_rows global rows, w[rows] this
 * process's row weights (or NULL): 1 for SUM; 1/batch_rows for MEAN, or
 * 1/Σ w over the whole batch (summed over the processes), 0 if that is 0. */
static int
batch_scale(gemmnet_trainer *t, const float *w, size_t rows, size_t batch_rows, float *scale)
{
    if (t->options.reduction == GEMMNET_REDUCTION_SUM) {
        *scale = 1.0f;
        return GEMMNET_OK;
    }
    if (!w) {
        *scale = (float)(1.0 / (double)batch_rows);
        return GEMMNET_OK;
    }
    double sum = gn_weight_sum(w, rows);
    const gemmnet_collective *c = t->options.collective;
    if (c && c->sum_doubles(c->context, &sum, 1) != 0)
        return GEMMNET_E_COLLECTIVE;
    *scale = sum > 0.0 ? (float)(1.0 / sum) : 0.0f;
    return GEMMNET_OK;
}

/* grad = ∇ over this process's rows x[rows×D], y[rows] (row weights
 * w[rows], or NULL) of a batch of batch_rows global rows, block by block
 * (weight gradients accumulate with beta = 1 after the first block). A
 * process holding none of the batch contributes zeros. */
static int batch_gradient_blocks(gemmnet_trainer *t,
                                 const float *x,
                                 const int32_t *y,
                                 const float *w,
                                 size_t rows,
                                 size_t batch_rows,
                                 gemmnet_error *err)
{
    float scale;
    if (batch_scale(t, w, rows, batch_rows, &scale) != GEMMNET_OK)
        return gn_fail(err, GEMMNET_E_COLLECTIVE,
                       "epoch %d: summing the batch's weights over the processes failed",
                       (int)t->epochs_done);
    if (rows == 0)
        memset(t->grad, 0, t->model->parameter_count * sizeof(float));
    if (gn_rows_split(t, rows)) {
        gn_rows_gradient(t, x, y, w, rows, scale);
        return GEMMNET_OK;
    }
    gn_backward_job job = {
        .model = t->model, .y = y, .first = 0, .scale = scale, .grad = t->grad, .w = w};
    /* A model with a standardisation trains on raw rows, standardised
     * block by block exactly as predict does (the trainer's workspace has
     * the room: checked by gemmnet_trainer_run). */
    gn_blocks b = {.x = x, .first = 0, .end = rows, .raw = true};
    gn_forward_blocks(t->model, t->workspace, &b, gn_backward_block, &job, NULL);
    return GEMMNET_OK;
}

/* Sets the dropout of every workspace of the trainer (p = 0: off). */
static void set_dropout(gemmnet_trainer *t, float p, size_t row_base)
{
    gn_dropout d = {.p = p, .seed = t->options.shuffle_seed, .step = t->steps, .base = row_base};
    t->workspace->dropout = d;
    for (int i = 1; i < t->workers; i++)
        t->worker_workspace[i]->dropout = d;
}

/* batch_gradient_blocks with dropout on for this update: x's row 0 is
 * row row_base for the masks. */
static int batch_gradient(gemmnet_trainer *t,
                          const float *x,
                          const int32_t *y,
                          const float *w,
                          size_t rows,
                          size_t batch_rows,
                          size_t row_base,
                          gemmnet_error *err)
{
    if (t->options.dropout > 0.0f)
        set_dropout(t, t->options.dropout, row_base);
    int status = batch_gradient_blocks(t, x, y, w, rows, batch_rows, err);
    if (t->options.dropout > 0.0f)
        set_dropout(t, 0.0f, 0);
    return status;
}

/* Copies the rows of global batch order[first .. first+rows) that this
 * process holds into the batch buffers; returns how many. */
static size_t gather(gemmnet_trainer *t, size_t first, size_t rows)
{
    size_t d = t->data->features, count = 0;
    for (size_t i = 0; i < rows; i++) {
        size_t global = (size_t)t->order[first + i];
        if (global < t->first_row || global - t->first_row >= t->data->rows)
            continue;
        size_t source = global - t->first_row;
        memcpy(t->batch_x + count * d, t->data->x + source * d, d * sizeof(float));
        if (t->batch_weight)
            t->batch_weight[count] = t->row_weight[source];
        t->batch_y[count++] = t->data->y[source];
    }
    return count;
}

/* One update from the gradient in t->grad (first summed over all
 * processes), unless it is not finite. */
static int update(gemmnet_trainer *t, gn_update *u, size_t batch, gemmnet_error *err)
{
    const gemmnet_collective *c = t->options.collective;
    if (c && c->sum_floats(c->context, t->grad, t->model->parameter_count) != 0)
        return gn_fail(err, GEMMNET_E_COLLECTIVE,
                       "epoch %d, batch %zu: summing the gradient over the processes failed",
                       (int)t->epochs_done, batch);
    if (!gn_all_finite(t->grad, t->model->parameter_count))
        return gn_fail(err, GEMMNET_E_NONFINITE,
                       "epoch %d, batch %zu: the gradient is not finite (learning rate too large, "
                       "or input values too large?); the model keeps the weights from before "
                       "this update",
                       (int)t->epochs_done, batch);
    /* After the sum: every process clips the same gradient alike. */
    if (t->options.clip_norm > 0.0f)
        gn_clip_gradient(t->grad, t->model->parameter_count, t->options.clip_norm);
    t->steps++;
    if (u->rule == GEMMNET_OPT_ADAM || u->rule == GEMMNET_OPT_ADAMW)
        gn_adam_corrections(&u->adam, t->steps);
    /* A finite gradient times a huge learning rate can still overflow the
     * weights; the copy lets the model keep its last finite weights. */
    size_t bytes = t->model->parameter_count * sizeof(float);
    memcpy(t->previous, t->model->parameters, bytes);
    gn_optimizer_step(t->model, t->grad, t->state, u);
    if (!gn_all_finite(t->model->parameters, t->model->parameter_count)) {
        memcpy(t->model->parameters, t->previous, bytes);
        return gn_fail(err, GEMMNET_E_NONFINITE,
                       "epoch %d, batch %zu: the weights are not finite after this update "
                       "(learning rate too large?); the model keeps the weights from before "
                       "this update",
                       (int)t->epochs_done, batch);
    }
    return GEMMNET_OK;
}

static gn_update epoch_update(const gemmnet_trainer *t)
{
    const gemmnet_train_options *o = &t->options;
    return (gn_update){
        .rule = o->optimizer,
        .learning_rate = gemmnet_schedule_rate(&o->schedule, o->learning_rate, t->epochs_done),
        .l2 = o->l2,
        .momentum = o->momentum,
        .adam = {.beta1 = o->beta1, .beta2 = o->beta2, .epsilon = o->epsilon},
        .weight_decay = o->weight_decay,
    };
}

/* All updates of one epoch: one for full batch, ⌈N/B⌉ for minibatches
 * cut from a fresh permutation of the global rows. */
static int run_updates(gemmnet_trainer *t, gn_update *u, gemmnet_error *err)
{
    const gemmnet_dataset *data = t->data;
    if (t->batch_rows == t->global_rows) {
        int status = batch_gradient(t, data->x, data->y, t->row_weight, data->rows, t->global_rows,
                                    t->first_row, err);
        return status == GEMMNET_OK ? update(t, u, 0, err) : status;
    }
    for (size_t i = 0; i < t->global_rows; i++)
        t->order[i] = (int32_t)i;
    gemmnet_rng_shuffle(&t->rng, t->order, t->global_rows);
    for (size_t first = 0, batch = 0; first < t->global_rows; first += t->batch_rows, batch++) {
        size_t rows =
            t->global_rows - first < t->batch_rows ? t->global_rows - first : t->batch_rows;
        size_t local = gather(t, first, rows);
        int status =
            batch_gradient(t, t->batch_x, t->batch_y, t->batch_weight, local, rows, first, err);
        if (status == GEMMNET_OK)
            status = update(t, u, batch, err);
        if (status != GEMMNET_OK)
            return status;
    }
    return GEMMNET_OK;
}

/* Early stopping bookkeeping after an epoch with validation loss `loss`. */
static void track_best(gemmnet_trainer *t, double loss)
{
    size_t bytes = t->model->parameter_count * sizeof(float);
    if (loss < t->best_loss) {
        t->best_loss = loss;
        t->best_epoch = t->epochs_done - 1;
        t->since_best = 0;
        memcpy(t->best, t->model->parameters, bytes);
    } else if (++t->since_best >= t->options.patience) {
        memcpy(t->model->parameters, t->best, bytes);
        t->stopped_early = 1;
    }
}

/* Early stopping keeps the best weights also when the run reaches
 * options.epochs before the patience runs out. Runs that stop short of
 * options.epochs (checkpoint chunks) keep the last weights, so that
 * continuing them is bit-identical to an uninterrupted run. */
static void keep_best_at_end(gemmnet_trainer *t)
{
    if (t->options.patience > 0 && !t->stopped_early && t->best_epoch >= 0 &&
        t->epochs_done >= t->options.epochs && t->best_epoch < t->epochs_done - 1)
        memcpy(t->model->parameters, t->best, t->model->parameter_count * sizeof(float));
}

/* evaluate() with row weights w[rows] of data: Σ w·CE, correct, rows and
 * Σ w, summed over the processes; the loss divides by Σ w, the accuracy
 * by the row count. */
static int evaluate_weighted(gemmnet_trainer *t,
                             const gemmnet_dataset *data,
                             const float *w,
                             gemmnet_evaluation *out)
{
    const gemmnet_train_options *o = &t->options;
    double sums[4] = {0.0, 0.0, (double)data->rows, gn_weight_sum(w, data->rows)};
    if (gn_rows_split(t, data->rows)) {
        gn_rows_evaluate(t, data, w, &sums[0], &sums[1]);
    } else {
        gn_blocks b = {
            .x = data->x, .y = data->y, .first = 0, .end = data->rows, .raw = true, .w = w};
        int status =
            gn_forward_blocks(t->model, t->workspace, &b, gn_count_correct_block, &b, NULL);
        if (status != GEMMNET_OK)
            return status;
        sums[0] = b.cross_entropy;
        sums[1] = (double)b.correct;
    }
    if (o->collective && o->collective->sum_doubles(o->collective->context, sums, 4) != 0)
        return GEMMNET_E_COLLECTIVE;
    gn_fill_evaluation(t->model, o->l2, o->reduction, sums[0], sums[1], sums[3], out);
    out->accuracy = sums[1] / sums[2];
    return GEMMNET_OK;
}

/* Evaluates the model on data, summed over all processes with a
 * collective (the statistics of every shard: Σ CE, correct, rows). */
static int evaluate(gemmnet_trainer *t, const gemmnet_dataset *data, gemmnet_evaluation *out)
{
    const gemmnet_train_options *o = &t->options;
    const float *w = data == t->data ? t->row_weight : t->validation_weight;
    if (w)
        return evaluate_weighted(t, data, w, out);
    double sums[3] = {0.0, 0.0, (double)data->rows};
    if (gn_rows_split(t, data->rows)) {
        gn_rows_evaluate(t, data, NULL, &sums[0], &sums[1]);
        gn_fill_evaluation(t->model, o->l2, o->reduction, sums[0], sums[1], sums[2], out);
    } else {
        int status = gn_evaluate_raw(t->model, t->workspace, data, o->l2, o->reduction, out, NULL);
        if (status != GEMMNET_OK)
            return status;
        sums[0] = out->cross_entropy * (double)data->rows;
        sums[1] = (double)out->correct;
    }
    if (!o->collective)
        return GEMMNET_OK;
    if (o->collective->sum_doubles(o->collective->context, sums, 3) != 0)
        return GEMMNET_E_COLLECTIVE;
    gn_fill_evaluation(t->model, o->l2, o->reduction, sums[0], sums[1], sums[2], out);
    return GEMMNET_OK;
}

/* A non-finite loss from finite weights means the logits overflowed, so
 * the next gradient would be NaN: stop now, with the weights from before
 * the epoch's last update, rather than report NaN. */
static int
check_losses(gemmnet_trainer *t, const gemmnet_progress *p, bool report, gemmnet_error *err)
{
    bool train_bad = report && !isfinite(p->train.loss);
    if (!train_bad && !(p->has_validation && !isfinite(p->validation.loss)))
        return GEMMNET_OK;
    memcpy(t->model->parameters, t->previous, t->model->parameter_count * sizeof(float));
    size_t last_batch = (t->global_rows - 1) / t->batch_rows;
    return gn_fail(err, GEMMNET_E_NONFINITE,
                   "epoch %d, batch %zu: the %s loss is not finite after this update (learning "
                   "rate too large, or input values too large?); the model keeps the weights "
                   "from before this update",
                   (int)p->epoch, last_batch, train_bad ? "training" : "validation");
}

/* Validation, early stopping and the progress report after an epoch. */
static int after_epoch(gemmnet_trainer *t, float learning_rate, gemmnet_error *err)
{
    const gemmnet_train_options *o = &t->options;
    int32_t epoch = t->epochs_done - 1;
    bool report = o->progress && o->report_every > 0 && epoch % o->report_every == 0;
    gemmnet_progress p = {.epoch = epoch, .learning_rate = learning_rate};
    int status = GEMMNET_OK;
    if (o->validation && (report || o->patience > 0)) {
        p.has_validation = 1;
        status = evaluate(t, o->validation, &p.validation);
    }
    if (status == GEMMNET_OK && report)
        status = evaluate(t, t->data, &p.train);
    if (status != GEMMNET_OK)
        return gn_fail(err, status, "epoch %d: evaluation failed", (int)epoch);
    if ((status = check_losses(t, &p, report, err)) != GEMMNET_OK)
        return status;
    if (report && o->progress(o->progress_context, &p) != 0)
        return gn_fail(err, GEMMNET_E_STOPPED,
                       "training stopped by the progress callback after epoch %d", (int)epoch);
    if (o->patience > 0)
        track_best(t, p.validation.loss);
    return GEMMNET_OK;
}

GEMMNET_API int gemmnet_trainer_run(gemmnet_trainer *trainer, int32_t epochs, gemmnet_error *err)
{
    if (!trainer || epochs < 0)
        return gn_fail(err, GEMMNET_E_INVALID, "a trainer and epochs ≥ 0 are required");
    if (epochs > INT32_MAX - trainer->epochs_done)
        return gn_fail(err, GEMMNET_E_INVALID, "%d more epochs after %d would pass 2147483647",
                       (int)epochs, (int)trainer->epochs_done);
    if (trainer->model->mean && !trainer->workspace->input)
        return gn_fail(err, GEMMNET_E_INVALID,
                       "the model's standardisation was set after the trainer was created");
    /* Row-block workers each run single-threaded BLAS. */
    int blas_threads = gemmnet_blas_threads();
    if (trainer->pool)
        gemmnet_blas_set_threads(1);
    int status = GEMMNET_OK;
    for (int32_t e = 0; e < epochs && !trainer->stopped_early && status == GEMMNET_OK; e++) {
        gn_update u = epoch_update(trainer);
        status = run_updates(trainer, &u, err);
        if (status != GEMMNET_OK)
            break;
        trainer->epochs_done++;
        status = after_epoch(trainer, u.learning_rate, err);
    }
    if (trainer->pool)
        gemmnet_blas_set_threads(blas_threads);
    if (status != GEMMNET_OK)
        return status;
    keep_best_at_end(trainer);
    return gn_trainer_fingerprint(trainer, err);
}

GEMMNET_API int32_t gemmnet_trainer_epochs_done(const gemmnet_trainer *trainer)
{
    return trainer ? trainer->epochs_done : 0;
}

GEMMNET_API int32_t gemmnet_trainer_best_epoch(const gemmnet_trainer *trainer, int *stopped_early)
{
    if (stopped_early)
        *stopped_early = trainer ? trainer->stopped_early : 0;
    return trainer ? trainer->best_epoch : -1;
}

GEMMNET_API int gemmnet_train(gemmnet_model *model,
                              const gemmnet_dataset *data,
                              const gemmnet_train_options *options,
                              gemmnet_error *err)
{
    if (!options)
        return gn_fail(err, GEMMNET_E_INVALID, "model, data and options are required");
    gemmnet_trainer *t;
    int status = gemmnet_trainer_create(model, data, options, &t, err);
    if (status != GEMMNET_OK)
        return status;
    status = gemmnet_trainer_run(t, options->epochs, err);
    gemmnet_trainer_destroy(t);
    return status;
}
