/* gemmnet animate --view boundary: the decision regions and the data,
 * redrawn from the progress callback at the scheduled epochs. */
#include "animate.h"

#include "args.h"
#include "plot_args.h"
#include "plot/boundary.h"

#include <stdio.h>

typedef struct boundary_run {
    const anim_args *a;
    const gemmnet_dataset *data;
    gemmnet_model *model;
    anim_movie movie;
    int32_t schedule[ANIM_MAX_FRAMES];
    int frames;
    /* Index of the next frame to draw. */
    int next;
    char title[256];
} boundary_run;

/* Draws and appends a frame when p's epoch is the next scheduled one; a
 * non-zero return (after printing why) stops training. */
static int boundary_frame(void *context, const gemmnet_progress *p)
{
    boundary_run *r = context;
    if (r->next >= r->frames || p->epoch + 1 != r->schedule[r->next])
        return 0;
    cairo_t *cr = anim_movie_clear(&r->movie);
    gemmnet_error err = {0};
    int status = plot_boundary_panel(cr, anim_body(&r->movie), r->model, r->data, r->title, &err);
    if (status != GEMMNET_OK) {
        cli_report_error("animate", status, &err);
        return 1;
    }
    char caption[128];
    int32_t total = r->a->options.epochs;
    anim_caption(p->epoch + 1, total, &p->train, caption, sizeof caption);
    anim_draw_caption(&r->movie, caption, (double)(p->epoch + 1) / total);
    r->next++;
    return anim_movie_frame(&r->movie, anim_delay(r->a, r->next == r->frames)) != 0;
}

int anim_boundary(const anim_args *a, const gemmnet_dataset *data)
{
    boundary_run r = {.a = a, .data = data};
    r.frames = anim_schedule(a->options.epochs, (int)a->frames, (int32_t)a->every, r.schedule);
    gemmnet_error err = {0};
    int status = anim_model_create(a, a->hidden, a->hidden_count, data, &r.model, &err);
    if (status != GEMMNET_OK) {
        cli_report_error("animate", status, &err);
        return EXIT_FAILURE_RUN;
    }
    char hidden[160];
    plot_describe_hidden(r.model, hidden, sizeof hidden);
    if (a->title)
        snprintf(r.title, sizeof r.title, "%s", a->title);
    else
        snprintf(r.title, sizeof r.title, "Decision boundary, %s", hidden);
    bool ok = anim_movie_open(&r.movie, a, data->classes);
    if (ok)
        ok = anim_train(a, r.model, data, boundary_frame, &r) == GEMMNET_OK;
    if (ok || r.movie.out)
        ok = anim_movie_close(&r.movie, ok) == 0 && ok;
    gemmnet_model_destroy(r.model);
    return ok ? 0 : EXIT_FAILURE_RUN;
}
