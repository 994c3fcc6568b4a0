/* gemmnet animate --view sweep: the tutorial's hidden-size experiment as
 * it trains. One network per size, each with its own trainer, advanced in
 * step to every scheduled epoch; then a frame of one boundary panel per
 * size, titled with its accuracy at that epoch. */
#include "animate.h"

#include "args.h"
#include "plot/boundary.h"

#include <stdio.h>

/* One network of the sweep. */
typedef struct sweep_net {
    int32_t hidden;
    gemmnet_model *model;
    gemmnet_trainer *trainer;
    /* Its evaluation after the latest epoch (from the progress callback). */
    gemmnet_evaluation latest;
} sweep_net;

typedef struct sweep_run {
    const anim_args *a;
    const gemmnet_dataset *data;
    sweep_net nets[ANIM_MAX_SIZES];
    gemmnet_train_options options[ANIM_MAX_SIZES];
    int count;
    anim_movie movie;
    int32_t schedule[ANIM_MAX_FRAMES];
    int frames;
} sweep_run;

/* Each network's progress callback keeps its latest evaluation. */
static int keep_latest(void *context, const gemmnet_progress *p)
{
    ((sweep_net *)context)->latest = p->train;
    return 0;
}

static int create_nets(sweep_run *r, gemmnet_error *err)
{
    for (int i = 0; i < r->count; i++) {
        sweep_net *n = &r->nets[i];
        n->hidden = r->a->sizes[i];
        int status = anim_model_create(r->a, &n->hidden, 1, r->data, &n->model, err);
        r->options[i] = r->a->options;
        r->options[i].report_every = 1;
        r->options[i].progress = keep_latest;
        r->options[i].progress_context = n;
        if (status == GEMMNET_OK)
            status = gemmnet_trainer_create(n->model, r->data, &r->options[i], &n->trainer, err);
        if (status != GEMMNET_OK)
            return status;
    }
    return GEMMNET_OK;
}

/* Panels in a grid of at most 4 columns over the frame's body. */
static int draw_panels(sweep_run *r, gemmnet_error *err)
{
    plot_rect body = anim_body(&r->movie);
    int columns = r->count < 4 ? r->count : 4, rows = (r->count + columns - 1) / columns;
    cairo_t *cr = anim_movie_clear(&r->movie);
    for (int i = 0; i < r->count; i++) {
        char title[96];
        snprintf(title, sizeof title, "Hidden size %d: %.1f %%", (int)r->nets[i].hidden,
                 100.0 * r->nets[i].latest.accuracy);
        plot_rect panel = {body.x + (double)(i % columns) * body.width / columns,
                           body.y + (double)(i / columns) * body.height / rows,
                           body.width / columns, body.height / rows};
        int status = plot_boundary_panel(cr, panel, r->nets[i].model, r->data, title, err);
        if (status != GEMMNET_OK)
            return status;
    }
    return GEMMNET_OK;
}

/* Trains every network to each scheduled epoch in turn and draws. */
static int run_frames(sweep_run *r, gemmnet_error *err)
{
    int32_t total = r->a->options.epochs;
    for (int f = 0; f < r->frames; f++) {
        for (int i = 0; i < r->count; i++) {
            gemmnet_trainer *t = r->nets[i].trainer;
            int status =
                gemmnet_trainer_run(t, r->schedule[f] - gemmnet_trainer_epochs_done(t), err);
            if (status != GEMMNET_OK)
                return status;
        }
        int status = draw_panels(r, err);
        if (status != GEMMNET_OK)
            return status;
        char caption[160];
        snprintf(caption, sizeof caption,
                 "epoch %d/%d, every network trained side by side with the same settings",
                 (int)r->schedule[f], (int)total);
        anim_draw_caption(&r->movie, caption, (double)r->schedule[f] / total);
        if (anim_movie_frame(&r->movie, anim_delay(r->a, f + 1 == r->frames)) != 0)
            return GEMMNET_E_IO;
    }
    return GEMMNET_OK;
}

int anim_sweep(const anim_args *a, const gemmnet_dataset *data)
{
    sweep_run r = {.a = a, .data = data, .count = a->size_count};
    r.frames = anim_schedule(a->options.epochs, (int)a->frames, (int32_t)a->every, r.schedule);
    gemmnet_error err = {0};
    int status = create_nets(&r, &err);
    bool ok = status == GEMMNET_OK && anim_movie_open(&r.movie, a, data->classes);
    if (ok) {
        status = run_frames(&r, &err);
        /* A failed frame has said why; a failed library call has not. */
        if (status != GEMMNET_OK && status != GEMMNET_E_IO)
            cli_report_error("animate", status, &err);
        ok = status == GEMMNET_OK;
    } else if (status != GEMMNET_OK) {
        cli_report_error("animate", status, &err);
    }
    if (r.movie.out)
        ok = anim_movie_close(&r.movie, ok) == 0 && ok;
    for (int i = 0; i < r.count; i++) {
        gemmnet_trainer_destroy(r.nets[i].trainer);
        gemmnet_model_destroy(r.nets[i].model);
    }
    return ok ? 0 : EXIT_FAILURE_RUN;
}
