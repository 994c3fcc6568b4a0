#!/usr/bin/env bash
# Builds and tests gemmnet once per BLAS backend: installs the Debian
# packages of every backend, then for each one configures build-ci-NAME
# with -Dblas=NAME, builds, runs the whole meson test suite, checks that
# `gemmnet info` names the backend, and installs into a scratch directory to
# check that the installed library still finds the backend through its
# rpath. Any failure stops the script with a non-zero status.
# Usage: scripts/test-backends.sh [openblas|blis|atlas|netlib|onednn ...] (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Haswell}

backends=("$@")
((${#backends[@]})) || backends=(openblas blis atlas netlib onednn)

# libdnnl-dev: oneDNN, whose dnnl_sgemm is the GEMM of -Dblas=onednn.
scripts/deps.sh libopenblas-dev libblis-dev libatlas-base-dev libblas-dev liblapack-dev \
    liblapacke-dev libcmocka-dev libdnnl-dev

# The file that must provide cblas_sgemm, as a pattern on its path.
declare -A library_pattern=(
    [openblas]='/openblas[^/]*/libopenblas'
    [blis]='/blis-[a-z]*/libblis'
    [atlas]='/atlas/libblas'
    [netlib]='/blas/libblas'
    [onednn]='/libdnnl'
)

fail() {
    echo "test-backends: $*" >&2
    exit 1
}

start=$SECONDS
for name in "${backends[@]}"; do
    [[ -n ${library_pattern[$name]:-} ]] || fail "unknown backend '$name'"
    echo "== -Dblas=$name"
    began=$SECONDS
    dir=build-ci-$name
    rm -rf "$dir"
    meson setup "$dir" -Dblas="$name" >"$dir.setup.log" 2>&1 ||
        { cat "$dir.setup.log"; fail "meson setup -Dblas=$name failed"; }
    rm -f "$dir.setup.log"
    ninja -C "$dir"
    # The interop suite (the C export compiled, onnx.checker, PyTorch and
    # ONNX Runtime on exported models) runs in scripts/test.sh and under
    # ASan; per backend it would only repeat itself. So does the network
    # suite (MPI across network namespaces: the transport, not the BLAS).
    meson test -C "$dir" --print-errorlogs --no-suite interop --no-suite network

    info=$("$dir/src/gemmnet" info)
    echo "$info"
    grep -qx "backend: $name" <<<"$info" || fail "$dir: gemmnet info does not say 'backend: $name'"
    grep -Eq "^blas: +.*${library_pattern[$name]}" <<<"$info" ||
        fail "$dir: cblas_sgemm does not come from $name's library"

    # The installed library must find the same backend (rpath kept).
    stage=$(mktemp -d)
    meson install -C "$dir" --destdir "$stage" --quiet
    libdir=$(dirname "$(find "$stage" -name 'libgemmnet.so.1' | head -n 1)")
    installed=$(LD_LIBRARY_PATH=$libdir "$(find "$stage" -path '*/bin/gemmnet')" info)
    rm -rf "$stage"
    grep -Eq "^blas: +.*${library_pattern[$name]}" <<<"$installed" ||
        fail "$dir: the installed gemmnet does not run $name: $installed"
    echo "== -Dblas=$name passed in $((SECONDS - began)) s"
done
echo "== backends ${backends[*]} passed in $((SECONDS - start)) s"
