#!/usr/bin/env python3
"""Writes tests/data/onnx/: small MLPs exported by torch.onnx.export in the
forms it takes (Gemm with transB; MatMul+Add; Flatten and initializers as
graph inputs), with 5 input rows and what PyTorch predicts for them, so that
test_onnx.c checks gemmnet's importer against PyTorch without PyTorch.

Run with Debian's python3-torch and python3-onnx (1.13 and 1.12):
    /usr/bin/python3 tests/onnx/make_fixtures.py
Each NAME.onnx comes with NAME.csv: rows "x1,...,xD,p1,...,pK", PyTorch's
softmax probabilities (of the logits when the model has no Softmax).
"""
import os
import sys

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "onnx")


def sequential(*layers):
    torch.manual_seed(7)
    return torch.nn.Sequential(*layers).eval()


def export(name, model, example, rows, **kwargs):
    path = os.path.join(OUT, name + ".onnx")
    torch.onnx.export(model, example, path, input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "N"}, "y": {0: "N"}}, **kwargs)
    with torch.no_grad():
        out = model(rows).reshape(rows.shape[0], -1)
        if not isinstance(model[-1], torch.nn.Softmax):
            out = torch.softmax(out, dim=1)
    with open(os.path.join(OUT, name + ".csv"), "w") as f:
        for x, p in zip(rows.reshape(rows.shape[0], -1).tolist(), out.tolist()):
            f.write(",".join("%.9g" % v for v in x + p) + "\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(1)
    rows = torch.randn(5, 3)
    L = torch.nn.Linear
    # Gemm(transB=1), every activation, a final Softmax, opset 13.
    export("torch_gemm", sequential(L(3, 5), torch.nn.Tanh(), L(5, 4), torch.nn.ReLU(), L(4, 4),
                                    torch.nn.LeakyReLU(), L(4, 3), torch.nn.Sigmoid(), L(3, 2),
                                    torch.nn.Softmax(dim=1)),
           torch.zeros(1, 3), rows, opset_version=13)
    # Rank-3 input: torch writes MatMul + Add(bias, product), no Softmax.
    export("torch_matmul", sequential(L(3, 4), torch.nn.Tanh(), L(4, 3)),
           torch.zeros(1, 1, 3), rows.reshape(5, 1, 3))
    # Flatten first, initializers listed as graph inputs, Softmax(dim=-1).
    export("torch_flatten", sequential(torch.nn.Flatten(), L(3, 4), torch.nn.Sigmoid(), L(4, 2),
                                       torch.nn.Softmax(dim=-1)),
           torch.zeros(1, 3), rows, keep_initializers_as_inputs=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
