/* gemmnet animate: training watched as it happens. The trainer's progress
 * callback draws a frame at chosen epochs (no second run) with the plot
 * commands' cairo code, and the frames go into an animated GIF whose
 * palette keeps the class colours exact. */
#ifndef GEMMNET_CLI_ANIMATE_H
#define GEMMNET_CLI_ANIMATE_H

#include "plot/gif.h"
#include "plot/axes.h"
#include "training_options.h"

#include <cairo.h>
#include <gemmnet.h>
#include <stdbool.h>

/* What the animation shows. */
typedef enum anim_view {
    /* The decision regions and the data (2 features, any K and depth). */
    ANIM_BOUNDARY = 0,
    /* The data at its activations in the last hidden layer (2 or 3 units),
     * with the output layer's line or plane; a turning camera in 3-D. */
    ANIM_HIDDEN = 1,
    /* One boundary panel per hidden size, all trained side by side. */
    ANIM_SWEEP = 2
} anim_view;

/* Most frames one animation takes, and most sizes of a sweep. */
enum { ANIM_MAX_FRAMES = 1000, ANIM_MAX_SIZES = 16 };

/* Everything `gemmnet animate` was asked for. */
typedef struct anim_args {
    anim_view view;
    data_args data;
    /* --hidden widths (boundary, hidden), --hidden-sizes (sweep). */
    int32_t hidden[GEMMNET_MAX_LAYERS];
    int hidden_count;
    int32_t sizes[ANIM_MAX_SIZES];
    int size_count;
    /* Whether --hidden and --hidden-sizes were given (each belongs to
     * its views only). */
    bool hidden_given;
    bool sizes_given;
    gemmnet_activation activation;
    /* --epochs, --lr, --l2, --reduction, --optimizer, --batch. */
    gemmnet_train_options options;
    /* -o FILE.gif, --size WxH, --title. */
    const char *output;
    int width;
    int height;
    const char *title;
    /* --frames N (spaced logarithmically) or --every K epochs. */
    long frames;
    long every;
    /* --fps, --hold seconds on the last frame, --loop (0 forever, −1 once). */
    double fps;
    double hold;
    long loop;
} anim_args;

/* Parses the command line: -1 to go on, else the exit status. */
int anim_parse(int argc, char **argv, anim_args *a /* OUT */);

/* The epochs (counted from 1: passes done) after which frames are drawn,
 * out[count], strictly increasing, the last one `epochs`. Logarithmic
 * spacing for every == 0 (frames ≥ 2), else every, 2·every, …, epochs.
 * Returns count (≤ ANIM_MAX_FRAMES, ≥ 1), or −1 if every asks for more. */
int anim_schedule(int32_t epochs, int frames, int32_t every, int32_t *out /* OUT */);

/* The GIF being drawn: a cairo image surface that each frame paints on,
 * then quantizes into the palette and appends. */
typedef struct anim_movie {
    cairo_surface_t *surface;
    cairo_t *cr;
    gif_palette *palette;
    gif_writer *gif;
    uint8_t *indices;
    int width;
    int height;
    /* The output file (written atomically through the library). */
    gemmnet_output *out;
    const char *path;
} anim_movie;

/* Opens path's temporary file and the surface; the palette holds white,
 * the greys of text and axes and the three shades of the first `classes`
 * class colours exactly. Prints why and returns false on failure. */
bool anim_movie_open(anim_movie *m /* OUT */, const anim_args *a, int32_t classes);
/* Paints the surface white and returns the context to draw the frame on. */
cairo_t *anim_movie_clear(anim_movie *m);
/* Appends what is drawn as a frame shown for delay hundredths of a second:
 * 0, or −1 after printing why. */
int anim_movie_frame(anim_movie *m, int delay);
/* Finishes the GIF and, if commit, renames it over the output (else
 * removes it). Returns 0, or −1 after printing why. */
int anim_movie_close(anim_movie *m, bool commit);

/* The part of a frame above its caption band. */
plot_rect anim_body(const anim_movie *m);
/* Draws text in the caption band at the bottom, over a thin bar filled to
 * the share done (0..1) of the epochs. */
void anim_draw_caption(anim_movie *m, const char *text, double done);

/* Trains model on data with a's settings, calling frame(context, progress)
 * after every epoch. Reports a failure ("gemmnet animate: why"), except a
 * stop asked for by frame, which says why itself. Returns the library's
 * status. */
int anim_train(const anim_args *a,
               gemmnet_model *model,
               const gemmnet_dataset *data,
               gemmnet_progress_fn frame,
               void *context);

/* A caption for frames: "epoch E/TOTAL  loss L  accuracy A %". */
void anim_caption(
    int32_t epoch, int32_t total, const gemmnet_evaluation *e, char *out, size_t size);

/* The frame delay in hundredths of a second for a.fps, and the last
 * frame's (held a.hold seconds longer). */
int anim_delay(const anim_args *a, bool last);

/* The three views; each trains, draws and writes a.output, and returns
 * the exit status. */
int anim_boundary(const anim_args *a, const gemmnet_dataset *data);
int anim_hidden(const anim_args *a, const gemmnet_dataset *data);
int anim_sweep(const anim_args *a, const gemmnet_dataset *data);

/* A model for a.hidden and a.activation on data, tutorial-initialised
 * with seed a.data.seed. */
int anim_model_create(const anim_args *a,
                      const int32_t *hidden,
                      int hidden_count,
                      const gemmnet_dataset *data,
                      gemmnet_model **model /* OUT */,
                      gemmnet_error *err);

#endif
