/* What the ONNX exporter (onnx_export.c) and importer (onnx_import.c)
 * share: the protobuf-c messages generated from onnx.proto, the numbers of
 * the ONNX specification they use, and the metadata keys gemmnet writes. */
#ifndef GEMMNET_ONNX_H
#define GEMMNET_ONNX_H

#include "io/io.h"
#include "onnx.pb-c.h"

/* What the exporter writes: IR version 8 with the default opset 13 (both
 * read by onnx 1.12's checker and by ONNX Runtime). */
enum { GN_ONNX_IR_VERSION = 8, GN_ONNX_OPSET = 13 };

/* TensorProto.DataType values. */
enum { GN_ONNX_FLOAT = 1, GN_ONNX_DOUBLE = 11 };

/* AttributeProto.AttributeType values. */
enum { GN_ONNX_ATTR_FLOAT = 1, GN_ONNX_ATTR_INT = 2 };

/* TensorProto.DataLocation: data in another file. */
enum { GN_ONNX_EXTERNAL = 1 };

/* metadata_props keys: gemmnet's version, the class names (one per line,
 * class k on line k: names never hold control characters), the loss
 * convention ("sum" or "mean") and the L2 strength (%.9g). */
#define GN_ONNX_KEY_VERSION "gemmnet_version"
#define GN_ONNX_KEY_CLASS_NAMES "class_names"
#define GN_ONNX_KEY_LOSS "gemmnet_loss"
#define GN_ONNX_KEY_L2 "gemmnet_l2"

/* ONNX names of gemmnet's activations, indexed by gemmnet_activation. */
extern const char *const gn_onnx_activation_ops[GEMMNET_ACTIVATION_COUNT];

/* protobuf-c's allocator hooks over a gemmnet allocator (context: a
 * gemmnet_allocator, which must outlive the allocator returned). */
ProtobufCAllocator gn_onnx_allocator(gemmnet_allocator *a);

#endif /* GEMMNET_ONNX_H */
