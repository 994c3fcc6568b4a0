#!/usr/bin/env bash
# Debian's python3-onnx (onnx.checker, full_check) and python3-torch
# (torch.onnx.export) against gemmnet's export and import:
# tests/onnx/check_python.py on the models tests/onnx/make_models.sh makes.
# Skipped (exit 77, the reason printed) when the Python that has them is
# missing: GEMMNET_PYTHON, by default /usr/bin/python3, where Debian puts
# them (a pyenv or venv python3 on PATH would not see them).
# Usage: test_onnx_python.sh GEMMNET
set -u
gemmnet=$1
python=${GEMMNET_PYTHON:-/usr/bin/python3}
here=$(dirname "$0")
if ! "$python" -c 'import onnx, torch' 2>/dev/null; then
    echo "SKIP: $python cannot import onnx and torch (apt-get install python3-onnx python3-torch)"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$here/onnx/make_models.sh" "$gemmnet" "$tmp" || { echo "FAIL: make_models.sh exited $?"; exit 1; }
"$python" "$here/onnx/check_python.py" "$gemmnet" "$tmp"
