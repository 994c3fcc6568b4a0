/* Drawing the data in hidden-activation space: a plain 2-D scatter with
 * the read-out's class regions, or, for 3 units, a fixed oblique view of
 * the bounding box with the points painted far to near and the read-out's
 * separating plane as a translucent polygon. */
#include "hidden.h"

#include "args.h"
#include "axes.h"
#include "boundary.h"
#include "canvas.h"

#include <math.h>
#include <stdlib.h>

/* Padding of the activations' range, as a fraction of its span. */
#define HIDDEN_PAD 0.08

/* View of the 3-D box: turned by AZIMUTH about the vertical h3 axis, then
 * tilted down by ELEVATION (radians). */
#define AZIMUTH 0.6
#define ELEVATION 0.45

static void
draw_2d(cairo_t *cr, plot_rect whole, const plot_hidden_view *v, gemmnet_error *err, int *status)
{
    plot_range r = plot_range_of(v->activations, v->activations + 1, v->n, 2, 0.0);
    double px = HIDDEN_PAD * (r.xmax - r.xmin), py = HIDDEN_PAD * (r.ymax - r.ymin);
    r = (plot_range){r.xmin - px, r.xmax + px, r.ymin - py, r.ymax + py};
    plot_frame f = plot_frame_in(whole, r, plot_font_for(whole.height));
    *status = v->readout ? plot_regions(cr, &f, v->readout, err) : GEMMNET_OK;
    plot_points(cr, &f, v->activations, v->activations + 1, 2, v->labels, v->n);
    plot_axes(cr, &f, "h1", "h2");
    plot_title(cr, &f, v->title);
}

/* The 3-D box: each activation maps to s in [−1, 1] by its padded range. */
typedef struct box3 {
    double mid[3];
    double half[3];
    /* Screen centre and pixels per unit of s. */
    double cx, cy, scale;
} box3;

/* Screen position of s[3] (x right, y down) and its depth (larger is
 * farther from the viewer). */
static void project(const box3 *b, const double s[3], double *x, double *y, double *depth)
{
    double ca = cos(AZIMUTH), sa = sin(AZIMUTH), ce = cos(ELEVATION), se = sin(ELEVATION);
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

/* Fits the activations' box into the area below the title. */
static box3 make_box(const plot_hidden_view *v, plot_rect area)
{
    box3 b;
    for (int i = 0; i < 3; i++) {
        plot_range r = plot_range_of(v->activations + i, v->activations + i, v->n, 3, 0.0);
        b.mid[i] = 0.5 * (r.xmin + r.xmax);
        b.half[i] = 0.5 * (r.xmax - r.xmin) * (1.0 + 2.0 * HIDDEN_PAD);
    }
    /* The projected unit cube spans 2(cos a + sin a) across and
     * 2(cos e + sin e·(cos a + sin a)) down. */
    double across = 2.0 * (cos(AZIMUTH) + sin(AZIMUTH));
    double down = 2.0 * (cos(ELEVATION) + sin(ELEVATION) * (cos(AZIMUTH) + sin(AZIMUTH)));
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
     * and h2 below the two bottom edges that meet at the front corner
     * (−1, −1, −1), h3 left of the leftmost vertical edge (−1, 1, ·). */
    static const double label_at[3][3] = {{0.0, -1.3, -1.0}, {-1.3, 0.0, -1.0}, {-1.2, 1.2, 0.0}};
    static const char *const names[3] = {"h1", "h2", "h3"};
    plot_set_rgb(cr, 0x222222);
    for (int i = 0; i < 3; i++) {
        double x, y, depth;
        project(b, label_at[i], &x, &y, &depth);
        plot_text(cr, x, y, font, false, 0.5, 0.5, names[i]);
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
    plot_set_rgb(cr, 0x222222);
    plot_text(cr, whole.x + 0.5 * whole.width, whole.y + 1.3 * font, 1.15 * font, true, 0.5, 1.0,
              v->title);
}

int plot_hidden_write(
    const char *command, const char *path, int width, int height, const plot_hidden_view *view)
{
    plot_canvas canvas;
    if (!plot_canvas_open(&canvas, command, path, width, height))
        return 1;
    gemmnet_error err = {0};
    int status = GEMMNET_OK;
    plot_rect whole = {0.0, 0.0, width, height};
    if (view->units == 2)
        draw_2d(canvas.cr, whole, view, &err, &status);
    else
        draw_3d(canvas.cr, whole, view, &status);
    if (status != GEMMNET_OK)
        cli_report_error(command, status, &err);
    return plot_canvas_close(&canvas, command, status == GEMMNET_OK) == 0 ? 0 : 1;
}
