/*
 * ONNX export and import: export → import gives the model file back byte
 * for byte (and export again the same ONNX bytes); folding the
 * standardisation keeps the predictions; files torch.onnx.export wrote
 * (tests/data/onnx/, made by tests/onnx/make_fixtures.py) import and
 * predict what PyTorch predicted; every graph outside the MLP subset, and
 * every damaged file, is refused with one message naming the node and op
 * and its own status, leaking nothing, also when allocations fail.
 *
 * The damaged graphs are made by decoding a real export with protobuf-c,
 * changing one thing, and encoding it again.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemmnet.h"
#include "onnx.pb-c.h"
#include "support.h"

/* ---- helpers ------------------------------------------------------------- */

/* D = 3, the given hidden layers, K = 3; standardisation, names and a
 * MEAN loss when metadata. */
static gemmnet_model *
make_model(int32_t hidden_layers, const gemmnet_activation *acts, bool metadata)
{
    int32_t hidden[] = {5, 4, 3};
    gemmnet_architecture arch = {3, 3, hidden_layers, hidden, acts};
    gemmnet_model *m = NULL;
    assert_int_equal(gemmnet_model_create(&arch, NULL, &m, NULL), GEMMNET_OK);
    gemmnet_model_init(m, GEMMNET_INIT_TUTORIAL, 11, NULL);
    for (int32_t l = 1; l <= gemmnet_model_layers(m); l++)
        for (int32_t j = 0; j < gemmnet_model_width(m, l); j++)
            gemmnet_model_biases(m, l)[j] = 0.125f * (float)(j + l) - 0.3f;
    if (metadata) {
        const float mean[] = {0.1f, -7.5f, 3e-2f}, scale[] = {1.0f / 3.0f, 2.0f, 9.0f};
        const char *const names[] = {"quote\"d", "back\\slash?", "ünïcødé"};
        assert_int_equal(gemmnet_model_set_standardization(m, mean, scale, NULL), GEMMNET_OK);
        assert_int_equal(gemmnet_model_set_class_names(m, names, NULL), GEMMNET_OK);
        assert_int_equal(gemmnet_model_set_loss(m, GEMMNET_REDUCTION_MEAN, 0.0625f), GEMMNET_OK);
    }
    return m;
}

/* The ONNX bytes of m (malloc'd), their size in *size. */
static unsigned char *export_onnx(const gemmnet_model *m, unsigned flags, size_t *size)
{
    char *bytes = NULL;
    FILE *f = open_memstream(&bytes, size);
    assert_non_null(f);
    gemmnet_error err = {0};
    int status = gemmnet_model_write_onnx(m, f, flags, &err);
    fclose(f);
    if (status != GEMMNET_OK)
        fail_msg("write_onnx: %s", err.message);
    return (unsigned char *)bytes;
}

/* The model file bytes of m (malloc'd). */
static unsigned char *model_file(const gemmnet_model *m, size_t *size)
{
    *size = gemmnet_model_file_size(m);
    unsigned char *bytes = malloc(*size);
    assert_non_null(bytes);
    assert_int_equal(gemmnet_model_save_buffer(m, bytes, *size, NULL), GEMMNET_OK);
    return bytes;
}

static void probabilities(const gemmnet_model *m, const float *x, size_t n, float *p)
{
    gemmnet_workspace *ws = NULL;
    assert_int_equal(gemmnet_workspace_create(m, NULL, &ws, NULL), GEMMNET_OK);
    assert_int_equal(gemmnet_predict_proba(m, ws, x, n, p, NULL), GEMMNET_OK);
    gemmnet_workspace_destroy(ws);
}

/* Rows spread over the standardisation's range. */
static const float rows[4][3] = {
    {0.5f, -7.0f, 1.0f}, {-0.2f, -9.5f, 20.0f}, {0.1f, -7.5f, 0.0f}, {1.5f, 3.0f, -14.0f}};

/* ---- round trips ---------------------------------------------------------- */

/* Every activation, 0 to 3 hidden layers, with and without metadata. */
static void test_round_trip_is_byte_identical(void **state)
{
    (void)state;
    for (int a = 0; a < GEMMNET_ACTIVATION_COUNT; a++)
        for (int32_t depth = 0; depth <= 3; depth++)
            for (int metadata = 0; metadata <= 1; metadata++) {
                gemmnet_activation acts[3] = {(gemmnet_activation)a, (gemmnet_activation)a,
                                              (gemmnet_activation)((a + 1) % 4)};
                gemmnet_model *m = make_model(depth, acts, metadata);
                size_t onnx_size, again_size, file_size, back_size;
                unsigned char *onnx = export_onnx(m, 0, &onnx_size);
                gemmnet_model *back = NULL;
                gemmnet_error err = {0};
                if (gemmnet_model_read_onnx(onnx, onnx_size, NULL, &back, &err) != GEMMNET_OK)
                    fail_msg("act %d depth %d metadata %d: %s", a, (int)depth, metadata,
                             err.message);
                unsigned char *file = model_file(m, &file_size),
                              *back_file = model_file(back, &back_size);
                assert_int_equal(file_size, back_size);
                assert_memory_equal(file, back_file, file_size);
                unsigned char *again = export_onnx(back, 0, &again_size);
                assert_int_equal(onnx_size, again_size);
                assert_memory_equal(onnx, again, onnx_size);
                free(again);
                free(back_file);
                free(file);
                free(onnx);
                gemmnet_model_destroy(back);
                gemmnet_model_destroy(m);
            }
}

/* Folded: no Sub/Div, no standardisation after import, the same
 * probabilities on raw rows (within float rounding of the fold). */
static void test_folded_standardization_predicts_the_same(void **state)
{
    (void)state;
    gemmnet_activation acts[2] = {GEMMNET_ACT_TANH, GEMMNET_ACT_RELU};
    gemmnet_model *m = make_model(2, acts, true);
    size_t size;
    unsigned char *onnx = export_onnx(m, GEMMNET_ONNX_FOLD_STANDARDIZATION, &size);
    gemmnet_model *back = NULL;
    assert_int_equal(gemmnet_model_read_onnx(onnx, size, NULL, &back, NULL), GEMMNET_OK);
    assert_null(gemmnet_model_mean(back));
    assert_string_equal(gemmnet_model_class_name(back, 2), "ünïcødé");
    float p[4 * 3], q[4 * 3];
    probabilities(m, &rows[0][0], 4, p);
    probabilities(back, &rows[0][0], 4, q);
    for (int i = 0; i < 12; i++)
        assert_float_equal(p[i], q[i], 2e-6);
    free(onnx);
    gemmnet_model_destroy(back);
    gemmnet_model_destroy(m);
}

/* Files torch.onnx.export wrote: rows and PyTorch's probabilities. */
static void check_torch_fixture(const char *name, int32_t d, int32_t k, int32_t layers)
{
    char path[512];
    snprintf(path, sizeof path, "%s/onnx/%s.onnx", getenv("GEMMNET_TEST_DATA"), name);
    size_t size;
    unsigned char *bytes = read_file(path, &size);
    gemmnet_model *m = NULL;
    gemmnet_error err = {0};
    if (gemmnet_model_read_onnx(bytes, size, NULL, &m, &err) != GEMMNET_OK)
        fail_msg("%s: %s", name, err.message);
    assert_int_equal(gemmnet_model_width(m, 0), d);
    assert_int_equal(gemmnet_model_width(m, layers), k);
    assert_int_equal(gemmnet_model_layers(m), layers);
    snprintf(path, sizeof path, "%s/onnx/%s.csv", getenv("GEMMNET_TEST_DATA"), name);
    FILE *csv = fopen(path, "r");
    assert_non_null(csv);
    float x[8], expected[8], p[8];
    int count = 0;
    for (;; count++) {
        int fields = 0;
        for (int32_t i = 0; i < d + k; i++)
            fields += fscanf(csv, i ? ",%f" : "%f", i < d ? &x[i] : &expected[i - d]);
        if (fields != d + k)
            break;
        probabilities(m, x, 1, p);
        for (int32_t j = 0; j < k; j++)
            assert_float_equal(p[j], expected[j], 1e-6);
    }
    assert_int_equal(count, 5);
    fclose(csv);
    free(bytes);
    gemmnet_model_destroy(m);
}

static void test_torch_exports_predict_what_pytorch_does(void **state)
{
    (void)state;
    check_torch_fixture("torch_gemm", 3, 2, 5); /* Gemm transB, 4 activations, Softmax */
    check_torch_fixture("torch_matmul", 3, 3, 2); /* MatMul + Add(bias, x), logits */
    check_torch_fixture("torch_flatten", 3, 2, 2); /* Flatten, initializers as inputs */
}

/* ---- refusals ------------------------------------------------------------- */

/* A decoded export to change (free with onnx__model_proto__free_unpacked). */
static Onnx__ModelProto *decoded_export(void)
{
    gemmnet_activation acts[2] = {GEMMNET_ACT_TANH, GEMMNET_ACT_LEAKY_RELU};
    gemmnet_model *m = make_model(2, acts, true);
    size_t size;
    unsigned char *onnx = export_onnx(m, 0, &size);
    Onnx__ModelProto *proto = onnx__model_proto__unpack(NULL, size, onnx);
    assert_non_null(proto);
    free(onnx);
    gemmnet_model_destroy(m);
    return proto;
}

/* Encodes proto, frees it, and checks that the importer refuses the bytes
 * with status and a one-line message containing every one of the texts,
 * leaking nothing. */
static void expect_refusal(Onnx__ModelProto *proto, int status, const char *text, const char *more)
{
    size_t size = onnx__model_proto__get_packed_size(proto);
    unsigned char *bytes = malloc(size + 1);
    assert_non_null(bytes);
    onnx__model_proto__pack(proto, bytes);
    counting_allocator counter = {0};
    gemmnet_allocator a = counting_hooks(&counter);
    gemmnet_model *m = NULL;
    gemmnet_error err = {0};
    int got = gemmnet_model_read_onnx(bytes, size, &a, &m, &err);
    if (got != status || !strstr(err.message, text) || (more && !strstr(err.message, more)))
        fail_msg("status %d (expected %d): \"%s\" should contain \"%s\"%s%s", got, status,
                 err.message, text, more ? " and " : "", more ? more : "");
    assert_null(m);
    assert_null(strchr(err.message, '\n'));
    assert_no_leak(&counter, text);
    free(bytes);
}

static Onnx__NodeProto *node(Onnx__ModelProto *p, size_t i)
{
    assert_true(i < p->graph->n_node);
    return p->graph->node[i];
}

static Onnx__TensorProto *initializer(Onnx__ModelProto *p, const char *name)
{
    for (size_t i = 0; i < p->graph->n_initializer; i++)
        if (strcmp(p->graph->initializer[i]->name, name) == 0)
            return p->graph->initializer[i];
    fail_msg("no initializer %s", name);
    return NULL;
}

/* Replaces a string field that protobuf-c owns (freed with the message). */
static void set_string(char **field, const char *text)
{
    free(*field);
    *field = strdup(text);
}

/* Nodes of the export: 0 Sub, 1 Div, 2 gemm1, 3 Tanh, 4 gemm2, 5
 * LeakyRelu, 6 gemm3, 7 Softmax. */
static void test_ops_outside_the_subset_are_named(void **state)
{
    (void)state;
    Onnx__ModelProto *p = decoded_export();
    set_string(&node(p, 2)->op_type, "Conv");
    expect_refusal(p, GEMMNET_E_FORMAT, "node 2 \"gemm1\" (Conv): op outside the MLP subset", NULL);
    onnx__model_proto__free_unpacked(p, NULL);

    p = decoded_export();
    set_string(&node(p, 3)->op_type, "Elu");
    expect_refusal(p, GEMMNET_E_FORMAT, "node 3 \"activation1\" (Elu)", "outside the MLP subset");
    onnx__model_proto__free_unpacked(p, NULL);

    p = decoded_export();
    set_string(&node(p, 5)->domain, "com.microsoft");
    expect_refusal(p, GEMMNET_E_FORMAT, "(LeakyRelu): domain \"com.microsoft\"", NULL);
    onnx__model_proto__free_unpacked(p, NULL);
}

static void test_attributes_gemmnet_cannot_hold(void **state)
{
    (void)state;
    Onnx__ModelProto *p = decoded_export();
    node(p, 5)->attribute[0]->f = 0.2f;
    expect_refusal(p, GEMMNET_E_FORMAT, "(LeakyRelu): alpha 0.2", NULL);
    onnx__model_proto__free_unpacked(p, NULL);

    p = decoded_export();
    node(p, 7)->attribute[0]->i = 0;
    expect_refusal(p, GEMMNET_E_FORMAT, "(Softmax): axis 0", NULL);
    onnx__model_proto__free_unpacked(p, NULL);

    /* Gemm's attributes: give gemm2 Softmax's axis=0 renamed to transA=1. */
    p = decoded_export();
    Onnx__AttributeProto *axis = node(p, 7)->attribute[0];
    set_string(&axis->name, "transA");
    axis->i = 1;
    node(p, 4)->n_attribute = 1;
    node(p, 4)->attribute = node(p, 7)->attribute;
    node(p, 7)->n_attribute = 0;
    node(p, 7)->attribute = NULL;
    expect_refusal(p, GEMMNET_E_FORMAT, "node 4 \"gemm2\" (Gemm): gemmnet imports Gemm with alpha",
                   NULL);
    /* The attribute list now belongs to node 4; give it back for freeing. */
    node(p, 7)->n_attribute = 1;
    node(p, 7)->attribute = node(p, 4)->attribute;
    node(p, 4)->n_attribute = 0;
    node(p, 4)->attribute = NULL;
    onnx__model_proto__free_unpacked(p, NULL);
}

static void test_broken_chains(void **state)
{
    (void)state;
    /* Drop the Tanh: gemm2 then takes a value nobody made. */
    Onnx__ModelProto *p = decoded_export();
    set_string(&node(p, 3)->op_type, "Identity");
    expect_refusal(p, GEMMNET_E_FORMAT, "node 4 \"gemm2\" (Gemm): two layers without an activation",
                   NULL);
    onnx__model_proto__free_unpacked(p, NULL);

    p = decoded_export();
    set_string(&node(p, 4)->input[0], "elsewhere");
    expect_refusal(p, GEMMNET_E_FORMAT, "node 4 \"gemm2\" (Gemm): does not take \"a1\"", NULL);
    onnx__model_proto__free_unpacked(p, NULL);

    p = decoded_export();
    set_string(&p->graph->output[0]->name, "logits");
    expect_refusal(p, GEMMNET_E_FORMAT, "the graph's output should be \"probabilities\"", NULL);
    onnx__model_proto__free_unpacked(p, NULL);

    /* Sub after Div. */
    p = decoded_export();
    set_string(&node(p, 0)->op_type, "Div");
    set_string(&node(p, 1)->op_type, "Sub");
    expect_refusal(p, GEMMNET_E_FORMAT,
                   "node 1 \"standardize_div\" (Sub): standardisation must be Sub then Div", NULL);
    onnx__model_proto__free_unpacked(p, NULL);

    /* The weight as a graph input instead of an initializer. */
    p = decoded_export();
    set_string(&initializer(p, "W2")->name, "W2_elsewhere");
    expect_refusal(p, GEMMNET_E_FORMAT,
                   "node 4 \"gemm2\" (Gemm): weight \"W2\" is not an initializer", NULL);
    onnx__model_proto__free_unpacked(p, NULL);

    /* The last Gemm and the Softmax cut off. */
    p = decoded_export();
    p->graph->n_node = 6;
    expect_refusal(p, GEMMNET_E_FORMAT, "the graph ends after an activation", NULL);
    p->graph->n_node = 8;
    onnx__model_proto__free_unpacked(p, NULL);
}

static void test_tensors_gemmnet_cannot_read(void **state)
{
    (void)state;
    Onnx__ModelProto *p = decoded_export();
    initializer(p, "W1")->data_type = 11;
    expect_refusal(p, GEMMNET_E_FORMAT, "initializer \"W1\" has data type 11", "(Gemm)");
    onnx__model_proto__free_unpacked(p, NULL);

    p = decoded_export();
    initializer(p, "W2")->has_data_location = 1;
    initializer(p, "W2")->data_location = 1;
    expect_refusal(p, GEMMNET_E_FORMAT, "initializer \"W2\" keeps its data in another file", NULL);
    onnx__model_proto__free_unpacked(p, NULL);

    p = decoded_export();
    initializer(p, "W1")->dims[1] = 6; /* 3×6 declared, 15 values held */
    expect_refusal(p, GEMMNET_E_FORMAT, "initializer \"W1\" holds 15 values, its dims say 18",
                   NULL);
    onnx__model_proto__free_unpacked(p, NULL);

    p = decoded_export();
    initializer(p, "W1")->dims[1] = (int64_t)1 << 40;
    expect_refusal(p, GEMMNET_E_TOO_LARGE, "has dimension 1099511627776", NULL);
    onnx__model_proto__free_unpacked(p, NULL);

    p = decoded_export();
    initializer(p, "b2")->float_data[1] = NAN;
    expect_refusal(p, GEMMNET_E_NONFINITE, "NaN or Inf", NULL);
    onnx__model_proto__free_unpacked(p, NULL);

    p = decoded_export();
    initializer(p, "mean")->dims[0] = 2;
    initializer(p, "mean")->n_float_data = 2;
    expect_refusal(p, GEMMNET_E_SHAPE, "(Sub): has 2 values for 3 inputs", NULL);
    onnx__model_proto__free_unpacked(p, NULL);

    p = decoded_export();
    initializer(p, "scale")->float_data[0] = -1.0f;
    expect_refusal(p, GEMMNET_E_INVALID, "scale", NULL);
    onnx__model_proto__free_unpacked(p, NULL);
}

static void test_metadata_and_versions(void **state)
{
    (void)state;
    Onnx__ModelProto *p = decoded_export();
    for (size_t i = 0; i < p->n_metadata_props; i++)
        if (strcmp(p->metadata_props[i]->key, "class_names") == 0)
            set_string(&p->metadata_props[i]->value, "a\nb");
    expect_refusal(p, GEMMNET_E_FORMAT, "metadata class_names has 2 lines for 3 classes", NULL);
    onnx__model_proto__free_unpacked(p, NULL);

    p = decoded_export();
    for (size_t i = 0; i < p->n_metadata_props; i++)
        if (strcmp(p->metadata_props[i]->key, "class_names") == 0)
            set_string(&p->metadata_props[i]->value, "a\na\nb");
    expect_refusal(p, GEMMNET_E_INVALID, "metadata class_names:", NULL);
    onnx__model_proto__free_unpacked(p, NULL);

    p = decoded_export();
    p->ir_version = 99;
    expect_refusal(p, GEMMNET_E_VERSION, "IR version 99", NULL);
    onnx__model_proto__free_unpacked(p, NULL);

    p = decoded_export();
    p->opset_import[0]->version = 6;
    expect_refusal(p, GEMMNET_E_VERSION, "opset 6", NULL);
    onnx__model_proto__free_unpacked(p, NULL);
}

/* A graph of more nodes than any MLP gemmnet holds is refused before the
 * walk (which would look each one up). */
static void test_huge_graphs(void **state)
{
    (void)state;
    Onnx__ModelProto *p = decoded_export();
    Onnx__GraphProto *g = p->graph;
    size_t n = g->n_node;
    Onnx__NodeProto **saved = g->node, **many = calloc(2000, sizeof *many);
    assert_non_null(many);
    for (size_t i = 0; i < 2000; i++)
        many[i] = saved[i % n];
    g->node = many;
    g->n_node = 2000;
    expect_refusal(p, GEMMNET_E_TOO_LARGE, "the graph has 2000 nodes", NULL);
    g->node = saved;
    g->n_node = n;
    free(many);
    onnx__model_proto__free_unpacked(p, NULL);
}

/* Bytes that are not an ONNX model. */
static void test_not_onnx(void **state)
{
    (void)state;
    gemmnet_model *m = NULL;
    gemmnet_error err = {0};
    assert_int_equal(gemmnet_model_read_onnx("", 0, NULL, &m, &err), GEMMNET_E_FORMAT);
    assert_non_null(strstr(err.message, "no graph"));
    const unsigned char garbage[] = {0x0a, 0xff, 0xff, 0xff, 0x0f, 1, 2};
    assert_int_equal(gemmnet_model_read_onnx(garbage, sizeof garbage, NULL, &m, &err),
                     GEMMNET_E_FORMAT);
    assert_non_null(strstr(err.message, "does not decode"));
    /* A gemmnet model file. */
    gemmnet_model *model = make_model(1, NULL, true);
    size_t size;
    unsigned char *file = model_file(model, &size);
    assert_int_not_equal(gemmnet_model_read_onnx(file, size, NULL, &m, &err), GEMMNET_OK);
    assert_null(m);
    free(file);
    gemmnet_model_destroy(model);
    assert_int_equal(gemmnet_model_read_onnx(NULL, 1, NULL, &m, &err), GEMMNET_E_INVALID);
}

/* Every prefix of an export: refused, or (cut between whole fields) the
 * same weights; never a crash or a leak. */
static void test_truncations(void **state)
{
    (void)state;
    gemmnet_activation acts[2] = {GEMMNET_ACT_SIGMOID, GEMMNET_ACT_RELU};
    gemmnet_model *m = make_model(2, acts, true);
    size_t size;
    unsigned char *onnx = export_onnx(m, 0, &size);
    size_t accepted = 0;
    for (size_t cut = 0; cut < size; cut++) {
        counting_allocator counter = {0};
        gemmnet_allocator a = counting_hooks(&counter);
        gemmnet_model *back = NULL;
        gemmnet_error err = {0};
        unsigned char *copy = malloc(cut + 1);
        memcpy(copy, onnx, cut);
        int status = gemmnet_model_read_onnx(copy, cut, &a, &back, &err);
        if (status == GEMMNET_OK) {
            accepted++;
            assert_int_equal(gemmnet_model_parameter_count(back), gemmnet_model_parameter_count(m));
            assert_memory_equal(gemmnet_model_weights(back, 1), gemmnet_model_weights(m, 1),
                                gemmnet_model_parameter_count(m) * sizeof(float));
            gemmnet_model_destroy(back);
        } else {
            assert_null(back);
            assert_true(err.message[0] != '\0');
        }
        free(copy);
        assert_no_leak(&counter, "truncated ONNX");
    }
    /* Only cuts inside the trailing metadata can decode to the full graph. */
    assert_true(accepted < 300);
    free(onnx);
    gemmnet_model_destroy(m);
}

/* Each allocation the importer makes, failed in turn. */
static void test_allocation_failures(void **state)
{
    (void)state;
    gemmnet_model *m = make_model(1, NULL, true);
    size_t size;
    unsigned char *onnx = export_onnx(m, 0, &size);
    for (size_t fail = 1;; fail++) {
        counting_allocator counter = {.fail_on = fail};
        gemmnet_allocator a = counting_hooks(&counter);
        gemmnet_model *back = NULL;
        int status = gemmnet_model_read_onnx(onnx, size, &a, &back, NULL);
        gemmnet_model_destroy(back);
        assert_no_leak(&counter, "failed allocation");
        if (counter.attempts < fail) {
            assert_int_equal(status, GEMMNET_OK);
            break;
        }
        assert_int_not_equal(status, GEMMNET_OK);
    }
    free(onnx);
    gemmnet_model_destroy(m);
}

static void test_write_arguments(void **state)
{
    (void)state;
    gemmnet_model *m = make_model(1, NULL, false);
    FILE *f = tmpfile();
    assert_non_null(f);
    gemmnet_error err = {0};
    assert_int_equal(gemmnet_model_write_onnx(m, f, 2u, &err), GEMMNET_E_INVALID);
    assert_int_equal(gemmnet_model_write_onnx(NULL, f, 0, &err), GEMMNET_E_INVALID);
    assert_int_equal(gemmnet_model_write_c(m, f, "9lives", &err), GEMMNET_E_INVALID);
    assert_non_null(strstr(err.message, "not a C identifier"));
    assert_int_equal(gemmnet_model_write_c(m, f, "has-dash", &err), GEMMNET_E_INVALID);
    assert_int_equal(gemmnet_model_write_c(m, f, "", &err), GEMMNET_E_INVALID);
    assert_int_equal(gemmnet_model_write_c(m, f, "ok_name_2", &err), GEMMNET_OK);
    gemmnet_model_weights(m, 1)[0] = INFINITY;
    assert_int_equal(gemmnet_model_write_onnx(m, f, 0, &err), GEMMNET_E_NONFINITE);
    assert_int_equal(gemmnet_model_write_c(m, f, "model", &err), GEMMNET_E_NONFINITE);
    fclose(f);
    gemmnet_model_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_is_byte_identical),
        cmocka_unit_test(test_folded_standardization_predicts_the_same),
        cmocka_unit_test(test_torch_exports_predict_what_pytorch_does),
        cmocka_unit_test(test_ops_outside_the_subset_are_named),
        cmocka_unit_test(test_attributes_gemmnet_cannot_hold),
        cmocka_unit_test(test_broken_chains),
        cmocka_unit_test(test_tensors_gemmnet_cannot_read),
        cmocka_unit_test(test_metadata_and_versions),
        cmocka_unit_test(test_huge_graphs),
        cmocka_unit_test(test_not_onnx),
        cmocka_unit_test(test_truncations),
        cmocka_unit_test(test_allocation_failures),
        cmocka_unit_test(test_write_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
