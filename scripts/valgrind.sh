#!/usr/bin/env bash
# Runs the CLI under valgrind's memcheck: the tutorial's training saved
# with --save, a resumed run, then predict, eval, dump and import on the
# saved model, ONNX and C export and ONNX import, then error paths (a bad
# CSV, a damaged model, divergence, a cut ONNX file, an op gemmnet lacks).
# Any memory error or any definitely or indirectly
# lost block fails the script. "Possibly lost" and "still reachable"
# blocks are not errors: OpenBLAS keeps its thread pool and buffers
# allocated until exit by design. scripts/valgrind.supp holds the
# suppressions (see there for why each one is needed).
# Usage: scripts/valgrind.sh [EPOCHS]   (default 20000, the tutorial's)
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${1:-20000}
scripts/deps.sh valgrind
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Haswell}
build=build-valgrind
# Optimised code with debug information: what users run, with readable
# reports. No sanitizers: valgrind instruments the plain binary.
if [[ ! -f $build/build.ninja ]]; then
    meson setup "$build" -Dbuildtype=debugoptimized -Dmpi=disabled -Dplot=disabled >/dev/null
fi
ninja -C "$build" src/gemmnet
gemmnet=$build/src/gemmnet
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

memcheck=(valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite,indirect
          --show-leak-kinds=definite,indirect --track-origins=yes
          --suppressions=scripts/valgrind.supp --quiet)

# clean CMD...: must succeed with no memory error and no leak (exit 1 is
# valgrind's verdict, as the command itself exits 0).
clean() {
    echo "== valgrind $*"
    "${memcheck[@]}" --error-exitcode=1 "$@" >"$tmp/out" ||
        { echo "valgrind found errors in: $*"; exit 1; }
}

# failing CMD...: must fail with the command's own status 1, with no memory
# error and no leak on its error path (valgrind's verdict is exit 42 here).
failing() {
    echo "== valgrind $* (an error path)"
    local status=0
    "${memcheck[@]}" --error-exitcode=42 "$@" >"$tmp/out" 2>"$tmp/err" || status=$?
    if ((status != 1)); then
        cat "$tmp/err"
        echo "expected exit 1 without valgrind errors, got $status: $*"
        exit 1
    fi
}

start=$SECONDS
"$gemmnet" moons --n 200 -o "$tmp/moons.csv"
clean "$gemmnet" train --moons 200 --epochs "$epochs" --save "$tmp/model.gnet"
grep -q '^accuracy: ' "$tmp/out" || { echo "train printed no accuracy"; exit 1; }
clean "$gemmnet" train --moons 200 --resume "$tmp/model.gnet" --epochs $((epochs + 100)) \
    --save "$tmp/resumed.gnet" --print-every 0
clean "$gemmnet" train --data "$tmp/moons.csv" --standardize --hidden 8 --optimizer adam \
    --reduction mean --batch 32 --val 0.25 --patience 20 --epochs 200 --print-every 50
"$gemmnet" predict --model "$tmp/model.gnet" --data "$tmp/moons.csv" >"$tmp/expected.txt"
clean "$gemmnet" predict --model "$tmp/model.gnet" --data "$tmp/moons.csv"
cmp -s "$tmp/out" "$tmp/expected.txt" || { echo "predict under valgrind differs"; exit 1; }
clean "$gemmnet" predict --model "$tmp/model.gnet" --data "$tmp/moons.csv" --proba
clean "$gemmnet" eval --model "$tmp/model.gnet" --data "$tmp/moons.csv"
clean "$gemmnet" dump --model "$tmp/model.gnet" -o "$tmp/model.json"
clean "$gemmnet" import "$tmp/model.json" -o "$tmp/again.gnet"
# The saved file is a checkpoint (model + training state); its model part
# must survive dump + import.
"$gemmnet" dump --model "$tmp/again.gnet" | cmp -s - "$tmp/model.json" ||
    { echo "dump + import changed the model"; exit 1; }
clean "$gemmnet" export --format onnx "$tmp/model.gnet" -o "$tmp/model.onnx"
clean "$gemmnet" import --format onnx "$tmp/model.onnx" -o "$tmp/onnx.gnet"
clean "$gemmnet" export --format c "$tmp/model.gnet" -o "$tmp/model.h"

printf 'x1,x2,label\n1,2,0\n3,oops,1\n' >"$tmp/bad.csv"
failing "$gemmnet" train --data "$tmp/bad.csv"
failing "$gemmnet" predict --model "$tmp/model.gnet" --data "$tmp/bad.csv"
head -c 100 "$tmp/model.gnet" >"$tmp/cut.gnet"
failing "$gemmnet" eval --model "$tmp/cut.gnet" --data "$tmp/moons.csv"
failing "$gemmnet" train --moons 200 --lr 1e30 --epochs 10
head -c 100 "$tmp/model.onnx" >"$tmp/cut.onnx"
failing "$gemmnet" import --format onnx "$tmp/cut.onnx" -o "$tmp/cut-onnx.gnet"
failing "$gemmnet" import --format onnx fuzz/corpus/onnx/torch_elu.onnx -o "$tmp/elu.gnet"
echo "== valgrind: no errors, no leaks ($((SECONDS - start)) s)"
