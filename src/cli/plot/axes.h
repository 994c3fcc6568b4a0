/* Panels with axes: a data rectangle mapped onto a whole-pixel plot area,
 * with a title, a frame, ticks at round numbers and their labels. */
#ifndef GEMMNET_CLI_PLOT_AXES_H
#define GEMMNET_CLI_PLOT_AXES_H

#include <cairo.h>
#include <stddef.h>

/* A rectangle on the surface, in pixels. */
typedef struct plot_rect {
    double x;
    double y;
    double width;
    double height;
} plot_rect;

/* A range of data values on each axis. */
typedef struct plot_range {
    double xmin;
    double xmax;
    double ymin;
    double ymax;
} plot_range;

/* A plot area and the data range it shows: xmin at its left edge, xmax at
 * its right edge, ymax at its top edge, ymin at its bottom edge. */
typedef struct plot_frame {
    /* Top-left corner and size of the plot area, whole pixels, so that a
     * raster of width×height cells lands exactly on device pixels. */
    int left;
    int top;
    int width;
    int height;
    /* The data range shown. */
    plot_range range;
    /* Font size of tick labels (titles are a little larger). */
    double font;
} plot_frame;

/* Places the plot area inside panel, leaving margins for the title, the
 * tick labels and axis labels at font size font. */
plot_frame plot_frame_in(plot_rect panel, plot_range range, double font);

/* Surface x of data value v, and surface y of data value v. */
double plot_frame_x(const plot_frame *f, double v);
double plot_frame_y(const plot_frame *f, double v);
/* Data x at the centre of raster column i (0 at the left), and data y at
 * the centre of raster row j (0 at the top). */
double plot_cell_x(const plot_frame *f, int i);
double plot_cell_y(const plot_frame *f, int j);

/* The bounding box of n points (x[i·stride], y[i·stride]) grown by pad on
 * every side; an empty or single-valued axis gets ±0.5 around it. */
plot_range plot_range_of(const float *x, const float *y, size_t n, size_t stride, double pad);

/* Draws the title centred above the plot area. */
void plot_title(cairo_t *cr, const plot_frame *f, const char *title);
/* Draws the frame, ticks and tick labels on the left and bottom edges and
 * the axis labels (either may be NULL). */
void plot_axes(cairo_t *cr, const plot_frame *f, const char *xlabel, const char *ylabel);

#endif
