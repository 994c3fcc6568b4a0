/* gemmnet plot-hidden: the data at its activations in a 2- or 3-unit
 * hidden layer. */
#include "args.h"
#include "commands.h"
#include "plot_args.h"
#include "plot/hidden.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char plot_hidden_help[] =
    "usage: gemmnet plot-hidden (--model FILE | --hidden LIST [--epochs E])\n"
    "                           (--data FILE | --moons N [--noise 0.2]) -o FILE.png|.svg|.pdf\n"
    "                           [--layer 1] [--size 640x560] [--title TEXT] [--seed 0]\n\n"
    "Draws every data point at its activations in a hidden layer of 2 or 3 units,\n"
    "coloured by label: a plane for 2 units, a fixed oblique view of the bounding box\n"
    "for 3. When that layer feeds the softmax directly, the output layer's decision\n"
    "regions (2 units) or, for 2 classes, its separating plane (3 units) are drawn\n"
    "too: the hidden layer has made the classes linearly separable. The format\n"
    "follows the extension of -o; the file is written atomically, and the same input\n"
    "gives the same bytes.\n\n" PLOT_SOURCE_HELP
    "  --layer L         which hidden layer, 1 = the first (default 1)\n"
    "  -o FILE           the picture: .png, .svg or .pdf\n"
    "  --size WxH        pixels (default 640x560)\n"
    "  --title TEXT      what comes before \": P % separated by a plane\" (a line for\n"
    "                    2 units), P measured: the share of points the output layer\n"
    "                    puts in their class; the whole title when the layer does not\n"
    "                    feed the output (default: \"Hidden layer L, H UNITS units\")\n";

typedef struct plot_hidden_args {
    plot_request request;
    /* --layer: which hidden layer, 1 = the first. */
    long layer;
} plot_hidden_args;

enum { OPT_LAYER = 'L' };

static const struct option plot_hidden_options[] = {
    PLOT_SOURCE_OPTIONS,
    {"layer", required_argument, NULL, OPT_LAYER},
    {"size", required_argument, NULL, OPT_SIZE},
    {"title", required_argument, NULL, OPT_TITLE},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* --layer, or a source or picture option. */
static bool plot_hidden_option(void *context, int code, const char *value)
{
    plot_hidden_args *a = context;
    if (code == OPT_LAYER)
        return cli_parse_long("plot-hidden", "--layer", value, 1, GEMMNET_MAX_LAYERS - 1,
                              &a->layer);
    return plot_request_option("plot-hidden", code, value, &a->request);
}

/* Returns -1 to go on, else the exit status. */
static int parse_plot_hidden(int argc, char **argv, plot_hidden_args *a)
{
    static const cli_syntax syntax = {"plot-hidden", plot_hidden_help, plot_hidden_options,
                                      "o:", plot_hidden_option};
    plot_request_init(&a->request, 640, 560);
    a->layer = 1;
    int status = cli_parse_options(&syntax, a, argc, argv, NULL);
    return status >= 0 ? status : plot_request_check("plot-hidden", &a->request);
}

/* The model has hidden layer `layer` of 2 or 3 units and takes the data's
 * features; else says why. */
static bool check_layer(const gemmnet_model *model, const gemmnet_dataset *data, int32_t layer)
{
    int32_t hidden_layers = gemmnet_model_layers(model) - 1;
    int32_t units = layer <= hidden_layers ? gemmnet_model_width(model, layer) : 0;
    if (data->features != (size_t)gemmnet_model_width(model, 0))
        fprintf(stderr, "gemmnet plot-hidden: the model takes %d features, the data has %zu\n",
                (int)gemmnet_model_width(model, 0), data->features);
    else if (layer > hidden_layers)
        fprintf(stderr, "gemmnet plot-hidden: --layer %d, but the model has %d hidden layer(s)\n",
                (int)layer, (int)hidden_layers);
    else if (units != 2 && units != 3)
        fprintf(stderr, "gemmnet plot-hidden: hidden layer %d has %d units; it needs 2 or 3\n",
                (int)layer, (int)units);
    else
        return true;
    return false;
}

/* The output layer alone, as a model of its own (units inputs, no hidden
 * layer), for drawing what it does with the activations. */
static int make_readout(gemmnet_model *model, gemmnet_model **readout, gemmnet_error *err)
{
    int32_t top = gemmnet_model_layers(model);
    gemmnet_architecture arch = {.inputs = gemmnet_model_width(model, top - 1),
                                 .classes = gemmnet_model_width(model, top)};
    int status = gemmnet_model_create(&arch, NULL, readout, err);
    if (status != GEMMNET_OK)
        return status;
    size_t in = (size_t)arch.inputs, k = (size_t)arch.classes;
    memcpy(gemmnet_model_weights(*readout, 1), gemmnet_model_weights(model, top),
           in * k * sizeof(float));
    memcpy(gemmnet_model_biases(*readout, 1), gemmnet_model_biases(model, top), k * sizeof(float));
    return GEMMNET_OK;
}

/* Computes the activations and draws them. */
static int draw(const plot_hidden_args *a, gemmnet_model *model, const gemmnet_dataset *data)
{
    const plot_picture *picture = &a->request.picture;
    int32_t layer = (int32_t)a->layer, units = gemmnet_model_width(model, layer);
    gemmnet_error err = {0};
    gemmnet_model *readout = NULL;
    gemmnet_workspace *ws = NULL;
    float *activations = malloc(data->rows * (size_t)units * sizeof *activations);
    int status = activations ? gemmnet_workspace_create(model, NULL, &ws, &err) : GEMMNET_E_NOMEM;
    if (status == GEMMNET_OK)
        status =
            gemmnet_hidden_activations(model, ws, data->x, data->rows, layer, activations, NULL);
    if (status == GEMMNET_OK && layer == gemmnet_model_layers(model) - 1)
        status = make_readout(model, &readout, &err);
    int exit_status = EXIT_FAILURE_RUN;
    if (status == GEMMNET_OK) {
        char what[160], title[256];
        snprintf(what, sizeof what, "Hidden layer %d, %d %s units", (int)layer, (int)units,
                 gemmnet_activation_name(gemmnet_model_activation(model, layer)));
        if (picture->title)
            snprintf(what, sizeof what, "%s", picture->title);
        int32_t top = gemmnet_model_layers(model);
        plot_hidden_view view = {activations,
                                 units,
                                 data->y,
                                 data->rows,
                                 readout,
                                 readout ? gemmnet_model_weights(model, top) : NULL,
                                 readout ? gemmnet_model_biases(model, top) : NULL,
                                 gemmnet_model_width(model, top),
                                 title,
                                 (const char *const *)data->class_names,
                                 NULL};
        plot_hidden_title(&view, what, title, sizeof title);
        exit_status = plot_hidden_write("plot-hidden", picture->output, picture->width,
                                        picture->height, &view);
    } else {
        cli_report_error("plot-hidden", status, &err);
    }
    gemmnet_model_destroy(readout);
    gemmnet_workspace_destroy(ws);
    free(activations);
    return exit_status;
}

/* The layer's activations, when the model has such a layer. */
static int draw_layer(const void *context, gemmnet_model *model, const gemmnet_dataset *data)
{
    const plot_hidden_args *a = context;
    return check_layer(model, data, (int32_t)a->layer) ? draw(a, model, data) : EXIT_FAILURE_RUN;
}

int cmd_plot_hidden(int argc, char **argv)
{
    plot_hidden_args a;
    int exit_status = parse_plot_hidden(argc, argv, &a);
    if (exit_status >= 0)
        return exit_status;
    return plot_source_draw("plot-hidden", &a.request.source, draw_layer, &a);
}
