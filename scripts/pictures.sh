#!/usr/bin/env bash
# Draws the tutorial's pictures and animations: the tutorial network's
# decision boundary, the hidden-size sweep, XOR in a 3-unit hidden layer,
# loss curves with a validation set, and as animated GIFs the boundary and
# the XOR hidden layer as they train and the sweep training side by side.
# Installs what is missing and builds first (cairo and giflib are needed:
# -Dplot=enabled -Danimate=enabled). Every file is deterministic: running
# this again rewrites the same bytes.
# Usage: scripts/pictures.sh [BUILD-DIR [OUT-DIR]]
#        (defaults: build, and BUILD-DIR/pictures, which git ignores;
#        scripts/refresh-docs-pictures.sh draws into docs/)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
out=${2:-$build/pictures}
scripts/deps.sh
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Haswell}
if [[ -f $build/build.ninja ]]; then
    # A build configured before cairo or giflib was installed has the
    # plot and animate commands switched off; ask for them.
    meson configure "$build" -Dplot=enabled -Danimate=enabled >/dev/null
else
    meson setup "$build" -Dplot=enabled -Danimate=enabled >/dev/null
fi
ninja -C "$build" >/dev/null
gemmnet=$build/src/gemmnet
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
start=$SECONDS

# model NAME TRAIN-ARGS...: trains with TRAIN-ARGS, saves, prints the path.
model() {
    local name=$1
    shift
    "$gemmnet" train "$@" --print-every 0 --save "$tmp/$name.gnet" >/dev/null
    echo "$tmp/$name.gnet"
}

echo "== $out/boundary-h3.png: the tutorial's network (hidden layer size 3)"
"$gemmnet" plot --model "$(model h3 --moons 200 --hidden 3)" --moons 200 \
    --title "Decision boundary for hidden layer size 3" -o "$out/boundary-h3.png"

echo "== $out/sweep.png: hidden layer sizes 1, 2, 3, 4, 5, 20, 50 and the ridge baseline"
"$gemmnet" sweep --moons 200 --hidden-sizes 1,2,3,4,5,20,50 -o "$out/sweep.png"

echo "== $out/hidden-xor.png: XOR in a hidden layer of 3 tanh units"
"$gemmnet" xor --n 200 -o "$tmp/xor.csv"
"$gemmnet" plot-hidden --model "$(model xor --data "$tmp/xor.csv" --hidden 3)" --data "$tmp/xor.csv" \
    --title "XOR in 3 tanh units" -o "$out/hidden-xor.png"

echo "== $out/loss.png: training and validation curves"
run=(--moons 400 --noise 0.4 --hidden 32 --optimizer adam --reduction mean --lr 0.05 --l2 0
     --epochs 1500 --val 0.25)
"$gemmnet" train "${run[@]}" --log "$tmp/loss.csv" >/dev/null
"$gemmnet" plot-loss "$tmp/loss.csv" \
    --title "Noisy moons, 32 tanh units, Adam: training and validation" -o "$out/loss.png"

echo "== $out/boundary.gif: the tutorial's network learning, 60 frames spaced logarithmically"
"$gemmnet" animate --moons 200 --title "Two moons, 3 tanh units" -o "$out/boundary.gif"

echo "== $out/hidden-xor.gif: XOR in 3 tanh units as training bends it, the camera turning"
"$gemmnet" animate --view hidden --data "$tmp/xor.csv" --title "XOR in 3 tanh units" \
    --frames 40 --size 400x380 -o "$out/hidden-xor.gif"

echo "== $out/sweep.gif: hidden layer sizes 1, 2, 3, 4, 5, 20, 50 training side by side"
"$gemmnet" animate --view sweep --moons 200 --frames 40 -o "$out/sweep.gif"

for f in boundary-h3.png sweep.png hidden-xor.png loss.png boundary.gif hidden-xor.gif sweep.gif; do
    printf '%-40s %7d bytes\n' "$out/$f" "$(stat -c %s "$out/$f")"
done
echo "== pictures and animations drawn in $((SECONDS - start)) s; open them in $out/"
