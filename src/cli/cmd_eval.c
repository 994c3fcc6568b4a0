/* gemmnet eval: loss, accuracy, per-class precision/recall and the
 * confusion matrix of a saved model on a labelled CSV file. */
#include "args.h"
#include "commands.h"
#include "model_args.h"
#include "streams.h"

#include <gemmnet.h>
#include <stdlib.h>
#include <string.h>

static const char eval_help[] =
    "usage: gemmnet eval --model FILE --data FILE [--label-col N|NAME] [--header auto|yes|no]\n"
    "                    [--json]\n\n"
    "Evaluates a saved model on a labelled CSV file and prints the loss (under\n"
    "the reduction and L2 strength the model was trained with), the accuracy, the\n"
    "balanced accuracy (the mean recall over the classes present),\n"
    "each class's precision, recall and support, and the confusion matrix\n"
    "(rows: true class, columns: predicted class).\n\n"
    "  --model FILE      the model file\n"
    "  --data FILE       CSV with D feature columns and a label column\n"
    "  --label-col N|NAME  the label column: 0-based index, -1 for the last, or a\n"
    "                    header name (default: the last)\n"
    "  --header auto|yes|no  whether the first line is a header (default auto:\n"
    "                    see docs/data.md)\n"
    "  --json            print one JSON object instead of text\n\n"
    "Labels are class names when the model has them (the names it was trained\n"
    "with), else integers 0..K-1 (text labels are then refused). A class never\n"
    "predicted has precision 0.\n";

typedef struct eval_args {
    model_input_args input;
    /* --json: one JSON object instead of text. */
    bool json;
} eval_args;

enum { OPT_JSON = 'j' };

static const struct option eval_options[] = {
    MODEL_INPUT_OPTIONS,
    {"json", no_argument, NULL, OPT_JSON},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* --json, or an input option. */
static bool eval_option(void *context, int code, const char *value)
{
    eval_args *a = context;
    if (code != OPT_JSON)
        return model_input_option("eval", code, value, &a->input);
    a->json = true;
    return true;
}

/* Returns -1 to go on, else the exit status. */
static int parse_eval(int argc, char **argv, eval_args *a)
{
    static const cli_syntax syntax = {"eval", eval_help, eval_options, "", eval_option};
    *a = (eval_args){0};
    int status = cli_parse_options(&syntax, a, argc, argv, NULL);
    return status >= 0 ? status : model_input_check("eval", &a->input, "FILE");
}

/* Most classes whose K×K confusion matrix eval builds (512 KiB); above,
 * the per-class table still comes from O(K) counts and the matrix is
 * summarised, so that a report never fails for its size. */
enum { EVAL_MATRIX_MAX = 256 };

/* Everything eval prints. */
typedef struct eval_report {
    const gemmnet_model *model;
    size_t rows;
    size_t k;
    gemmnet_evaluation evaluation;
    /* Per class, [K] each in one allocation: rows of the class predicted
     * right, rows predicted as the class, rows of the class. */
    size_t *hits;
    size_t *predicted;
    size_t *support;
    /* matrix[true·K + predicted], [K×K]; NULL above EVAL_MATRIX_MAX. */
    size_t *matrix;
} eval_report;

static double ratio(size_t a, size_t b)
{
    return b ? (double)a / (double)b : 0.0;
}

/* Class k's name, or its index in buffer. */
static const char *class_label(const eval_report *r, size_t k, char *buffer, size_t size)
{
    const char *name = gemmnet_model_class_name(r->model, (int32_t)k);
    if (name)
        return name;
    snprintf(buffer, size, "%zu", k);
    return buffer;
}

/* Width of the widest class label (at least minimum), for alignment. */
static int label_width(const eval_report *r, size_t minimum)
{
    char text[32];
    size_t width = minimum;
    for (size_t k = 0; k < r->k; k++) {
        size_t n = strlen(class_label(r, k, text, sizeof text));
        width = n > width ? n : width;
    }
    return (int)width;
}

/* Per class: precision = hits / predicted, recall = hits / support. */
static void print_class_table(const eval_report *r)
{
    char text[32];
    int w = label_width(r, strlen("class"));
    printf("%-*s  %9s  %9s  %9s\n", w, "class", "precision", "recall", "support");
    for (size_t k = 0; k < r->k; k++)
        printf("%-*s  %9.4f  %9.4f  %9zu\n", w, class_label(r, k, text, sizeof text),
               ratio(r->hits[k], r->predicted[k]), ratio(r->hits[k], r->support[k]), r->support[k]);
}

static void print_confusion(const eval_report *r)
{
    if (!r->matrix) {
        printf("\nconfusion matrix: not printed for %zu classes (more than %d)\n", r->k,
               EVAL_MATRIX_MAX);
        return;
    }
    char text[32];
    int w = label_width(r, 0),
        c = label_width(r, (size_t)snprintf(text, sizeof text, "%zu", r->rows));
    printf("\nconfusion matrix (rows: true class, columns: predicted class):\n%*s", w, "");
    for (size_t p = 0; p < r->k; p++)
        printf("  %*s", c, class_label(r, p, text, sizeof text));
    for (size_t t = 0; t < r->k; t++) {
        printf("\n%-*s", w, class_label(r, t, text, sizeof text));
        for (size_t p = 0; p < r->k; p++)
            printf("  %*zu", c, r->matrix[t * r->k + p]);
    }
    putchar('\n');
}

static void print_text(const eval_report *r)
{
    const gemmnet_evaluation *e = &r->evaluation;
    printf("loss: %f (%s reduction, l2 %g)\n", e->loss,
           gemmnet_model_reduction(r->model) == GEMMNET_REDUCTION_SUM ? "sum" : "mean",
           (double)gemmnet_model_l2(r->model));
    printf("cross-entropy: %f\naccuracy: %.4f (%zu/%zu)\n", e->cross_entropy, e->accuracy,
           e->correct, r->rows);
    printf("balanced accuracy: %.4f\n\n", e->balanced_accuracy);
    print_class_table(r);
    print_confusion(r);
}

/* A class name as a JSON string (valid names need only '"' and '\\'). */
static void print_json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            putchar('\\');
        putchar(*s);
    }
    putchar('"');
}

static void print_json(const eval_report *r)
{
    const gemmnet_evaluation *e = &r->evaluation;
    char text[32];
    printf("{\"rows\": %zu, \"loss\": %.9g, \"cross_entropy\": %.9g, \"accuracy\": %.9g, "
           "\"correct\": %zu,\n \"balanced_accuracy\": %.9g,\n \"classes\": [",
           r->rows, e->loss, e->cross_entropy, e->accuracy, e->correct, e->balanced_accuracy);
    for (size_t k = 0; k < r->k; k++) {
        fputs(k ? ", " : "", stdout);
        print_json_string(class_label(r, k, text, sizeof text));
    }
    const char *keys[] = {"precision", "recall"};
    for (int which = 0; which < 2; which++) {
        printf("],\n \"%s\": [", keys[which]);
        for (size_t k = 0; k < r->k; k++)
            printf(k ? ", %.9g" : "%.9g",
                   ratio(r->hits[k], which ? r->support[k] : r->predicted[k]));
    }
    fputs("],\n \"support\": [", stdout);
    for (size_t k = 0; k < r->k; k++)
        printf(k ? ", %zu" : "%zu", r->support[k]);
    if (!r->matrix) {
        puts("],\n \"confusion\": null}"); /* above EVAL_MATRIX_MAX classes */
        return;
    }
    fputs("],\n \"confusion\": [", stdout);
    for (size_t t = 0; t < r->k; t++) {
        fputs(t ? ", [" : "[", stdout);
        for (size_t p = 0; p < r->k; p++)
            printf(p ? ", %zu" : "%zu", r->matrix[t * r->k + p]);
        putchar(']');
    }
    puts("]}");
}

/* Reads the data the way the model was trained: with its class names. */
static int
read_data(const eval_args *a, const gemmnet_model *model, gemmnet_dataset *data, gemmnet_error *err)
{
    const char *path = a->input.data_path;
    gemmnet_csv_options csv = a->input.csv;
    const char **names;
    int status = cli_model_labels(model, &csv, &names);
    if (status != GEMMNET_OK)
        return status;
    status = cli_read_csv(data, path, &csv, err);
    free(names);
    if (status == GEMMNET_OK && data->features != (size_t)gemmnet_model_width(model, 0)) {
        snprintf(err->message, sizeof err->message, "%s: %zu feature columns, the model takes %d",
                 cli_input_name(path), data->features, (int)gemmnet_model_width(model, 0));
        status = GEMMNET_E_SHAPE;
    }
    return status;
}

/* The per-class counts (and, for few classes, the matrix) from one
 * prediction of every row. */
static int count_predictions(const gemmnet_model *model,
                             gemmnet_workspace *ws,
                             const gemmnet_dataset *data,
                             eval_report *r,
                             gemmnet_error *detail)
{
    int32_t *labels = malloc((data->rows ? data->rows : 1) * sizeof *labels);
    r->hits = calloc(3 * r->k, sizeof *r->hits);
    if (r->k <= EVAL_MATRIX_MAX)
        r->matrix = calloc(r->k * r->k, sizeof *r->matrix);
    int status =
        labels && r->hits && (r->matrix || r->k > EVAL_MATRIX_MAX) ? GEMMNET_OK : GEMMNET_E_NOMEM;
    if (status == GEMMNET_OK)
        status = gemmnet_predict(model, ws, data->x, data->rows, labels, detail);
    r->predicted = r->hits ? r->hits + r->k : NULL;
    r->support = r->hits ? r->hits + 2 * r->k : NULL;
    for (size_t i = 0; status == GEMMNET_OK && i < data->rows; i++) {
        size_t t = (size_t)data->y[i], p = (size_t)labels[i];
        r->support[t]++;
        r->predicted[p]++;
        r->hits[t] += t == p;
        if (r->matrix)
            r->matrix[t * r->k + p]++;
    }
    free(labels);
    return status;
}

static int evaluate(const gemmnet_model *model,
                    const char *path,
                    const gemmnet_dataset *data,
                    eval_report *r,
                    gemmnet_error *err)
{
    *r = (eval_report){.model = model, .rows = data->rows, .k = (size_t)data->classes};
    gemmnet_workspace *ws = NULL;
    gemmnet_error detail = {0};
    int status = gemmnet_workspace_create(model, NULL, &ws, err);
    if (status == GEMMNET_OK)
        status = gemmnet_evaluate(model, ws, data, gemmnet_model_l2(model),
                                  gemmnet_model_reduction(model), &r->evaluation, &detail);
    if (status == GEMMNET_OK)
        status = count_predictions(model, ws, data, r, &detail);
    if (detail.message[0])
        snprintf(err->message, sizeof err->message, "%.100s: %.400s", path, detail.message);
    gemmnet_workspace_destroy(ws);
    return status;
}

int cmd_eval(int argc, char **argv)
{
    eval_args a;
    int exit_status = parse_eval(argc, argv, &a);
    if (exit_status >= 0)
        return exit_status;
    gemmnet_model *model = cli_load_model("eval", a.input.model_path);
    if (!model)
        return EXIT_FAILURE_RUN;
    gemmnet_error err = {0};
    gemmnet_dataset data = {0};
    eval_report report = {0};
    int status = read_data(&a, model, &data, &err);
    if (status == GEMMNET_OK)
        status = evaluate(model, a.input.data_path, &data, &report, &err);
    if (status == GEMMNET_OK && a.json)
        print_json(&report);
    else if (status == GEMMNET_OK)
        print_text(&report);
    if (status == GEMMNET_OK && fflush(stdout) != 0)
        status = GEMMNET_E_IO;
    if (status != GEMMNET_OK)
        cli_report_error("eval", status, &err);
    free(report.matrix);
    free(report.hits);
    gemmnet_dataset_free(&data);
    gemmnet_model_destroy(model);
    return status == GEMMNET_OK ? 0 : EXIT_FAILURE_RUN;
}
