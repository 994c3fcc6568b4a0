/* Output surfaces, the class palette and text for the plot commands.
 * Output is deterministic: the same drawing gives the same bytes. PNG has
 * no time chunk; SVG ids are counters that restart in every process; PDF
 * gets a fixed creation date instead of the clock's. */
#include "canvas.h"

#include "args.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <fontconfig/fontconfig.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

bool plot_format_of(const char *path, plot_format *format)
{
    static const char *const extensions[] = {".png", ".svg", ".pdf"};
    size_t length = strlen(path);
    for (int i = 0; i < 3; i++) {
        if (length > 4 && strcasecmp(path + length - 4, extensions[i]) == 0) {
            *format = (plot_format)i;
            return true;
        }
    }
    return false;
}

/* cairo's stream callback: appends bytes to the output FILE. */
static cairo_status_t write_bytes(void *closure, const unsigned char *data, unsigned int length)
{
    return fwrite(data, 1, length, (FILE *)closure) == length ? CAIRO_STATUS_SUCCESS
                                                              : CAIRO_STATUS_WRITE_ERROR;
}

/* The surface for format; vector surfaces stream into file as they go. */
static cairo_surface_t *create_surface(plot_format format, FILE *file, int width, int height)
{
    cairo_surface_t *s;
    switch (format) {
    case PLOT_SVG:
        s = cairo_svg_surface_create_for_stream(write_bytes, file, width, height);
        /* Pixels, so that the SVG's size is the one asked for (cairo's
         * default unit is the point). */
        cairo_svg_surface_set_document_unit(s, CAIRO_SVG_UNIT_PX);
        return s;
    case PLOT_PDF:
        s = cairo_pdf_surface_create_for_stream(write_bytes, file, width, height);
        /* cairo would stamp the current time: fix it so that the same
         * input gives the same bytes. */
        cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, "2000-01-01T00:00:00Z");
        cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "gemmnet");
        return s;
    case PLOT_PNG:
    default:
        /* No alpha: opaque RGB keeps the PNG small and its bytes exact. */
        return cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
    }
}

bool plot_canvas_open(plot_canvas *c, const char *command, const char *path, int width, int height)
{
    *c = (plot_canvas){.width = width, .height = height, .path = path};
    if (!plot_format_of(path, &c->format)) {
        fprintf(stderr, "gemmnet %s: %s: the name must end in .png, .svg or .pdf\n", command, path);
        return false;
    }
    c->output = cli_open_output(path);
    if (!c->output)
        return false;
    c->file = gemmnet_output_stream(c->output);
    c->surface = create_surface(c->format, c->file, width, height);
    c->cr = cairo_create(c->surface);
    if (cairo_status(c->cr) != CAIRO_STATUS_SUCCESS) {
        fprintf(stderr, "gemmnet %s: %s: %s\n", command, path,
                cairo_status_to_string(cairo_status(c->cr)));
        plot_canvas_close(c, command, false);
        return false;
    }
    cairo_set_source_rgb(c->cr, 1.0, 1.0, 1.0);
    cairo_paint(c->cr);
    return true;
}

/* Ends drawing: vector surfaces flush their last bytes, PNG is encoded. */
static cairo_status_t finish_surface(plot_canvas *c)
{
    cairo_status_t status = cairo_status(c->cr);
    cairo_destroy(c->cr);
    c->cr = NULL;
    if (status == CAIRO_STATUS_SUCCESS && c->format == PLOT_PNG)
        status = cairo_surface_write_to_png_stream(c->surface, write_bytes, c->file);
    cairo_surface_finish(c->surface);
    if (status == CAIRO_STATUS_SUCCESS)
        status = cairo_surface_status(c->surface);
    cairo_surface_destroy(c->surface);
    c->surface = NULL;
    return status;
}

/* cairo keeps its font faces, and fontconfig its configuration, in
 * process-wide caches that are never freed; release them once a picture
 * is done so that leak checkers (ASan in CI) see a clean exit. The next
 * picture, if any, rebuilds them. */
static void release_font_caches(void)
{
    cairo_debug_reset_static_data();
    FcFini();
}

int plot_canvas_close(plot_canvas *c, const char *command, bool commit)
{
    cairo_status_t status = finish_surface(c);
    release_font_caches();
    if (status != CAIRO_STATUS_SUCCESS && commit)
        fprintf(stderr, "gemmnet %s: %s: %s\n", command, c->path, cairo_status_to_string(status));
    if (!commit || status != CAIRO_STATUS_SUCCESS) {
        cli_discard_output(c->output);
        return -1;
    }
    return cli_commit_output(c->output) == 0 ? 0 : -1;
}

/* matplotlib's "tab10" (distinct, colour-blind-aware), then two darker
 * hues for classes 10 and 11. */
static const uint32_t palette[PLOT_PALETTE_SIZE] = {
    0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b,
    0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf, 0x393b79, 0x637939,
};

/* Each channel moved toward white (t > 0) or black (t < 0) by |t|. */
static uint32_t shade_rgb(uint32_t rgb, double t)
{
    uint32_t out = 0;
    for (int shift = 16; shift >= 0; shift -= 8) {
        double c = (double)((rgb >> shift) & 0xff);
        double target = t > 0 ? 255.0 : 0.0, weight = t > 0 ? t : -t;
        out |= (uint32_t)(c + (target - c) * weight + 0.5) << shift;
    }
    return out;
}

uint32_t plot_class_rgb(int32_t k, plot_shade shade)
{
    uint32_t base = palette[(uint32_t)k % PLOT_PALETTE_SIZE];
    switch (shade) {
    case PLOT_REGION: return shade_rgb(base, 0.7);
    case PLOT_OUTLINE: return shade_rgb(base, -0.45);
    case PLOT_POINT:
    default: return base;
    }
}

void plot_set_rgb(cairo_t *cr, uint32_t rgb)
{
    cairo_set_source_rgb(cr, (double)((rgb >> 16) & 0xff) / 255.0,
                         (double)((rgb >> 8) & 0xff) / 255.0, (double)(rgb & 0xff) / 255.0);
}

void plot_set_class_color(cairo_t *cr, int32_t k, plot_shade shade)
{
    plot_set_rgb(cr, plot_class_rgb(k, shade));
}

void plot_text(cairo_t *cr,
               double x,
               double y,
               double size,
               bool bold,
               double align_x,
               double align_y,
               const char *text)
{
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    cairo_text_extents_t text_box, digit_box;
    cairo_text_extents(cr, text, &text_box);
    /* Vertical placement by the height of a digit, not of this text, so
     * that labels with and without descenders line up. */
    cairo_text_extents(cr, "0", &digit_box);
    double height = -digit_box.y_bearing;
    cairo_move_to(cr, x - align_x * text_box.x_advance, y + height * (1.0 - align_y));
    cairo_show_text(cr, text);
}
