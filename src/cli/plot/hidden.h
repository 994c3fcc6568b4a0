/* Hidden-layer pictures: every input drawn at its activations in a 2- or
 * 3-unit hidden layer, coloured by label, to show how the layer bends the
 * data until a linear read-out separates the classes (the XOR story). */
#ifndef GEMMNET_CLI_PLOT_HIDDEN_H
#define GEMMNET_CLI_PLOT_HIDDEN_H

#include <gemmnet.h>

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
} plot_hidden_view;

/* Writes a width×height picture of view to path (format by extension,
 * atomically): axes h1, h2 for 2 units, a fixed oblique projection of the
 * activations' bounding box for 3. Prints why and returns 1 on failure,
 * else 0. */
int plot_hidden_write(
    const char *command, const char *path, int width, int height, const plot_hidden_view *view);

#endif
