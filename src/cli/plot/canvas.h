/* What every picture of the plot commands shares: an output file whose
 * format (PNG, SVG, PDF) follows its extension and that appears atomically,
 * the class palette, text. Only the CLI's plot code uses cairo; the library
 * never does. */
#ifndef GEMMNET_CLI_PLOT_CANVAS_H
#define GEMMNET_CLI_PLOT_CANVAS_H

#include <cairo.h>
#include <gemmnet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Output formats, chosen by the output file's extension. */
typedef enum plot_format { PLOT_PNG = 0, PLOT_SVG = 1, PLOT_PDF = 2 } plot_format;

/* Sets *format from path's extension (.png, .svg, .pdf, any case); false
 * for any other name. */
bool plot_format_of(const char *path, plot_format *format /* OUT */);

/* A picture being drawn: cr draws on a width×height surface (pixels for
 * PNG and SVG, points for PDF) that plot_canvas_close writes to path. */
typedef struct plot_canvas {
    /* Drawing context, white background already painted. */
    cairo_t *cr;
    /* Target: an image (PNG) or a vector surface writing to file. */
    cairo_surface_t *surface;
    plot_format format;
    int width;
    int height;
    /* The output (cli_open_output's) and its stream. */
    gemmnet_output *output;
    FILE *file;
    const char *path;
} plot_canvas;

/* Opens path's temporary file and a surface of its format. On failure
 * prints "gemmnet COMMAND: why" and returns false. */
bool plot_canvas_open(
    plot_canvas *canvas /* OUT */, const char *command, const char *path, int width, int height);
/* Finishes the drawing and, if commit, renames the file over path (else
 * removes it). Returns 0, or -1 after printing why. */
int plot_canvas_close(plot_canvas *canvas, const char *command, bool commit);

/* How a class colour is used. */
typedef enum plot_shade {
    /* Light tint filling the class's decision region. */
    PLOT_REGION = 0,
    /* Saturated colour of the class's data points and curves. */
    PLOT_POINT = 1,
    /* Dark outline around the points. */
    PLOT_OUTLINE = 2
} plot_shade;

/* Number of distinct class colours; classes beyond it reuse them. */
#define PLOT_PALETTE_SIZE 12

/* Class k's colour in shade as 0xRRGGBB (the exact bytes a PNG holds). */
uint32_t plot_class_rgb(int32_t k, plot_shade shade);
/* Sets the source colour to plot_class_rgb(k, shade). */
void plot_set_class_color(cairo_t *cr, int32_t k, plot_shade shade);
/* Sets the source colour to 0xRRGGBB. */
void plot_set_rgb(cairo_t *cr, uint32_t rgb);

/* Draws text at (x, y) in a sans-serif face of size pixels, with the point
 * at fraction align_x of its width (0 left, 0.5 centre, 1 right) and
 * align_y of its height (0 top, 1 baseline). */
void plot_text(cairo_t *cr,
               double x,
               double y,
               double size,
               bool bold,
               double align_x,
               double align_y,
               const char *text);

#endif
