/* Model, data and picture options of the plot commands, and loading the
 * model and data. */
#include "plot_args.h"

#include "args.h"
#include "model_args.h"
#include "plot/canvas.h"
#include "streams.h"

#include <stdio.h>
#include <stdlib.h>

void plot_source_init(plot_source *s)
{
    *s = (plot_source){.hidden_count = -1, .epochs = -1, .data = {.noise = 0.2}};
}

int plot_source_option(const char *command, int c, const char *value, plot_source *s)
{
    switch (c) {
    case OPT_MODEL: s->model_path = value; return 1;
    case OPT_HIDDEN:
        return cli_parse_int_list(command, "--hidden", value, 1, 1 << 20, s->hidden,
                                  GEMMNET_MAX_LAYERS - 1, &s->hidden_count)
                   ? 1
                   : -1;
    case OPT_EPOCHS:
        return cli_parse_long(command, "--epochs", value, 0, INT32_MAX, &s->epochs) ? 1 : -1;
    case OPT_DATA:
    case OPT_MOONS:
    case OPT_NOISE:
    case OPT_SEED:
    case OPT_LABEL_COL:
    case OPT_HEADER:
    case OPT_CLASSES: return parse_data_option(command, c, value, &s->data) ? 1 : -1;
    default: return 0;
    }
}

int plot_source_check(const char *command, const plot_source *s)
{
    if (!s->model_path == (s->hidden_count < 0))
        return cli_usage_error(command, "give exactly one of --model FILE and --hidden LIST");
    if (!s->data.path == !s->data.moons)
        return cli_usage_error(command, "give exactly one of --data FILE and --moons N");
    if (s->epochs >= 0 && s->model_path)
        return cli_usage_error(command, "--epochs goes with --hidden, not --model");
    return -1;
}

/* The data for a loaded model: its K classes, and its class names (so that
 * text labels map as they did in training). */
static int load_data_for_model(const data_args *a,
                               const gemmnet_model *model,
                               gemmnet_dataset *data,
                               gemmnet_error *err)
{
    if (a->moons)
        return gemmnet_dataset_generate(data, GEMMNET_SYNTH_MOONS, (size_t)a->moons, 2, a->noise,
                                        (uint32_t)a->seed, NULL, err);
    int32_t k = gemmnet_model_width(model, gemmnet_model_layers(model));
    const char **names;
    int status = cli_model_class_names(model, &names);
    if (status != GEMMNET_OK)
        return status;
    gemmnet_csv_options csv = {.classes = a->classes && !names ? (int32_t)a->classes : k,
                               .class_names = names,
                               .header = a->header,
                               .labels =
                                   names ? GEMMNET_CSV_LABELS_AUTO : GEMMNET_CSV_LABELS_INTEGER};
    if (a->label_column)
        cli_set_label_column(a->label_column, &csv);
    status = cli_read_csv(data, a->path, &csv, err);
    free(names);
    return status;
}

/* The --hidden fallback: the tutorial's initialisation and settings. */
static int train_here(const plot_source *s,
                      const gemmnet_dataset *data,
                      gemmnet_model **model,
                      gemmnet_error *err)
{
    gemmnet_architecture arch = {.inputs = (int32_t)data->features,
                                 .classes = data->classes,
                                 .hidden_layers = s->hidden_count,
                                 .hidden = s->hidden};
    int status = gemmnet_model_create(&arch, NULL, model, err);
    if (status != GEMMNET_OK)
        return status;
    gemmnet_model_init(*model, GEMMNET_INIT_TUTORIAL, (uint32_t)s->data.seed, NULL);
    gemmnet_train_options options;
    gemmnet_train_options_init(&options);
    options.report_every = 0;
    if (s->epochs >= 0)
        options.epochs = (int32_t)s->epochs;
    return gemmnet_train(*model, data, &options, err);
}

bool plot_source_load(const char *command,
                      const plot_source *s,
                      gemmnet_model **model,
                      gemmnet_dataset *data)
{
    *model = NULL;
    *data = (gemmnet_dataset){0};
    gemmnet_error err = {0};
    int status;
    if (s->model_path) {
        *model = cli_load_model(command, s->model_path);
        if (!*model)
            return false;
        status = load_data_for_model(&s->data, *model, data, &err);
    } else {
        status = load_data(&s->data, data, &err);
        if (status == GEMMNET_OK)
            status =
                data->features > INT32_MAX ? GEMMNET_E_INVALID : train_here(s, data, model, &err);
    }
    if (status == GEMMNET_OK)
        return true;
    cli_report_error(command, status, &err);
    gemmnet_model_destroy(*model);
    gemmnet_dataset_free(data);
    *model = NULL;
    return false;
}

int plot_source_draw(const char *command,
                     const plot_source *s,
                     plot_draw_fn draw,
                     const void *context)
{
    gemmnet_model *model;
    gemmnet_dataset data;
    if (!plot_source_load(command, s, &model, &data))
        return EXIT_FAILURE_RUN;
    int exit_status = draw(context, model, &data);
    gemmnet_model_destroy(model);
    gemmnet_dataset_free(&data);
    return exit_status;
}

int plot_picture_option(const char *command, int c, const char *value, plot_picture *p)
{
    int width, height, used = 0;
    switch (c) {
    case OPT_OUTPUT: p->output = value; return 1;
    case OPT_TITLE: p->title = value; return 1;
    case OPT_SIZE:
        if (sscanf(value, "%dx%d%n", &width, &height, &used) == 2 && !value[used] && width >= 200 &&
            width <= 4000 && height >= 200 && height <= 4000) {
            p->width = width;
            p->height = height;
            return 1;
        }
        cli_usage_error(command, "--size expects WIDTHxHEIGHT, each in 200..4000, got '%s'", value);
        return -1;
    default: return 0;
    }
}

int plot_picture_check(const char *command, const plot_picture *p)
{
    plot_format format;
    if (!p->output)
        return cli_usage_error(command, "-o FILE.png|.svg|.pdf is required");
    if (!plot_format_of(p->output, &format))
        return cli_usage_error(command, "-o expects a name ending in .png, .svg or .pdf, got '%s'",
                               p->output);
    return -1;
}

void plot_request_init(plot_request *r, int width, int height)
{
    plot_source_init(&r->source);
    r->picture = (plot_picture){.width = width, .height = height};
}

bool plot_request_option(const char *command, int code, const char *value, plot_request *r)
{
    int taken = plot_source_option(command, code, value, &r->source);
    if (taken == 0)
        taken = plot_picture_option(command, code, value, &r->picture);
    return taken > 0;
}

int plot_request_check(const char *command, const plot_request *r)
{
    int status = plot_source_check(command, &r->source);
    return status >= 0 ? status : plot_picture_check(command, &r->picture);
}

void plot_describe_hidden(const gemmnet_model *model, char *out, size_t size)
{
    int32_t layers = gemmnet_model_layers(model);
    if (layers == 1) {
        snprintf(out, size, "no hidden layer");
        return;
    }
    int used = snprintf(out, size, layers == 2 ? "hidden layer size" : "hidden layers");
    for (int32_t l = 1; l < layers && used >= 0 && (size_t)used < size; l++)
        used += snprintf(out + used, size - (size_t)used, "%s%d", l > 1 ? ", " : " ",
                         (int)gemmnet_model_width(model, l));
}
