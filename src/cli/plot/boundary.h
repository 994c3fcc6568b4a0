/* Decision-boundary pictures: a model's class regions over the data's
 * range (the tutorial's plot_decision_boundary), the data on top. */
#ifndef GEMMNET_CLI_PLOT_BOUNDARY_H
#define GEMMNET_CLI_PLOT_BOUNDARY_H

#include "axes.h"

#include <gemmnet.h>
#include <stdbool.h>

/* Padding around the data's bounding box, as in the tutorial. */
#define PLOT_BOUNDARY_PAD 0.5

/* Font size for a picture or panel of this height. */
double plot_font_for(double height);

/* Fills f's plot area with model's regions: one raster cell per pixel,
 * coloured plot_class_rgb(class, PLOT_REGION), every cell centre
 * classified by a single gemmnet_predict call. model takes 2 inputs. */
int plot_regions(cairo_t *cr, const plot_frame *f, const gemmnet_model *model, gemmnet_error *err);

/* Draws n points (x[i·stride], y[i·stride]) in their label's colour with a
 * dark outline, clipped to f's plot area. */
void plot_points(cairo_t *cr,
                 const plot_frame *f,
                 const float *x,
                 const float *y,
                 size_t stride,
                 const int32_t *labels,
                 size_t n);

/* The frame of a decision-boundary panel for data (its 2 features). */
plot_frame plot_boundary_frame(plot_rect panel, const gemmnet_dataset *data);

/* A decision-boundary panel: regions, data, a class legend (the data's
 * class names, else "class k"), axes x1 and x2, title. */
int plot_boundary_panel(cairo_t *cr,
                        plot_rect panel,
                        const gemmnet_model *model,
                        const gemmnet_dataset *data,
                        const char *title,
                        gemmnet_error *err);

/* "gemmnet COMMAND: ..." unless model and data both have 2 features;
 * false then. */
bool plot_check_two_features(const char *command,
                             const gemmnet_model *model,
                             const gemmnet_dataset *data);

/* Writes a width×height decision-boundary picture to path (format by
 * extension, atomically); prints why and returns 1 on failure, else 0. */
int plot_boundary_write(const char *command,
                        const char *path,
                        int width,
                        int height,
                        const gemmnet_model *model,
                        const gemmnet_dataset *data,
                        const char *title);

#endif
