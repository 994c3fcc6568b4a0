/* An ONNX model into a gemmnet model, when its graph is an MLP gemmnet can
 * hold. The nodes must form one chain from the graph's input to its
 * output, read in order as
 *
 *   [Flatten] [Sub mean] [Div scale] (Gemm | MatMul Add) act … (Gemm | MatMul Add) [Softmax]
 *
 * (Identity anywhere). Everything is checked against what the file itself
 * holds before the model is allocated, so sizes cannot make the importer
 * allocate more than a small multiple of the file; protobuf-c decodes
 * through the caller's allocator, and the onnx.proto subset it decodes is
 * not recursive, so nesting is bounded by the schema. */
#include "io/onnx.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Beyond these a graph cannot be an MLP of GEMMNET_MAX_LAYERS layers; they
 * also bound the name look-ups (each linear in the initializers). */
enum { MAX_GRAPH_NODES = 1024, MAX_GRAPH_TENSORS = 1024, MAX_GRAPH_INPUTS = 1025 };

/* Protobuf (and so ONNX) messages are limited to 2 GiB. */
#define MAX_ONNX_BYTES ((size_t)2 << 30)

/* Where the chain stands. */
typedef enum stage {
    STAGE_START, /* nothing yet: Flatten, Sub, Div or a layer may come */
    STAGE_CENTERED, /* after Sub: Div or a layer */
    STAGE_SCALED, /* after Div: a layer */
    STAGE_MATMUL, /* after MatMul: its Add */
    STAGE_LINEAR, /* after a layer: an activation, Softmax or the end */
    STAGE_ACTIVATED, /* after an activation: a layer */
    STAGE_SOFTMAX /* after Softmax: the end */
} stage;

/* One weight layer as found in the graph. */
typedef struct found_layer {
    const Onnx__TensorProto *weight;
    /* Gemm's transB: weight is stored [out×in]. */
    bool transposed;
    /* The bias, or NULL for none (Gemm without C). */
    const Onnx__TensorProto *bias;
} found_layer;

/* What the walk over the graph found. */
typedef struct onnx_reader {
    const Onnx__ModelProto *model;
    const Onnx__GraphProto *graph;
    gemmnet_error *err;
    stage stage;
    /* The value the chain has reached. */
    const char *current;
    /* The node being read, for messages. */
    size_t node_index;
    const Onnx__NodeProto *node;
    /* Default-domain opset version. */
    int64_t opset;
    int32_t layers;
    int32_t width[GEMMNET_MAX_LAYERS + 1];
    gemmnet_activation activation[GEMMNET_MAX_LAYERS];
    found_layer layer[GEMMNET_MAX_LAYERS];
    const Onnx__TensorProto *mean;
    const Onnx__TensorProto *scale;
} onnx_reader;

/* ---- messages ---------------------------------------------------------- */

/* "node 3 "/0/Gemm" (Gemm): " followed by the formatted reason. */
static int node_fail(onnx_reader *r, int status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static int node_fail(onnx_reader *r, int status, const char *format, ...)
{
    char reason[384];
    va_list args;
    va_start(args, format);
    vsnprintf(reason, sizeof reason, format, args);
    va_end(args);
    const Onnx__NodeProto *n = r->node;
    return gn_fail(r->err, status, "node %zu \"%.64s\" (%.64s): %s", r->node_index,
                   n->name ? n->name : "", n->op_type ? n->op_type : "", reason);
}

/* ---- tensors ------------------------------------------------------------ */

static const Onnx__TensorProto *find_initializer(const onnx_reader *r, const char *name)
{
    if (!name || !*name)
        return NULL;
    for (size_t i = 0; i < r->graph->n_initializer; i++) {
        const char *n = r->graph->initializer[i]->name;
        if (n && strcmp(n, name) == 0)
            return r->graph->initializer[i];
    }
    return NULL;
}

/* Elements of t, after checking that it is float32 data held in the file
 * with as many values as its dims say; 0 after a failure message. Each dim
 * is at most 2^24, so two of them cannot overflow. */
static size_t tensor_count(onnx_reader *r, const Onnx__TensorProto *t)
{
    const char *name = t->name ? t->name : "";
    if (t->data_type != GN_ONNX_FLOAT) {
        node_fail(r, GEMMNET_E_FORMAT,
                  "initializer \"%.64s\" has data type %d; gemmnet reads float32 (1)", name,
                  (int)t->data_type);
        return 0;
    }
    if (t->data_location == GN_ONNX_EXTERNAL || t->n_external_data > 0) {
        node_fail(r, GEMMNET_E_FORMAT, "initializer \"%.64s\" keeps its data in another file",
                  name);
        return 0;
    }
    size_t count = 1;
    for (size_t i = 0; i < t->n_dims; i++) {
        if (t->dims[i] < 1 || t->dims[i] > (1 << 24)) {
            node_fail(r, GEMMNET_E_TOO_LARGE,
                      "initializer \"%.64s\" has dimension %lld, expected 1..2^24", name,
                      (long long)t->dims[i]);
            return 0;
        }
        count *= (size_t)t->dims[i];
    }
    bool raw = t->has_raw_data && t->raw_data.len > 0;
    if ((raw && t->n_float_data > 0) ||
        (raw ? t->raw_data.len / 4 != count || t->raw_data.len % 4 : t->n_float_data != count)) {
        node_fail(r, GEMMNET_E_FORMAT, "initializer \"%.64s\" holds %zu values, its dims say %zu",
                  name, raw ? t->raw_data.len / 4 : t->n_float_data, count);
        return 0;
    }
    return count;
}

/* Value i of a tensor tensor_count accepted. */
static float tensor_value(const Onnx__TensorProto *t, size_t i)
{
    if (t->n_float_data > 0)
        return t->float_data[i];
    const uint8_t *p = t->raw_data.data + 4 * i;
    uint32_t bits =
        (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    float v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

/* The length n of a vector [n] or [1×n]; 0 after a failure message. */
static int64_t vector_length(onnx_reader *r, const Onnx__TensorProto *t)
{
    if (!tensor_count(r, t))
        return 0;
    if (t->n_dims == 1 || (t->n_dims == 2 && t->dims[0] == 1))
        return t->dims[t->n_dims - 1];
    node_fail(r, GEMMNET_E_FORMAT, "\"%.64s\" should be a vector, it has %zu dimensions",
              t->name ? t->name : "", t->n_dims);
    return 0;
}

/* ---- attributes --------------------------------------------------------- */

/* Checks that every attribute of the node is among names[count]. */
static int known_attributes(onnx_reader *r, const char *const *names, size_t count)
{
    for (size_t a = 0; a < r->node->n_attribute; a++) {
        const char *name = r->node->attribute[a]->name ? r->node->attribute[a]->name : "";
        size_t k = 0;
        while (k < count && strcmp(name, names[k]) != 0)
            k++;
        if (k == count)
            return node_fail(r, GEMMNET_E_FORMAT,
                             "attribute \"%.64s\" is outside what gemmnet imports", name);
    }
    return GEMMNET_OK;
}

static const Onnx__AttributeProto *find_attribute(const onnx_reader *r, const char *name)
{
    for (size_t a = 0; a < r->node->n_attribute; a++)
        if (r->node->attribute[a]->name && strcmp(r->node->attribute[a]->name, name) == 0)
            return r->node->attribute[a];
    return NULL;
}

/* Integer attribute name, fallback when absent. */
static int int_attribute(onnx_reader *r, const char *name, int64_t fallback, int64_t *out)
{
    const Onnx__AttributeProto *a = find_attribute(r, name);
    *out = fallback;
    if (!a)
        return GEMMNET_OK;
    if (!a->has_i || (a->has_type && a->type != GN_ONNX_ATTR_INT))
        return node_fail(r, GEMMNET_E_FORMAT, "attribute %s should be an integer", name);
    *out = a->i;
    return GEMMNET_OK;
}

static int float_attribute(onnx_reader *r, const char *name, float fallback, float *out)
{
    const Onnx__AttributeProto *a = find_attribute(r, name);
    *out = fallback;
    if (!a)
        return GEMMNET_OK;
    if (!a->has_f || (a->has_type && a->type != GN_ONNX_ATTR_FLOAT))
        return node_fail(r, GEMMNET_E_FORMAT, "attribute %s should be a float", name);
    *out = a->f;
    return GEMMNET_OK;
}

/* ---- the chain ---------------------------------------------------------- */

/* The node's other input (not the chain's), an initializer; NULL after a
 * failure message. The node must take the chain's value and one more. */
static const Onnx__TensorProto *operand(onnx_reader *r, bool either_order)
{
    const Onnx__NodeProto *n = r->node;
    if (n->n_input != 2) {
        node_fail(r, GEMMNET_E_FORMAT, "expected 2 inputs, it has %zu", n->n_input);
        return NULL;
    }
    size_t other = 1;
    if (either_order && n->input[1] && strcmp(n->input[1], r->current) == 0)
        other = 0;
    if (!n->input[1 - other] || strcmp(n->input[1 - other], r->current) != 0) {
        node_fail(r, GEMMNET_E_FORMAT, "does not take \"%.64s\", the value the chain has reached",
                  r->current);
        return NULL;
    }
    const Onnx__TensorProto *t = find_initializer(r, n->input[other]);
    if (!t)
        node_fail(r, GEMMNET_E_FORMAT, "input \"%.64s\" is not an initializer (a constant)",
                  n->input[other] ? n->input[other] : "");
    return t;
}

/* Sub(x, mean) or Div(x, scale) before the first layer. */
static int read_standardization(onnx_reader *r, bool is_sub)
{
    if (r->stage == STAGE_SCALED || (is_sub && r->stage != STAGE_START))
        return node_fail(r, GEMMNET_E_FORMAT,
                         "standardisation must be Sub then Div, once, before the first layer");
    const Onnx__TensorProto *t = operand(r, false);
    if (!t || known_attributes(r, NULL, 0) != GEMMNET_OK)
        return GEMMNET_E_FORMAT;
    int64_t n = vector_length(r, t);
    if (n == 0)
        return r->err ? r->err->status : GEMMNET_E_FORMAT;
    if (r->width[0] && n != r->width[0])
        return node_fail(r, GEMMNET_E_SHAPE, "has %lld values for %d inputs", (long long)n,
                         (int)r->width[0]);
    r->width[0] = (int32_t)n;
    if (is_sub)
        r->mean = t;
    else
        r->scale = t;
    r->stage = is_sub ? STAGE_CENTERED : STAGE_SCALED;
    return GEMMNET_OK;
}

/* Records W (stored [in×out], or [out×in] when transposed) as the next
 * layer and checks that it takes the chain's width. */
static int add_layer(onnx_reader *r, const Onnx__TensorProto *w, bool transposed)
{
    if (!tensor_count(r, w))
        return r->err ? r->err->status : GEMMNET_E_FORMAT;
    if (w->n_dims != 2)
        return node_fail(r, GEMMNET_E_FORMAT, "weight \"%.64s\" has %zu dimensions, expected 2",
                         w->name ? w->name : "", w->n_dims);
    if (r->layers == GEMMNET_MAX_LAYERS)
        return node_fail(r, GEMMNET_E_TOO_LARGE, "more than %d layers", GEMMNET_MAX_LAYERS);
    int64_t in = w->dims[transposed ? 1 : 0], out = w->dims[transposed ? 0 : 1];
    int32_t *width = r->width + r->layers;
    if (*width && in != *width)
        return node_fail(r, GEMMNET_E_SHAPE,
                         "weight \"%.64s\" takes %lld inputs, the previous layer gives %d",
                         w->name ? w->name : "", (long long)in, (int)*width);
    width[0] = (int32_t)in;
    width[1] = (int32_t)out;
    r->layer[r->layers++] = (found_layer){w, transposed, NULL};
    return GEMMNET_OK;
}

/* Checks that bias b fits the layer just added. */
static int set_bias(onnx_reader *r, const Onnx__TensorProto *b)
{
    int64_t n = vector_length(r, b);
    if (n == 0)
        return r->err ? r->err->status : GEMMNET_E_FORMAT;
    if (n != r->width[r->layers])
        return node_fail(r, GEMMNET_E_SHAPE, "bias \"%.64s\" has %lld values for %d outputs",
                         b->name ? b->name : "", (long long)n, (int)r->width[r->layers]);
    r->layer[r->layers - 1].bias = b;
    return GEMMNET_OK;
}

static bool layer_may_start(const onnx_reader *r)
{
    return r->stage == STAGE_START || r->stage == STAGE_CENTERED || r->stage == STAGE_SCALED ||
           r->stage == STAGE_ACTIVATED;
}

/* Gemm(x, B, C) with alpha = beta = 1 and transA = 0. */
static int read_gemm(onnx_reader *r)
{
    static const char *const names[] = {"alpha", "beta", "transA", "transB"};
    const Onnx__NodeProto *n = r->node;
    if (!layer_may_start(r))
        return node_fail(r, GEMMNET_E_FORMAT, "two layers without an activation between them");
    if (known_attributes(r, names, 4) != GEMMNET_OK)
        return GEMMNET_E_FORMAT;
    float alpha, beta;
    int64_t trans_a, trans_b;
    if (float_attribute(r, "alpha", 1.0f, &alpha) || float_attribute(r, "beta", 1.0f, &beta) ||
        int_attribute(r, "transA", 0, &trans_a) || int_attribute(r, "transB", 0, &trans_b))
        return GEMMNET_E_FORMAT;
    if (alpha != 1.0f || beta != 1.0f || trans_a != 0 || (trans_b != 0 && trans_b != 1))
        return node_fail(r, GEMMNET_E_FORMAT,
                         "gemmnet imports Gemm with alpha = beta = 1 and transA = 0");
    if (n->n_input < 2 || n->n_input > 3 || !n->input[0] || strcmp(n->input[0], r->current) != 0)
        return node_fail(r, GEMMNET_E_FORMAT, "expected Gemm(\"%.64s\", weight[, bias])",
                         r->current);
    const Onnx__TensorProto *w = find_initializer(r, n->input[1]);
    if (!w)
        return node_fail(r, GEMMNET_E_FORMAT, "weight \"%.64s\" is not an initializer",
                         n->input[1] ? n->input[1] : "");
    int status = add_layer(r, w, trans_b == 1);
    if (status != GEMMNET_OK)
        return status;
    if (n->n_input == 3 && n->input[2] && *n->input[2]) {
        const Onnx__TensorProto *b = find_initializer(r, n->input[2]);
        if (!b)
            return node_fail(r, GEMMNET_E_FORMAT, "bias \"%.64s\" is not an initializer",
                             n->input[2]);
        if ((status = set_bias(r, b)) != GEMMNET_OK)
            return status;
    }
    r->stage = STAGE_LINEAR;
    return GEMMNET_OK;
}

static int read_matmul(onnx_reader *r)
{
    if (!layer_may_start(r))
        return node_fail(r, GEMMNET_E_FORMAT, "two layers without an activation between them");
    const Onnx__TensorProto *w = operand(r, false);
    if (!w || known_attributes(r, NULL, 0) != GEMMNET_OK)
        return GEMMNET_E_FORMAT;
    int status = add_layer(r, w, false);
    r->stage = STAGE_MATMUL;
    return status;
}

static int read_add(onnx_reader *r)
{
    if (r->stage != STAGE_MATMUL)
        return node_fail(r, GEMMNET_E_FORMAT,
                         "gemmnet imports Add only as the bias after a MatMul");
    const Onnx__TensorProto *b = operand(r, true);
    if (!b || known_attributes(r, NULL, 0) != GEMMNET_OK)
        return GEMMNET_E_FORMAT;
    r->stage = STAGE_LINEAR;
    return set_bias(r, b);
}

static int read_activation(onnx_reader *r, gemmnet_activation f)
{
    static const char *const alpha[] = {"alpha"};
    if (r->stage != STAGE_LINEAR)
        return node_fail(r, GEMMNET_E_FORMAT, "an activation must follow a layer");
    if (known_attributes(r, alpha, f == GEMMNET_ACT_LEAKY_RELU ? 1 : 0) != GEMMNET_OK)
        return GEMMNET_E_FORMAT;
    float slope;
    if (float_attribute(r, "alpha", GN_LEAKY_SLOPE, &slope) != GEMMNET_OK)
        return GEMMNET_E_FORMAT;
    if (slope != GN_LEAKY_SLOPE)
        return node_fail(r, GEMMNET_E_FORMAT, "alpha %g; gemmnet's leaky relu has slope 0.01",
                         (double)slope);
    r->activation[r->layers - 1] = f;
    r->stage = STAGE_ACTIVATED;
    return GEMMNET_OK;
}

static int read_softmax(onnx_reader *r)
{
    static const char *const names[] = {"axis"};
    if (r->stage != STAGE_LINEAR)
        return node_fail(r, GEMMNET_E_FORMAT, "Softmax must follow the last layer");
    int64_t axis;
    if (known_attributes(r, names, 1) != GEMMNET_OK ||
        int_attribute(r, "axis", r->opset >= 13 ? -1 : 1, &axis) != GEMMNET_OK)
        return GEMMNET_E_FORMAT;
    if (axis != 1 && axis != -1)
        return node_fail(r, GEMMNET_E_FORMAT,
                         "axis %lld; gemmnet's softmax runs over the classes (axis 1)",
                         (long long)axis);
    r->stage = STAGE_SOFTMAX;
    return GEMMNET_OK;
}

static int read_flatten(onnx_reader *r)
{
    static const char *const names[] = {"axis"};
    int64_t axis;
    if (r->stage != STAGE_START || r->node_index != 0)
        return node_fail(r, GEMMNET_E_FORMAT, "gemmnet imports Flatten only as the first node");
    if (known_attributes(r, names, 1) != GEMMNET_OK ||
        int_attribute(r, "axis", 1, &axis) != GEMMNET_OK)
        return GEMMNET_E_FORMAT;
    if (axis != 1)
        return node_fail(r, GEMMNET_E_FORMAT, "axis %lld; rows are flattened from axis 1",
                         (long long)axis);
    /* The rows become D = the product of the other dims, whatever the
     * input's shape said: the first layer decides D. */
    r->width[0] = 0;
    return GEMMNET_OK;
}

/* Dispatches on the node's op. */
static int read_op(onnx_reader *r)
{
    const char *op = r->node->op_type ? r->node->op_type : "";
    for (int f = 0; f < GEMMNET_ACTIVATION_COUNT; f++)
        if (strcmp(op, gn_onnx_activation_ops[f]) == 0)
            return read_activation(r, (gemmnet_activation)f);
    if (strcmp(op, "Gemm") == 0)
        return read_gemm(r);
    if (strcmp(op, "MatMul") == 0)
        return read_matmul(r);
    if (strcmp(op, "Add") == 0)
        return read_add(r);
    if (strcmp(op, "Softmax") == 0)
        return read_softmax(r);
    if (strcmp(op, "Sub") == 0 || strcmp(op, "Div") == 0)
        return read_standardization(r, op[0] == 'S');
    if (strcmp(op, "Flatten") == 0)
        return read_flatten(r);
    if (strcmp(op, "Identity") == 0)
        return GEMMNET_OK;
    return node_fail(r, GEMMNET_E_FORMAT,
                     "op outside the MLP subset gemmnet imports (Gemm, MatMul+Add, Tanh, Relu, "
                     "LeakyRelu, Sigmoid, Softmax, Sub/Div standardisation, Flatten, Identity)");
}

/* One node: it must continue the chain (single output, standard domain). */
static int read_node(onnx_reader *r)
{
    const Onnx__NodeProto *n = r->node;
    if (n->domain && *n->domain && strcmp(n->domain, "ai.onnx") != 0)
        return node_fail(r, GEMMNET_E_FORMAT,
                         "domain \"%.64s\" is not the standard ONNX operator set", n->domain);
    if (r->stage == STAGE_SOFTMAX)
        return node_fail(r, GEMMNET_E_FORMAT, "nothing may follow the final Softmax");
    bool takes_current = false;
    for (size_t i = 0; i < n->n_input; i++)
        takes_current |= n->input[i] && strcmp(n->input[i], r->current) == 0;
    if (!takes_current)
        return node_fail(r, GEMMNET_E_FORMAT,
                         "does not take \"%.64s\", the value the chain has reached", r->current);
    if (n->n_output != 1 || !n->output[0] || !*n->output[0])
        return node_fail(r, GEMMNET_E_FORMAT, "expected one output, it has %zu", n->n_output);
    if (strcmp(n->op_type ? n->op_type : "", "Identity") == 0 && n->n_input != 1)
        return node_fail(r, GEMMNET_E_FORMAT, "expected one input");
    int status = read_op(r);
    r->current = n->output[0];
    return status;
}

/* ---- the graph ---------------------------------------------------------- */

/* The default domain's opset version (ai.onnx or ""). */
static int read_opset(onnx_reader *r)
{
    const Onnx__ModelProto *m = r->model;
    if (!m->graph)
        return gn_fail(r->err, GEMMNET_E_FORMAT, "no graph: not an ONNX model (or an empty file)");
    if (!m->has_ir_version || m->ir_version < 3 || m->ir_version > 10)
        return gn_fail(
            r->err, GEMMNET_E_VERSION,
            "IR version %lld; gemmnet reads ONNX IR versions 3 to 10 (is this an ONNX file?)",
            (long long)m->ir_version);
    for (size_t i = 0; i < m->n_opset_import; i++) {
        const char *domain = m->opset_import[i]->domain;
        if (!domain || !*domain || strcmp(domain, "ai.onnx") == 0)
            r->opset = m->opset_import[i]->version;
    }
    if (r->opset < 7 || r->opset > 21)
        return gn_fail(r->err, GEMMNET_E_VERSION,
                       "opset %lld of the standard operator set; gemmnet reads opsets 7 to 21",
                       (long long)r->opset);
    return GEMMNET_OK;
}

/* The one graph input that is not an initializer, and its width if known. */
static int read_input(onnx_reader *r)
{
    const Onnx__GraphProto *g = r->graph;
    const Onnx__ValueInfoProto *input = NULL;
    for (size_t i = 0; i < g->n_input; i++) {
        if (find_initializer(r, g->input[i]->name))
            continue;
        if (input)
            return gn_fail(r->err, GEMMNET_E_FORMAT,
                           "the graph has inputs \"%.64s\" and \"%.64s\"; an MLP has one",
                           input->name ? input->name : "",
                           g->input[i]->name ? g->input[i]->name : "");
        input = g->input[i];
    }
    if (!input || !input->name || !*input->name)
        return gn_fail(r->err, GEMMNET_E_FORMAT, "the graph has no named input");
    r->current = input->name;
    const Onnx__TypeProto *type = input->type;
    if (!type || type->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE)
        return GEMMNET_OK;
    const Onnx__TypeProto__Tensor *t = type->tensor_type;
    if (t->has_elem_type && t->elem_type != GN_ONNX_FLOAT)
        return gn_fail(r->err, GEMMNET_E_FORMAT,
                       "input \"%.64s\" has element type %d; gemmnet reads float32 (1)",
                       input->name, (int)t->elem_type);
    if (t->shape && t->shape->n_dim == 2 &&
        t->shape->dim[1]->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE) {
        int64_t d = t->shape->dim[1]->dim_value;
        if (d < 1 || d > (1 << 24))
            return gn_fail(r->err, GEMMNET_E_TOO_LARGE,
                           "input \"%.64s\" has %lld features, expected 1..2^24", input->name,
                           (long long)d);
        r->width[0] = (int32_t)d;
    }
    return GEMMNET_OK;
}

/* Walks the whole graph; on success r holds the layers. */
static int read_graph(onnx_reader *r)
{
    const Onnx__GraphProto *g = r->model->graph;
    if (!g)
        return gn_fail(r->err, GEMMNET_E_FORMAT, "no graph: not an ONNX model (or an empty file)");
    r->graph = g;
    if (g->n_node > MAX_GRAPH_NODES || g->n_initializer > MAX_GRAPH_TENSORS ||
        g->n_input > MAX_GRAPH_INPUTS)
        return gn_fail(
            r->err, GEMMNET_E_TOO_LARGE,
            "the graph has %zu nodes, %zu initializers and %zu inputs; an MLP of at most %d "
            "layers has far fewer",
            g->n_node, g->n_initializer, g->n_input, GEMMNET_MAX_LAYERS);
    int status = read_input(r);
    for (size_t i = 0; status == GEMMNET_OK && i < g->n_node; i++) {
        r->node_index = i;
        r->node = g->node[i];
        status = read_node(r);
    }
    if (status != GEMMNET_OK)
        return status;
    if (r->layers == 0)
        return gn_fail(r->err, GEMMNET_E_FORMAT, "the graph has no Gemm or MatMul layer");
    if (r->stage != STAGE_LINEAR && r->stage != STAGE_SOFTMAX)
        return gn_fail(r->err, GEMMNET_E_FORMAT,
                       "the graph ends after %s; it should end with the last layer or its Softmax",
                       r->stage == STAGE_MATMUL ? "a MatMul without its bias Add"
                                                : "an activation");
    if (g->n_output != 1 || !g->output[0]->name || strcmp(g->output[0]->name, r->current) != 0)
        return gn_fail(
            r->err, GEMMNET_E_FORMAT,
            "the graph's output should be \"%.64s\", the end of the chain (it has %zu outputs)",
            r->current, g->n_output);
    if (r->width[r->layers] < 2)
        return gn_fail(r->err, GEMMNET_E_FORMAT,
                       "the last layer has %d output; gemmnet classifies into 2 or more classes",
                       (int)r->width[r->layers]);
    return GEMMNET_OK;
}

/* ---- the model ---------------------------------------------------------- */

/* Copies the layers' weights and biases into m, checking they are finite. */
static int copy_parameters(const onnx_reader *r, gemmnet_model *m, gemmnet_error *err)
{
    for (int32_t l = 1; l <= r->layers; l++) {
        const found_layer *f = &r->layer[l - 1];
        size_t in = (size_t)r->width[l - 1], out = (size_t)r->width[l];
        float *w = m->parameters + m->weight_offset[l - 1],
              *b = m->parameters + m->bias_offset[l - 1];
        for (size_t i = 0; i < in; i++)
            for (size_t j = 0; j < out; j++)
                w[i * out + j] = tensor_value(f->weight, f->transposed ? j * in + i : i * out + j);
        for (size_t j = 0; j < out; j++)
            b[j] = f->bias ? tensor_value(f->bias, j) : 0.0f;
    }
    if (!gn_all_finite(m->parameters, m->parameter_count))
        return gn_fail(err, GEMMNET_E_NONFINITE, "the weights hold NaN or Inf");
    return GEMMNET_OK;
}

static int copy_standardization(const onnx_reader *r, gemmnet_model *m, gemmnet_error *err)
{
    if (!r->mean && !r->scale)
        return GEMMNET_OK;
    size_t d = (size_t)r->width[0];
    float *stats = gn_alloc(&m->allocator, 2 * d * sizeof(float));
    if (!stats)
        return gn_fail(err, GEMMNET_E_NOMEM, "cannot allocate the standardisation");
    for (size_t j = 0; j < d; j++) {
        stats[j] = r->mean ? tensor_value(r->mean, j) : 0.0f;
        stats[d + j] = r->scale ? tensor_value(r->scale, j) : 1.0f;
    }
    int status = gemmnet_model_set_standardization(m, stats, stats + d, err);
    gn_release(&m->allocator, stats);
    return status;
}

static const char *metadata(const Onnx__ModelProto *model, const char *key)
{
    for (size_t i = 0; i < model->n_metadata_props; i++) {
        const Onnx__StringStringEntryProto *e = model->metadata_props[i];
        if (e->key && strcmp(e->key, key) == 0)
            return e->value ? e->value : "";
    }
    return NULL;
}

/* class_names: K lines. */
static int copy_class_names(const char *text, gemmnet_model *m, gemmnet_error *err)
{
    size_t k = (size_t)m->width[m->layers], lines = 1, length = strlen(text);
    for (const char *c = text; *c; c++)
        lines += *c == '\n';
    if (lines != k)
        return gn_fail(err, GEMMNET_E_FORMAT, "metadata class_names has %zu lines for %zu classes",
                       lines, k);
    char *copy = gn_alloc(&m->allocator, length + 1 + k * sizeof(char *));
    if (!copy)
        return gn_fail(err, GEMMNET_E_NOMEM, "cannot allocate the class names");
    const char **names = (const char **)(void *)copy;
    char *strings = copy + k * sizeof(char *);
    memcpy(strings, text, length + 1);
    for (size_t c = 0; c < k; c++) {
        names[c] = strings;
        strings += strcspn(strings, "\n");
        *strings++ = '\0';
    }
    gemmnet_error detail = {0};
    int status = gemmnet_model_set_class_names(m, names, &detail);
    gn_release(&m->allocator, copy);
    return status == GEMMNET_OK ? status
                                : gn_fail(err, status, "metadata class_names: %s", detail.message);
}

/* gemmnet_loss and gemmnet_l2, when both are there and valid. */
static int copy_loss(const Onnx__ModelProto *model, gemmnet_model *m, gemmnet_error *err)
{
    const char *loss = metadata(model, GN_ONNX_KEY_LOSS),
               *l2_text = metadata(model, GN_ONNX_KEY_L2);
    if (!loss && !l2_text)
        return GEMMNET_OK;
    locale_t c_locale, caller_locale;
    if (!gn_enter_c_locale(&c_locale, &caller_locale))
        return gn_fail(err, GEMMNET_E_NOMEM, "cannot create the C locale: %s", strerror(errno));
    char *end = NULL;
    float l2 = l2_text ? strtof(l2_text, &end) : 0.0f;
    gn_leave_c_locale(c_locale, caller_locale);
    bool sum = loss && strcmp(loss, "sum") == 0, mean = loss && strcmp(loss, "mean") == 0;
    if (!(sum || mean) || !l2_text || end == l2_text || *end || !isfinite(l2) || l2 < 0.0f)
        return gn_fail(
            err, GEMMNET_E_FORMAT,
            "metadata gemmnet_loss and gemmnet_l2 should be sum or mean and a number ≥ 0");
    return gemmnet_model_set_loss(m, mean ? GEMMNET_REDUCTION_MEAN : GEMMNET_REDUCTION_SUM, l2);
}

static int make_model(const onnx_reader *r,
                      const gemmnet_allocator *allocator,
                      gemmnet_model **out,
                      gemmnet_error *err)
{
    int32_t hidden[GEMMNET_MAX_LAYERS];
    for (int32_t l = 1; l < r->layers; l++)
        hidden[l - 1] = r->width[l];
    gemmnet_architecture arch = {r->width[0], r->width[r->layers], r->layers - 1, hidden,
                                 r->activation};
    gemmnet_model *m = NULL;
    int status = gemmnet_model_create(&arch, allocator, &m, err);
    if (status == GEMMNET_OK)
        status = copy_parameters(r, m, err);
    if (status == GEMMNET_OK)
        status = copy_standardization(r, m, err);
    const char *names = metadata(r->model, GN_ONNX_KEY_CLASS_NAMES);
    if (status == GEMMNET_OK && names)
        status = copy_class_names(names, m, err);
    if (status == GEMMNET_OK)
        status = copy_loss(r->model, m, err);
    if (status != GEMMNET_OK) {
        gemmnet_model_destroy(m);
        return status;
    }
    *out = m;
    return GEMMNET_OK;
}

GEMMNET_API int gemmnet_model_read_onnx(const void *bytes,
                                        size_t size,
                                        const gemmnet_allocator *allocator,
                                        gemmnet_model **model,
                                        gemmnet_error *err)
{
    if (model)
        *model = NULL;
    if (!model || (!bytes && size > 0))
        return gn_fail(err, GEMMNET_E_INVALID, "read_onnx: bytes and a model pointer are required");
    if (size > MAX_ONNX_BYTES)
        return gn_fail(err, GEMMNET_E_TOO_LARGE,
                       "%zu bytes; protobuf (and ONNX) files hold at most 2 GiB", size);
    gemmnet_allocator a = gn_allocator_or_default(allocator);
    ProtobufCAllocator pa = gn_onnx_allocator(&a);
    Onnx__ModelProto *proto = onnx__model_proto__unpack(&pa, size, bytes);
    if (!proto)
        return gn_fail(err, GEMMNET_E_FORMAT,
                       "not an ONNX model: the protobuf does not decode (truncated, corrupt, or "
                       "out of memory)");
    onnx_reader r = {.model = proto, .err = err};
    int status = read_opset(&r);
    if (status == GEMMNET_OK)
        status = read_graph(&r);
    if (status == GEMMNET_OK)
        status = make_model(&r, allocator, model, err);
    onnx__model_proto__free_unpacked(proto, &pa);
    return status;
}
