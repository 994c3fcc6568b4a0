/* gemmnet animate --view hidden: the data at its activations in the last
 * hidden layer (2 or 3 units) as training bends it, with the output
 * layer's separating line or plane, and for 3 units a camera that turns
 * once around the box over the animation so that depth reads. */
#include "animate.h"

#include "args.h"
#include "plot/hidden.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The camera's tilt, and its turn at the first frame (radians). */
#define TILT 0.45
#define FIRST_TURN 0.6

typedef struct hidden_run {
    const anim_args *a;
    const gemmnet_dataset *data;
    gemmnet_model *model;
    gemmnet_workspace *ws;
    /* The output layer alone: units inputs, K classes, no hidden layer. */
    gemmnet_model *readout;
    int32_t layer;
    int32_t units;
    /* activations[N×units] of the frame being drawn. */
    float *activations;
    plot_hidden_camera camera;
    /* Whether the activation is bounded (tanh, sigmoid): then the camera's
     * range is its range; else it grows to hold every frame's values. */
    bool bounded;
    anim_movie movie;
    int32_t schedule[ANIM_MAX_FRAMES];
    int frames;
    int next;
    char what[160];
} hidden_run;

/* The range the camera shows: the activation's own, or grown to hold
 * this frame's values. */
static void fit_camera(hidden_run *r)
{
    if (r->bounded)
        return;
    for (size_t p = 0; p < r->data->rows; p++)
        for (int32_t i = 0; i < r->units; i++) {
            double v = r->activations[p * (size_t)r->units + (size_t)i];
            r->camera.lo[i] = fmin(r->camera.lo[i], v);
            r->camera.hi[i] = fmax(r->camera.hi[i], v);
        }
}

/* Copies the output layer's current weights into the read-out model. */
static void copy_readout(hidden_run *r)
{
    int32_t top = gemmnet_model_layers(r->model);
    size_t k = (size_t)r->data->classes;
    memcpy(gemmnet_model_weights(r->readout, 1), gemmnet_model_weights(r->model, top),
           (size_t)r->units * k * sizeof(float));
    memcpy(gemmnet_model_biases(r->readout, 1), gemmnet_model_biases(r->model, top),
           k * sizeof(float));
}

static int draw_hidden_frame(hidden_run *r, const gemmnet_progress *p, gemmnet_error *err)
{
    int status = gemmnet_hidden_activations(r->model, r->ws, r->data->x, r->data->rows, r->layer,
                                            r->activations, err);
    if (status != GEMMNET_OK)
        return status;
    fit_camera(r);
    copy_readout(r);
    int32_t top = gemmnet_model_layers(r->model);
    r->camera.azimuth = FIRST_TURN + 8.0 * atan(1.0) * r->next / r->frames;
    char title[256];
    plot_hidden_view view = {r->activations,
                             r->units,
                             r->data->y,
                             r->data->rows,
                             r->readout,
                             gemmnet_model_weights(r->model, top),
                             gemmnet_model_biases(r->model, top),
                             r->data->classes,
                             title,
                             (const char *const *)r->data->class_names,
                             &r->camera};
    plot_hidden_title(&view, r->what, title, sizeof title);
    /* Without anti-aliasing: as the camera turns, every edge pixel of the
     * points and the box changes from frame to frame, and their blended
     * colours cost most of the GIF's bytes (a quarter more with them). */
    cairo_set_antialias(r->movie.cr, CAIRO_ANTIALIAS_NONE);
    status = plot_hidden_draw(anim_movie_clear(&r->movie), anim_body(&r->movie), &view, err);
    char caption[128];
    int32_t total = r->a->options.epochs;
    anim_caption(p->epoch + 1, total, &p->train, caption, sizeof caption);
    anim_draw_caption(&r->movie, caption, (double)(p->epoch + 1) / total);
    return status;
}

static int hidden_frame(void *context, const gemmnet_progress *p)
{
    hidden_run *r = context;
    if (r->next >= r->frames || p->epoch + 1 != r->schedule[r->next])
        return 0;
    gemmnet_error err = {0};
    int status = draw_hidden_frame(r, p, &err);
    if (status != GEMMNET_OK) {
        cli_report_error("animate", status, &err);
        return 1;
    }
    r->next++;
    return anim_movie_frame(&r->movie, anim_delay(r->a, r->next == r->frames)) != 0;
}

/* The model, its workspace, the read-out and the activations buffer. */
static int hidden_setup(hidden_run *r, gemmnet_error *err)
{
    const anim_args *a = r->a;
    int status = anim_model_create(a, a->hidden, a->hidden_count, r->data, &r->model, err);
    r->layer = a->hidden_count;
    r->units = a->hidden[a->hidden_count - 1];
    gemmnet_architecture arch = {.inputs = r->units, .classes = r->data->classes};
    if (status == GEMMNET_OK)
        status = gemmnet_model_create(&arch, NULL, &r->readout, err);
    if (status == GEMMNET_OK)
        status = gemmnet_workspace_create(r->model, NULL, &r->ws, err);
    r->activations = malloc(r->data->rows * (size_t)r->units * sizeof *r->activations);
    if (status == GEMMNET_OK && !r->activations)
        status = GEMMNET_E_NOMEM;
    /* tanh and sigmoid: their range; relu: grown from [0, 1]. */
    r->bounded = a->activation == GEMMNET_ACT_TANH || a->activation == GEMMNET_ACT_SIGMOID;
    for (int i = 0; i < 3; i++) {
        r->camera.lo[i] = a->activation == GEMMNET_ACT_TANH ? -1.0 : 0.0;
        r->camera.hi[i] = 1.0;
    }
    r->camera.elevation = TILT;
    snprintf(r->what, sizeof r->what, "%d %s units", (int)r->units,
             gemmnet_activation_name(a->activation));
    return status;
}

int anim_hidden(const anim_args *a, const gemmnet_dataset *data)
{
    hidden_run r = {.a = a, .data = data};
    r.frames = anim_schedule(a->options.epochs, (int)a->frames, (int32_t)a->every, r.schedule);
    gemmnet_error err = {0};
    int status = hidden_setup(&r, &err);
    bool ok = status == GEMMNET_OK;
    if (!ok)
        cli_report_error("animate", status, &err);
    if (a->title)
        snprintf(r.what, sizeof r.what, "%s", a->title);
    ok = ok && anim_movie_open(&r.movie, a, data->classes);
    if (ok)
        ok = anim_train(a, r.model, data, hidden_frame, &r) == GEMMNET_OK;
    if (r.movie.out)
        ok = anim_movie_close(&r.movie, ok) == 0 && ok;
    free(r.activations);
    gemmnet_workspace_destroy(r.ws);
    gemmnet_model_destroy(r.readout);
    gemmnet_model_destroy(r.model);
    return ok ? 0 : EXIT_FAILURE_RUN;
}
