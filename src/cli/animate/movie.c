/* What the three views of `gemmnet animate` share: the GIF being drawn,
 * the frame schedule, captions, delays and the model. */
#include "animate.h"

#include "args.h"
#include "plot/boundary.h"
#include "plot/canvas.h"

#include <fontconfig/fontconfig.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int anim_schedule(int32_t epochs, int frames, int32_t every, int32_t *out)
{
    if (every > 0) {
        int32_t count = epochs / every + (epochs % every != 0);
        if (count > ANIM_MAX_FRAMES)
            return -1;
        for (int32_t i = 0; i < count; i++)
            out[i] = i + 1 < count ? (i + 1) * every : epochs;
        return (int)count;
    }
    int count = frames < epochs ? frames : (int)epochs;
    if (count < 2) {
        out[0] = epochs;
        return 1;
    }
    /* out[i] = round(epochs^(i/(count−1))): most frames early, where most
     * of the change is; pushed apart where rounding makes them equal, and
     * back below the end, so that they increase strictly up to epochs. */
    for (int i = 0; i < count; i++) {
        double t = (double)i / (count - 1);
        out[i] = (int32_t)lround(exp(t * log((double)epochs)));
        if (i > 0 && out[i] <= out[i - 1])
            out[i] = out[i - 1] + 1;
    }
    out[count - 1] = epochs;
    for (int i = count - 2; i >= 0; i--)
        if (out[i] >= out[i + 1])
            out[i] = out[i + 1] - 1;
    return count;
}

/* Greys of the plot code: text, axes, the 3-D box, the plane's edge. */
static const uint32_t greys[] = {0xffffff, 0x222222, 0x333333, 0x9a9a9a, 0x000000};

bool anim_movie_open(anim_movie *m, const anim_args *a, int32_t classes)
{
    *m = (anim_movie){.width = a->width, .height = a->height, .path = a->output};
    uint32_t exact[GIF_MAX_EXACT];
    int n = 0;
    for (size_t i = 0; i < sizeof greys / sizeof greys[0]; i++)
        exact[n++] = greys[i];
    for (int32_t k = 0; k < classes && k < PLOT_PALETTE_SIZE; k++)
        for (int shade = 0; shade < 3; shade++)
            exact[n++] = plot_class_rgb(k, (plot_shade)shade);
    m->palette = malloc(sizeof *m->palette);
    m->indices = malloc((size_t)a->width * (size_t)a->height);
    if (!m->palette || !m->indices) {
        fprintf(stderr, "gemmnet animate: out of memory\n");
        anim_movie_close(m, false);
        return false;
    }
    gif_palette_init(m->palette, exact, n);
    m->out = cli_open_output(a->output);
    if (!m->out) {
        anim_movie_close(m, false);
        return false;
    }
    m->surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, a->width, a->height);
    m->cr = cairo_create(m->surface);
    m->gif = gif_open(gemmnet_output_stream(m->out), a->width, a->height, m->palette, (int)a->loop);
    if (cairo_status(m->cr) != CAIRO_STATUS_SUCCESS || !m->gif) {
        fprintf(stderr, "gemmnet animate: %s: cannot start the GIF\n", a->output);
        anim_movie_close(m, false);
        return false;
    }
    return true;
}

cairo_t *anim_movie_clear(anim_movie *m)
{
    cairo_save(m->cr);
    cairo_set_source_rgb(m->cr, 1.0, 1.0, 1.0);
    cairo_paint(m->cr);
    cairo_restore(m->cr);
    return m->cr;
}

int anim_movie_frame(anim_movie *m, int delay)
{
    cairo_surface_flush(m->surface);
    if (cairo_status(m->cr) != CAIRO_STATUS_SUCCESS) {
        fprintf(stderr, "gemmnet animate: %s: %s\n", m->path,
                cairo_status_to_string(cairo_status(m->cr)));
        return -1;
    }
    gif_quantize(m->palette, cairo_image_surface_get_data(m->surface),
                 cairo_image_surface_get_stride(m->surface), m->width, m->height, m->indices);
    if (gif_add_frame(m->gif, m->indices, delay) == 0)
        return 0;
    fprintf(stderr, "gemmnet animate: %s: writing frame %d failed\n", m->path,
            gif_frame_count(m->gif));
    return -1;
}

int anim_movie_close(anim_movie *m, bool commit)
{
    bool ok = gif_close(m->gif) == 0;
    m->gif = NULL;
    if (m->cr)
        cairo_destroy(m->cr);
    if (m->surface)
        cairo_surface_destroy(m->surface);
    m->cr = NULL;
    m->surface = NULL;
    free(m->palette);
    free(m->indices);
    m->palette = NULL;
    m->indices = NULL;
    /* As plot_canvas_close: free cairo's and fontconfig's font caches so
     * that leak checkers see a clean exit. */
    cairo_debug_reset_static_data();
    FcFini();
    if (!m->out)
        return -1;
    if (commit && !ok)
        fprintf(stderr, "gemmnet animate: %s: writing the GIF failed\n", m->path);
    if (!commit || !ok) {
        cli_discard_output(m->out);
        m->out = NULL;
        return -1;
    }
    int status = cli_commit_output(m->out);
    m->out = NULL;
    return status == 0 ? 0 : -1;
}

void anim_caption(int32_t epoch, int32_t total, const gemmnet_evaluation *e, char *out, size_t size)
{
    snprintf(out, size, "epoch %d/%d    loss %.4f    accuracy %.1f %%", (int)epoch, (int)total,
             e->loss, 100.0 * e->accuracy);
}

int anim_delay(const anim_args *a, bool last)
{
    double seconds = 1.0 / a->fps + (last ? a->hold : 0.0);
    long delay = lround(100.0 * seconds);
    return (int)(delay < 2 ? 2 : delay > 65535 ? 65535 : delay);
}

int anim_model_create(const anim_args *a,
                      const int32_t *hidden,
                      int hidden_count,
                      const gemmnet_dataset *data,
                      gemmnet_model **model,
                      gemmnet_error *err)
{
    gemmnet_activation activations[GEMMNET_MAX_LAYERS];
    for (int i = 0; i < hidden_count; i++)
        activations[i] = a->activation;
    gemmnet_architecture arch = {.inputs = (int32_t)data->features,
                                 .classes = data->classes,
                                 .hidden_layers = hidden_count,
                                 .hidden = hidden,
                                 .activations = activations};
    int status = gemmnet_model_create(&arch, NULL, model, err);
    if (status == GEMMNET_OK)
        status = gemmnet_model_init(*model, GEMMNET_INIT_TUTORIAL, (uint32_t)a->data.seed, err);
    return status;
}

/* Height of the caption band for a frame height. */
static double caption_band(int height)
{
    return 2.4 * plot_font_for(height);
}

plot_rect anim_body(const anim_movie *m)
{
    return (plot_rect){0.0, 0.0, m->width, m->height - caption_band(m->height)};
}

void anim_draw_caption(anim_movie *m, const char *text, double done)
{
    double font = plot_font_for(m->height), band = caption_band(m->height);
    double top = m->height - band;
    cairo_t *cr = m->cr;
    cairo_save(cr);
    /* The bar: grey track, dark fill, whole pixels. */
    int bar_top = (int)(m->height - 0.45 * font), bar_height = (int)fmax(2.0, 0.25 * font);
    plot_set_rgb(cr, 0x9a9a9a);
    cairo_rectangle(cr, 0, bar_top, m->width, bar_height);
    cairo_fill(cr);
    plot_set_rgb(cr, 0x333333);
    cairo_rectangle(cr, 0, bar_top, floor(m->width * fmin(1.0, fmax(0.0, done))), bar_height);
    cairo_fill(cr);
    plot_set_rgb(cr, 0x222222);
    plot_text(cr, 0.5 * m->width, top + 0.35 * band, font, false, 0.5, 0.5, text);
    cairo_restore(cr);
}

int anim_train(const anim_args *a,
               gemmnet_model *model,
               const gemmnet_dataset *data,
               gemmnet_progress_fn frame,
               void *context)
{
    gemmnet_train_options options = a->options;
    options.report_every = 1;
    options.progress = frame;
    options.progress_context = context;
    gemmnet_error err = {0};
    int status = gemmnet_train(model, data, &options, &err);
    if (status != GEMMNET_OK && status != GEMMNET_E_STOPPED)
        cli_report_error("animate", status, &err);
    return status;
}
