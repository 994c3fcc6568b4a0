/* Hidden-layer pictures: every input drawn at its activations in a 2- or
 * 3-unit hidden layer, coloured by label, to show how the layer bends the
 * data until a linear read-out separates the classes (the XOR story). */
#ifndef GEMMNET_CLI_PLOT_HIDDEN_H
#define GEMMNET_CLI_PLOT_HIDDEN_H

#include "axes.h"

#include <cairo.h>
#include <gemmnet.h>

/* How the activations are looked at, for pictures that move (animate). */
typedef struct plot_hidden_camera {
    /* Turn of the 3-D box about the vertical h3 axis and tilt toward the
     * viewer, radians. */
    double azimuth;
    double elevation;
    /* The value range shown on each unit's axis (lo[i] < hi[i]), fixed so
     * that the frame does not jump as the activations move. */
    double lo[3];
    double hi[3];
} plot_hidden_camera;

/* What a hidden-layer picture shows. */
typedef struct plot_hidden_view {
    /* activations[n×units], units 2 or 3. */
    const float *activations;
    int32_t units;
    const int32_t *labels;
    size_t n;
    /* When the layer feeds the softmax directly: the output layer alone
     * (units inputs, no hidden layer), whose class regions (2 units) or
     * two-class boundary plane (3 units) are drawn; else NULL. */
    const gemmnet_model *readout;
    /* The read-out's W[units×K] and b[K] (NULL with readout), and K. */
    const float *readout_weights;
    const float *readout_biases;
    int32_t classes;
    const char *title;
    /* Class names for the legend ([classes]), or NULL for "class k". */
    const char *const *class_names;
    /* NULL: the activations' padded range and a fixed oblique view. */
    const plot_hidden_camera *camera;
} plot_hidden_view;

/* Fraction of the points that the read-out, applied to their activations,
 * puts in their own class: for 2 classes, the points on their class's
 * side of the read-out's plane (3 units) or line (2 units). 0 without a
 * read-out. */
double plot_hidden_separated(const plot_hidden_view *view);

/* "WHAT: 98.5 % separated by a plane" (3 units, 2 classes), "... by a
 * line" (2 units), "WHAT: the read-out classifies 98.5 %" (more classes),
 * with plot_hidden_separated's share; just WHAT without a read-out. */
void plot_hidden_title(const plot_hidden_view *view, const char *what, char *out, size_t size);

/* Draws view into rect of cr: axes h1, h2 for 2 units, the 3-D box with
 * tick values for 3, a class legend, the title on top. */
int plot_hidden_draw(cairo_t *cr, plot_rect rect, const plot_hidden_view *view, gemmnet_error *err);

/* Writes a width×height picture of view to path (format by extension,
 * atomically): axes h1, h2 for 2 units, a fixed oblique projection of the
 * activations' bounding box for 3. Prints why and returns 1 on failure,
 * else 0. */
int plot_hidden_write(
    const char *command, const char *path, int width, int height, const plot_hidden_view *view);

#endif
