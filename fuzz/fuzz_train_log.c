/*
 * libFuzzer harness: the training-log reader (plot-loss's input) and the
 * loss plot drawn from whatever it accepts. The bytes are written to a
 * scratch file and read back with train_log_read; an accepted log is drawn
 * as a small SVG by plot_loss_write, through the atomic output files. Every
 * accepted row must hold what the reader promises (finite losses and
 * accuracies, validation values both given or both NaN); a hang in the
 * drawing (the axis-tick loop once never ended on values near 1e16) is a
 * libFuzzer timeout.
 */
#include "plot/loss.h"
#include "training_log.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REQUIRE(condition) ((condition) ? (void)0 : __builtin_trap())

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* A scratch directory made once per process: the log and the picture. */
static char log_path[64], svg_path[64];

static void make_scratch(void)
{
    if (log_path[0])
        return;
    char dir[] = "/tmp/fuzz_train_log-XXXXXX";
    REQUIRE(mkdtemp(dir) != NULL);
    snprintf(log_path, sizeof log_path, "%s/log.csv", dir);
    snprintf(svg_path, sizeof svg_path, "%s/loss.svg", dir);
}

static void check_rows(const train_log *log)
{
    for (size_t i = 0; i < log->count; i++) {
        const train_log_row *r = &log->rows[i];
        REQUIRE(r->epoch >= 0 && isfinite(r->loss) && isfinite(r->accuracy));
        REQUIRE(isnan(r->val_loss) == isnan(r->val_accuracy));
    }
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    make_scratch();
    FILE *f = fopen(log_path, "wb");
    REQUIRE(f != NULL);
    REQUIRE(fwrite(data, 1, size, f) == size);
    REQUIRE(fclose(f) == 0);
    train_log log;
    if (train_log_read("fuzz", log_path, &log)) {
        REQUIRE(log.count > 0);
        check_rows(&log);
        REQUIRE(plot_loss_write("fuzz", svg_path, 200, 200, &log, NULL) == 0);
        train_log_free(&log);
    }
    return 0;
}
