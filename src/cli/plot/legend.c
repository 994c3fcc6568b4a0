/* Class legends. */
#include "legend.h"

#include "canvas.h"

#include <math.h>
#include <stdio.h>

/* The label of row k: the class's name, "class k", or "… N more". */
static void row_label(
    int32_t k, int32_t rows, int32_t classes, const char *const *names, char *out, size_t size)
{
    if (k == rows - 1 && rows < classes)
        snprintf(out, size, "\xe2\x80\xa6 %d more", (int)(classes - k));
    else if (names && names[k])
        snprintf(out, size, "%.40s", names[k]);
    else
        snprintf(out, size, "class %d", (int)k);
}

static double text_width(cairo_t *cr, double font, const char *text)
{
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, font);
    cairo_text_extents_t box;
    cairo_text_extents(cr, text, &box);
    return box.x_advance;
}

/* Rows shown, line height, point radius and padding at font size font. */
typedef struct legend_layout {
    int32_t rows;
    double line, radius, pad;
    /* The box: top-left corner on half pixels, whole-pixel size. */
    double x, y, width, height;
} legend_layout;

static legend_layout
layout(cairo_t *cr, plot_rect rect, double font, int32_t classes, const char *const *names)
{
    legend_layout l = {.rows = classes < PLOT_LEGEND_MAX_ROWS ? classes : PLOT_LEGEND_MAX_ROWS,
                       .line = 1.35 * font,
                       .radius = font / 3.0,
                       .pad = 0.45 * font};
    double widest = 0.0;
    char label[64];
    for (int32_t k = 0; k < l.rows; k++) {
        row_label(k, l.rows, classes, names, label, sizeof label);
        widest = fmax(widest, text_width(cr, font, label));
    }
    double w = 2.0 * l.pad + 3.0 * l.radius + 0.5 * font + widest;
    l.width = ceil(w);
    l.height = ceil(2.0 * l.pad + l.rows * l.line);
    /* Half pixels, so the 1-pixel border is sharp. */
    l.x = floor(rect.x + rect.width - w - 0.4 * font) + 0.5;
    l.y = floor(rect.y + 0.4 * font) + 0.5;
    return l;
}

void plot_legend_in(
    cairo_t *cr, plot_rect rect, double font, int32_t classes, const char *const *names)
{
    char label[64];
    cairo_save(cr);
    legend_layout l = layout(cr, rect, font, classes, names);
    int32_t rows = l.rows;
    double line = l.line, radius = l.radius, pad = l.pad, x = l.x, y = l.y;
    cairo_rectangle(cr, x, y, l.width, l.height);
    cairo_set_source_rgb(cr, 1.0, 1.0, 1.0);
    cairo_fill_preserve(cr);
    plot_set_rgb(cr, 0x333333);
    cairo_set_line_width(cr, 1.0);
    cairo_stroke(cr);
    for (int32_t k = 0; k < rows; k++) {
        double cy = y + pad + (k + 0.5) * line, cx = x + pad + 1.5 * radius;
        row_label(k, rows, classes, names, label, sizeof label);
        if (!(k == rows - 1 && rows < classes)) {
            cairo_new_sub_path(cr);
            cairo_arc(cr, cx, cy, 1.3 * radius, 0.0, 8.0 * atan(1.0));
            plot_set_class_color(cr, k, PLOT_POINT);
            cairo_fill_preserve(cr);
            plot_set_class_color(cr, k, PLOT_OUTLINE);
            cairo_set_line_width(cr, 0.9);
            cairo_stroke(cr);
        }
        plot_set_rgb(cr, 0x222222);
        plot_text(cr, cx + 1.5 * radius + 0.5 * font, cy, font, false, 0.0, 0.5, label);
    }
    cairo_restore(cr);
}

void plot_legend(cairo_t *cr, const plot_frame *f, int32_t classes, const char *const *names)
{
    plot_rect area = {f->left, f->top, f->width, f->height};
    plot_legend_in(cr, area, 0.9 * f->font, classes, names);
}

plot_rect plot_legend_bounds(const plot_frame *f, int32_t classes, const char *const *names)
{
    /* Text is measured on a scratch surface, as it would be drawn. */
    cairo_surface_t *scratch = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1);
    cairo_t *cr = cairo_create(scratch);
    plot_rect area = {f->left, f->top, f->width, f->height};
    legend_layout l = layout(cr, area, 0.9 * f->font, classes, names);
    cairo_destroy(cr);
    cairo_surface_destroy(scratch);
    /* The border's outer pixels included. */
    return (plot_rect){l.x - 0.5, l.y - 0.5, l.width + 1.0, l.height + 1.0};
}
