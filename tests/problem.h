/* A small random problem shared by the training tests: a model of a given
 * shape with the reference's random parameters, random data x[n×D] in
 * [−2, 2) with labels in [0, K), and the engine's whole-batch gradient. */
#ifndef GEMMNET_TESTS_PROBLEM_H
#define GEMMNET_TESTS_PROBLEM_H

#include "net/net.h"
#include "reference.h"

extern const char *const activation_names[4];

/* A model of the given shape with the reference's random parameters, and
 * random data x[n×D] in [−2, 2), labels in [0, K). */
typedef struct problem {
    ref_net net;
    gemmnet_model *model;
    gemmnet_dataset data;
    double *params;
    double *xd;
} problem;

void problem_create(problem *p,
                    size_t n,
                    size_t d,
                    const int32_t *hidden,
                    int layers,
                    int32_t k,
                    gemmnet_activation f,
                    uint64_t seed);
void problem_destroy(problem *p);
/* Engine gradient (with λW added, as an update sees it) for all rows. */
void engine_gradient(problem *p, float l2, gemmnet_reduction reduction, float *grad);
/* Accuracy of m on data (through gemmnet_evaluate). */
double train_accuracy(gemmnet_model *m, const gemmnet_dataset *data);

#endif
