/* Decision regions as a raster classified in one batch, data points on
 * top, axes around: the tutorial's plot_decision_boundary in cairo. */
#include "boundary.h"

#include "args.h"
#include "canvas.h"
#include "legend.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

double plot_font_for(double height)
{
    /* Never below 10 pixels: tick labels stay readable in small panels. */
    double font = height / 40.0;
    return font < 10.0 ? 10.0 : font > 14.0 ? 14.0 : font;
}

/* grid[w·h×2]: the centre of every raster cell, row by row from the top. */
static float *cell_centres(const plot_frame *f)
{
    size_t cells = (size_t)f->width * (size_t)f->height;
    float *grid = malloc(cells * 2 * sizeof *grid);
    if (!grid)
        return NULL;
    for (int j = 0; j < f->height; j++) {
        float y = (float)plot_cell_y(f, j);
        float *row = grid + (size_t)j * (size_t)f->width * 2;
        for (int i = 0; i < f->width; i++) {
            row[2 * i] = (float)plot_cell_x(f, i);
            row[2 * i + 1] = y;
        }
    }
    return grid;
}

/* classes[w·h] for the cell centres of f: one gemmnet_predict call. */
static int classify_cells(const plot_frame *f,
                          const gemmnet_model *model,
                          int32_t *classes,
                          gemmnet_error *err)
{
    float *grid = cell_centres(f);
    gemmnet_workspace *ws = NULL;
    int status = grid ? gemmnet_workspace_create(model, NULL, &ws, err) : GEMMNET_E_NOMEM;
    if (status == GEMMNET_OK)
        status =
            gemmnet_predict(model, ws, grid, (size_t)f->width * (size_t)f->height, classes, NULL);
    gemmnet_workspace_destroy(ws);
    free(grid);
    return status;
}

/* An RGB24 image of the classes, one pixel per cell. */
static cairo_surface_t *region_image(const plot_frame *f, const int32_t *classes)
{
    cairo_surface_t *image = cairo_image_surface_create(CAIRO_FORMAT_RGB24, f->width, f->height);
    if (cairo_surface_status(image) != CAIRO_STATUS_SUCCESS)
        return image;
    cairo_surface_flush(image);
    unsigned char *data = cairo_image_surface_get_data(image);
    int stride = cairo_image_surface_get_stride(image);
    for (int j = 0; j < f->height; j++) {
        /* RGB24 pixels are native-endian 32-bit words 0x00RRGGBB. */
        uint32_t *row = (uint32_t *)(void *)(data + (size_t)j * (size_t)stride);
        for (int i = 0; i < f->width; i++)
            row[i] = plot_class_rgb(classes[(size_t)j * (size_t)f->width + (size_t)i], PLOT_REGION);
    }
    cairo_surface_mark_dirty(image);
    return image;
}

int plot_regions(cairo_t *cr, const plot_frame *f, const gemmnet_model *model, gemmnet_error *err)
{
    int32_t *classes = malloc((size_t)f->width * (size_t)f->height * sizeof *classes);
    int status = classes ? classify_cells(f, model, classes, err) : GEMMNET_E_NOMEM;
    if (status != GEMMNET_OK) {
        free(classes);
        return status;
    }
    cairo_surface_t *image = region_image(f, classes);
    free(classes);
    cairo_save(cr);
    cairo_set_source_surface(cr, image, f->left, f->top);
    /* Nearest: each cell stays one flat colour, also when a viewer scales
     * an SVG or PDF. */
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
    cairo_rectangle(cr, f->left, f->top, f->width, f->height);
    cairo_fill(cr);
    cairo_restore(cr);
    status = cairo_surface_status(image) == CAIRO_STATUS_SUCCESS ? GEMMNET_OK : GEMMNET_E_NOMEM;
    cairo_surface_destroy(image);
    return status;
}

void plot_points(cairo_t *cr,
                 const plot_frame *f,
                 const float *x,
                 const float *y,
                 size_t stride,
                 const int32_t *labels,
                 size_t n)
{
    double radius = f->font / 3.0;
    cairo_save(cr);
    cairo_rectangle(cr, f->left, f->top, f->width, f->height);
    cairo_clip(cr);
    cairo_set_line_width(cr, radius > 3.5 ? 1.0 : 0.8);
    for (size_t i = 0; i < n; i++) {
        cairo_new_sub_path(cr);
        cairo_arc(cr, plot_frame_x(f, x[i * stride]), plot_frame_y(f, y[i * stride]), radius, 0.0,
                  8.0 * atan(1.0));
        plot_set_class_color(cr, labels[i], PLOT_POINT);
        cairo_fill_preserve(cr);
        plot_set_class_color(cr, labels[i], PLOT_OUTLINE);
        cairo_stroke(cr);
    }
    cairo_restore(cr);
}

plot_frame plot_boundary_frame(plot_rect panel, const gemmnet_dataset *data)
{
    plot_range range = plot_range_of(data->x, data->x + 1, data->rows, 2, PLOT_BOUNDARY_PAD);
    return plot_frame_in(panel, range, plot_font_for(panel.height));
}

int plot_boundary_panel(cairo_t *cr,
                        plot_rect panel,
                        const gemmnet_model *model,
                        const gemmnet_dataset *data,
                        const char *title,
                        gemmnet_error *err)
{
    plot_frame f = plot_boundary_frame(panel, data);
    int status = plot_regions(cr, &f, model, err);
    if (status != GEMMNET_OK)
        return status;
    plot_points(cr, &f, data->x, data->x + 1, 2, data->y, data->rows);
    plot_legend(cr, &f, gemmnet_model_width(model, gemmnet_model_layers(model)),
                (const char *const *)data->class_names);
    plot_axes(cr, &f, "x1", "x2");
    plot_title(cr, &f, title);
    return GEMMNET_OK;
}

bool plot_check_two_features(const char *command,
                             const gemmnet_model *model,
                             const gemmnet_dataset *data)
{
    int32_t inputs = gemmnet_model_width(model, 0);
    if (data->features == 2 && inputs == 2)
        return true;
    fprintf(stderr,
            "gemmnet %s: decision regions need 2 features; the data has %zu, the model %d\n",
            command, data->features, (int)inputs);
    return false;
}

int plot_boundary_write(const char *command,
                        const char *path,
                        int width,
                        int height,
                        const gemmnet_model *model,
                        const gemmnet_dataset *data,
                        const char *title)
{
    plot_canvas canvas;
    if (!plot_canvas_open(&canvas, command, path, width, height))
        return 1;
    gemmnet_error err = {0};
    plot_rect whole = {0.0, 0.0, width, height};
    int status = plot_boundary_panel(canvas.cr, whole, model, data, title, &err);
    if (status != GEMMNET_OK)
        cli_report_error(command, status, &err);
    return plot_canvas_close(&canvas, command, status == GEMMNET_OK) == 0 ? 0 : 1;
}
