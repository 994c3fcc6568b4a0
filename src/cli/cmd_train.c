/* gemmnet train: load or generate data, build (or resume) a model, train
 * it (data-parallel under mpirun), save checkpoints, print the tutorial's
 * lines and the results. */
#include "args.h"
#include "class_weights.h"
#include "commands.h"
#include "streams.h"
#include "training_log.h"
#include "training_run.h"

#include <gemmnet.h>
#include <stdlib.h>
#include <string.h>

static int build_model(run *r, gemmnet_error *err)
{
    const train_args *a = &r->args;
    const gemmnet_dataset *data = r->data.train;
    if (data->features > INT32_MAX)
        return GEMMNET_E_INVALID;
    gemmnet_architecture arch = {.inputs = (int32_t)data->features,
                                 .classes = data->classes,
                                 .hidden_layers = a->hidden_count,
                                 .hidden = a->hidden,
                                 .activations = a->activation_count ? a->activation : NULL};
    int status = gemmnet_model_create(&arch, NULL, &r->model, err);
    if (status == GEMMNET_OK)
        status = gemmnet_model_init(r->model, a->init, (uint32_t)a->data.seed, err);
    return status;
}

/* The shape --init-from's model must have: the data's features and
 * classes, and --hidden and --activation where given (else the model's). */
static gemmnet_architecture expected_shape(const run *r, int32_t *hidden, gemmnet_activation *act)
{
    const train_args *a = &r->args;
    const gemmnet_model *m = r->model;
    int32_t layers = a->hidden_given ? a->hidden_count : gemmnet_model_layers(m) - 1;
    for (int32_t l = 0; l < layers; l++) {
        hidden[l] = a->hidden_given ? a->hidden[l] : gemmnet_model_width(m, l + 1);
        act[l] = a->activation_count > 1   ? a->activation[l]
                 : a->activation_count > 0 ? a->activation[0]
                                           : gemmnet_model_activation(m, l + 1);
    }
    return (gemmnet_architecture){.inputs = (int32_t)r->data.train->features,
                                  .classes = r->data.train->classes,
                                  .hidden_layers = layers,
                                  .hidden = hidden,
                                  .activations = act};
}

/* Text labels must name the model's classes in its order. */
static int check_class_names(const run *r, gemmnet_error *err)
{
    char *const *names = r->data.all.class_names;
    for (int32_t k = 0; names && gemmnet_model_class_name(r->model, 0) && k < r->data.all.classes;
         k++)
        if (strcmp(names[k], gemmnet_model_class_name(r->model, k)) != 0) {
            snprintf(err->message, sizeof err->message,
                     "--init-from %.200s does not fit this run: class %d is '%.100s' in the model, "
                     "'%.100s' in the data",
                     r->args.init_from, (int)k, gemmnet_model_class_name(r->model, k), names[k]);
            return GEMMNET_E_SHAPE;
        }
    return GEMMNET_OK;
}

/* --init-from: a warm start from a model file's weights and
 * standardisation, once its shape is checked against this run's. */
static int warm_start(run *r, gemmnet_error *err)
{
    int status = gemmnet_model_load(r->args.init_from, NULL, &r->model, err);
    if (status != GEMMNET_OK)
        return status;
    int32_t hidden[GEMMNET_MAX_LAYERS];
    gemmnet_activation act[GEMMNET_MAX_LAYERS];
    gemmnet_architecture arch = expected_shape(r, hidden, act);
    gemmnet_error detail = {0};
    status = gemmnet_model_check_architecture(r->model, &arch, &detail);
    if (status != GEMMNET_OK) {
        snprintf(err->message, sizeof err->message,
                 "--init-from %.120s does not fit this run (the data's features and classes, "
                 "--hidden, --activation): %.280s",
                 r->args.init_from, detail.message);
        return status;
    }
    return check_class_names(r, err);
}

/* What the model file records besides the weights: the loss convention,
 * the class names of text labels, and (--standardize) the training rows'
 * statistics, which training then applies to the raw rows itself. */
static int describe_model(run *r, gemmnet_error *err)
{
    const run_data *d = &r->data;
    int status = gemmnet_model_set_loss(r->model, r->args.options.reduction, r->args.options.l2);
    if (status == GEMMNET_OK && d->all.class_names)
        status =
            gemmnet_model_set_class_names(r->model, (const char *const *)d->all.class_names, err);
    if (status != GEMMNET_OK || !r->args.standardize)
        return status;
    size_t dims = d->all.features;
    float *stats = malloc(2 * dims * sizeof *stats);
    if (!stats)
        return GEMMNET_E_NOMEM;
    /* Statistics of every training row, before sharding: the same on
     * every process. */
    const gemmnet_dataset *rows = r->args.validation_fraction > 0.0 ? &d->train_all : &d->all;
    status = gemmnet_dataset_statistics(rows, stats, stats + dims, err);
    if (status == GEMMNET_OK)
        status = gemmnet_model_set_standardization(r->model, stats, stats + dims, err);
    free(stats);
    return status;
}

/* Reports a set-up failure: the failing process names itself, rank 0
 * names the failing rank. Returns the exit status. */
static int report_failure(const run *r, int status, int failed, const gemmnet_error *err)
{
    const char *message = err->message[0] ? err->message : gemmnet_strerror(status);
    if (status != GEMMNET_OK && r->parallel->size > 1)
        fprintf(stderr, "gemmnet train: rank %d: %s\n", r->parallel->rank, message);
    else if (status != GEMMNET_OK)
        fprintf(stderr, "gemmnet train: %s\n", message);
    else if (r->parallel->rank == 0)
        fprintf(stderr, "gemmnet train: stopping: rank %d failed (see its message)\n", failed);
    return EXIT_FAILURE_RUN;
}

/* --resume: the checkpoint's model and settings replace the options'
 * (its shuffle seed is the data seed the run was started with). */
static int load_checkpoint(run *r, gemmnet_error *err)
{
    const char *path = cli_input_path(r->args.resume_path, err);
    if (!path)
        return GEMMNET_E_IO;
    int status = gemmnet_checkpoint_load(path, NULL, &r->model, &r->checkpoint, err);
    cli_fix_message(err);
    if (status != GEMMNET_OK)
        return status;
    int32_t done = gemmnet_checkpoint_epochs_done(r->checkpoint);
    if (r->args.options.epochs <= done) {
        snprintf(err->message, sizeof err->message,
                 "%.300s: the checkpoint has already done %d epochs; --epochs %d would train "
                 "none (give --epochs above %d to continue)",
                 r->args.resume_path, (int)done, (int)r->args.options.epochs, (int)done);
        return GEMMNET_E_INVALID;
    }
    gemmnet_train_options saved;
    gemmnet_checkpoint_options(r->checkpoint, &saved);
    saved.epochs = r->args.options.epochs;
    saved.report_every = r->args.options.report_every;
    r->args.options = saved;
    r->args.data.seed = saved.shuffle_seed;
    return GEMMNET_OK;
}

/* The model, built fresh, loaded for a warm start (--init-from) or taken
 * from the checkpoint. */
static int prepare_model(run *r, gemmnet_error *err)
{
    if (r->checkpoint)
        return GEMMNET_OK;
    int status = r->args.init_from ? warm_start(r, err) : build_model(r, err);
    return status == GEMMNET_OK ? describe_model(r, err) : status;
}

/* Training settings for this run: the parsed (or resumed) ones plus the
 * callback, the validation set and the collective. */
static gemmnet_train_options run_options(run *r)
{
    gemmnet_train_options o = r->args.options;
    o.progress = train_report_progress;
    o.progress_context = r;
    /* Print and log lines come from one report cadence. */
    if (r->log && (o.report_every <= 0 || r->args.log_every < o.report_every))
        o.report_every = (int32_t)r->args.log_every;
    o.shuffle_seed = (uint32_t)r->args.data.seed;
    o.validation = r->data.validation;
    o.collective = r->parallel->size > 1 ? &r->collective : NULL;
    r->collective.global_rows = r->data.collective.global_rows;
    r->collective.first_row = r->data.collective.first_row;
    r->collective.validation_global_rows = r->data.collective.validation_global_rows;
    r->collective.validation_first_row = r->data.collective.validation_first_row;
    return o;
}

/* Names the data file in a message about its rows ("row 135: label 2 is
 * out of range" from checking the data against a resumed model), so that
 * it reads "gemmnet train: FILE: row 135: ...". */
static void name_data_file(const run *r, int status, gemmnet_error *err)
{
    const char *path = r->args.data.path;
    if (!path ||
        (status != GEMMNET_E_LABEL && status != GEMMNET_E_SHAPE && status != GEMMNET_E_NONFINITE))
        return;
    const char *name = cli_input_name(path);
    size_t length = strlen(name);
    if (strncmp(err->message, name, length) == 0)
        return;
    /* "NAME: " in front, the message cut to fit behind it. */
    size_t shift = length + 2, room = sizeof err->message - 1, used = strlen(err->message);
    if (shift >= room)
        return;
    used = used < room - shift ? used : room - shift;
    memmove(err->message + shift, err->message, used);
    err->message[shift + used] = '\0';
    memcpy(err->message, name, length);
    memcpy(err->message + length, ": ", 2);
}

static int
create_trainer(run *r, gemmnet_train_options *o, gemmnet_trainer **trainer, gemmnet_error *err)
{
    *o = run_options(r);
    int status = cli_class_weights(r, o, err);
    if (status == GEMMNET_OK)
        status = gemmnet_trainer_create(r->model, r->data.train, o, trainer, err);
    if (status == GEMMNET_OK && r->checkpoint)
        status = gemmnet_trainer_restore(*trainer, r->checkpoint, err);
    name_data_file(r, status, err);
    return status;
}

/* Loads the data, builds the model and the trainer on every process. A
 * failure on any process stops all of them: every step that can fail on
 * one process alone is followed by a check all processes make together,
 * before the next collective call, so none is left waiting in one.
 * Returns 0 to go on, else the exit status. */
static int set_up(run *r, gemmnet_train_options *o, gemmnet_trainer **trainer, gemmnet_error *err)
{
    int status = r->args.resume_path ? load_checkpoint(r, err) : GEMMNET_OK;
    if (status == GEMMNET_OK)
        status = run_data_load(&r->args, r->parallel, &r->data, err);
    int failed = cli_parallel_first_failure(r->parallel, status == GEMMNET_OK);
    if (failed >= 0)
        return report_failure(r, status, failed, err);
    bool shared = false;
    status = run_data_agree(&r->args, r->parallel, &r->data, &shared, err);
    if (status != GEMMNET_OK && shared) {
        if (r->parallel->rank == 0)
            fprintf(stderr, "gemmnet train: %s\n", err->message);
        return EXIT_FAILURE_RUN;
    }
    failed = cli_parallel_first_failure(r->parallel, status == GEMMNET_OK);
    if (failed >= 0)
        return report_failure(r, status, failed, err);
    status = run_data_shard(&r->args, r->parallel, &r->data, err);
    if (status == GEMMNET_OK)
        status = prepare_model(r, err);
    if (status == GEMMNET_OK && r->parallel->rank == 0 && r->args.log_path) {
        r->log = train_log_open(r->args.log_path, &r->log_output, err);
        status = r->log ? GEMMNET_OK : GEMMNET_E_IO;
    }
    if (status == GEMMNET_OK)
        status = create_trainer(r, o, trainer, err);
    failed = cli_parallel_first_failure(r->parallel, status == GEMMNET_OK);
    return failed < 0 ? 0 : report_failure(r, status, failed, err);
}

/* Rank 0 saves (the state is the same everywhere); then every process
 * learns whether it could, so that a failed save stops them all rather
 * than leaving the others waiting in the next reduction. Rank 0 reports. */
static int save_on_rank_0(const run *r, gemmnet_trainer *trainer, gemmnet_error *err)
{
    int status =
        r->parallel->rank == 0 ? gemmnet_trainer_save(trainer, r->args.save_path, err) : GEMMNET_OK;
    if (cli_parallel_first_failure(r->parallel, status == GEMMNET_OK) >= 0 && status == GEMMNET_OK)
        status = GEMMNET_E_IO;
    return status;
}

/* Runs up to o->epochs epochs in all, saving a checkpoint every
 * --checkpoint-every epochs. */
static int run_epochs(const run *r,
                      const gemmnet_train_options *o,
                      gemmnet_trainer *trainer,
                      gemmnet_error *err)
{
    const train_args *a = &r->args;
    int stopped = 0, status = GEMMNET_OK;
    while (status == GEMMNET_OK && !stopped && gemmnet_trainer_epochs_done(trainer) < o->epochs) {
        int32_t left = o->epochs - gemmnet_trainer_epochs_done(trainer);
        int32_t chunk =
            a->checkpoint_every && a->checkpoint_every < left ? (int32_t)a->checkpoint_every : left;
        status = gemmnet_trainer_run(trainer, chunk, err);
        gemmnet_trainer_best_epoch(trainer, &stopped);
        if (status == GEMMNET_OK && a->checkpoint_every)
            status = save_on_rank_0(r, trainer, err);
    }
    return status;
}

/* Trains, saves the result (never a run that failed, so a diverged model
 * cannot overwrite a saved one), then reports: a report that fails (out of
 * memory, say) cannot cost the trained model. */
static int train_save_report(run *r,
                             const gemmnet_train_options *o,
                             gemmnet_trainer *trainer,
                             gemmnet_error *err)
{
    int status = run_epochs(r, o, trainer, err);
    /* Results first: the model is saved before the report, which
     * allocates (a confusion matrix) and could fail; every process learns
     * whether rank 0 saved before the report's collective calls. */
    if (status == GEMMNET_OK && r->args.save_path)
        status = save_on_rank_0(r, trainer, err);
    if (status == GEMMNET_OK)
        status = train_report_results(r, trainer, err);
    if (r->log && train_log_close(r->log_output) != 0 && status == GEMMNET_OK)
        status = GEMMNET_E_IO;
    return status;
}

static int run_training(const train_args *a, const cli_parallel *p)
{
    run r = {.parallel = p, .args = *a, .collective = cli_parallel_collective(p)};
    gemmnet_error err = {0};
    gemmnet_train_options o;
    gemmnet_trainer *trainer = NULL;
    int exit_status = set_up(&r, &o, &trainer, &err);
    if (exit_status == 0) {
        /* Failures from here on are the same on every process (the
         * gradient is summed before it is checked): rank 0 reports. */
        int status = train_save_report(&r, &o, trainer, &err);
        if (status != GEMMNET_OK && p->rank == 0)
            cli_report_error("train", status, &err);
        exit_status = status == GEMMNET_OK ? 0 : EXIT_FAILURE_RUN;
    } else if (r.log) {
        cli_discard_output(r.log_output);
    }
    gemmnet_trainer_destroy(trainer);
    gemmnet_checkpoint_free(r.checkpoint);
    free(r.args.class_weight_values);
    gemmnet_model_destroy(r.model);
    run_data_free(&r.data);
    return exit_status;
}

/* --threads N: the backend's own threads where it has them. A backend
 * fixed at one thread (ATLAS, netlib) cannot take N, so the trainer gets N
 * row-block workers instead (at most 64, the library's bound): the cores
 * asked for are used either way. -1 to go on, else the exit status. */
static int apply_threads(train_args *a)
{
    if (a->threads <= 0 || gemmnet_blas_set_threads((int)a->threads) == GEMMNET_OK)
        return -1;
    if (gemmnet_blas_threads() != 1)
        return cli_usage_error("train", "cannot set %ld BLAS threads", a->threads);
    a->options.threads = (int32_t)(a->threads < 64 ? a->threads : 64);
    return -1;
}

int cmd_train(int argc, char **argv)
{
    cli_parallel p;
    cli_parallel_init(&argc, &argv, &p);
    train_args a;
    int exit_status = parse_train_args(argc, argv, &a);
    if (exit_status < 0 && a.standardize && a.data.path && strstr(a.data.path, "%r"))
        exit_status =
            cli_usage_error("train", "--standardize needs one data file, not per-rank files");
    /* Ranks already share the cores: one BLAS thread each unless asked. */
    if (exit_status < 0 && p.size > 1 && a.threads == 0)
        a.threads = 1;
    if (exit_status < 0)
        exit_status = apply_threads(&a);
    if (exit_status < 0)
        exit_status = run_training(&a, &p);
    cli_parallel_finalize();
    return exit_status;
}
