/*
 * Checkpoints: a model file whose training-state section (io/format.c,
 * flag bit 2) holds everything a trainer needs to continue as if it had
 * never stopped, so that resuming gives bit-identical weights:
 *
 *   u32 state version (3; versions 1 and 2 are still read)
 *   settings   u32 reduction, f32 learning rate, f32 l2, u32 optimizer,
 *              f32 momentum, beta1, beta2, epsilon, u32 schedule kind,
 *              u32 every, f32 factor, f32 k, u64 batch size, u32 shuffle
 *              seed, u32 patience, u64 rows per block, then (version 2)
 *              f32 weight decay, f32 clip norm; a version 1 state lacks
 *              both and reads as weight decay 0.01 (unused by its
 *              optimizers) and no clipping; then (version 3) f32 dropout,
 *              which older states lack and read as 0 (off)
 *   data       u64 global training rows, u64 global validation rows,
 *              (version 2) u64 fingerprint of the training rows, u64 of
 *              the validation rows (0: not recorded)
 *   progress   u32 epochs done, u64 updates done
 *   generator  624 × u32 MT19937 words, u32 position, u32 has_gauss,
 *              f64 cached deviate
 *   optimizer  u64 S, S × f32 (velocity, or Adam's moments)
 *   stopping   u32 flags (bit 0 stopped early, bit 1 best weights follow),
 *              f64 best validation loss, u32 best epoch + 1, u32 epochs
 *              since the best, then P × f32 best weights if bit 1
 */
#include "train/train.h"
#include "io/io.h"

#include <math.h>
#include <string.h>

enum { STATE_VERSION = 3, MT_WORDS = 624 };
/* Bytes of the fixed part, everything but the float arrays: the version,
 * the settings (17 four-byte and 2 eight-byte fields), the data and
 * progress counts, the generator, S, and the early-stopping record. */
enum {
    SETTINGS_BYTES = 17 * 4 + 2 * 8,
    PROGRESS_BYTES = 4 * 8 + 4 + 8,
    GENERATOR_BYTES = MT_WORDS * 4 + 4 + 4 + 8,
    STOPPING_BYTES = 4 + 8 + 4 + 4,
    FIXED_STATE_BYTES = 4 + SETTINGS_BYTES + PROGRESS_BYTES + GENERATOR_BYTES + 8 + STOPPING_BYTES
};

/* A decoded checkpoint: the settings and state of the run that wrote it. */
struct gemmnet_checkpoint {
    gemmnet_allocator allocator;
    gemmnet_train_options options;
    size_t block_rows;
    size_t global_rows;
    size_t validation_rows;
    uint64_t data_fingerprint;
    uint64_t validation_fingerprint;
    int32_t epochs_done;
    int64_t steps;
    gemmnet_rng rng;
    int stopped_early;
    double best_loss;
    int32_t best_epoch;
    int32_t since_best;
    /* optimizer[S] then best[P] (if has_best), one allocation. */
    size_t state_floats;
    bool has_best;
    float *floats;
};

static void put_floats(unsigned char **p, const float *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put_f32(p, v[i]);
}

static void encode_settings(const gemmnet_trainer *t, unsigned char **p)
{
    const gemmnet_train_options *o = &t->options;
    put_u32(p, (uint32_t)o->reduction);
    put_f32(p, o->learning_rate);
    put_f32(p, o->l2);
    put_u32(p, (uint32_t)o->optimizer);
    put_f32(p, o->momentum);
    put_f32(p, o->beta1);
    put_f32(p, o->beta2);
    put_f32(p, o->epsilon);
    put_u32(p, (uint32_t)o->schedule.kind);
    put_u32(p, (uint32_t)o->schedule.every);
    put_f32(p, o->schedule.factor);
    put_f32(p, o->schedule.k);
    put_u64(p, o->batch_size);
    put_u32(p, o->shuffle_seed);
    put_u32(p, (uint32_t)o->patience);
    put_u64(p, t->workspace->block_rows);
    put_f32(p, o->weight_decay);
    put_f32(p, o->clip_norm);
    put_f32(p, o->dropout);
}

static void encode_progress(const gemmnet_trainer *t, unsigned char **p)
{
    const gemmnet_collective *c = t->options.collective;
    const gemmnet_dataset *v = t->options.validation;
    put_u64(p, t->global_rows);
    put_u64(p, v ? (c ? c->validation_global_rows : v->rows) : 0);
    put_u64(p, t->data_fingerprint);
    put_u64(p, t->validation_fingerprint);
    put_u32(p, (uint32_t)t->epochs_done);
    put_u64(p, (uint64_t)t->steps);
    for (int i = 0; i < MT_WORDS; i++)
        put_u32(p, t->rng.state[i]);
    put_u32(p, (uint32_t)t->rng.position);
    put_u32(p, (uint32_t)t->rng.has_gauss);
    put_f64(p, t->rng.gauss);
}

static void encode_stopping(const gemmnet_trainer *t, unsigned char **p)
{
    bool has_best = t->best && t->best_epoch >= 0;
    put_u32(p, (uint32_t)(t->stopped_early ? 1 : 0) | (has_best ? 2u : 0u));
    put_f64(p, t->best_loss);
    put_u32(p, (uint32_t)(t->best_epoch + 1));
    put_u32(p, (uint32_t)t->since_best);
    if (has_best)
        put_floats(p, t->best, t->model->parameter_count);
}

/* The state's size for t; false if it overflows. */
static bool state_size(const gemmnet_trainer *t, size_t *out)
{
    size_t p = t->model->parameter_count;
    size_t floats = gn_optimizer_state_floats(t->options.optimizer, p);
    if (t->best && t->best_epoch >= 0 && !gn_add_size(floats, p, &floats))
        return false;
    return gn_mul_size(floats, 4, out) && gn_add_size(*out, FIXED_STATE_BYTES, out);
}

GEMMNET_API int
gemmnet_trainer_save(const gemmnet_trainer *trainer, const char *path, gemmnet_error *err)
{
    size_t size;
    if (!trainer || !path || !path[0] || !state_size(trainer, &size))
        return gn_fail(err, GEMMNET_E_INVALID, "save: a trainer and a path are required");
    /* Before any epoch, a single process can still fingerprint its data
     * here; with a collective that needs every process, so it is left 0. */
    gemmnet_trainer copy = *trainer;
    if (!copy.fingerprinted && !copy.options.collective)
        (void)gn_trainer_fingerprint(&copy, NULL);
    trainer = &copy;
    unsigned char *bytes = gn_alloc(&trainer->allocator, size), *p = bytes;
    if (!bytes)
        return gn_fail(err, GEMMNET_E_NOMEM, "%s: cannot allocate %zu bytes of training state",
                       path, size);
    put_u32(&p, STATE_VERSION);
    encode_settings(trainer, &p);
    encode_progress(trainer, &p);
    size_t s =
        gn_optimizer_state_floats(trainer->options.optimizer, trainer->model->parameter_count);
    put_u64(&p, s);
    put_floats(&p, trainer->state, s);
    encode_stopping(trainer, &p);
    /* The layout above and state_size() must agree. */
    int status = (size_t)(p - bytes) == size
                     ? GEMMNET_OK
                     : gn_fail(err, GEMMNET_E_INVALID, "internal: training state size mismatch");
    if (status == GEMMNET_OK)
        status = gn_model_save_state(trainer->model, (gn_span){bytes, size}, path, NULL, err);
    gn_release(&trainer->allocator, bytes);
    return status;
}

/* ---- data fingerprints -------------------------------------------------- */

/* FNV-1a over 32-bit words (64-bit state). */
static uint64_t mix(uint64_t h, uint32_t word)
{
    return (h ^ word) * UINT64_C(0x100000001b3);
}

/* Σ over the rows of a shard, mod 2^64, of a hash of (global index, the
 * row's float bits, its label): a sum, so that shards held by different
 * processes add up to the fingerprint of the whole data whatever the
 * split, and keyed by the global index, so that reordered rows differ.
 * With row weights w (sample × class, or NULL) each row's weight bits are
 * hashed too, so that resuming with other weights is refused; without
 * them the fingerprint is the one of older checkpoints. */
static uint64_t shard_fingerprint(const gemmnet_dataset *data, size_t first_row, const float *w)
{
    uint64_t sum = 0;
    size_t d = data->features;
    for (size_t i = 0; i < data->rows; i++) {
        uint64_t g = first_row + i, h = UINT64_C(0xcbf29ce484222325);
        h = mix(mix(h, (uint32_t)g), (uint32_t)(g >> 32));
        for (size_t j = 0; j < d; j++) {
            uint32_t bits;
            memcpy(&bits, &data->x[i * d + j], 4);
            h = mix(h, bits);
        }
        h = mix(h, (uint32_t)data->y[i]);
        if (w) {
            uint32_t bits;
            memcpy(&bits, &w[i], 4);
            h = mix(mix(h, 0x77656967u), bits); /* "weig" then the weight */
        }
        sum += h ^ (h >> 29);
    }
    return sum;
}

/* Sums v[2] mod 2^64 over the processes exactly: as 16-bit limbs in
 * doubles (each limb sum stays far below 2^53). */
static int sum_fingerprints(const gemmnet_collective *c, uint64_t v[2])
{
    double limbs[8];
    for (int i = 0; i < 8; i++)
        limbs[i] = (double)((v[i / 4] >> (16 * (i % 4))) & 0xffffu);
    if (c->sum_doubles(c->context, limbs, 8) != 0)
        return GEMMNET_E_COLLECTIVE;
    v[0] = v[1] = 0;
    for (int i = 0; i < 8; i++)
        v[i / 4] += (uint64_t)limbs[i] << (16 * (i % 4));
    return GEMMNET_OK;
}

int gn_trainer_fingerprint(gemmnet_trainer *t, gemmnet_error *err)
{
    if (t->fingerprinted)
        return GEMMNET_OK;
    const gemmnet_collective *c = t->options.collective;
    const gemmnet_dataset *v = t->options.validation;
    uint64_t sums[2] = {
        shard_fingerprint(t->data, t->first_row, t->row_weight),
        v ? shard_fingerprint(v, c ? c->validation_first_row : 0, t->validation_weight) : 0};
    if (c && sum_fingerprints(c, sums) != GEMMNET_OK)
        return gn_fail(err, GEMMNET_E_COLLECTIVE,
                       "summing the data fingerprints over the processes failed");
    /* 0 means "not recorded" in a checkpoint. */
    t->data_fingerprint = sums[0] ? sums[0] : 1;
    t->validation_fingerprint = v ? (sums[1] ? sums[1] : 1) : 0;
    t->fingerprinted = true;
    return GEMMNET_OK;
}

/* ---- decoding ---------------------------------------------------------- */

/* A bounds-checked cursor over the state bytes. */
typedef struct reader {
    const unsigned char *p;
    size_t left;
    bool short_read;
} reader;

static const unsigned char *take(reader *r, size_t n)
{
    if (r->short_read || r->left < n) {
        r->short_read = true;
        static const unsigned char zeros[8];
        return zeros;
    }
    const unsigned char *at = r->p;
    r->p += n;
    r->left -= n;
    return at;
}

static uint32_t read_u32(reader *r)
{
    return get_u32(take(r, 4));
}

static uint64_t read_u64(reader *r)
{
    return get_u64(take(r, 8));
}

static float read_f32(reader *r)
{
    return get_f32(take(r, 4));
}

static void decode_settings(reader *r, uint32_t version, gemmnet_checkpoint *c)
{
    gemmnet_train_options *o = &c->options;
    gemmnet_train_options_init(o);
    o->reduction = (gemmnet_reduction)read_u32(r);
    o->learning_rate = read_f32(r);
    o->l2 = read_f32(r);
    o->optimizer = (gemmnet_optimizer)read_u32(r);
    o->momentum = read_f32(r);
    o->beta1 = read_f32(r);
    o->beta2 = read_f32(r);
    o->epsilon = read_f32(r);
    o->schedule.kind = (gemmnet_schedule_kind)read_u32(r);
    o->schedule.every = (int32_t)read_u32(r);
    o->schedule.factor = read_f32(r);
    o->schedule.k = read_f32(r);
    o->batch_size = (size_t)read_u64(r);
    o->shuffle_seed = read_u32(r);
    o->patience = (int32_t)read_u32(r);
    c->block_rows = (size_t)read_u64(r);
    o->block_rows = c->block_rows;
    if (version >= 2) {
        o->weight_decay = read_f32(r);
        o->clip_norm = read_f32(r);
    }
    if (version >= 3)
        o->dropout = read_f32(r);
}

static void decode_progress(reader *r, uint32_t version, gemmnet_checkpoint *c)
{
    c->global_rows = (size_t)read_u64(r);
    c->validation_rows = (size_t)read_u64(r);
    if (version >= 2) {
        c->data_fingerprint = read_u64(r);
        c->validation_fingerprint = read_u64(r);
    }
    c->epochs_done = (int32_t)read_u32(r);
    c->steps = (int64_t)read_u64(r);
    for (int i = 0; i < MT_WORDS; i++)
        c->rng.state[i] = read_u32(r);
    c->rng.position = (int32_t)read_u32(r);
    c->rng.has_gauss = (int32_t)read_u32(r);
    c->rng.gauss = get_f64(take(r, 8));
}

/* Values a trainer could never have written: a damaged or foreign state
 * (the file's checksum makes damage unlikely; this guards the rest). */
static const char *implausible(const gemmnet_checkpoint *c)
{
    const gemmnet_train_options *o = &c->options;
    if (o->reduction > GEMMNET_REDUCTION_MEAN || o->optimizer > GEMMNET_OPT_ADAMW ||
        o->schedule.kind > GEMMNET_SCHEDULE_INV)
        return "unknown reduction, optimizer or schedule";
    if (c->rng.position < 0 || c->rng.position > MT_WORDS || c->rng.has_gauss > 1)
        return "a generator position out of range";
    if (!(o->weight_decay >= 0.0f) || !(o->clip_norm >= 0.0f) || !isfinite(o->weight_decay) ||
        !isfinite(o->clip_norm))
        return "a negative or non-finite weight decay or clip norm";
    if (!(o->dropout >= 0.0f && o->dropout < 1.0f))
        return "a dropout outside [0, 1)";
    if (c->epochs_done < 0 || c->steps < 0 || c->block_rows == 0 || c->global_rows == 0 ||
        c->global_rows > INT32_MAX || o->patience < 0)
        return "negative or zero counts";
    /* At most one update per row per epoch; this also keeps steps++ far
     * from overflowing. */
    if (c->steps > (int64_t)c->epochs_done * (int64_t)c->global_rows)
        return "more updates than epochs × rows";
    return NULL;
}

/* The optimizer and best-weights arrays; S must match the optimizer. */
static int decode_arrays(reader *r, gemmnet_checkpoint *c, size_t parameters, gemmnet_error *err)
{
    size_t s = (size_t)read_u64(r);
    if (s != gn_optimizer_state_floats(c->options.optimizer, parameters) || s > r->left / 4)
        return gn_fail(err, GEMMNET_E_FORMAT, "training state: %zu optimizer values do not fit", s);
    c->state_floats = s;
    const unsigned char *state = take(r, 4 * s);
    uint32_t flags = read_u32(r);
    c->stopped_early = flags & 1u;
    c->has_best = flags & 2u;
    c->best_loss = get_f64(take(r, 8));
    /* Both count epochs already done (best_epoch + 1 is stored); larger
     * values are damage and would overflow int32 arithmetic. */
    uint32_t best_epoch = read_u32(r), since_best = read_u32(r), done = (uint32_t)c->epochs_done;
    if (best_epoch > done || since_best > done)
        return gn_fail(err, GEMMNET_E_FORMAT,
                       "training state: a best epoch or epochs since it beyond the %lu epochs done",
                       (unsigned long)done);
    c->best_epoch = (int32_t)best_epoch - 1;
    c->since_best = (int32_t)since_best;
    size_t best = c->has_best ? parameters : 0;
    if (r->short_read || flags > 3u || r->left != 4 * best)
        return gn_fail(err, GEMMNET_E_FORMAT,
                       "training state: its length does not match its contents");
    c->floats = gn_alloc(&c->allocator, (s + best) * sizeof(float));
    if (!c->floats)
        return gn_fail(err, GEMMNET_E_NOMEM, "cannot allocate %zu values of training state",
                       s + best);
    for (size_t i = 0; i < s; i++)
        c->floats[i] = get_f32(state + 4 * i);
    for (size_t i = 0; i < best; i++)
        c->floats[s + i] = read_f32(r);
    return GEMMNET_OK;
}

static int decode_state(const unsigned char *bytes,
                        size_t size,
                        size_t parameters,
                        gemmnet_checkpoint *c,
                        gemmnet_error *err)
{
    reader r = {bytes, size, false};
    uint32_t version = read_u32(&r);
    if (version < 1 || version > STATE_VERSION)
        return gn_fail(err, GEMMNET_E_VERSION,
                       "training state version %lu not supported, expected 1 to %d",
                       (unsigned long)version, STATE_VERSION);
    decode_settings(&r, version, c);
    decode_progress(&r, version, c);
    const char *problem = implausible(c);
    if (r.short_read || problem)
        return gn_fail(err, GEMMNET_E_FORMAT, "training state: %s",
                       problem ? problem : "too short");
    return decode_arrays(&r, c, parameters, err);
}

GEMMNET_API void gemmnet_checkpoint_free(gemmnet_checkpoint *checkpoint)
{
    if (!checkpoint)
        return;
    gemmnet_allocator a = checkpoint->allocator;
    gn_release(&a, checkpoint->floats);
    gn_release(&a, checkpoint);
}

GEMMNET_API int gemmnet_checkpoint_load(const char *path,
                                        const gemmnet_allocator *allocator,
                                        gemmnet_model **model,
                                        gemmnet_checkpoint **checkpoint,
                                        gemmnet_error *err)
{
    if (!model || !checkpoint) {
        if (model)
            *model = NULL;
        if (checkpoint)
            *checkpoint = NULL;
        return gn_fail(err, GEMMNET_E_INVALID,
                       "checkpoint_load: model and checkpoint are required");
    }
    *model = NULL;
    *checkpoint = NULL;
    if (!path)
        return gn_fail(err, GEMMNET_E_INVALID, "checkpoint_load: a path is required");
    unsigned char *state = NULL;
    size_t size = 0;
    gemmnet_allocator a = gn_allocator_or_default(allocator);
    int status = gn_model_load_state(path, &a, model, &state, &size, err);
    if (status != GEMMNET_OK)
        return status;
    gemmnet_checkpoint *c = state ? gn_alloc_zero(&a, sizeof *c) : NULL;
    if (!state)
        status = gn_fail(err, GEMMNET_E_FORMAT,
                         "%s: a model without training state, not a checkpoint "
                         "(save it with --save during training)",
                         path);
    else if (!c)
        status = gn_fail(err, GEMMNET_E_NOMEM, "cannot allocate a checkpoint");
    if (status == GEMMNET_OK) {
        c->allocator = a;
        gemmnet_error detail = {0};
        status = decode_state(state, size, (*model)->parameter_count, c, &detail);
        if (status != GEMMNET_OK)
            gn_fail(err, status, "%s: %s", path, detail.message);
    }
    gn_release(&a, state);
    if (status != GEMMNET_OK) {
        gemmnet_checkpoint_free(c);
        gemmnet_model_destroy(*model);
        *model = NULL;
        return status;
    }
    *checkpoint = c;
    return GEMMNET_OK;
}

GEMMNET_API void gemmnet_checkpoint_options(const gemmnet_checkpoint *checkpoint,
                                            gemmnet_train_options *options)
{
    if (!options)
        return;
    if (checkpoint)
        *options = checkpoint->options;
    else
        gemmnet_train_options_init(options);
}

GEMMNET_API int32_t gemmnet_checkpoint_epochs_done(const gemmnet_checkpoint *checkpoint)
{
    return checkpoint ? checkpoint->epochs_done : 0;
}

/* The trainer must see the same data, in the same blocks, with the same
 * update rule, for the continuation to be bit-identical. */
static int check_match(const gemmnet_trainer *t, const gemmnet_checkpoint *c, gemmnet_error *err)
{
    const gemmnet_dataset *v = t->options.validation;
    const gemmnet_collective *col = t->options.collective;
    size_t validation_rows = v ? (col ? col->validation_global_rows : v->rows) : 0;
    if (t->global_rows != c->global_rows || validation_rows != c->validation_rows)
        return gn_fail(
            err, GEMMNET_E_SHAPE,
            "the checkpoint was trained on %zu rows (+%zu for validation), this data has "
            "%zu (+%zu): resume with the same data and split",
            c->global_rows, c->validation_rows, t->global_rows, validation_rows);
    if ((c->data_fingerprint && t->data_fingerprint != c->data_fingerprint) ||
        (c->validation_fingerprint && t->validation_fingerprint != c->validation_fingerprint))
        return gn_fail(err, GEMMNET_E_SHAPE,
                       "the checkpoint was trained on other %s data (same %zu rows, other values, "
                       "order or row weights: fingerprint %016llx, this data %016llx): resume with "
                       "the same data, split and weights",
                       t->data_fingerprint != c->data_fingerprint ? "training" : "validation",
                       t->data_fingerprint != c->data_fingerprint ? c->global_rows
                                                                  : c->validation_rows,
                       (unsigned long long)(t->data_fingerprint != c->data_fingerprint
                                                ? c->data_fingerprint
                                                : c->validation_fingerprint),
                       (unsigned long long)(t->data_fingerprint != c->data_fingerprint
                                                ? t->data_fingerprint
                                                : t->validation_fingerprint));
    if (t->workspace->block_rows != c->block_rows)
        return gn_fail(err, GEMMNET_E_INVALID,
                       "the checkpoint computes in blocks of %zu rows, this run in blocks of %zu: "
                       "the checkpoint is damaged or was saved for other data",
                       c->block_rows, t->workspace->block_rows);
    if (t->options.optimizer != c->options.optimizer)
        return gn_fail(err, GEMMNET_E_INVALID,
                       "the checkpoint's optimizer (%d) differs from this run's (%d)",
                       (int)c->options.optimizer, (int)t->options.optimizer);
    if (c->has_best && !t->best)
        return gn_fail(err, GEMMNET_E_INVALID,
                       "the checkpoint keeps the best weights of a validation run, this run has "
                       "no validation set");
    return GEMMNET_OK;
}

GEMMNET_API int gemmnet_trainer_restore(gemmnet_trainer *trainer,
                                        const gemmnet_checkpoint *checkpoint,
                                        gemmnet_error *err)
{
    if (!trainer || !checkpoint)
        return gn_fail(err, GEMMNET_E_INVALID, "restore: a trainer and a checkpoint are required");
    int status = gn_trainer_fingerprint(trainer, err);
    if (status == GEMMNET_OK)
        status = check_match(trainer, checkpoint, err);
    if (status != GEMMNET_OK)
        return status;
    const gemmnet_checkpoint *c = checkpoint;
    trainer->epochs_done = c->epochs_done;
    trainer->steps = c->steps;
    trainer->rng = c->rng;
    trainer->stopped_early = c->stopped_early;
    trainer->best_loss = c->best_loss;
    trainer->best_epoch = c->best_epoch;
    trainer->since_best = c->since_best;
    if (c->state_floats)
        memcpy(trainer->state, c->floats, c->state_floats * sizeof(float));
    if (c->has_best)
        memcpy(trainer->best, c->floats + c->state_floats,
               trainer->model->parameter_count * sizeof(float));
    return GEMMNET_OK;
}
