/* Drawing the data in hidden-activation space: a plain 2-D scatter with
 * the read-out's class regions, or, for 3 units, a fixed oblique view of
 * the bounding box with the points painted far to near and the read-out's
 * separating plane as a translucent polygon. */
#include "hidden.h"

#include "args.h"
#include "axes.h"
#include "boundary.h"
#include "canvas.h"
#include "legend.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Padding of the activations' range, as a fraction of its span. */
#define HIDDEN_PAD 0.08

/* View of the 3-D box: turned by AZIMUTH about the vertical h3 axis, then
 * tilted down by ELEVATION (radians). */
#define AZIMUTH 0.6
#define ELEVATION 0.45

static void
draw_2d(cairo_t *cr, plot_rect whole, const plot_hidden_view *v, gemmnet_error *err, int *status)
{
    const plot_hidden_camera *c = v->camera;
    plot_range r = c ? (plot_range){c->lo[0], c->hi[0], c->lo[1], c->hi[1]}
                     : plot_range_of(v->activations, v->activations + 1, v->n, 2, 0.0);
    double px = HIDDEN_PAD * (r.xmax - r.xmin), py = HIDDEN_PAD * (r.ymax - r.ymin);
    r = (plot_range){r.xmin - px, r.xmax + px, r.ymin - py, r.ymax + py};
    plot_frame f = plot_frame_in(whole, r, plot_font_for(whole.height));
    *status = v->readout ? plot_regions(cr, &f, v->readout, err) : GEMMNET_OK;
    plot_points(cr, &f, v->activations, v->activations + 1, 2, v->labels, v->n);
    plot_legend(cr, &f, v->classes, v->class_names);
    plot_axes(cr, &f, "h1", "h2");
    plot_title(cr, &f, v->title);
}

/* The 3-D box: each activation maps to s in [−1, 1] by its padded range. */
typedef struct box3 {
    double mid[3];
    double half[3];
    /* Screen centre and pixels per unit of s. */
    double cx, cy, scale;
    /* The view: turn about h3, then tilt (radians). */
    double azimuth, elevation;
} box3;

/* Screen position of s[3] (x right, y down) and its depth (larger is
 * farther from the viewer). */
static void project(const box3 *b, const double s[3], double *x, double *y, double *depth)
{
    double ca = cos(b->azimuth), sa = sin(b->azimuth);
    double ce = cos(b->elevation), se = sin(b->elevation);
    double across = ca * s[0] - sa * s[1], back = sa * s[0] + ca * s[1];
    *x = b->cx + b->scale * across;
    *y = b->cy - b->scale * (ce * s[2] + se * back);
    *depth = ce * back - se * s[2];
}

static void to_box(const box3 *b, const float *a, double s[3])
{
    for (int i = 0; i < 3; i++)
        s[i] = (a[i] - b->mid[i]) / b->half[i];
}

/* Fits the activations' box (or the camera's) into the area below the
 * title. */
static box3 make_box(const plot_hidden_view *v, plot_rect area)
{
    const plot_hidden_camera *c = v->camera;
    box3 b = {.azimuth = c ? c->azimuth : AZIMUTH, .elevation = c ? c->elevation : ELEVATION};
    for (int i = 0; i < 3; i++) {
        plot_range r = c ? (plot_range){c->lo[i], c->hi[i], 0.0, 0.0}
                         : plot_range_of(v->activations + i, v->activations + i, v->n, 3, 0.0);
        b.mid[i] = 0.5 * (r.xmin + r.xmax);
        b.half[i] = 0.5 * (r.xmax - r.xmin) * (1.0 + 2.0 * HIDDEN_PAD);
    }
    /* The projected unit cube spans 2(|cos a| + |sin a|) across and
     * 2(cos e + sin e·(|cos a| + |sin a|)) down; a turning camera takes
     * the widest turn, √2, so that the box keeps its size. */
    double turn = c ? sqrt(2.0) : fabs(cos(b.azimuth)) + fabs(sin(b.azimuth));
    double across = 2.0 * turn;
    double down = 2.0 * (cos(b.elevation) + sin(b.elevation) * turn);
    b.scale = 0.86 * fmin(area.width / across, area.height / down);
    b.cx = area.x + 0.5 * area.width;
    b.cy = area.y + 0.5 * area.height;
    return b;
}

/* The 12 edges of the box as pairs of corner indices (bit i of a corner
 * index is the sign of s[i]). */
static const int box_edges[12][2] = {{0, 1}, {2, 3}, {4, 5}, {6, 7}, {0, 2}, {1, 3},
                                     {4, 6}, {5, 7}, {0, 4}, {1, 5}, {2, 6}, {3, 7}};

static void corner(int index, double s[3])
{
    for (int i = 0; i < 3; i++)
        s[i] = (index >> i) & 1 ? 1.0 : -1.0;
}

/* A round step (1, 2 or 5 times a power of ten) of about 4 over span. */
static double box_tick_step(double span)
{
    double raw = span / 4.0, power = pow(10.0, floor(log10(raw))), f = raw / power;
    return power * (f < 1.5 ? 1.0 : f < 3.5 ? 2.0 : f < 7.5 ? 5.0 : 10.0);
}

/* The box edge each axis is labelled along, as the signs of the two
 * other coordinates: for h1 and h2 the bottom edge nearest the viewer, for
 * h3 the vertical edge furthest left on screen, so that the labels stay
 * outside the box as the camera turns. */
static void label_edge(const box3 *b, int i, double sign[3])
{
    double best = 0.0;
    for (int corner = 0; corner < 4; corner++) {
        double s[3] = {0.0, 0.0, -1.0}, x, y, depth;
        if (i == 2) {
            s[0] = corner & 1 ? 1.0 : -1.0;
            s[1] = corner & 2 ? 1.0 : -1.0;
            s[2] = 0.0;
        } else if (corner < 2) {
            s[1 - i] = corner ? 1.0 : -1.0;
        } else {
            continue;
        }
        project(b, s, &x, &y, &depth);
        double score = i == 2 ? x : depth;
        if (corner == 0 || score < best) {
            best = score;
            memcpy(sign, s, sizeof s);
        }
    }
}

/* A point beside axis i's label edge at s[i] = along, pushed out by
 * factor out. */
static void beside_edge(const double sign[3], int i, double along, double out, double s[3])
{
    for (int k = 0; k < 3; k++)
        s[k] = k == i ? along : k == 2 && i != 2 ? -1.0 : out * sign[k];
}

/* Tick values of unit i's axis along the edge its name sits beside. */
static void draw_box_ticks(cairo_t *cr, const box3 *b, int i, double font)
{
    double lo = b->mid[i] - b->half[i], hi = b->mid[i] + b->half[i];
    double step = box_tick_step(hi - lo);
    int decimals = step >= 1.0 ? 0 : (int)ceil(-log10(step) - 1e-9);
    for (double v = ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
        double sign[3], at[3], x, y, depth;
        label_edge(b, i, sign);
        beside_edge(sign, i, (v - b->mid[i]) / b->half[i], i == 2 ? 1.12 : 1.2, at);
        project(b, at, &x, &y, &depth);
        char label[32];
        snprintf(label, sizeof label, "%.*f", decimals, fabs(v) < step * 1e-6 ? 0.0 : v);
        plot_text(cr, x, y, font, false, 0.5, 0.5, label);
    }
}

static void draw_box(cairo_t *cr, const box3 *b, double font)
{
    cairo_save(cr);
    cairo_set_line_width(cr, 1.0);
    plot_set_rgb(cr, 0x9a9a9a);
    for (int e = 0; e < 12; e++) {
        double s[3], x, y, depth;
        corner(box_edges[e][0], s);
        project(b, s, &x, &y, &depth);
        cairo_move_to(cr, x, y);
        corner(box_edges[e][1], s);
        project(b, s, &x, &y, &depth);
        cairo_line_to(cr, x, y);
    }
    cairo_stroke(cr);
    /* Axis names just outside the middle of the edge they run along: h1
     * and h2 beside the two bottom edges that meet at the corner
     * (−1, −1, −1), h3 beside the vertical edge (−1, 1, ·); tick values
     * between the edge and the name. */
    static const char *const names[3] = {"h1", "h2", "h3"};
    plot_set_rgb(cr, 0x222222);
    for (int i = 0; i < 3; i++) {
        double sign[3], at[3], x, y, depth;
        label_edge(b, i, sign);
        beside_edge(sign, i, 0.0, i == 2 ? 1.4 : 1.5, at);
        project(b, at, &x, &y, &depth);
        plot_text(cr, x, y, font, true, 0.5, 0.5, names[i]);
        draw_box_ticks(cr, b, i, 0.85 * font);
    }
    cairo_restore(cr);
}

/* Points painted far to near so that near ones cover far ones. */
typedef struct placed_point {
    double x, y, depth;
    int32_t label;
    /* Row index: breaks depth ties, so the order never depends on qsort. */
    size_t index;
} placed_point;

static int farther_first(const void *a, const void *b)
{
    const placed_point *p = a, *q = b;
    if (p->depth != q->depth)
        return p->depth < q->depth ? 1 : -1;
    return (p->index > q->index) - (p->index < q->index);
}

static int draw_points_3d(cairo_t *cr, const box3 *b, const plot_hidden_view *v, double radius)
{
    placed_point *p = malloc((v->n ? v->n : 1) * sizeof *p);
    if (!p)
        return GEMMNET_E_NOMEM;
    for (size_t i = 0; i < v->n; i++) {
        double s[3];
        to_box(b, v->activations + 3 * i, s);
        project(b, s, &p[i].x, &p[i].y, &p[i].depth);
        p[i].label = v->labels[i];
        p[i].index = i;
    }
    qsort(p, v->n, sizeof *p, farther_first);
    cairo_save(cr);
    cairo_set_line_width(cr, 0.9);
    for (size_t i = 0; i < v->n; i++) {
        cairo_new_sub_path(cr);
        cairo_arc(cr, p[i].x, p[i].y, radius, 0.0, 8.0 * atan(1.0));
        plot_set_class_color(cr, p[i].label, PLOT_POINT);
        cairo_fill_preserve(cr);
        plot_set_class_color(cr, p[i].label, PLOT_OUTLINE);
        cairo_stroke(cr);
    }
    cairo_restore(cr);
    free(p);
    return GEMMNET_OK;
}

/* The plane m·s + e = 0 where the two-class read-out's scores are equal,
 * in box coordinates s. */
static void readout_plane(const box3 *b, const plot_hidden_view *v, double m[3], double *e)
{
    const float *w = v->readout_weights, *bias = v->readout_biases;
    *e = (double)bias[1] - bias[0];
    for (int i = 0; i < 3; i++) {
        double n = (double)w[i * 2 + 1] - w[i * 2];
        m[i] = n * b->half[i];
        *e += n * b->mid[i];
    }
}

typedef struct screen_point {
    double x, y, angle;
} screen_point;

static int by_angle(const void *a, const void *b)
{
    double pa = ((const screen_point *)a)->angle, pb = ((const screen_point *)b)->angle;
    return (pa > pb) - (pa < pb);
}

/* Where the plane crosses the box's edges, on screen, in polygon order. */
static int plane_polygon(const box3 *b, const double m[3], double e, screen_point out[12])
{
    int count = 0;
    for (int k = 0; k < 12; k++) {
        double s0[3], s1[3];
        corner(box_edges[k][0], s0);
        corner(box_edges[k][1], s1);
        double f0 = m[0] * s0[0] + m[1] * s0[1] + m[2] * s0[2] + e;
        double f1 = m[0] * s1[0] + m[1] * s1[1] + m[2] * s1[2] + e;
        if ((f0 > 0) == (f1 > 0) || f0 == f1)
            continue;
        double t = f0 / (f0 - f1), s[3], depth;
        for (int i = 0; i < 3; i++)
            s[i] = s0[i] + t * (s1[i] - s0[i]);
        project(b, s, &out[count].x, &out[count].y, &depth);
        count++;
    }
    double cx = 0.0, cy = 0.0;
    for (int i = 0; i < count; i++) {
        cx += out[i].x / count;
        cy += out[i].y / count;
    }
    for (int i = 0; i < count; i++)
        out[i].angle = atan2(out[i].y - cy, out[i].x - cx);
    qsort(out, (size_t)count, sizeof *out, by_angle);
    return count;
}

static void draw_plane(cairo_t *cr, const box3 *b, const plot_hidden_view *v)
{
    double m[3], e;
    readout_plane(b, v, m, &e);
    screen_point polygon[12];
    int count = plane_polygon(b, m, e, polygon);
    if (count < 3)
        return;
    cairo_save(cr);
    for (int i = 0; i < count; i++)
        cairo_line_to(cr, polygon[i].x, polygon[i].y);
    cairo_close_path(cr);
    cairo_set_source_rgba(cr, 0.35, 0.35, 0.35, 0.22);
    cairo_fill_preserve(cr);
    cairo_set_source_rgba(cr, 0.25, 0.25, 0.25, 0.7);
    cairo_set_line_width(cr, 1.0);
    cairo_stroke(cr);
    cairo_restore(cr);
}

static void draw_3d(cairo_t *cr, plot_rect whole, const plot_hidden_view *v, int *status)
{
    double font = plot_font_for(whole.height);
    plot_rect area = {whole.x, whole.y + 2.0 * font, whole.width, whole.height - 2.0 * font};
    box3 b = make_box(v, area);
    draw_box(cr, &b, font);
    *status = draw_points_3d(cr, &b, v, font / 3.0);
    if (v->readout && v->classes == 2)
        draw_plane(cr, &b, v);
    plot_legend_in(cr, area, 0.9 * font, v->classes, v->class_names);
    plot_set_rgb(cr, 0x222222);
    plot_text(cr, whole.x + 0.5 * whole.width, whole.y + 1.3 * font, 1.15 * font, true, 0.5, 1.0,
              v->title);
}

double plot_hidden_separated(const plot_hidden_view *v)
{
    if (!v->readout || v->n == 0)
        return 0.0;
    size_t right = 0, k = (size_t)v->classes, units = (size_t)v->units;
    for (size_t p = 0; p < v->n; p++) {
        const float *a = v->activations + p * units;
        size_t best = 0;
        double best_score = 0.0;
        /* score_c = b_c + Σ_i a_i·W[i×K + c]; the read-out's argmax. */
        for (size_t c = 0; c < k; c++) {
            double score = v->readout_biases[c];
            for (size_t i = 0; i < units; i++)
                score += (double)a[i] * v->readout_weights[i * k + c];
            if (c == 0 || score > best_score) {
                best = c;
                best_score = score;
            }
        }
        right += best == (size_t)v->labels[p];
    }
    return (double)right / (double)v->n;
}

void plot_hidden_title(const plot_hidden_view *v, const char *what, char *out, size_t size)
{
    double percent = 100.0 * plot_hidden_separated(v);
    if (!v->readout)
        snprintf(out, size, "%s", what);
    else if (v->classes == 2)
        snprintf(out, size, "%s: %.1f %% separated by a %s", what, percent,
                 v->units == 3 ? "plane" : "line");
    else
        snprintf(out, size, "%s: the read-out classifies %.1f %%", what, percent);
}

int plot_hidden_draw(cairo_t *cr, plot_rect rect, const plot_hidden_view *view, gemmnet_error *err)
{
    int status = GEMMNET_OK;
    if (view->units == 2)
        draw_2d(cr, rect, view, err, &status);
    else
        draw_3d(cr, rect, view, &status);
    return status;
}

int plot_hidden_write(
    const char *command, const char *path, int width, int height, const plot_hidden_view *view)
{
    plot_canvas canvas;
    if (!plot_canvas_open(&canvas, command, path, width, height))
        return 1;
    gemmnet_error err = {0};
    plot_rect whole = {0.0, 0.0, width, height};
    int status = plot_hidden_draw(canvas.cr, whole, view, &err);
    if (status != GEMMNET_OK)
        cli_report_error(command, status, &err);
    return plot_canvas_close(&canvas, command, status == GEMMNET_OK) == 0 ? 0 : 1;
}
