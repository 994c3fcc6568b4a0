/* gemmnet moons | spiral | blobs | circles | xor: write a synthetic data
 * set as CSV (x1,x2,label; values with %.17g). */
#include "args.h"
#include "commands.h"

#include <gemmnet.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* One generator command: its name, data set and defaults. */
typedef struct generator {
    const char *name;
    gemmnet_synthetic kind;
    double noise;
    bool multiclass;
    const char *description;
} generator;

static const generator generators[] = {
    {"moons", GEMMNET_SYNTH_MOONS, 0.2, false,
     "scikit-learn's make_moons(n, noise, random_state=seed), bit for bit"},
    {"spiral", GEMMNET_SYNTH_SPIRAL, 0.2, true, "K interleaved spiral arms"},
    {"blobs", GEMMNET_SYNTH_BLOBS, 1.0, true, "K Gaussian blobs with centres in [-10, 10]^2"},
    {"circles", GEMMNET_SYNTH_CIRCLES, 0.05, false,
     "make_circles(factor 0.8): a circle inside a circle"},
    {"xor", GEMMNET_SYNTH_XOR, 0.0, false, "uniform points in [-1, 1]^2 labelled x1*x2 < 0"},
};

typedef struct generate_args {
    /* The command run: its name and defaults. */
    const generator *g;
    long n;
    long classes;
    double noise;
    long seed;
    const char *output;
} generate_args;

/* The help text of generator g, in help[size]. */
static void format_help(const generator *g, char *help, size_t size)
{
    snprintf(help, size,
             "usage: gemmnet %s [--n 200]%s [--noise %g] [--seed 0] [-o FILE]\n\n"
             "Writes %s as CSV with a header x1,x2,label, values printed with %%.17g.\n"
             "FILE is written atomically; without -o (or with -o -) the CSV goes to stdout.\n",
             g->name, g->multiclass ? " [--classes 3]" : "", g->noise, g->description);
}

static const struct option generate_options[] = {
    {"n", required_argument, NULL, 'n'},
    {"noise", required_argument, NULL, 'z'},
    {"seed", required_argument, NULL, 's'},
    {"output", required_argument, NULL, 'o'},
    {"classes", required_argument, NULL, 'k'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* One option of generator a->g. */
static bool generate_option(void *context, int code, const char *v)
{
    generate_args *a = context;
    const char *name = a->g->name;
    switch (code) {
    case 'n': return cli_parse_long(name, "--n", v, 2, INT32_MAX, &a->n);
    case 'z': return cli_parse_double(name, "--noise", v, 0.0, 1e6, &a->noise);
    case 's': return cli_parse_long(name, "--seed", v, 0, UINT32_MAX, &a->seed);
    case 'o': a->output = v; return true;
    case 'k':
        if (a->g->multiclass)
            return cli_parse_long(name, "--classes", v, 2, 64, &a->classes);
        cli_usage_error(name, "--classes applies to spiral and blobs only");
        return false;
    default: return false;
    }
}

/* Returns -1 to go on, else the exit status. */
static int parse_generate(const generator *g, int argc, char **argv, generate_args *a)
{
    char help[1024];
    format_help(g, help, sizeof help);
    cli_syntax syntax = {g->name, help, generate_options, "o:", generate_option};
    *a = (generate_args){.g = g, .n = 200, .classes = g->multiclass ? 3 : 2, .noise = g->noise};
    int status = cli_parse_options(&syntax, a, argc, argv, NULL);
    if (status < 0 && a->n < a->classes)
        return cli_usage_error(g->name, "--n must be at least --classes (%ld)", a->classes);
    return status;
}

/* Write errors are caught by cli_commit_output through ferror. */
static void write_points(FILE *f, const double *x, const int32_t *y, size_t n)
{
    fprintf(f, "x1,x2,label\n");
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%.17g,%.17g,%d\n", x[2 * i], x[2 * i + 1], (int)y[i]);
}

static int run_generator(const generator *g, int argc, char **argv)
{
    generate_args a;
    int status = parse_generate(g, argc, argv, &a);
    if (status >= 0)
        return status;
    size_t n = (size_t)a.n;
    double *x = malloc(n * 2 * sizeof *x);
    int32_t *y = malloc(n * sizeof *y);
    int exit_status = EXIT_FAILURE_RUN;
    if (!x || !y)
        fprintf(stderr, "gemmnet %s: cannot allocate %zu points\n", g->name, n);
    else if ((status = gemmnet_generate(g->kind, n, (int32_t)a.classes, a.noise, (uint32_t)a.seed,
                                        x, y)) != GEMMNET_OK)
        fprintf(stderr, "gemmnet %s: %s\n", g->name, gemmnet_strerror(status));
    else {
        gemmnet_output *out = cli_open_output(a.output);
        if (out) {
            write_points(gemmnet_output_stream(out), x, y, n);
            exit_status = cli_commit_output(out) == 0 ? 0 : EXIT_FAILURE_RUN;
        }
    }
    free(x);
    free(y);
    return exit_status;
}

int cmd_generate(int argc, char **argv)
{
    for (size_t i = 0; i < sizeof generators / sizeof generators[0]; i++)
        if (strcmp(argv[0], generators[i].name) == 0)
            return run_generator(&generators[i], argc, argv);
    return cli_usage_error(argv[0], "not a generator");
}
