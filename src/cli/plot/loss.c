/* Two panels side by side: loss and accuracy against the epoch, from a
 * training log. Missing validation values (NaN) break the dashed curve. */
#include "loss.h"

#include "axes.h"
#include "boundary.h"
#include "canvas.h"

#include <math.h>

/* Which column of the log a curve shows. */
typedef enum log_column {
    COLUMN_LOSS,
    COLUMN_ACCURACY,
    COLUMN_VAL_LOSS,
    COLUMN_VAL_ACCURACY
} log_column;

/* Curves with at most this many points also mark each point. */
enum { MARK_POINTS_UP_TO = 30 };

static double value_of(const train_log_row *row, log_column column)
{
    switch (column) {
    case COLUMN_LOSS: return row->loss;
    case COLUMN_ACCURACY: return row->accuracy;
    case COLUMN_VAL_LOSS: return row->val_loss;
    case COLUMN_VAL_ACCURACY:
    default: return row->val_accuracy;
    }
}

/* Range of epochs (x) and of the two columns (y), y padded by 6 %. */
static plot_range curve_range(const train_log *log, log_column a, log_column b)
{
    plot_range r = {log->rows[0].epoch, log->rows[log->count - 1].epoch, INFINITY, -INFINITY};
    for (size_t i = 0; i < log->count; i++) {
        double values[2] = {value_of(&log->rows[i], a), value_of(&log->rows[i], b)};
        for (int k = 0; k < 2; k++) {
            if (!isnan(values[k])) {
                r.ymin = fmin(r.ymin, values[k]);
                r.ymax = fmax(r.ymax, values[k]);
            }
        }
    }
    double pad = 0.06 * (r.ymax - r.ymin);
    if (pad < 1e-9)
        pad = fmax(0.05 * fabs(r.ymax), 0.01);
    r.ymin -= pad;
    r.ymax += pad;
    if (r.xmax - r.xmin < 1.0) {
        r.xmin -= 0.5;
        r.xmax += 0.5;
    }
    return r;
}

/* One curve in colour index series; NaN values break it. */
static void draw_curve(
    cairo_t *cr, const plot_frame *f, const train_log *log, log_column column, int32_t series)
{
    cairo_save(cr);
    cairo_rectangle(cr, f->left, f->top, f->width, f->height);
    cairo_clip(cr);
    plot_set_class_color(cr, series, PLOT_POINT);
    cairo_set_line_width(cr, 1.6);
    double dash[] = {6.0, 3.5};
    cairo_set_dash(cr, dash, series ? 2 : 0, 0.0);
    bool drawing = false;
    for (size_t i = 0; i < log->count; i++) {
        double v = value_of(&log->rows[i], column);
        if (isnan(v)) {
            drawing = false;
            continue;
        }
        double x = plot_frame_x(f, log->rows[i].epoch), y = plot_frame_y(f, v);
        if (drawing)
            cairo_line_to(cr, x, y);
        else
            cairo_move_to(cr, x, y);
        drawing = true;
        if (log->count <= MARK_POINTS_UP_TO) {
            cairo_new_sub_path(cr);
            cairo_arc(cr, x, y, 2.0, 0.0, 8.0 * atan(1.0));
            cairo_move_to(cr, x, y);
        }
    }
    cairo_stroke(cr);
    cairo_restore(cr);
}

/* Legend in the top-right corner, on a white box so curves beneath it do
 * not make it unreadable: a line sample and a name per curve. */
static void draw_legend(cairo_t *cr, const plot_frame *f, bool validation)
{
    static const char *const names[] = {"training", "validation"};
    int count = validation ? 2 : 1;
    double line = 1.4 * f->font, box_width = 8.2 * f->font,
           box_height = count * line + 0.5 * f->font;
    double left = f->left + f->width - box_width - 0.5 * f->font, top = f->top + 0.5 * f->font;
    cairo_save(cr);
    cairo_rectangle(cr, left + 0.5, top + 0.5, box_width, box_height);
    cairo_set_source_rgba(cr, 1.0, 1.0, 1.0, 0.9);
    cairo_fill_preserve(cr);
    plot_set_rgb(cr, 0xbbbbbb);
    cairo_set_line_width(cr, 1.0);
    cairo_stroke(cr);
    double dash[] = {6.0, 3.5};
    for (int series = 0; series < count; series++) {
        double x = left + 0.6 * f->font, y = top + 0.25 * f->font + (series + 0.5) * line;
        cairo_set_dash(cr, dash, series ? 2 : 0, 0.0);
        cairo_set_line_width(cr, 1.6);
        plot_set_class_color(cr, series, PLOT_POINT);
        cairo_move_to(cr, x, y);
        cairo_line_to(cr, x + 1.8 * f->font, y);
        cairo_stroke(cr);
        plot_set_rgb(cr, 0x222222);
        plot_text(cr, x + 2.4 * f->font, y, 0.95 * f->font, false, 0.0, 0.5, names[series]);
    }
    cairo_restore(cr);
}

/* One panel: a column and its validation counterpart. */
static void draw_panel(cairo_t *cr,
                       plot_rect panel,
                       const train_log *log,
                       log_column train,
                       log_column validation,
                       const char *name)
{
    plot_frame f =
        plot_frame_in(panel, curve_range(log, train, validation), plot_font_for(panel.height));
    draw_curve(cr, &f, log, train, 0);
    if (log->has_validation)
        draw_curve(cr, &f, log, validation, 1);
    plot_axes(cr, &f, "epoch", NULL);
    plot_title(cr, &f, name);
    draw_legend(cr, &f, log->has_validation);
}

int plot_loss_write(const char *command,
                    const char *path,
                    int width,
                    int height,
                    const train_log *log,
                    const char *title)
{
    plot_canvas canvas;
    if (!plot_canvas_open(&canvas, command, path, width, height))
        return 1;
    double heading = 0.0;
    if (title) {
        double font = plot_font_for(height);
        heading = 2.2 * font;
        plot_set_rgb(canvas.cr, 0x222222);
        plot_text(canvas.cr, 0.5 * width, 0.6 * font, 1.25 * font, true, 0.5, 0.0, title);
    }
    double half = 0.5 * width;
    draw_panel(canvas.cr, (plot_rect){0.0, heading, half, height - heading}, log, COLUMN_LOSS,
               COLUMN_VAL_LOSS, "Loss");
    draw_panel(canvas.cr, (plot_rect){half, heading, half, height - heading}, log, COLUMN_ACCURACY,
               COLUMN_VAL_ACCURACY, "Accuracy");
    return plot_canvas_close(&canvas, command, true) == 0 ? 0 : 1;
}
