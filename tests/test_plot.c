/* The plot commands' drawing, read back pixel by pixel with cairo's PNG
 * reader: picture sizes, region colours deep inside every class's region
 * (classified independently here), point colours, byte-identical output,
 * and the training log's round trip. Built only when cairo is found. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot/boundary.h"
#include "plot/canvas.h"
#include "training_log.h"
#include "plot/hidden.h"
#include "plot/legend.h"
#include "support.h"

/* A scratch directory for the test's files, removed at the end. */
static char scratch[FIXTURE_DIR_SIZE];

/* The PNG at path, which must be width×height. */
static cairo_surface_t *read_png(const char *path, int width, int height)
{
    cairo_surface_t *image = cairo_image_surface_create_from_png(path);
    if (cairo_surface_status(image) != CAIRO_STATUS_SUCCESS)
        fail_msg("%s: cannot read back: %s", path,
                 cairo_status_to_string(cairo_surface_status(image)));
    assert_int_equal(cairo_image_surface_get_width(image), width);
    assert_int_equal(cairo_image_surface_get_height(image), height);
    return image;
}

/* 0xRRGGBB of pixel (x, y). */
static uint32_t pixel_at(cairo_surface_t *image, int x, int y)
{
    const unsigned char *row = cairo_image_surface_get_data(image) +
                               (size_t)y * (size_t)cairo_image_surface_get_stride(image);
    return ((const uint32_t *)(const void *)row)[x] & 0xffffff;
}

/* A model with no hidden layer whose class is 2 for x1 < −0.5, 1 for
 * −0.5 < x1 < 0.5 and 0 for x1 > 0.5: scores x1, 0.5 and −x1. */
static gemmnet_model *three_bands(void)
{
    gemmnet_architecture arch = {.inputs = 2, .classes = 3};
    gemmnet_model *m = NULL;
    assert_int_equal(gemmnet_model_create(&arch, NULL, &m, NULL), GEMMNET_OK);
    float *w = gemmnet_model_weights(m, 1);
    w[0] = 1.0f;
    w[2] = -1.0f;
    gemmnet_model_biases(m, 1)[1] = 0.5f;
    return m;
}

/* Points in the three bands, labelled by their band. */
static void band_points(gemmnet_dataset *data)
{
    static const float x[][2] = {{-1.5f, -1.0f}, {-1.2f, 1.0f}, {0.0f, -0.8f},
                                 {0.1f, 0.9f},   {1.4f, -1.0f}, {1.6f, 1.1f}};
    static const int32_t y[] = {2, 2, 1, 1, 0, 0};
    assert_int_equal(gemmnet_dataset_alloc(data, 6, 2, NULL, NULL), GEMMNET_OK);
    memcpy(data->x, x, sizeof x);
    memcpy(data->y, y, sizeof y);
    data->classes = 3;
}

/* The tutorial's network, trained for fewer passes on its moons. */
static gemmnet_model *moons_network(gemmnet_dataset *data)
{
    assert_int_equal(
        gemmnet_dataset_generate(data, GEMMNET_SYNTH_MOONS, 200, 2, 0.2, 0, NULL, NULL),
        GEMMNET_OK);
    int32_t hidden[] = {3};
    gemmnet_architecture arch = {.inputs = 2, .classes = 2, .hidden_layers = 1, .hidden = hidden};
    gemmnet_model *m = NULL;
    assert_int_equal(gemmnet_model_create(&arch, NULL, &m, NULL), GEMMNET_OK);
    gemmnet_model_init(m, GEMMNET_INIT_TUTORIAL, 0, NULL);
    gemmnet_train_options o;
    gemmnet_train_options_init(&o);
    o.epochs = 1500;
    o.report_every = 0;
    assert_int_equal(gemmnet_train(m, data, &o, NULL), GEMMNET_OK);
    return m;
}

/* Class of every cell of f's plot area, classified here a raster row at a
 * time (the plotter classifies the whole area in one call). */
static int32_t *classify_cells(const gemmnet_model *m, const plot_frame *f)
{
    size_t width = (size_t)f->width;
    int32_t *classes = malloc(width * (size_t)f->height * sizeof *classes);
    float *row = malloc(width * 2 * sizeof *row);
    gemmnet_workspace *ws = NULL;
    assert_non_null(classes);
    assert_non_null(row);
    assert_int_equal(gemmnet_workspace_create(m, NULL, &ws, NULL), GEMMNET_OK);
    for (int j = 0; j < f->height; j++) {
        for (size_t i = 0; i < width; i++) {
            row[2 * i] = (float)plot_cell_x(f, (int)i);
            row[2 * i + 1] = (float)plot_cell_y(f, j);
        }
        assert_int_equal(gemmnet_predict(m, ws, row, width, classes + (size_t)j * width, NULL),
                         GEMMNET_OK);
    }
    gemmnet_workspace_destroy(ws);
    free(row);
    return classes;
}

/* Whether cell (i, j) is deep inside its region: every cell within
 * `margin` has the same class and no data point is that close. */
static bool deep_inside(const plot_frame *f,
                        const int32_t *classes,
                        const gemmnet_dataset *data,
                        int i,
                        int j,
                        int margin)
{
    if (i < margin || j < margin || i >= f->width - margin || j >= f->height - margin)
        return false;
    int32_t k = classes[(size_t)j * (size_t)f->width + (size_t)i];
    for (int dj = -margin; dj <= margin; dj++)
        for (int di = -margin; di <= margin; di++)
            if (classes[(size_t)(j + dj) * (size_t)f->width + (size_t)(i + di)] != k)
                return false;
    for (size_t r = 0; r < data->rows; r++) {
        double dx = plot_frame_x(f, data->x[2 * r]) - (f->left + i + 0.5);
        double dy = plot_frame_y(f, data->x[2 * r + 1]) - (f->top + j + 0.5);
        if (dx * dx + dy * dy < (double)margin * margin)
            return false;
    }
    return true;
}

/* Whether surface pixel (x, y) is in the class legend's box, grown by
 * margin (the legend covers the regions there). */
static bool under_legend(const plot_frame *f, int32_t classes, int x, int y, int margin)
{
    plot_rect r = plot_legend_bounds(f, classes, NULL);
    return x >= r.x - margin && x < r.x + r.width + margin && y >= r.y - margin &&
           y < r.y + r.height + margin;
}

/* Renders model over data at width×height and checks every 3rd deep cell
 * outside the legend against its class's region colour; returns how many
 * cells of each of the first 3 classes were checked in checked[3]. */
static void check_regions(
    const gemmnet_model *m, const gemmnet_dataset *data, int width, int height, size_t checked[3])
{
    char path[128];
    fixture_path(path, sizeof path, scratch, "regions.png");
    assert_int_equal(plot_boundary_write("test", path, width, height, m, data, "regions"), 0);
    cairo_surface_t *image = read_png(path, width, height);
    plot_frame f = plot_boundary_frame((plot_rect){0.0, 0.0, width, height}, data);
    int32_t *classes = classify_cells(m, &f);
    memset(checked, 0, 3 * sizeof checked[0]);
    for (int j = 0; j < f.height; j += 3)
        for (int i = 0; i < f.width; i += 3) {
            if (!deep_inside(&f, classes, data, i, j, 8) ||
                under_legend(&f, gemmnet_model_width(m, gemmnet_model_layers(m)), f.left + i,
                             f.top + j, 2))
                continue;
            int32_t k = classes[(size_t)j * (size_t)f.width + (size_t)i];
            uint32_t got = pixel_at(image, f.left + i, f.top + j),
                     want = plot_class_rgb(k, PLOT_REGION);
            if (got != want)
                fail_msg("pixel (%d, %d) of class %d is #%06x, expected #%06x", f.left + i,
                         f.top + j, (int)k, (unsigned)got, (unsigned)want);
            checked[k < 3 ? k : 2]++;
        }
    free(classes);
    cairo_surface_destroy(image);
}

static void test_regions_have_their_class_colour_deep_inside(void **state)
{
    (void)state;
    gemmnet_model *m = three_bands();
    gemmnet_dataset data;
    band_points(&data);
    size_t checked[3];
    check_regions(m, &data, 500, 400, checked);
    for (int k = 0; k < 3; k++)
        if (checked[k] < 100)
            fail_msg("only %zu deep pixels of class %d were found", checked[k], k);
    gemmnet_dataset_free(&data);
    gemmnet_model_destroy(m);
}

static void test_regions_follow_a_trained_network(void **state)
{
    (void)state;
    gemmnet_dataset data;
    gemmnet_model *m = moons_network(&data);
    size_t checked[3];
    check_regions(m, &data, 640, 480, checked);
    if (checked[0] < 100 || checked[1] < 100)
        fail_msg("deep pixels checked: %zu of class 0, %zu of class 1", checked[0], checked[1]);
    gemmnet_dataset_free(&data);
    gemmnet_model_destroy(m);
}

/* The legend: a box inside the plot area's top right corner holding a
 * point of every class's exact colour. */
static void test_legend_shows_every_class(void **state)
{
    (void)state;
    gemmnet_model *m = three_bands();
    gemmnet_dataset data;
    band_points(&data);
    char path[128];
    fixture_path(path, sizeof path, scratch, "legend.png");
    assert_int_equal(plot_boundary_write("test", path, 500, 400, m, &data, "legend"), 0);
    cairo_surface_t *image = read_png(path, 500, 400);
    plot_frame f = plot_boundary_frame((plot_rect){0.0, 0.0, 500, 400}, &data);
    plot_rect r = plot_legend_bounds(&f, 3, NULL);
    assert_true(r.x >= f.left && r.x + r.width <= f.left + f.width);
    assert_true(r.y >= f.top && r.y + r.height < f.top + f.height / 2);
    assert_true(r.x > f.left + f.width / 2);
    size_t found[3] = {0}, white = 0;
    for (int y = (int)r.y; y < (int)(r.y + r.height); y++)
        for (int x = (int)r.x; x < (int)(r.x + r.width); x++) {
            uint32_t rgb = pixel_at(image, x, y);
            white += rgb == 0xffffff;
            for (int k = 0; k < 3; k++)
                found[k] += rgb == plot_class_rgb(k, PLOT_POINT);
        }
    for (int k = 0; k < 3; k++)
        if (found[k] < 4)
            fail_msg("the legend has %zu pixels of class %d's colour", found[k], k);
    assert_true(white > (size_t)(r.width * r.height / 3));
    cairo_surface_destroy(image);
    gemmnet_dataset_free(&data);
    gemmnet_model_destroy(m);
}

/* The hidden-layer title's share: 5 points in 3 units, read out with
 * score₁ − score₀ = h1 − 0.5 (hand-made W and b), one of them on the wrong
 * side: 4 of 5 separated, and 1 of 5 under the opposite read-out
 * (score₀ − score₁ = h1 − 0.5). */
static void test_hidden_title_measures_the_separated_share(void **state)
{
    (void)state;
    const float activations[5 * 3] = {0.9f, 0.0f,  0.0f, 0.8f, 1.0f, -1.0f, 0.1f, 0.5f,
                                      0.5f, -0.7f, 0.2f, 0.9f, 0.7f, -0.3f, 0.1f};
    const int32_t labels[5] = {1, 1, 0, 0, 0};
    /* W[3×2] row-major and b[2]. */
    const float w[6] = {0.0f, 1.0f, 0.0f, 0.0f, 0.0f, 0.0f}, b[2] = {0.5f, 0.0f};
    gemmnet_architecture arch = {.inputs = 3, .classes = 2};
    gemmnet_model *readout = NULL;
    assert_int_equal(gemmnet_model_create(&arch, NULL, &readout, NULL), GEMMNET_OK);
    plot_hidden_view v = {activations, 3, labels, 5, readout, w, b, 2, "t", NULL, NULL};
    assert_true(fabs(plot_hidden_separated(&v) - 0.8) < 1e-12);
    char title[128];
    plot_hidden_title(&v, "XOR in 3 tanh units", title, sizeof title);
    assert_string_equal(title, "XOR in 3 tanh units: 80.0 % separated by a plane");
    const float flipped[2] = {0.0f, 0.5f};
    const float w_flipped[6] = {1.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
    v.readout_weights = w_flipped;
    v.readout_biases = flipped;
    assert_true(fabs(plot_hidden_separated(&v) - 0.2) < 1e-12);
    v.units = 2;
    v.activations = (const float[]){0.9f, 0.0f, 0.8f, 1.0f, 0.1f, 0.5f, -0.7f, 0.2f, 0.7f, -0.3f};
    v.readout_weights = w;
    v.readout_biases = b;
    plot_hidden_title(&v, "2 units", title, sizeof title);
    assert_string_equal(title, "2 units: 80.0 % separated by a line");
    v.readout = NULL;
    plot_hidden_title(&v, "no read-out", title, sizeof title);
    assert_string_equal(title, "no read-out");
    gemmnet_model_destroy(readout);
}

static void test_points_are_drawn_in_their_label_colour(void **state)
{
    (void)state;
    gemmnet_model *m = three_bands();
    gemmnet_dataset data;
    band_points(&data);
    /* A label that disagrees with its region: drawn in its own colour. */
    data.y[0] = 0;
    char path[128];
    fixture_path(path, sizeof path, scratch, "points.png");
    assert_int_equal(plot_boundary_write("test", path, 600, 450, m, &data, "points"), 0);
    cairo_surface_t *image = read_png(path, 600, 450);
    plot_frame f = plot_boundary_frame((plot_rect){0.0, 0.0, 600, 450}, &data);
    for (size_t r = 0; r < data.rows; r++) {
        int x = (int)floor(plot_frame_x(&f, data.x[2 * r])),
            y = (int)floor(plot_frame_y(&f, data.x[2 * r + 1]));
        uint32_t got = pixel_at(image, x, y), want = plot_class_rgb(data.y[r], PLOT_POINT);
        if (got != want)
            fail_msg("point %zu (label %d) at (%d, %d) is #%06x, expected #%06x", r, (int)data.y[r],
                     x, y, (unsigned)got, (unsigned)want);
    }
    /* The margin stays white. */
    assert_int_equal(pixel_at(image, 1, 1), 0xffffff);
    cairo_surface_destroy(image);
    gemmnet_dataset_free(&data);
    gemmnet_model_destroy(m);
}

static void test_the_same_drawing_gives_the_same_bytes(void **state)
{
    (void)state;
    gemmnet_model *m = three_bands();
    gemmnet_dataset data;
    band_points(&data);
    /* SVG ids count surfaces per process, so SVG is compared across runs
     * by test_plot.sh; PNG and PDF are compared here. */
    static const char *const names[][2] = {{"a.png", "b.png"}, {"a.pdf", "b.pdf"}};
    for (int format = 0; format < 2; format++) {
        char first[128], second[128];
        fixture_path(first, sizeof first, scratch, names[format][0]);
        fixture_path(second, sizeof second, scratch, names[format][1]);
        assert_int_equal(plot_boundary_write("test", first, 400, 300, m, &data, "same"), 0);
        assert_int_equal(plot_boundary_write("test", second, 400, 300, m, &data, "same"), 0);
        size_t n1, n2;
        unsigned char *b1 = read_file(first, &n1), *b2 = read_file(second, &n2);
        if (n1 != n2 || memcmp(b1, b2, n1) != 0)
            fail_msg("%s and %s differ (%zu and %zu bytes)", first, second, n1, n2);
        free(b1);
        free(b2);
    }
    gemmnet_dataset_free(&data);
    gemmnet_model_destroy(m);
}

static void test_training_log_reads_back_what_was_written(void **state)
{
    (void)state;
    char path[128];
    fixture_path(path, sizeof path, scratch, "log.csv");
    gemmnet_output *output = NULL;
    FILE *log = train_log_open(path, &output, NULL);
    assert_non_null(log);
    gemmnet_progress p = {.epoch = 0, .train = {.loss = 0.432386640, .accuracy = 0.875}};
    train_log_write(log, &p);
    p = (gemmnet_progress){.epoch = 1000,
                           .train = {.loss = 0.068946540, .accuracy = 0.975},
                           .has_validation = 1,
                           .validation = {.loss = 0.1, .accuracy = 0.95}};
    train_log_write(log, &p);
    assert_int_equal(train_log_close(output), 0);
    train_log read;
    assert_true(train_log_read("test", path, &read));
    assert_int_equal(read.count, 2);
    assert_true(read.has_validation);
    assert_int_equal(read.rows[1].epoch, 1000);
    assert_true(read.rows[0].loss == 0.432386640 && read.rows[1].accuracy == 0.975);
    assert_true(isnan(read.rows[0].val_loss) && isnan(read.rows[0].val_accuracy));
    assert_true(read.rows[1].val_loss == 0.1 && read.rows[1].val_accuracy == 0.95);
    train_log_free(&read);
}

static void test_training_log_rejects_what_it_does_not_write(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "epoch,loss\n0,1\n",
        TRAIN_LOG_HEADER "\n",
        TRAIN_LOG_HEADER "\n0,0.5,0.9,,\n1,abc,0.9,,\n",
        TRAIN_LOG_HEADER "\n0,0.5,0.9,0.4,\n",
        TRAIN_LOG_HEADER "\n0,0.5,0.9,,,\n",
        TRAIN_LOG_HEADER "\n-1,0.5,0.9,,\n",
        TRAIN_LOG_HEADER "\n1.5,0.5,0.9,,\n",
        TRAIN_LOG_HEADER "\n0,nan,0.9,,\n",
    };
    char path[128];
    fixture_path(path, sizeof path, scratch, "bad.csv");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_file(path, bad[i], strlen(bad[i]));
        train_log log;
        if (train_log_read("test", path, &log))
            fail_msg("case %zu was accepted: \"%s\"", i, bad[i]);
        assert_null(log.rows);
    }
}

static int make_scratch(void **state)
{
    (void)state;
    return fixture_dir_create(scratch, "test-plot");
}

static int remove_scratch(void **state)
{
    (void)state;
    return fixture_dir_remove(scratch);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regions_have_their_class_colour_deep_inside),
        cmocka_unit_test(test_regions_follow_a_trained_network),
        cmocka_unit_test(test_legend_shows_every_class),
        cmocka_unit_test(test_hidden_title_measures_the_separated_share),
        cmocka_unit_test(test_points_are_drawn_in_their_label_colour),
        cmocka_unit_test(test_the_same_drawing_gives_the_same_bytes),
        cmocka_unit_test(test_training_log_reads_back_what_was_written),
        cmocka_unit_test(test_training_log_rejects_what_it_does_not_write),
    };
    return cmocka_run_group_tests(tests, make_scratch, remove_scratch);
}
