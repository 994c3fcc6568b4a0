/* The shared random problem of the training tests (problem.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problem.h"

const char *const activation_names[4] = {"tanh", "relu", "leaky_relu", "sigmoid"};

void problem_create(problem *p,
                    size_t n,
                    size_t d,
                    const int32_t *hidden,
                    int layers,
                    int32_t k,
                    gemmnet_activation f,
                    uint64_t seed)
{
    size_t hidden_sizes[GEMMNET_MAX_LAYERS] = {0};
    gemmnet_activation acts[GEMMNET_MAX_LAYERS];
    for (int i = 0; i < layers; i++) {
        hidden_sizes[i] = (size_t)hidden[i];
        acts[i] = f;
    }
    assert_int_equal(ref_net_init(&p->net, d, (size_t)layers, hidden_sizes, (size_t)k), 0);
    for (int i = 0; i < layers; i++)
        p->net.activation[i] = (int)f;
    gemmnet_architecture arch = {.inputs = (int32_t)d,
                                 .classes = k,
                                 .hidden_layers = layers,
                                 .hidden = hidden,
                                 .activations = acts};
    assert_int_equal(gemmnet_model_create(&arch, NULL, &p->model, NULL), GEMMNET_OK);
    assert_int_equal(gemmnet_dataset_alloc(&p->data, n, d, NULL, NULL), GEMMNET_OK);
    p->data.classes = k;
    size_t count = ref_parameter_count(&p->net);
    assert_int_equal(count, gemmnet_model_parameter_count(p->model));
    p->params = malloc(count * sizeof(double));
    p->xd = malloc(n * d * sizeof(double));
    assert_non_null(p->params);
    assert_non_null(p->xd);
    ref_rng rng;
    ref_rng_seed(&rng, seed);
    ref_random_parameters(&p->net, &rng, 1.0, p->params);
    for (size_t i = 0; i < count; i++)
        p->model->parameters[i] = (float)p->params[i];
    for (size_t i = 0; i < n * d; i++) {
        p->data.x[i] = (float)(4.0 * ref_rng_uniform(&rng) - 2.0);
        p->xd[i] = p->data.x[i];
    }
    for (size_t i = 0; i < n; i++)
        p->data.y[i] = (int32_t)ref_rng_range(&rng, 0, (size_t)k - 1);
}

void problem_destroy(problem *p)
{
    gemmnet_model_destroy(p->model);
    gemmnet_dataset_free(&p->data);
    free(p->params);
    free(p->xd);
}

void engine_gradient(problem *p, float l2, gemmnet_reduction reduction, float *grad)
{
    gemmnet_workspace *ws;
    gemmnet_model *m = p->model;
    size_t n = p->data.rows;
    assert_int_equal(gn_workspace_create(m, 17, true, NULL, &ws, NULL), GEMMNET_OK);
    float scale = reduction == GEMMNET_REDUCTION_SUM ? 1.0f : 1.0f / (float)n;
    for (size_t r = 0; r < n; r += 17) {
        size_t rows = n - r < 17 ? n - r : 17;
        gn_forward(m, ws, p->data.x + r * p->data.features, NULL, rows);
        gn_backward(m, ws, p->data.x + r * p->data.features, p->data.y + r, rows, scale, r > 0,
                    grad);
    }
    for (int32_t l = 1; l <= m->layers; l++)
        for (size_t i = m->weight_offset[l - 1]; i < m->bias_offset[l - 1]; i++)
            grad[i] += l2 * m->parameters[i];
    gemmnet_workspace_destroy(ws);
}

double train_accuracy(gemmnet_model *m, const gemmnet_dataset *data)
{
    gemmnet_workspace *ws;
    gemmnet_evaluation e;
    assert_int_equal(gemmnet_workspace_create(m, NULL, &ws, NULL), GEMMNET_OK);
    assert_int_equal(gemmnet_evaluate(m, ws, data, 0.0f, GEMMNET_REDUCTION_MEAN, &e, NULL),
                     GEMMNET_OK);
    gemmnet_workspace_destroy(ws);
    return e.accuracy;
}
