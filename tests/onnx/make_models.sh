#!/usr/bin/env bash
# Trains the models the ONNX checks run on and exports each: every
# activation at 1 to 3 hidden layers, with and without standardisation
# (std-*), softmax regression, and one with the standardisation folded
# (folded.onnx, from std-tanh-2.gnet). Writes into DIR: data.csv (150 rows
# of 3 blobs with text labels), NAME.gnet, NAME.onnx, NAME.proba (what
# `gemmnet predict --proba` prints) and models.txt (the names).
# Usage: make_models.sh GEMMNET DIR
set -eu
gemmnet=$1
dir=$2
"$gemmnet" blobs --n 150 --classes 3 --noise 2 --seed 4 -o "$dir/blobs.csv"
awk -F, 'NR == 1 { print; next } { print $1 "," $2 "," ($3 == 0 ? "red" : $3 == 1 ? "green" : "blue") }' \
    "$dir/blobs.csv" >"$dir/data.csv"
: >"$dir/models.txt"
model() {
    local name=$1
    shift
    "$gemmnet" train --data "$dir/data.csv" --epochs 200 --lr 0.002 "$@" --save "$dir/$name.gnet" >/dev/null
    "$gemmnet" export --format onnx "$dir/$name.gnet" -o "$dir/$name.onnx"
    "$gemmnet" predict --model "$dir/$name.gnet" --data "$dir/data.csv" --proba >"$dir/$name.proba"
    echo "$name" >>"$dir/models.txt"
}
for act in tanh relu leaky_relu sigmoid; do
    model "$act-1" --hidden 6 --activation "$act"
    model "$act-2" --hidden 6,5 --activation "$act"
    model "$act-3" --hidden 7,5,4 --activation "$act"
    model "std-$act-1" --hidden 6 --activation "$act" --standardize
    model "std-$act-2" --hidden 6,5 --activation "$act" --standardize
    model "std-$act-3" --hidden 7,5,4 --activation "$act" --standardize
done
model softmax-regression --hidden 0 --standardize
"$gemmnet" export --format onnx --fold-standardization "$dir/std-tanh-2.gnet" -o "$dir/folded.onnx"
cp "$dir/std-tanh-2.proba" "$dir/folded.proba"
echo folded >>"$dir/models.txt"
