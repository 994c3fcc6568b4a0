#!/usr/bin/env bash
# gemmnet export --format onnx and import --format onnx from the command
# line, without outside tools: export -> import gives the model file back
# byte for byte (as dump -> import does) and export again the same bytes;
# files torch.onnx.export wrote import; a graph with an op gemmnet lacks,
# truncated, empty and non-ONNX files are each refused with one line, exit
# status 1 and no output file (an existing one is kept); usage errors
# exit 2.
# Usage: test_onnx_cli.sh GEMMNET DATA_DIR
set -u
gemmnet=$1
data=$2
# shellcheck source=tests/cli_helpers.sh
source "$(dirname "$0")/cli_helpers.sh"

same() { cmp -s "$1" "$2" || fail "$3: $1 and $2 differ"; }

"$gemmnet" moons --n 200 --seed 3 -o "$tmp/moons.csv" || fail "moons exited $?"
awk -F, 'NR == 1 { print; next } { print $1 "," $2 "," ($3 ? "b?" : "a\\") }' "$tmp/moons.csv" >"$tmp/named.csv"
"$gemmnet" train --data "$tmp/named.csv" --hidden 5,4 --activation sigmoid,leaky_relu --standardize \
    --reduction mean --l2 0.003 --epochs 100 --save "$tmp/m.gnet" >/dev/null || fail "train exited $?"
# The plain model (train --save writes a checkpoint: the model plus its
# training state, which ONNX does not carry).
# dump keeps a checkpoint's training state (its last key), so it is cut.
"$gemmnet" dump --model "$tmp/m.gnet" | without_training_state |
    "$gemmnet" import - -o "$tmp/plain.gnet" || fail "dump | import"

# ---- round trips --------------------------------------------------------------
expect 0 "" "$gemmnet" export --format onnx "$tmp/m.gnet" -o "$tmp/m.onnx"
expect 0 "" "$gemmnet" import --format onnx "$tmp/m.onnx" -o "$tmp/back.gnet"
same "$tmp/plain.gnet" "$tmp/back.gnet" "export -> import"
expect 0 "" "$gemmnet" export --format onnx "$tmp/back.gnet" -o "$tmp/again.onnx"
same "$tmp/m.onnx" "$tmp/again.onnx" "export -> import -> export"
"$gemmnet" export --format onnx --model "$tmp/m.gnet" -o - >"$tmp/stdout.onnx" || fail "export -o - exited $?"
same "$tmp/m.onnx" "$tmp/stdout.onnx" "export to stdout"
"$gemmnet" import --format onnx - -o "$tmp/stdin.gnet" <"$tmp/m.onnx" || fail "import from stdin exited $?"
same "$tmp/plain.gnet" "$tmp/stdin.gnet" "import from stdin"
# Folded: the same classes as the original on the training rows.
expect 0 "" "$gemmnet" export --format onnx --fold-standardization "$tmp/m.gnet" -o "$tmp/folded.onnx"
expect 0 "" "$gemmnet" import --format onnx "$tmp/folded.onnx" -o "$tmp/folded.gnet"
"$gemmnet" predict --model "$tmp/m.gnet" --data "$tmp/named.csv" >"$tmp/p1.txt"
"$gemmnet" predict --model "$tmp/folded.gnet" --data "$tmp/named.csv" >"$tmp/p2.txt"
same "$tmp/p1.txt" "$tmp/p2.txt" "the folded model's classes"
for name in torch_gemm torch_matmul torch_flatten; do
    expect 0 "" "$gemmnet" import --format onnx "$data/onnx/$name.onnx" -o "$tmp/$name.gnet"
done

# ---- refusals -------------------------------------------------------------------
cp "$tmp/plain.gnet" "$tmp/keep.gnet"
# torch.onnx.export of Linear, ELU, Linear.
expect 1 '^gemmnet import: .*torch_elu.onnx: node 1 "/1/Elu" (Elu): op outside the MLP subset' \
    "$gemmnet" import --format onnx "$(dirname "$0")/../fuzz/corpus/onnx/torch_elu.onnx" -o "$tmp/keep.gnet"
same "$tmp/plain.gnet" "$tmp/keep.gnet" "a refused import keeps the existing file"
head -c 300 "$tmp/m.onnx" >"$tmp/truncated.onnx"
expect 1 "truncated.onnx: not an ONNX model: the protobuf does not decode" \
    "$gemmnet" import --format onnx "$tmp/truncated.onnx" -o "$tmp/out.gnet"
: >"$tmp/empty.onnx"
expect 1 "empty.onnx: no graph" "$gemmnet" import --format onnx "$tmp/empty.onnx" -o "$tmp/out.gnet"
expect 1 "m.gnet: " "$gemmnet" import --format onnx "$tmp/m.gnet" -o "$tmp/out.gnet"
# An ONNX file read as JSON (no --format) says what it looks like.
expect 1 "m.onnx:1:1: expected '{', .* (this looks like ONNX: add --format onnx)\$" \
    "$gemmnet" import "$tmp/m.onnx" -o "$tmp/out.gnet"
expect 1 "nothing.onnx: cannot open" "$gemmnet" import --format onnx "$tmp/nothing.onnx" -o "$tmp/out.gnet"
# An ONNX file given as JSON.
expect 1 "gemmnet import: .*m.onnx:" "$gemmnet" import "$tmp/m.onnx" -o "$tmp/out.gnet"
[[ -e $tmp/out.gnet ]] && fail "a refused import wrote out.gnet"
expect 2 "import: --format expects one of json, onnx, got 'caffe'" \
    "$gemmnet" import --format caffe "$tmp/m.onnx" -o "$tmp/out.gnet"
expect 2 "import: -o MODEL (a file) is required" "$gemmnet" import --format onnx "$tmp/m.onnx"
expect 1 "export: .*nothing.gnet" "$gemmnet" export --format onnx "$tmp/nothing.gnet" -o "$tmp/x.onnx"
[[ -e $tmp/x.onnx ]] && fail "a failed export wrote x.onnx"

finish "ONNX command-line"
