#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Haswell}
[[ -f build/build.ninja ]] || meson setup build
ninja -C build
meson test -C build --print-errorlogs
