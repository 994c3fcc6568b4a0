#!/usr/bin/env bash
# Checks gemmnet as an installed library, used as installed: nothing here
# sets LD_LIBRARY_PATH. Installs it into a fresh temporary prefix, checks
# what was installed (versioned soname, header, a clean gemmnet.pc, the
# CLI), checks that the installed `gemmnet` starts as it is, builds
# examples/embed.c against the installed copy with nothing but
# `pkg-config --cflags --libs gemmnet` (and a fully static copy with
# `cc -static ... $(pkg-config --static --libs gemmnet)`), trains a model
# with the installed CLI, and checks that both builds of the example
# classify exactly as `gemmnet predict` does, from a file and from stdin.
# Usage: scripts/test-install.sh [BUILD-DIR]   (default: build-install)
set -euo pipefail
cd "$(dirname "$0")/.."
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Haswell}
build=${1:-build-install}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

fail() {
    echo "test-install: FAIL: $*" >&2
    exit 1
}

# run LOG CMD...: runs CMD quietly; on failure shows its output and stops.
run() {
    local log=$work/$1
    shift
    local status=0
    "$@" >"$log" 2>&1 || status=$?
    ((status == 0)) || { cat "$log" >&2; fail "$* exited $status"; }
}

echo "== install into $prefix"
if [[ -f $build/build.ninja ]]; then
    run configure.log meson configure "$build" -Dprefix="$prefix"
else
    run setup.log meson setup "$build" -Dprefix="$prefix" -Dbuildtype=release
fi
unset LD_LIBRARY_PATH
run build.log ninja -C "$build"
run install.log meson install -C "$build"

echo "== what was installed"
pc=$(find "$prefix" -name gemmnet.pc)
[[ -n $pc ]] || fail "no gemmnet.pc under $prefix"
libdir=$(dirname "$(dirname "$pc")")
[[ -x $prefix/bin/gemmnet ]] || fail "no $prefix/bin/gemmnet"
[[ -f $prefix/include/gemmnet.h ]] || fail "no $prefix/include/gemmnet.h"
[[ -f $libdir/libgemmnet.a ]] || fail "no static library in $libdir"
shared=$(find "$libdir" -name 'libgemmnet.so.*.*.*' -type f)
[[ -n $shared ]] || fail "no versioned shared library in $libdir"
soname=$(readelf -d "$shared" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[[ $soname == libgemmnet.so.1 ]] || fail "soname is '$soname', expected libgemmnet.so.1"
[[ -L $libdir/libgemmnet.so.1 && -L $libdir/libgemmnet.so ]] || fail "missing soname/dev symlinks"
export PKG_CONFIG_PATH=$libdir/pkgconfig
[[ $(pkg-config --modversion gemmnet) == "$(sed -n 's/^#define GEMMNET_VERSION "\(.*\)"/\1/p' include/gemmnet.h)" ]] ||
    fail "gemmnet.pc's version differs from GEMMNET_VERSION"
echo "   $(basename "$shared") (soname $soname), gemmnet.pc $(pkg-config --modversion gemmnet)"

echo "== gemmnet.pc: one copy of each flag, no shared objects named by path"
libs_private=$(sed -n 's/^Libs.private: //p' "$pc")
[[ -n $libs_private ]] || fail "gemmnet.pc has no Libs.private"
dups=$(tr ' ' '\n' <<<"$libs_private" | grep -v '^-L' | sort | uniq -d)
[[ -z $dups ]] || fail "Libs.private repeats: $dups"
grep -q '\.so' "$pc" && fail "gemmnet.pc names shared objects: $(grep '\.so' "$pc")"
pkg-config --libs gemmnet | grep -q -- "-Wl,-rpath,$libdir" || fail "Libs has no run path to $libdir"

echo "== the installed command starts as installed"
version=$("$prefix/bin/gemmnet" --version) || fail "$prefix/bin/gemmnet does not start"
ldd "$prefix/bin/gemmnet" | grep -q "$libdir/libgemmnet.so.1" ||
    fail "the installed gemmnet does not use the installed library: $(ldd "$prefix/bin/gemmnet")"
echo "   $version"

echo "== build examples/embed.c against the installed copy, shared and static"
# Only the installed header and library: the source tree is not on any path.
cp examples/embed.c "$work/embed.c"
(cd "$work" && cc -std=c11 -Wall -Wextra -Wpedantic -Werror embed.c \
    $(pkg-config --cflags --libs gemmnet) -o embed)
ldd "$work/embed" | grep -q "$libdir/libgemmnet.so.1" || fail "embed does not use the installed library"
# glibc warns that a static program's dlopen family needs the shared libc
# at run time (gemmnet_blas_report_get's dladdr); the link itself must work.
(cd "$work" && cc -static -std=c11 -Wall -Wextra -Wpedantic -Werror embed.c \
    $(pkg-config --static --cflags --libs gemmnet) -o embed_static 2>link_static.log) ||
    { cat "$work/link_static.log" >&2; fail "static link with pkg-config --static failed"; }
readelf -d "$work/embed_static" | grep -q NEEDED && fail "embed_static needs shared libraries"

echo "== train with the installed CLI, then compare embed with gemmnet predict"
gemmnet() { "$prefix/bin/gemmnet" "$@"; }
gemmnet moons --n 1000 --noise 0.25 --seed 3 -o "$work/moons.csv"
awk -F, 'NR == 1 { print "x1,species,x2"; next }
         { print $1 "," ($3 == 1 ? "dog" : "cat") "," $2 }' "$work/moons.csv" >"$work/named.csv"
gemmnet train --data "$work/named.csv" --label-col species --standardize --hidden 8 \
    --epochs 300 --lr 0.5 --reduction mean --print-every 0 --save "$work/model.gnet" >/dev/null
gemmnet predict --model "$work/model.gnet" --data "$work/named.csv" --label-col species \
    >"$work/cli.txt"
cut -d, -f1,3 "$work/named.csv" >"$work/features.csv"
"$work/embed" "$work/model.gnet" "$work/features.csv" >"$work/embed.txt"
"$work/embed" "$work/model.gnet" <"$work/features.csv" >"$work/embed_stdin.txt"
[[ $(wc -l <"$work/cli.txt") == 1000 ]] || fail "predict printed $(wc -l <"$work/cli.txt") lines"
cmp -s "$work/cli.txt" "$work/embed.txt" || fail "embed (file) differs from gemmnet predict"
cmp -s "$work/cli.txt" "$work/embed_stdin.txt" || fail "embed (stdin) differs from gemmnet predict"
"$work/embed_static" "$work/model.gnet" "$work/features.csv" >"$work/embed_static.txt"
cmp -s "$work/cli.txt" "$work/embed_static.txt" || fail "the static embed differs from gemmnet predict"
grep -qvx 'cat\|dog' "$work/cli.txt" && fail "predictions are not the class names"
echo "== installed library, pkg-config and CLI agree ($(sort "$work/cli.txt" | uniq -c | tr -s ' ' | tr '\n' ' '))"
