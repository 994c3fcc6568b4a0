/* The class weights of `gemmnet train --class-weight`. */
#include "class_weights.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* w[k] = N / (K·count_k) from label counts summed over the processes. */
static int balanced(run *r, int32_t k, float *w, gemmnet_error *err)
{
    const gemmnet_dataset *d = r->data.train;
    if (r->parallel->size <= 1)
        return gemmnet_class_weights_balanced(d, k, w, err);
    double *count = calloc((size_t)k + 1, sizeof *count);
    if (!count) {
        snprintf(err->message, sizeof err->message, "cannot allocate %d class counts", (int)k);
        return GEMMNET_E_NOMEM;
    }
    for (size_t i = 0; i < d->rows; i++)
        if (d->y[i] >= 0 && d->y[i] < k) /* others: refused by the trainer */
            count[d->y[i]] += 1.0;
    count[k] = (double)d->rows;
    int failed = r->collective.sum_doubles(r->collective.context, count, (size_t)k + 1);
    for (int32_t j = 0; j < k && !failed; j++)
        w[j] = count[j] > 0.0 ? (float)(count[k] / ((double)k * count[j])) : 0.0f;
    free(count);
    if (failed)
        snprintf(err->message, sizeof err->message, "summing the class counts failed");
    return failed ? GEMMNET_E_COLLECTIVE : GEMMNET_OK;
}

/* w[k] from "w0,w1,…": exactly k finite numbers ≥ 0. */
static int parse_list(const char *text, int32_t k, float *w, gemmnet_error *err)
{
    const char *p = text;
    int32_t n = 0;
    for (;;) {
        char *end;
        errno = 0;
        double v = strtod(p, &end);
        if (end == p || (*end != ',' && *end != '\0') || errno == ERANGE || !isfinite(v) ||
            v < 0.0 || v > 3.4e38) {
            snprintf(err->message, sizeof err->message,
                     "--class-weight: '%.200s': expected 'balanced' or a list of %d weights "
                     "(finite numbers >= 0, e.g. 1,2.5)",
                     text, (int)k);
            return GEMMNET_E_INVALID;
        }
        if (n < k)
            w[n] = (float)v;
        n++;
        if (*end == '\0')
            break;
        p = end + 1;
    }
    if (n != k) {
        snprintf(err->message, sizeof err->message,
                 "--class-weight: %d weights given, the data has %d classes", (int)n, (int)k);
        return GEMMNET_E_INVALID;
    }
    return GEMMNET_OK;
}

int cli_class_weights(run *r, gemmnet_train_options *o, gemmnet_error *err)
{
    const char *text = r->args.class_weight;
    if (!text)
        return GEMMNET_OK;
    int32_t k = gemmnet_model_width(r->model, gemmnet_model_layers(r->model));
    free(r->args.class_weight_values);
    r->args.class_weight_values = malloc((size_t)k * sizeof(float));
    if (!r->args.class_weight_values) {
        snprintf(err->message, sizeof err->message, "cannot allocate %d class weights", (int)k);
        return GEMMNET_E_NOMEM;
    }
    int status = strcmp(text, "balanced") == 0
                     ? balanced(r, k, r->args.class_weight_values, err)
                     : parse_list(text, k, r->args.class_weight_values, err);
    if (status == GEMMNET_OK)
        o->class_weights = r->args.class_weight_values;
    return status;
}
