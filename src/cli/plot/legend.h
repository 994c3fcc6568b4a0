/* The class legend of the plot commands: one row per class, a point in
 * the class's colour and its name ("class k" for numeric labels), in a
 * white box in a corner of the plot area. */
#ifndef GEMMNET_CLI_PLOT_LEGEND_H
#define GEMMNET_CLI_PLOT_LEGEND_H

#include "axes.h"

#include <cairo.h>
#include <stdint.h>

/* Legends list at most this many classes, then "… N more". */
#define PLOT_LEGEND_MAX_ROWS 12

/* Draws the legend of classes classes inside f's plot area at its top
 * right corner; names[k] names class k, or names is NULL. */
void plot_legend(cairo_t *cr, const plot_frame *f, int32_t classes, const char *const *names);

/* The box plot_legend draws in, in surface pixels. */
plot_rect plot_legend_bounds(const plot_frame *f, int32_t classes, const char *const *names);

/* The same at the top right corner of rect (for pictures without a frame,
 * such as the 3-D hidden-layer view), at font size font. */
void plot_legend_in(
    cairo_t *cr, plot_rect rect, double font, int32_t classes, const char *const *names);

#endif
