#!/usr/bin/env python3
"""ONNX's own checker and PyTorch against gemmnet's ONNX export and import.

Usage: check_python.py GEMMNET DIR   (DIR as make_models.sh left it)

1. Every exported model passes onnx.checker.check_model(full_check=True)
   (onnx 1.12: IR ≤ 8, opset ≤ 17, with shape inference), declares a
   symbolic batch dimension, and carries producer "gemmnet", gemmnet's
   version and the class names in its metadata.
2. A PyTorch MLP (torch.nn.Sequential, seeded, trained a few epochs on
   DIR/data.csv) exported by torch.onnx.export in three forms (opset 14
   Gemm with logits, opset 13 with Softmax, a rank-3 input that makes
   MatMul + Add) imports with `gemmnet import --format onnx`, and `gemmnet
   predict --proba` gives PyTorch's softmax probabilities within 1e-6.
   export -> import -> export round-trips: the re-exported file passes the
   checker, imports to the identical model file, and exports to the
   identical ONNX bytes.
3. A torch model with an op gemmnet lacks (ELU) is refused with one line
   naming the node and the op.
Prints 'N passed, N failed' last; exits 1 on any failure.
"""
import os
import subprocess
import sys
import warnings

import onnx
import torch

GEMMNET, DIR = sys.argv[1], sys.argv[2]
TOLERANCE = 1e-6
# torch.onnx.export's advice on dynamic axes and constant folding.
warnings.filterwarnings("ignore")
results = {"passed": 0, "failed": 0}


def check(ok, what):
    results["passed" if ok else "failed"] += 1
    if not ok:
        print("FAIL: " + what)


def gemmnet(*args):
    return subprocess.run([GEMMNET, *args], capture_output=True, text=True)


def version():
    return gemmnet("--version").stdout.split()[1]


def check_export(path):
    model = onnx.load(path)
    try:
        onnx.checker.check_model(model, full_check=True)
        check(True, path)
    except onnx.checker.ValidationError as e:
        check(False, "%s: %s" % (path, str(e).splitlines()[0]))
    return model


def check_exports():
    names = open(os.path.join(DIR, "models.txt")).read().split()
    for name in names:
        model = check_export(os.path.join(DIR, name + ".onnx"))
        meta = {p.key: p.value for p in model.metadata_props}
        batch = model.graph.input[0].type.tensor_type.shape.dim[0]
        check(model.producer_name == "gemmnet" and meta.get("gemmnet_version") == version(),
              name + ": producer and version")
        check(meta.get("class_names") == "blue\ngreen\nred", name + ": class names")
        check(batch.dim_param == "N", name + ": symbolic batch dimension")
        check(model.ir_version == 8 and model.opset_import[0].version == 13, name + ": IR 8, opset 13")
    print("onnx.checker: %d exported models checked" % len(names))


def training_data():
    rows = [line.split(",") for line in open(os.path.join(DIR, "data.csv")).read().split()[1:]]
    labels = sorted({r[2] for r in rows})
    # The features alone, for gemmnet predict: a model imported from
    # PyTorch has no class names, and gemmnet refuses text labels for such
    # a model rather than guess their order.
    with open(os.path.join(DIR, "features.csv"), "w") as f:
        f.write("x1,x2\n" + "".join("%s,%s\n" % (r[0], r[1]) for r in rows))
    x = torch.tensor([[float(r[0]), float(r[1])] for r in rows])
    y = torch.tensor([labels.index(r[2]) for r in rows])
    return x, y


def train_torch(x, y):
    torch.manual_seed(3)
    net = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 6),
                              torch.nn.ReLU(), torch.nn.Linear(6, 3))
    optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
    for _ in range(30):
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(net(x), y).backward()
        optimizer.step()
    return net.eval()


def max_difference(proba_text, expected):
    got = [[float(v) for v in line.split(",")] for line in proba_text.split()]
    if len(got) != len(expected):
        return float("inf")
    return max(abs(a - b) for g, e in zip(got, expected) for a, b in zip(g, e))


def round_trip(name, gnet):
    again, back = os.path.join(DIR, name + "-again.onnx"), os.path.join(DIR, name + "-back.gnet")
    third = os.path.join(DIR, name + "-third.onnx")
    check(gemmnet("export", "--format", "onnx", gnet, "-o", again).returncode == 0, name + ": export")
    check_export(again)
    check(gemmnet("import", "--format", "onnx", again, "-o", back).returncode == 0, name + ": import")
    check(open(gnet, "rb").read() == open(back, "rb").read(), name + ": export -> import: the same model file")
    check(gemmnet("export", "--format", "onnx", back, "-o", third).returncode == 0, name + ": export again")
    check(open(again, "rb").read() == open(third, "rb").read(), name + ": export again: the same ONNX bytes")


def check_torch():
    x, y = training_data()
    net = train_torch(x, y)
    with torch.no_grad():
        expected = torch.softmax(net(x), dim=1).tolist()
    forms = {
        "torch-gemm": (net, torch.zeros(1, 2), {}),
        "torch-softmax": (torch.nn.Sequential(*net, torch.nn.Softmax(dim=1)).eval(), torch.zeros(1, 2),
                          {"opset_version": 13}),
        "torch-matmul": (net, torch.zeros(1, 1, 2), {}),
    }
    for name, (model, example, options) in forms.items():
        path, gnet = os.path.join(DIR, name + ".onnx"), os.path.join(DIR, name + ".gnet")
        torch.onnx.export(model, example, path, input_names=["x"], output_names=["y"],
                          dynamic_axes={"x": {0: "N"}, "y": {0: "N"}}, **options)
        ops = [n.op_type for n in onnx.load(path).graph.node]
        r = gemmnet("import", "--format", "onnx", path, "-o", gnet)
        check(r.returncode == 0, "%s: import: %s" % (name, r.stderr.strip()))
        p = gemmnet("predict", "--model", gnet, "--data", os.path.join(DIR, "features.csv"), "--proba")
        worst = max_difference(p.stdout, expected)
        print("%s (%s): largest difference from PyTorch %.2e" % (name, " ".join(ops), worst))
        check(worst <= TOLERANCE, "%s: gemmnet differs from PyTorch by %g > %g" % (name, worst, TOLERANCE))
        round_trip(name, gnet)


def check_refusal():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.ELU(), torch.nn.Linear(4, 2)).eval()
    path = os.path.join(DIR, "torch-elu.onnx")
    torch.onnx.export(net, torch.zeros(1, 2), path)
    r = gemmnet("import", "--format", "onnx", path, "-o", os.path.join(DIR, "elu.gnet"))
    lines = r.stderr.splitlines()
    check(r.returncode == 1 and len(lines) == 1 and '"/1/Elu" (Elu): op outside the MLP subset' in r.stderr,
          "ELU refusal: status %d, stderr %r" % (r.returncode, r.stderr))
    check(not os.path.exists(os.path.join(DIR, "elu.gnet")), "a refused import wrote its output")
    print("refused: " + r.stderr.strip())


def main():
    print("onnx %s, torch %s" % (onnx.__version__, torch.__version__))
    check_exports()
    check_torch()
    check_refusal()
    print("%d passed, %d failed" % (results["passed"], results["failed"]))
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
