#!/usr/bin/env bash
# ONNX Runtime (the npm package onnxruntime-node, installed into
# tests/onnx/node_modules by `ONNXRUNTIME_NODE_INSTALL=skip npm ci` there)
# runs gemmnet's exports and predicts what `gemmnet predict --proba` does
# within 1e-6: tests/onnx/check_ort.js on the models
# tests/onnx/make_models.sh makes (every activation, 1 to 3 hidden layers,
# with and without standardisation, folded, softmax regression).
# Skipped (exit 77, the reason printed) without node or the package.
# Usage: test_onnx_runtime.sh GEMMNET
set -u
gemmnet=$1
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v node >/dev/null; then
    echo "SKIP: no node on PATH (apt-get install nodejs npm)"
    exit 77
fi
if [[ ! -d $here/onnx/node_modules/onnxruntime-node ]]; then
    echo "SKIP: onnxruntime-node is not installed (cd tests/onnx && ONNXRUNTIME_NODE_INSTALL=skip npm ci)"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$here/onnx/make_models.sh" "$gemmnet" "$tmp" || { echo "FAIL: make_models.sh exited $?"; exit 1; }
(cd "$here/onnx" && node check_ort.js "$tmp" 1e-6)
