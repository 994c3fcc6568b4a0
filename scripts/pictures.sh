#!/usr/bin/env bash
# Draws the README's pictures into docs/: the tutorial network's decision
# boundary, the hidden-size sweep, XOR in a 3-unit hidden layer, and loss
# curves with a validation set. Installs what is missing and builds first
# (cairo is needed: -Dplot=enabled). Every picture is deterministic: running
# this again rewrites the same bytes.
# Usage: scripts/pictures.sh [BUILD-DIR]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
scripts/deps.sh
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Haswell}
if [[ -f $build/build.ninja ]]; then
    # A build configured before cairo was installed has the plot commands
    # switched off; ask for them.
    meson configure "$build" -Dplot=enabled >/dev/null
else
    meson setup "$build" -Dplot=enabled >/dev/null
fi
ninja -C "$build" >/dev/null
gemmnet=$build/src/gemmnet
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p docs
start=$SECONDS

# model NAME TRAIN-ARGS...: trains with TRAIN-ARGS, saves, prints the path.
model() {
    local name=$1
    shift
    "$gemmnet" train "$@" --print-every 0 --save "$tmp/$name.gnet" >/dev/null
    echo "$tmp/$name.gnet"
}

echo "== docs/boundary-h3.png: the tutorial's network (hidden layer size 3)"
"$gemmnet" plot --model "$(model h3 --moons 200 --hidden 3)" --moons 200 \
    --title "Decision boundary for hidden layer size 3" -o docs/boundary-h3.png

echo "== docs/sweep.png: hidden layer sizes 1, 2, 3, 4, 5, 20, 50 and the ridge baseline"
"$gemmnet" sweep --moons 200 --hidden-sizes 1,2,3,4,5,20,50 -o docs/sweep.png

echo "== docs/hidden-xor.png: XOR in a hidden layer of 3 tanh units"
"$gemmnet" xor --n 200 -o "$tmp/xor.csv"
"$gemmnet" plot-hidden --model "$(model xor --data "$tmp/xor.csv" --hidden 3)" --data "$tmp/xor.csv" \
    --title "XOR in 3 tanh hidden units: now a plane separates the classes" -o docs/hidden-xor.png

echo "== docs/loss.png: training and validation curves"
run=(--moons 400 --noise 0.4 --hidden 32 --optimizer adam --reduction mean --lr 0.05 --l2 0
     --epochs 1500 --val 0.25)
"$gemmnet" train "${run[@]}" --log "$tmp/loss.csv" >/dev/null
"$gemmnet" plot-loss "$tmp/loss.csv" \
    --title "Noisy moons, 32 tanh units, Adam: training and validation" -o docs/loss.png

for f in docs/boundary-h3.png docs/sweep.png docs/hidden-xor.png docs/loss.png; do
    printf '%-22s %6d bytes\n' "$f" "$(stat -c %s "$f")"
done
echo "== pictures drawn in $((SECONDS - start)) s"
