/* Plot areas, data-to-pixel mapping, frames, ticks and titles. */
#include "axes.h"

#include "canvas.h"

#include <math.h>
#include <stdio.h>

/* Greys of the axes and their labels. */
enum { AXIS_RGB = 0x333333, LABEL_RGB = 0x222222 };

plot_frame plot_frame_in(plot_rect panel, plot_range range, double font)
{
    /* Margins: title above; tick labels and the y label on the left; tick
     * labels and the x label below. */
    double top = 2.0 * font, left = 4.6 * font, bottom = 3.3 * font, right = 1.2 * font;
    plot_frame f = {.range = range, .font = font};
    f.left = (int)ceil(panel.x + left);
    f.top = (int)ceil(panel.y + top);
    f.width = (int)floor(panel.x + panel.width - right) - f.left;
    f.height = (int)floor(panel.y + panel.height - bottom) - f.top;
    if (f.width < 1)
        f.width = 1;
    if (f.height < 1)
        f.height = 1;
    return f;
}

double plot_frame_x(const plot_frame *f, double v)
{
    const plot_range *r = &f->range;
    return f->left + (v - r->xmin) / (r->xmax - r->xmin) * f->width;
}

double plot_frame_y(const plot_frame *f, double v)
{
    const plot_range *r = &f->range;
    return f->top + (r->ymax - v) / (r->ymax - r->ymin) * f->height;
}

double plot_cell_x(const plot_frame *f, int i)
{
    const plot_range *r = &f->range;
    return r->xmin + (i + 0.5) * (r->xmax - r->xmin) / f->width;
}

double plot_cell_y(const plot_frame *f, int j)
{
    const plot_range *r = &f->range;
    return r->ymax - (j + 0.5) * (r->ymax - r->ymin) / f->height;
}

/* min and max of v[i·stride], widened to ±0.5 when they coincide. */
static void extent(const float *v, size_t n, size_t stride, double *lo, double *hi)
{
    *lo = n ? v[0] : 0.0;
    *hi = *lo;
    for (size_t i = 1; i < n; i++) {
        double value = v[i * stride];
        *lo = value < *lo ? value : *lo;
        *hi = value > *hi ? value : *hi;
    }
    if (*hi - *lo < 1e-12) {
        *lo -= 0.5;
        *hi += 0.5;
    }
}

plot_range plot_range_of(const float *x, const float *y, size_t n, size_t stride, double pad)
{
    plot_range r;
    extent(x, n, stride, &r.xmin, &r.xmax);
    extent(y, n, stride, &r.ymin, &r.ymax);
    r.xmin -= pad;
    r.xmax += pad;
    r.ymin -= pad;
    r.ymax += pad;
    return r;
}

/* A round step (1, 2 or 5 times a power of ten) giving about target
 * ticks over span. */
static double tick_step(double span, double target)
{
    double raw = span / target, power = pow(10.0, floor(log10(raw)));
    double fraction = raw / power;
    return power * (fraction < 1.5 ? 1.0 : fraction < 3.5 ? 2.0 : fraction < 7.5 ? 5.0 : 10.0);
}

/* "%.Nf" of v with as many decimals as step needs; never "-0". */
static void tick_label(double v, double step, char *out, size_t size)
{
    int decimals = step >= 1.0 ? 0 : (int)ceil(-log10(step) - 1e-9);
    if (fabs(v) < step * 1e-6)
        v = 0.0;
    snprintf(out, size, "%.*f", decimals, v);
}

/* Most ticks on one axis: more would not fit on any picture size. */
enum { MAX_TICKS = 100 };

/* Ticks and labels along one edge: vertical says the y axis. Tick i is
 * (first + i)·step for i = 0, 1, ...: where the values are so large that
 * step vanishes in their precision (1e16 + 0.5 == 1e16), v += step would
 * never get past hi. */
static void draw_ticks(cairo_t *cr, const plot_frame *f, int vertical)
{
    double lo = vertical ? f->range.ymin : f->range.xmin;
    double hi = vertical ? f->range.ymax : f->range.xmax;
    double length = vertical ? f->height : f->width;
    double step = tick_step(hi - lo, fmax(2.0, length / (5.5 * f->font)));
    double tick = 0.35 * f->font;
    double first = ceil(lo / step - 1e-9), last = floor(hi / step + 1e-9);
    if (!(step > 0.0) || !isfinite(first) || !isfinite(last) || last - first >= MAX_TICKS)
        return;
    /* An int counts: a double past 2^53 does not change by adding 1. */
    for (int i = 0; i <= (int)(last - first); i++) {
        double v = (first + i) * step;
        char label[32];
        tick_label(v, step, label, sizeof label);
        plot_set_rgb(cr, AXIS_RGB);
        if (vertical) {
            double y = plot_frame_y(f, v);
            cairo_move_to(cr, f->left, y);
            cairo_line_to(cr, f->left - tick, y);
            cairo_stroke(cr);
            plot_set_rgb(cr, LABEL_RGB);
            plot_text(cr, f->left - 1.6 * tick, y, f->font, false, 1.0, 0.5, label);
        } else {
            double x = plot_frame_x(f, v);
            cairo_move_to(cr, x, f->top + f->height);
            cairo_line_to(cr, x, f->top + f->height + tick);
            cairo_stroke(cr);
            plot_set_rgb(cr, LABEL_RGB);
            plot_text(cr, x, f->top + f->height + 1.6 * tick, f->font, false, 0.5, 0.0, label);
        }
    }
}

void plot_title(cairo_t *cr, const plot_frame *f, const char *title)
{
    plot_set_rgb(cr, LABEL_RGB);
    plot_text(cr, f->left + 0.5 * f->width, f->top - 0.7 * f->font, 1.15 * f->font, true, 0.5, 1.0,
              title);
}

void plot_axes(cairo_t *cr, const plot_frame *f, const char *xlabel, const char *ylabel)
{
    cairo_save(cr);
    cairo_set_line_width(cr, 1.0);
    plot_set_rgb(cr, AXIS_RGB);
    /* Half-pixel offsets put 1-pixel lines on whole pixels. */
    cairo_rectangle(cr, f->left - 0.5, f->top - 0.5, f->width + 1.0, f->height + 1.0);
    cairo_stroke(cr);
    draw_ticks(cr, f, 0);
    draw_ticks(cr, f, 1);
    plot_set_rgb(cr, LABEL_RGB);
    if (xlabel)
        plot_text(cr, f->left + 0.5 * f->width, f->top + f->height + 1.9 * f->font, f->font, false,
                  0.5, 0.0, xlabel);
    if (ylabel) {
        cairo_save(cr);
        cairo_translate(cr, f->left - 3.6 * f->font, f->top + 0.5 * f->height);
        cairo_rotate(cr, -2.0 * atan(1.0)); /* −π/2: reads bottom to top */
        plot_text(cr, 0.0, 0.0, f->font, false, 0.5, 0.5, ylabel);
        cairo_restore(cr);
    }
    cairo_restore(cr);
}
