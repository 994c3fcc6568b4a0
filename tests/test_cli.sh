#!/usr/bin/env bash
# The gemmnet command's contract: outputs, exit statuses (0 ok, 1 failure,
# 2 usage) and one-line error messages. Usage: test_cli.sh GEMMNET DATADIR
set -u
gemmnet=$1
data=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect STATUS PATTERN CMD...: exit status and a stderr line matching PATTERN.
expect() {
    local want=$1 pattern=$2
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    local got=$?
    [[ $got == "$want" ]] || fail "$* exited $got, expected $want; stderr: $(cat "$tmp/err")"
    if [[ -n $pattern ]] && ! grep -q -- "$pattern" "$tmp/err"; then
        fail "$*: stderr lacks '$pattern': $(cat "$tmp/err")"
    fi
    if [[ $want != 0 && $(wc -l <"$tmp/err") != 1 ]]; then
        fail "$*: expected a one-line error message, got: $(cat "$tmp/err")"
    fi
}

# moons to stdout and to a file equal the reference file byte for byte.
"$gemmnet" moons >"$tmp/moons.csv" || fail "moons exited $?"
cmp -s "$tmp/moons.csv" "$data/moons200_glibc.csv" || fail "moons differs from moons200_glibc.csv"
"$gemmnet" moons --n 200 --noise 0.2 --seed 0 -o "$tmp/m2.csv" || fail "moons -o exited $?"
cmp -s "$tmp/m2.csv" "$data/moons200_glibc.csv" || fail "moons -o differs from the reference"
ls "$tmp" | grep -q tmp- && fail "moons -o left a temporary file"
"$gemmnet" moons --n 11 --seed 3 | awk -F, 'NR > 1 { n++ } END { exit n != 11 }' ||
    fail "moons --n 11 did not write 11 rows"

# The tutorial run: 20 loss lines in the tutorial's format, then accuracy.
"$gemmnet" train --moons 200 >"$tmp/train.txt" || fail "train --moons 200 exited $?"
[[ $(grep -c '^Loss after iteration [0-9]*: 0\.[0-9]\{6\}$' "$tmp/train.txt") == 20 ]] ||
    fail "expected 20 'Loss after iteration' lines: $(cat "$tmp/train.txt")"
head -1 "$tmp/train.txt" | grep -Eq '^Loss after iteration 0: 0\.43238[67]$' ||
    fail "line 0: $(head -1 "$tmp/train.txt")"
[[ $(tail -1 "$tmp/train.txt") == "accuracy: 0.9750 (195/200)" ]] ||
    fail "final line: $(tail -1 "$tmp/train.txt")"
# The same data from the CSV file trains identically.
"$gemmnet" train --data "$data/moons200_glibc.csv" >"$tmp/train_csv.txt" || fail "train --data exited $?"
cmp -s "$tmp/train.txt" "$tmp/train_csv.txt" || fail "--data moons200_glibc.csv differs from --moons 200"
# Other shapes and conventions run and report.
"$gemmnet" train --moons 300 --hidden 8,4 --epochs 300 --reduction mean --lr 0.5 --print-every 100 \
    --threads 1 >"$tmp/deep.txt" || fail "deep mean run exited $?"
[[ $(grep -c '^Loss after iteration' "$tmp/deep.txt") == 3 ]] || fail "print-every 100 over 300 epochs"
grep -q '^accuracy: 0\.[89]' "$tmp/deep.txt" || fail "deep run accuracy: $(tail -1 "$tmp/deep.txt")"

# Help and version.
expect 0 "" "$gemmnet" --help
grep -q 'train' "$tmp/out" || fail "--help does not list train"
expect 0 "" "$gemmnet" train --help
grep -q -- '--reduction' "$tmp/out" || fail "train --help does not describe --reduction"
expect 0 "" "$gemmnet" --version
grep -q '^gemmnet [0-9.]* (BLAS: ' "$tmp/out" || fail "--version: $(cat "$tmp/out")"

# Usage errors exit 2.
expect 2 "unknown command" "$gemmnet" frobnicate
expect 2 "unknown option '--frob'" "$gemmnet" train --moons 200 --frob
expect 2 "exactly one of --data" "$gemmnet" train
expect 2 "exactly one of --data" "$gemmnet" train --moons 10 --data x.csv
expect 2 "--hidden expects" "$gemmnet" train --moons 200 --hidden 3,,4
expect 2 "--hidden expects" "$gemmnet" train --moons 200 --hidden -1
expect 2 "--lr expects" "$gemmnet" train --moons 200 --lr abc
expect 2 "--lr expects" "$gemmnet" train --moons 200 --lr nan
expect 2 "--reduction expects sum or mean" "$gemmnet" train --moons 200 --reduction max
expect 2 "--epochs expects" "$gemmnet" train --moons 200 --epochs 99999999999
expect 2 "--n expects" "$gemmnet" moons --n 1
expect 2 "needs a value" "$gemmnet" moons --seed

# Failures exit 1 and name the file and place.
expect 1 "missing.csv" "$gemmnet" train --data "$tmp/missing.csv"
printf 'a,b,label\n1,2,0\n3,x,1\n' >"$tmp/bad.csv"
expect 1 "bad.csv:3:2" "$gemmnet" train --data "$tmp/bad.csv"
printf '1,2,0\n3,4,5\n' >"$tmp/label.csv"
expect 1 "label.csv:2:3" "$gemmnet" train --data "$tmp/label.csv" --classes 2
expect 1 "" "$gemmnet" moons -o "$tmp/no/such/dir/m.csv"

# An existing output file survives a failed write.
echo keep >"$tmp/keep.csv"
chmod 555 "$tmp"
if [[ $(id -u) != 0 ]]; then
    "$gemmnet" moons -o "$tmp/keep.csv" 2>/dev/null && fail "moons into a read-only directory succeeded"
    [[ $(cat "$tmp/keep.csv") == keep ]] || fail "a failed write damaged the existing file"
fi
chmod 755 "$tmp"

if ((failures)); then
    echo "$failures CLI check(s) failed"
    exit 1
fi
echo "all CLI checks passed"
