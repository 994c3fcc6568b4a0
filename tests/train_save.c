/*
 * train_save: trains a model on a CSV file and saves it, making exactly
 * the library calls that `gemmnet train --save FILE [--standardize]
 * [--label-col NAME]` makes, so that the CLI tests get real trained models
 * and that call sequence is itself tested. It also writes the in-memory
 * model's predictions for the file's raw rows, to compare with what the
 * CLI and the embedding example print from the saved file.
 *
 * usage: train_save DATA.csv MODEL PREDICTIONS [--label-col N|NAME]
 *                   [--standardize] [--hidden H] [--epochs E]
 */
#include <gemmnet.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct settings {
    const char *data;
    const char *model;
    const char *predictions;
    gemmnet_csv_options csv;
    int standardize;
    int32_t hidden;
    int32_t epochs;
} settings;

static int parse(int argc, char **argv, settings *s)
{
    static const struct option options[] = {
        {"label-col", required_argument, NULL, 'c'},
        {"standardize", no_argument, NULL, 's'},
        {"hidden", required_argument, NULL, 'H'},
        {"epochs", required_argument, NULL, 'e'},
        {NULL, 0, NULL, 0},
    };
    *s = (settings){.hidden = 8, .epochs = 300};
    int c;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (c == 'c' && strspn(optarg, "-0123456789") == strlen(optarg))
            s->csv.label_field = atoi(optarg) < 0 ? 0 : atoi(optarg) + 1;
        else if (c == 'c')
            s->csv.label_name = optarg;
        else if (c == 's')
            s->standardize = 1;
        else if (c == 'H')
            s->hidden = atoi(optarg);
        else if (c == 'e')
            s->epochs = atoi(optarg);
        else
            return -1;
    }
    if (argc - optind != 3)
        return -1;
    s->data = argv[optind];
    s->model = argv[optind + 1];
    s->predictions = argv[optind + 2];
    return 0;
}

/* Prints the model's class for each raw row of the file (names if any). */
static int write_predictions(const settings *s, const gemmnet_model *model, gemmnet_error *err)
{
    gemmnet_dataset raw = {0};
    gemmnet_workspace *ws = NULL;
    FILE *out = fopen(s->predictions, "w");
    int status = out ? gemmnet_dataset_read_csv(&raw, s->data, &s->csv, NULL, err) : GEMMNET_E_IO;
    int32_t *labels = status == GEMMNET_OK ? malloc(raw.rows * sizeof *labels) : NULL;
    if (status == GEMMNET_OK)
        status = labels ? gemmnet_workspace_create(model, NULL, &ws, err) : GEMMNET_E_NOMEM;
    if (status == GEMMNET_OK)
        status = gemmnet_predict(model, ws, raw.x, raw.rows, labels, NULL);
    for (size_t i = 0; status == GEMMNET_OK && i < raw.rows; i++) {
        const char *name = gemmnet_model_class_name(model, labels[i]);
        if (name)
            fprintf(out, "%s\n", name);
        else
            fprintf(out, "%d\n", (int)labels[i]);
    }
    if (out && fclose(out) != 0 && status == GEMMNET_OK)
        status = GEMMNET_E_IO;
    free(labels);
    gemmnet_workspace_destroy(ws);
    gemmnet_dataset_free(&raw);
    return status;
}

/* The sequence for cmd_train: read (names kept), standardise, train on the
 * standardised rows, then record loss, standardisation and names, save. */
static int train_and_save(const settings *s, gemmnet_model **model, gemmnet_error *err)
{
    gemmnet_dataset data = {0};
    float *mean = NULL, *scale = NULL;
    int status = gemmnet_dataset_read_csv(&data, s->data, &s->csv, NULL, err);
    if (status == GEMMNET_OK && s->standardize) {
        mean = malloc(data.features * sizeof *mean);
        scale = malloc(data.features * sizeof *scale);
        status =
            mean && scale ? gemmnet_dataset_standardize(&data, mean, scale, err) : GEMMNET_E_NOMEM;
    }
    gemmnet_architecture arch = {.inputs = (int32_t)data.features,
                                 .classes = data.classes,
                                 .hidden_layers = 1,
                                 .hidden = &s->hidden};
    if (status == GEMMNET_OK &&
        (status = gemmnet_model_create(&arch, NULL, model, err)) == GEMMNET_OK)
        gemmnet_model_init(*model, GEMMNET_INIT_TUTORIAL, 0, NULL);
    gemmnet_train_options o;
    gemmnet_train_options_init(&o);
    o.epochs = s->epochs;
    o.learning_rate = 0.5f;
    o.reduction = GEMMNET_REDUCTION_MEAN;
    o.l2 = 0.001f;
    o.report_every = 0;
    if (status == GEMMNET_OK)
        status = gemmnet_train(*model, &data, &o, err);
    if (status == GEMMNET_OK)
        status = gemmnet_model_set_loss(*model, o.reduction, o.l2);
    if (status == GEMMNET_OK && s->standardize)
        status = gemmnet_model_set_standardization(*model, mean, scale, err);
    if (status == GEMMNET_OK && data.class_names)
        status = gemmnet_model_set_class_names(*model, (const char *const *)data.class_names, err);
    if (status == GEMMNET_OK)
        status = gemmnet_model_save(*model, s->model, err);
    free(mean);
    free(scale);
    gemmnet_dataset_free(&data);
    return status;
}

int main(int argc, char **argv)
{
    settings s;
    if (parse(argc, argv, &s) != 0) {
        fprintf(stderr, "usage: train_save DATA.csv MODEL PREDICTIONS [--label-col N|NAME] "
                        "[--standardize] [--hidden H] [--epochs E]\n");
        return 2;
    }
    gemmnet_error err = {0};
    gemmnet_model *model = NULL;
    int status = train_and_save(&s, &model, &err);
    if (status == GEMMNET_OK)
        status = write_predictions(&s, model, &err);
    if (status != GEMMNET_OK)
        fprintf(stderr, "train_save: %s\n",
                err.message[0] ? err.message : gemmnet_strerror(status));
    gemmnet_model_destroy(model);
    return status == GEMMNET_OK ? 0 : 1;
}
