/* gemmnet moons: write make_moons data as CSV (x1,x2,label; %.17g). */
#include "args.h"
#include "commands.h"

#include <gemmnet.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>

static const char moons_help[] =
    "usage: gemmnet moons [--n 200] [--noise 0.2] [--seed 0] [-o FILE]\n\n"
    "Writes scikit-learn's make_moons(n, noise, random_state=seed) as CSV\n"
    "with a header x1,x2,label, values printed with %.17g. FILE is written\n"
    "atomically; without -o (or with -o -) the CSV goes to stdout.\n";

typedef struct moons_args {
    long n;
    double noise;
    long seed;
    const char *output;
} moons_args;

static int parse_moons(int argc, char **argv, moons_args *a)
{
    static const struct option options[] = {
        {"n", required_argument, NULL, 'n'},     {"noise", required_argument, NULL, 'z'},
        {"seed", required_argument, NULL, 's'},  {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
    };
    *a = (moons_args){.n = 200, .noise = 0.2, .seed = 0, .output = NULL};
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":o:h", options, NULL)) != -1) {
        bool ok = true;
        switch (c) {
        case 'n': ok = cli_parse_long("moons", "--n", optarg, 2, INT32_MAX, &a->n); break;
        case 'z': ok = cli_parse_double("moons", "--noise", optarg, 0.0, 1e6, &a->noise); break;
        case 's': ok = cli_parse_long("moons", "--seed", optarg, 0, UINT32_MAX, &a->seed); break;
        case 'o': a->output = optarg; break;
        case 'h': fputs(moons_help, stdout); return 0;
        case ':': return cli_usage_error("moons", "%s needs a value", argv[optind - 1]);
        default: return cli_usage_error("moons", "unknown option '%s'", argv[optind - 1]);
        }
        if (!ok)
            return EXIT_USAGE;
    }
    if (optind < argc)
        return cli_usage_error("moons", "unexpected argument '%s'", argv[optind]);
    return -1;
}

/* Write errors are caught by cli_commit_output through ferror. */
static void write_moons(FILE *f, const double *x, const int32_t *y, size_t n)
{
    fprintf(f, "x1,x2,label\n");
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%.17g,%.17g,%d\n", x[2 * i], x[2 * i + 1], (int)y[i]);
}

int cmd_moons(int argc, char **argv)
{
    moons_args a;
    int status = parse_moons(argc, argv, &a);
    if (status >= 0)
        return status;
    size_t n = (size_t)a.n;
    double *x = malloc(n * 2 * sizeof *x);
    int32_t *y = malloc(n * sizeof *y);
    if (!x || !y) {
        fprintf(stderr, "gemmnet moons: cannot allocate %zu points\n", n);
        free(x);
        free(y);
        return EXIT_FAILURE_RUN;
    }
    status = gemmnet_moons(n, a.noise, (uint32_t)a.seed, x, y);
    char temp[4096];
    FILE *f = status == GEMMNET_OK ? cli_open_output(a.output, temp, sizeof temp) : NULL;
    int exit_status = EXIT_FAILURE_RUN;
    if (status != GEMMNET_OK)
        fprintf(stderr, "gemmnet moons: %s\n", gemmnet_strerror(status));
    else if (f) {
        write_moons(f, x, y, n);
        exit_status = cli_commit_output(f, a.output, temp) == 0 ? 0 : EXIT_FAILURE_RUN;
    }
    free(x);
    free(y);
    return exit_status;
}
