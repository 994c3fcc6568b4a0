#!/usr/bin/env bash
# Limits and the hangs and losses they used to cause, each bounded by a
# timeout: plot-loss on values whose axis step vanishes in their
# precision; training under an address-space limit (ulimit -v) that
# OpenBLAS cannot work in; a run with thousands of classes, whose model is
# saved however large its report; one endless CSV line; JSON imports that
# are garbage or too large.
# Usage: test_limits.sh GEMMNET [disabled]   ("disabled": no plot commands)
set -u
gemmnet=$1
plot=${2:-enabled}
# shellcheck source=tests/cli_helpers.sh
source "$(dirname "$0")/cli_helpers.sh"

# AddressSanitizer reserves terabytes of address space for its shadow, so
# a sanitized build cannot run under ulimit -v at all: there the limits
# below are not set (limit_v does nothing) and the address-space checks
# are skipped.
sanitized=0
ldd "$gemmnet" 2>/dev/null | grep -q libasan && sanitized=1
# With -Dblas=onednn, training under a small ulimit -v still hangs inside
# oneDNN's OpenMP start (not yet handled: docs/robustness.md): the
# address-space checks are skipped there too, saying so.
if [[ ${GEMMNET_EXPECTED_BLAS:-} == onednn ]]; then
    sanitized=1
    echo "onednn: ulimit -v checks skipped (a known hang in oneDNN under small limits)"
fi
limit_v() { ((sanitized)) || ulimit -v "$1"; }

# bounded SECONDS CMD...: CMD under timeout, its status in $got (124 for a
# hang), stdout in $tmp/out, stderr in $tmp/err.
bounded() {
    local seconds=$1
    shift
    timeout "$seconds" "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    [[ $got != 124 ]] || fail "$* still ran after $seconds s"
}

# plot-loss: losses 1e16 and 1e16 + 2, where step 0.5 vanishes.
if [[ $plot != disabled ]]; then
    printf 'epoch,loss,accuracy,val_loss,val_accuracy\n0,1e16,0.5,,\n1,10000000000000002,0.6,,\n' \
        >"$tmp/huge.csv"
    bounded 60 "$gemmnet" plot-loss "$tmp/huge.csv" -o "$tmp/huge.png"
    [[ $got == 0 && -s $tmp/huge.png ]] || fail "plot-loss on 1e16 exited $got: $(cat "$tmp/err")"
    printf 'epoch,loss,accuracy,val_loss,val_accuracy\n0,1e300,0.5,1e300,0.5\n7,1e300,0.5,1e300,0.5\n' \
        >"$tmp/flat.csv"
    bounded 60 "$gemmnet" plot-loss "$tmp/flat.csv" -o "$tmp/flat.svg"
    [[ $got == 0 ]] || fail "plot-loss on 1e300 exited $got: $(cat "$tmp/err")"
    {
        echo epoch,loss,accuracy,val_loss,val_accuracy
        printf '0,0.%02000d,0.5,,\n' 1
    } >"$tmp/wide.csv"
    bounded 60 "$gemmnet" plot-loss "$tmp/wide.csv" -o "$tmp/wide.svg"
    [[ $got == 1 ]] && grep -q "wide.csv:2: line longer than 1022 bytes, the limit of a training-log line" \
        "$tmp/err" || fail "plot-loss on a 2000-byte row exited $got: $(cat "$tmp/err")"
fi

# ulimit -v: OpenBLAS would spin retrying its buffer (in the first sgemm,
# or at exit, for every command). gemmnet restarts itself with one OpenBLAS
# thread, which fits in 300000 KiB, and refuses with one line what even
# one thread cannot do.
((sanitized)) && echo "sanitized build: ulimit -v checks skipped"
for threads in 1 2; do
    ((sanitized)) && break
    for limit in 150000 300000; do
        (
            ulimit -v "$limit"
            export OPENBLAS_NUM_THREADS=$threads
            exec timeout 60 "$gemmnet" train --moons 200 --epochs 5 --print-every 0
        ) >"$tmp/out" 2>"$tmp/err"
        got=$?
        [[ $got != 124 ]] || fail "train under ulimit -v $limit, $threads thread(s), hung"
        if [[ $got == 1 ]]; then
            grep -q "the address-space limit (ulimit -v $limit KiB) leaves less than" "$tmp/err" ||
                fail "ulimit -v $limit: $(cat "$tmp/err")"
            [[ $(wc -l <"$tmp/err") == 1 ]] || fail "ulimit -v $limit: not one line"
        elif [[ $got != 0 ]]; then
            fail "train under ulimit -v $limit, $threads thread(s), exited $got: $(cat "$tmp/err")"
        fi
    done
done
if ((!sanitized)); then
    (
        ulimit -v 150000
        exec timeout 60 "$gemmnet" train --moons 200 --epochs 5 --print-every 0
    ) >/dev/null 2>"$tmp/err"
    got=$?
    # OpenBLAS maps a 128 MiB buffer per thread, so it cannot run here and
    # the command refuses; other backends (BLIS, ATLAS, netlib, oneDNN)
    # need less and may train. Either way: no hang, no crash.
    if [[ ${GEMMNET_EXPECTED_BLAS:-openblas} == openblas ]]; then
        [[ $got == 1 ]] || fail "train under ulimit -v 150000 was not refused (exit $got)"
    else
        [[ $got == 0 || $got == 1 ]] || fail "train under ulimit -v 150000 exited $got"
    fi
fi
(
    limit_v 300000
    exec timeout 60 "$gemmnet" train --moons 200 --epochs 5 --print-every 0
) >"$tmp/out" 2>"$tmp/err"
got=$?
[[ $got == 0 ]] && grep -q "^accuracy: " "$tmp/out" ||
    fail "train under ulimit -v 300000 exited $got: $(cat "$tmp/err")"
for limit in 150000 200000; do
    (
        limit_v $limit
        exec timeout 60 "$gemmnet" moons -o "$tmp/lim.csv"
    ) 2>"$tmp/err"
    got=$?
    [[ $got == 0 && -s $tmp/lim.csv ]] || fail "moons under ulimit -v $limit exited $got"
done

# 4000 classes: the 4000×4000 confusion matrix would need 256 MB; the
# model is saved first and the report names K instead.
awk 'BEGIN { print "x1,x2,label"; for (i = 0; i < 4000; i++) print i % 7 "," i % 11 ",c" i }' \
    >"$tmp/many.csv"
(
    limit_v 420000
    export OPENBLAS_NUM_THREADS=1
    exec timeout 120 "$gemmnet" train --data "$tmp/many.csv" --epochs 1 --print-every 0 \
        --save "$tmp/many.gnet"
) >"$tmp/out" 2>"$tmp/err"
got=$?
[[ $got == 0 ]] || fail "train with 4000 classes exited $got: $(cat "$tmp/err")"
[[ -s $tmp/many.gnet ]] || fail "train with 4000 classes saved no model"
grep -q "confusion matrix, training set: not printed for 4000 classes (more than 32)" "$tmp/out" ||
    fail "train with 4000 classes: $(head -c 300 "$tmp/out")"
# eval of the same model reports what fits: the per-class table in full,
# the 4000×4000 matrix summarised (text) or null (JSON, still valid).
(
    limit_v 420000
    export OPENBLAS_NUM_THREADS=1
    exec timeout 120 "$gemmnet" eval --model "$tmp/many.gnet" --data "$tmp/many.csv"
) >"$tmp/out" 2>"$tmp/err" || fail "eval with 4000 classes exited $?: $(cat "$tmp/err")"
grep -q "^confusion matrix: not printed for 4000 classes (more than 256)$" "$tmp/out" ||
    fail "eval with 4000 classes: $(tail -c 300 "$tmp/out")"
[[ $(grep -c '^c[0-9]* ' "$tmp/out") == 4000 ]] || fail "eval with 4000 classes: not 4000 class rows"
"$gemmnet" eval --model "$tmp/many.gnet" --data "$tmp/many.csv" --json >"$tmp/eval.json" ||
    fail "eval --json with 4000 classes exited $?"
python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); assert r["confusion"] is None and len(r["support"]) == 4000' \
    "$tmp/eval.json" || fail "eval --json with 4000 classes: not valid JSON with a null confusion"

# One endless CSV line stops at the 64 MiB limit, named.
"$gemmnet" train --moons 100 --epochs 1 --print-every 0 --save "$tmp/m.gnet" >/dev/null ||
    fail "train"
yes 1, | tr -d '\n' | head -c 80M >"$tmp/long.csv"
bounded 120 "$gemmnet" predict --model "$tmp/m.gnet" --data - <"$tmp/long.csv"
[[ $got == 1 ]] || fail "predict on an endless line exited $got"
grep -q "<stdin>:1: line longer than 67108864 bytes (64 MiB), the limit of a CSV line" "$tmp/err" ||
    fail "predict on an endless line: $(cat "$tmp/err")"
rm -f "$tmp/long.csv"

# import: garbage is refused at its first byte, without being buffered;
# past 256 MiB the limit is named.
(
    limit_v 200000
    yes | head -c 600M | exec timeout 60 "$gemmnet" import - -o "$tmp/x.gnet"
) >/dev/null 2>"$tmp/err"
got=$?
[[ $got == 1 ]] || fail "import of garbage exited $got"
grep -q "<stdin>:1:1: expected '{'" "$tmp/err" || fail "import of garbage: $(cat "$tmp/err")"
(
    printf '{'
    yes ' ' | tr -d '\n'
) | head -c 300M | timeout 120 "$gemmnet" import - -o "$tmp/x.gnet" >/dev/null 2>"$tmp/err"
got=$?
[[ $got == 1 ]] || fail "import of 300 MB exited $got"
grep -q "<stdin>: larger than 268435456 bytes (256 MiB), the limit of a JSON model" "$tmp/err" ||
    fail "import of 300 MB: $(cat "$tmp/err")"
[[ ! -e $tmp/x.gnet ]] || fail "a failed import wrote a model"

finish limits
