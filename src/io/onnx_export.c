/* A model as an ONNX file (IR 8, opset 13), written with protobuf-c:
 *
 *   input[N×D] → (Sub mean[D] → Div scale[D]) → Gemm W1[D×H1] b1 → act → …
 *              → Gemm WL[H×K] bL → Softmax(axis 1) → probabilities[N×K]
 *
 * N is symbolic ("N"). Weights keep gemmnet's layout, W[in×out], so Gemm
 * needs no transB. With GEMMNET_ONNX_FOLD_STANDARDIZATION the Sub and Div
 * are folded into the first layer instead. The metadata carries gemmnet's
 * version, the class names and the loss convention, so that importing the
 * file gives back the model file byte for byte (without folding). */
#include "io/onnx.h"

#include <errno.h>
#include <string.h>

const char *const gn_onnx_activation_ops[GEMMNET_ACTIVATION_COUNT] = {
    [GEMMNET_ACT_TANH] = "Tanh",
    [GEMMNET_ACT_RELU] = "Relu",
    [GEMMNET_ACT_LEAKY_RELU] = "LeakyRelu",
    [GEMMNET_ACT_SIGMOID] = "Sigmoid",
};

static void *pb_alloc(void *context, size_t size)
{
    return gn_alloc(context, size);
}

static void pb_free(void *context, void *ptr)
{
    gn_release(context, ptr);
}

ProtobufCAllocator gn_onnx_allocator(gemmnet_allocator *a)
{
    return (ProtobufCAllocator){pb_alloc, pb_free, a};
}

/* Nodes: Sub, Div, then per layer a Gemm and an activation (Softmax for
 * the last). Tensors: mean, scale, then W and b per layer. */
enum {
    MAX_NODES = 2 + 2 * GEMMNET_MAX_LAYERS,
    MAX_TENSORS = 2 + 2 * GEMMNET_MAX_LAYERS,
    NAME_SIZE = 24,
    MAX_METADATA = 4,
};

/* Every message of one exported model; the strings and floats they point
 * to belong to the model or to this struct (or to folded[]). */
typedef struct onnx_parts {
    Onnx__ModelProto model;
    Onnx__OperatorSetIdProto opset;
    Onnx__OperatorSetIdProto *opset_ptr;
    Onnx__GraphProto graph;
    Onnx__NodeProto nodes[MAX_NODES];
    Onnx__NodeProto *node_ptrs[MAX_NODES];
    /* Each node's inputs (at most 3) and output name. */
    char *node_inputs[MAX_NODES][3];
    char *node_outputs[MAX_NODES][1];
    char node_names[MAX_NODES][NAME_SIZE];
    /* One attribute per node at most: LeakyRelu's alpha, Softmax's axis. */
    Onnx__AttributeProto attributes[MAX_NODES];
    Onnx__AttributeProto *attribute_ptrs[MAX_NODES];
    Onnx__TensorProto tensors[MAX_TENSORS];
    Onnx__TensorProto *tensor_ptrs[MAX_TENSORS];
    int64_t tensor_dims[MAX_TENSORS][2];
    /* Value names: outputs of the nodes, then the tensors'. */
    char value_names[MAX_NODES + MAX_TENSORS][NAME_SIZE];
    size_t value_count;
    /* The graph's input and output. */
    Onnx__ValueInfoProto io[2];
    Onnx__ValueInfoProto *io_ptrs[2];
    Onnx__TypeProto types[2];
    Onnx__TypeProto__Tensor tensor_types[2];
    Onnx__TensorShapeProto shapes[2];
    Onnx__TensorShapeProto__Dimension dims[2][2];
    Onnx__TensorShapeProto__Dimension *dim_ptrs[2][2];
    Onnx__StringStringEntryProto metadata[MAX_METADATA];
    Onnx__StringStringEntryProto *metadata_ptrs[MAX_METADATA];
    char l2_text[32];
    /* The class names joined by '\n' (allocated), or NULL. */
    char *class_names;
    /* With folding, W1'[D×H1] and b1'[H1] (one allocation), else NULL. */
    float *folded;
} onnx_parts;

/* A fresh value name from printf-style arguments. */
static char *value_name(onnx_parts *p, const char *prefix, int32_t index)
{
    char *name = p->value_names[p->value_count++];
    if (index > 0)
        snprintf(name, NAME_SIZE, "%s%d", prefix, (int)index);
    else
        snprintf(name, NAME_SIZE, "%s", prefix);
    return name;
}

/* A float tensor dims[rank] named name holding values[count] (not copied:
 * protobuf-c only reads it). */
static char *add_tensor(onnx_parts *p,
                        const char *prefix,
                        int32_t index,
                        const int64_t *dims,
                        size_t rank,
                        const float *values)
{
    size_t t = p->graph.n_initializer++;
    Onnx__TensorProto *tensor = &p->tensors[t];
    onnx__tensor_proto__init(tensor);
    memcpy(p->tensor_dims[t], dims, rank * sizeof *dims);
    tensor->n_dims = rank;
    tensor->dims = p->tensor_dims[t];
    tensor->has_data_type = 1;
    tensor->data_type = GN_ONNX_FLOAT;
    tensor->n_float_data = (size_t)(rank == 1 ? dims[0] : dims[0] * dims[1]);
    tensor->float_data = (float *)values;
    tensor->name = value_name(p, prefix, index);
    p->tensor_ptrs[t] = tensor;
    return tensor->name;
}

/* Appends node name_prefix+index = op(inputs[count]) → a new value named
 * output_prefix+index (no index for the last layer's "logits"); returns
 * that value's name. */
static char *add_node(onnx_parts *p,
                      const char *op,
                      const char *name_prefix,
                      int32_t index,
                      char *const *inputs,
                      size_t count,
                      const char *output_prefix)
{
    size_t n = p->graph.n_node++;
    Onnx__NodeProto *node = &p->nodes[n];
    onnx__node_proto__init(node);
    memcpy(p->node_inputs[n], inputs, count * sizeof *inputs);
    node->n_input = count;
    node->input = p->node_inputs[n];
    bool numbered = strcmp(output_prefix, "logits") != 0;
    p->node_outputs[n][0] = value_name(p, output_prefix, numbered ? index : 0);
    node->n_output = 1;
    node->output = p->node_outputs[n];
    if (index > 0)
        snprintf(p->node_names[n], NAME_SIZE, "%s%d", name_prefix, (int)index);
    else
        snprintf(p->node_names[n], NAME_SIZE, "%s", name_prefix);
    node->name = p->node_names[n];
    node->op_type = (char *)op;
    p->node_ptrs[n] = node;
    return p->node_outputs[n][0];
}

/* Gives the last node added one attribute. */
static Onnx__AttributeProto *add_attribute(onnx_parts *p, const char *name, int32_t type)
{
    size_t n = p->graph.n_node - 1;
    Onnx__AttributeProto *a = &p->attributes[n];
    onnx__attribute_proto__init(a);
    a->name = (char *)name;
    a->has_type = 1;
    a->type = type;
    p->attribute_ptrs[n] = a;
    p->nodes[n].n_attribute = 1;
    p->nodes[n].attribute = &p->attribute_ptrs[n];
    return a;
}

/* W1' = diag(1/scale)·W1 and b1' = b1 − (mean/scale)·W1, in double, so
 * that W1'ᵀx + b1' = W1ᵀ((x − mean)/scale) + b1 up to rounding. */
static int fold_standardization(const gemmnet_model *m, onnx_parts *p, gemmnet_error *err)
{
    size_t d = (size_t)m->width[0], h = (size_t)m->width[1];
    p->folded = gn_alloc(&m->allocator, (d * h + h) * sizeof(float));
    if (!p->folded)
        return gn_fail(err, GEMMNET_E_NOMEM, "cannot allocate the folded first layer");
    const float *w = m->parameters + m->weight_offset[0], *b = m->parameters + m->bias_offset[0];
    for (size_t j = 0; j < h; j++) {
        double bias = b[j];
        for (size_t i = 0; i < d; i++)
            bias -= (double)m->mean[i] / m->scale[i] * w[i * h + j];
        p->folded[d * h + j] = (float)bias;
    }
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < h; j++)
            p->folded[i * h + j] = (float)((double)w[i * h + j] / m->scale[i]);
    return GEMMNET_OK;
}

/* The standardisation nodes (unless folded); returns the first layer's input. */
static char *add_standardization(const gemmnet_model *m, onnx_parts *p, char *input, bool fold)
{
    if (!m->mean || fold)
        return input;
    int64_t dims[1] = {m->width[0]};
    char *sub[2] = {input, add_tensor(p, "mean", 0, dims, 1, m->mean)};
    char *centered = add_node(p, "Sub", "standardize_sub", 0, sub, 2, "centered");
    char *div[2] = {centered, add_tensor(p, "scale", 0, dims, 1, m->scale)};
    return add_node(p, "Div", "standardize_div", 0, div, 2, "standardized");
}

/* Gemm, then the activation (Softmax after the last layer), per layer. */
static void add_layers(const gemmnet_model *m, onnx_parts *p, char *input)
{
    char *current = input;
    for (int32_t l = 1; l <= m->layers; l++) {
        const float *w = m->parameters + m->weight_offset[l - 1];
        const float *b = m->parameters + m->bias_offset[l - 1];
        if (l == 1 && p->folded) {
            w = p->folded;
            b = p->folded + (size_t)m->width[0] * (size_t)m->width[1];
        }
        int64_t wdims[2] = {m->width[l - 1], m->width[l]}, bdims[1] = {m->width[l]};
        char *gemm[3] = {current, add_tensor(p, "W", l, wdims, 2, w),
                         add_tensor(p, "b", l, bdims, 1, b)};
        bool last = l == m->layers;
        current = add_node(p, "Gemm", "gemm", l, gemm, 3, last ? "logits" : "z");
        if (last) {
            current = add_node(p, "Softmax", "softmax", 0, &current, 1, "probabilities");
            Onnx__AttributeProto *axis = add_attribute(p, "axis", GN_ONNX_ATTR_INT);
            axis->has_i = 1;
            axis->i = 1;
            break;
        }
        gemmnet_activation f = m->activation[l - 1];
        current = add_node(p, gn_onnx_activation_ops[f], "activation", l, &current, 1, "a");
        if (f == GEMMNET_ACT_LEAKY_RELU) {
            Onnx__AttributeProto *alpha = add_attribute(p, "alpha", GN_ONNX_ATTR_FLOAT);
            alpha->has_f = 1;
            alpha->f = GN_LEAKY_SLOPE;
        }
    }
}

/* io[which] = a float tensor value name[N×width] with N symbolic. */
static void set_io(onnx_parts *p, int which, char *name, int32_t width)
{
    Onnx__TensorShapeProto__Dimension *d = p->dims[which];
    onnx__tensor_shape_proto__dimension__init(&d[0]);
    d[0].value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
    d[0].dim_param = "N";
    onnx__tensor_shape_proto__dimension__init(&d[1]);
    d[1].value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
    d[1].dim_value = width;
    p->dim_ptrs[which][0] = &d[0];
    p->dim_ptrs[which][1] = &d[1];
    onnx__tensor_shape_proto__init(&p->shapes[which]);
    p->shapes[which].n_dim = 2;
    p->shapes[which].dim = p->dim_ptrs[which];
    onnx__type_proto__tensor__init(&p->tensor_types[which]);
    p->tensor_types[which].has_elem_type = 1;
    p->tensor_types[which].elem_type = GN_ONNX_FLOAT;
    p->tensor_types[which].shape = &p->shapes[which];
    onnx__type_proto__init(&p->types[which]);
    p->types[which].value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    p->types[which].tensor_type = &p->tensor_types[which];
    onnx__value_info_proto__init(&p->io[which]);
    p->io[which].name = name;
    p->io[which].type = &p->types[which];
    p->io_ptrs[which] = &p->io[which];
}

static void add_metadata(onnx_parts *p, const char *key, char *value)
{
    size_t n = p->model.n_metadata_props++;
    onnx__string_string_entry_proto__init(&p->metadata[n]);
    p->metadata[n].key = (char *)key;
    p->metadata[n].value = value;
    p->metadata_ptrs[n] = &p->metadata[n];
}

/* The class names, one per line, in one allocation. */
static int join_class_names(const gemmnet_model *m, onnx_parts *p, gemmnet_error *err)
{
    size_t k = (size_t)m->width[m->layers], size = 1;
    for (size_t c = 0; c < k; c++)
        size += strlen(m->class_names[c]) + 1;
    char *text = gn_alloc(&m->allocator, size), *end = text;
    if (!text)
        return gn_fail(err, GEMMNET_E_NOMEM, "cannot allocate the class names");
    for (size_t c = 0; c < k; c++)
        end += sprintf(end, "%s%s", c ? "\n" : "", m->class_names[c]);
    p->class_names = text;
    return GEMMNET_OK;
}

static int add_model_metadata(const gemmnet_model *m, onnx_parts *p, gemmnet_error *err)
{
    p->model.metadata_props = p->metadata_ptrs;
    add_metadata(p, GN_ONNX_KEY_VERSION, GEMMNET_VERSION);
    if (m->class_names) {
        int status = join_class_names(m, p, err);
        if (status != GEMMNET_OK)
            return status;
        add_metadata(p, GN_ONNX_KEY_CLASS_NAMES, p->class_names);
    }
    add_metadata(p, GN_ONNX_KEY_LOSS, m->reduction == GEMMNET_REDUCTION_MEAN ? "mean" : "sum");
    locale_t c_locale, caller_locale;
    if (!gn_enter_c_locale(&c_locale, &caller_locale))
        return gn_fail(err, GEMMNET_E_NOMEM, "cannot create the C locale: %s", strerror(errno));
    snprintf(p->l2_text, sizeof p->l2_text, "%.9g", (double)m->l2);
    gn_leave_c_locale(c_locale, caller_locale);
    add_metadata(p, GN_ONNX_KEY_L2, p->l2_text);
    return GEMMNET_OK;
}

/* Fills every message of p from m. */
static int build(const gemmnet_model *m, onnx_parts *p, bool fold, gemmnet_error *err)
{
    onnx__model_proto__init(&p->model);
    p->model.has_ir_version = 1;
    p->model.ir_version = GN_ONNX_IR_VERSION;
    p->model.producer_name = "gemmnet";
    p->model.producer_version = GEMMNET_VERSION;
    onnx__operator_set_id_proto__init(&p->opset);
    p->opset.domain = "";
    p->opset.has_version = 1;
    p->opset.version = GN_ONNX_OPSET;
    p->opset_ptr = &p->opset;
    p->model.n_opset_import = 1;
    p->model.opset_import = &p->opset_ptr;
    onnx__graph_proto__init(&p->graph);
    p->graph.name = "gemmnet";
    p->graph.node = p->node_ptrs;
    p->graph.initializer = p->tensor_ptrs;
    p->model.graph = &p->graph;
    int status = fold && m->mean ? fold_standardization(m, p, err) : GEMMNET_OK;
    if (status != GEMMNET_OK)
        return status;
    char *input = value_name(p, "input", 0);
    add_layers(m, p, add_standardization(m, p, input, fold));
    set_io(p, 0, input, m->width[0]);
    set_io(p, 1, p->node_outputs[p->graph.n_node - 1][0], m->width[m->layers]);
    p->graph.n_input = p->graph.n_output = 1;
    p->graph.input = &p->io_ptrs[0];
    p->graph.output = &p->io_ptrs[1];
    return add_model_metadata(m, p, err);
}

/* Packs p and writes the bytes to file. */
static int write_packed(const gemmnet_model *m, const onnx_parts *p, FILE *file, gemmnet_error *err)
{
    size_t size = onnx__model_proto__get_packed_size(&p->model);
    uint8_t *bytes = gn_alloc(&m->allocator, size);
    if (!bytes)
        return gn_fail(err, GEMMNET_E_NOMEM, "cannot allocate %zu bytes for the ONNX file", size);
    onnx__model_proto__pack(&p->model, bytes);
    int status = GEMMNET_OK;
    if (fwrite(bytes, 1, size, file) != size || fflush(file) != 0)
        status = gn_fail(err, GEMMNET_E_IO, "cannot write the ONNX file: %s", strerror(errno));
    gn_release(&m->allocator, bytes);
    return status;
}

GEMMNET_API int
gemmnet_model_write_onnx(const gemmnet_model *model, FILE *file, unsigned flags, gemmnet_error *err)
{
    if (!model || !file || (flags & ~GEMMNET_ONNX_FOLD_STANDARDIZATION))
        return gn_fail(err, GEMMNET_E_INVALID,
                       "write_onnx: a model, a file and known flags are required");
    if (!gn_all_finite(model->parameters, model->parameter_count))
        return gn_fail(err, GEMMNET_E_NONFINITE, "the model has NaN or Inf parameters");
    onnx_parts *p = gn_alloc_zero(&model->allocator, sizeof *p);
    if (!p)
        return gn_fail(err, GEMMNET_E_NOMEM, "cannot allocate the ONNX messages");
    int status = build(model, p, (flags & GEMMNET_ONNX_FOLD_STANDARDIZATION) != 0, err);
    if (status == GEMMNET_OK)
        status = write_packed(model, p, file, err);
    gn_release(&model->allocator, p->folded);
    gn_release(&model->allocator, p->class_names);
    gn_release(&model->allocator, p);
    return status;
}
