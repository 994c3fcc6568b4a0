#!/usr/bin/env bash
# The main job: install what is missing, build, and train the tutorial's
# network (two moons, 200 points, 3 tanh units, 20000 passes).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
# Older OpenBLAS builds misbehave on Zen 5 with their own kernel choice.
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Haswell}
[[ -f build/build.ninja ]] || meson setup build >/dev/null
ninja -C build >/dev/null
echo "== gemmnet train --moons 200 (the tutorial's settings)"
build/src/gemmnet train --moons 200 --save build/tutorial.gnet
echo "== gemmnet baseline --moons 200 (a linear classifier; the tutorial's logistic regression gets 0.85)"
build/src/gemmnet baseline --moons 200
echo "== the tutorial's pictures and animations: decision boundaries for hidden sizes 1-50, XOR, loss curves"
# Into build/pictures/ (ignored by git): the checkout stays clean.
scripts/pictures.sh build build/pictures
