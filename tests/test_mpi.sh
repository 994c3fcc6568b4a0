#!/usr/bin/env bash
# Data-parallel training under mpirun: 1, 2 and 3 ranks compute the same
# run up to float32 reassociation, and a failing rank stops every rank with
# a message naming it (no hang); ranks whose data disagree stop before
# training, and a failing save stops every rank. Usage: test_mpi.sh GEMMNET MPIRUN
set -u
gemmnet=$1
mpirun=$2
# shellcheck source=tests/cli_helpers.sh
source "$(dirname "$0")/cli_helpers.sh"

# Root (as in CI containers) needs --allow-run-as-root; 3 ranks on 2 cores
# need --oversubscribe.
run() {
    local n=$1
    shift
    timeout 300 "$mpirun" --allow-run-as-root --oversubscribe -n "$n" "$gemmnet" "$@"
}

# Minibatch Adam with a validation split: not chaotic, so every printed
# number (6 decimals) must agree within 3e-6 whatever the rank count.
mini=(train --moons 1000 --hidden 16 --batch 64 --optimizer adam --reduction mean --lr 0.01
      --epochs 200 --print-every 50 --val 0.2)
run 1 "${mini[@]}" >"$tmp/mini1.txt" || fail "1 rank exited $?"
for n in 2 3; do
    run "$n" "${mini[@]}" >"$tmp/mini$n.txt" || fail "$n ranks exited $?"
    same_within 3e-6 "$tmp/mini1.txt" "$tmp/mini$n.txt" ||
        fail "$n ranks differ from 1: $(diff "$tmp/mini1.txt" "$tmp/mini$n.txt")"
done
[[ $(grep -c '^Loss after epoch' "$tmp/mini2.txt") == 4 ]] || fail "rank 0 alone should print"

# AdamW with gradient clipping (which clips nearly every update here): the
# gradient is clipped after the sum, so every rank count gives one run.
clip=(train --moons 1000 --hidden 16 --batch 64 --optimizer adamw --weight-decay 0.05
      --reduction mean --lr 0.01 --clip-norm 0.05 --epochs 100 --print-every 10)
run 1 "${clip[@]}" >"$tmp/clip1.txt" || fail "clipped adamw on 1 rank exited $?"
run 2 "${clip[@]}" >"$tmp/clip2.txt" || fail "clipped adamw on 2 ranks exited $?"
same_within 3e-6 "$tmp/clip1.txt" "$tmp/clip2.txt" ||
    fail "clipped adamw: 2 ranks differ from 1: $(diff "$tmp/clip1.txt" "$tmp/clip2.txt")"

# One shared CSV file: each rank stores only its part of the rows, and
# the run equals the single-process one.
"$gemmnet" moons --n 1000 --seed 5 -o "$tmp/shared.csv"
shared=(train --data "$tmp/shared.csv" --hidden 16 --batch 64 --optimizer adam --reduction mean
        --lr 0.01 --epochs 100 --print-every 5)
run 1 "${shared[@]}" >"$tmp/shared1.txt" || fail "shared file on 1 rank exited $?"
for n in 2 3; do
    run "$n" "${shared[@]}" >"$tmp/shared$n.txt" || fail "shared file on $n ranks exited $?"
    same_within 3e-6 "$tmp/shared1.txt" "$tmp/shared$n.txt" ||
        fail "shared file: $n ranks differ from 1: $(diff "$tmp/shared1.txt" "$tmp/shared$n.txt")"
done

# The tutorial: lines 0 and 1000 equal, 195/200 whatever the rank count
# (line 2000 lies in its chaotic stretch).
for n in 2 3; do
    run "$n" train --moons 200 >"$tmp/tutorial$n.txt" || fail "tutorial on $n ranks exited $?"
    grep -qx 'Loss after iteration 0: 0.43238[67]' "$tmp/tutorial$n.txt" || fail "$n ranks: line 0"
    grep -qx 'Loss after iteration 1000: 0.06894[67]' "$tmp/tutorial$n.txt" || fail "$n ranks: line 1000"
    grep -qx 'accuracy: 0.9750 (195/200)' "$tmp/tutorial$n.txt" || fail "$n ranks: not 195/200"
done

# --resume under MPI: rank 0 saves, every rank loads; stopping after 60
# epochs and resuming to 120 saves the bytes of an uninterrupted run.
run 2 "${mini[@]}" --epochs 120 --save "$tmp/whole.gnet" >/dev/null || fail "2-rank --save exited $?"
run 2 "${mini[@]}" --epochs 60 --save "$tmp/half.gnet" >/dev/null || fail "2-rank first half exited $?"
run 2 train --moons 1000 --val 0.2 --resume "$tmp/half.gnet" --epochs 120 --save "$tmp/half.gnet" \
    >/dev/null || fail "2-rank --resume exited $?"
cmp -s "$tmp/whole.gnet" "$tmp/half.gnet" || fail "a resumed 2-rank run differs from an uninterrupted one"

# Per-rank files: each rank reads its own shard.
"$gemmnet" moons --n 150 --seed 1 -o "$tmp/shard-0.csv"
"$gemmnet" moons --n 150 --seed 2 -o "$tmp/shard-1.csv"
run 2 train --data "$tmp/shard-%r.csv" --epochs 500 --print-every 0 >"$tmp/shards.txt" ||
    fail "per-rank files exited $?"
grep -Eq '^accuracy: 0\.[89][0-9]* \([0-9]+/300\)$' "$tmp/shards.txt" || fail "per-rank files: $(cat "$tmp/shards.txt")"

# A rank that fails stops all of them, naming itself and the cause.
printf 'x1,x2,label\n1,2,0\n1,nan,1\n' >"$tmp/shard-1.csv"
run 2 train --data "$tmp/shard-%r.csv" --epochs 10 >"$tmp/out" 2>"$tmp/err" && fail "a bad shard did not fail"
grep -q 'rank 1: .*shard-1.csv:3:2: "nan" is not finite' "$tmp/err" || fail "bad shard message: $(cat "$tmp/err")"
grep -q 'stopping: rank 1 failed' "$tmp/err" || fail "rank 0 did not name the failing rank"
rm "$tmp/shard-1.csv"
run 3 train --data "$tmp/shard-%r.csv" --epochs 10 >"$tmp/out" 2>"$tmp/err" && fail "missing shards did not fail"
grep -q 'rank 1: .*shard-1.csv: cannot open' "$tmp/err" || fail "missing shard message: $(cat "$tmp/err")"
run 2 train --moons 200 --lr 1e30 --epochs 10 >"$tmp/out" 2>"$tmp/err" && fail "divergence did not fail"
grep -Eq 'the (gradient is|weights are) not finite' "$tmp/err" || fail "divergence message: $(cat "$tmp/err")"

# ---- the ranks' data must agree ------------------------------------------
# gemmnet_lines: the lines gemmnet itself printed on stderr (mpirun adds its
# own report of the failed job).
gemmnet_lines() { grep -c '^gemmnet train: ' "$tmp/err"; }
# disagree PATTERN WHAT ARGS...: training fails on every rank, within the
# timeout, with one line matching PATTERN, and the previous model survives.
disagree() {
    local pattern=$1 what=$2
    shift 2
    printf 'previous model\n' >"$tmp/prev.gnet"
    cp "$tmp/prev.gnet" "$tmp/prev.copy"
    run 2 train "$@" --epochs 5 --print-every 0 --save "$tmp/prev.gnet" >"$tmp/out" 2>"$tmp/err"
    local status=$?
    [[ $status != 0 && $status != 124 ]] || fail "$what: exited $status"
    [[ $(gemmnet_lines) == 1 ]] || fail "$what: expected one line: $(cat "$tmp/err")"
    grep -q "^gemmnet train: $pattern" "$tmp/err" || fail "$what: message: $(cat "$tmp/err")"
    cmp -s "$tmp/prev.gnet" "$tmp/prev.copy" || fail "$what: the previous model was replaced"
}
"$gemmnet" moons --n 100 --seed 1 -o "$tmp/m1.csv"
"$gemmnet" moons --n 100 --seed 2 -o "$tmp/m2.csv"
cp "$tmp/m1.csv" "$tmp/d-0.csv"
awk -F, '{ print $1 "," $2 "," $2 "," $3 }' "$tmp/m2.csv" >"$tmp/d-1.csv"
disagree "ranks 0 and 1 disagree about their data (.*d-0.csv, .*d-1.csv): 2 features against 3" \
    "different D" --data "$tmp/d-%r.csv"
# D and K differ with the same number of parameters (3·2 + 3 + 4·5 = 3·6 + 3 + 4·2).
awk -F, 'NR > 1 { print $1 "," $2 "," NR % 5 }' "$tmp/m1.csv" >"$tmp/p-0.csv"
awk -F, 'NR > 1 { print $1 "," $2 "," $1 "," $2 "," $1 "," $2 "," $3 }' "$tmp/m2.csv" >"$tmp/p-1.csv"
disagree "ranks 0 and 1 disagree about their data (.*p-0.csv, .*p-1.csv): 2 features against 6" \
    "different D and K, same parameter count" --data "$tmp/p-%r.csv"
cp "$tmp/m1.csv" "$tmp/k-0.csv"
awk -F, 'NR == 1 { print; next } { print $1 "," $2 "," ($3 ? "dog" : "cat") }' "$tmp/m2.csv" >"$tmp/k-1.csv"
disagree "ranks 0 and 1 disagree about their data (.*k-0.csv, .*k-1.csv): integer labels against text" \
    "integer and text labels" --data "$tmp/k-%r.csv"
# Shared class names are one class: {cat,dog} and {dog,emu} train K = 3.
awk -F, 'NR == 1 { print; next } { print $1 "," $2 "," ($3 ? "dog" : "cat") }' "$tmp/m1.csv" >"$tmp/n-0.csv"
awk -F, 'NR == 1 { print; next } { print $1 "," $2 "," ($3 ? "emu" : "dog") }' "$tmp/m2.csv" >"$tmp/n-1.csv"
run 2 train --data "$tmp/n-%r.csv" --epochs 50 --print-every 0 --save "$tmp/n.gnet" >"$tmp/out" 2>"$tmp/err" ||
    fail "unified names exited $?: $(cat "$tmp/err")"
"$gemmnet" eval --model "$tmp/n.gnet" --data "$tmp/n-1.csv" --json >"$tmp/eval.json" ||
    fail "eval of the unified model exited $?"
grep -q '"classes": \["cat", "dog", "emu"\]' "$tmp/eval.json" || fail "unified classes: $(cat "$tmp/eval.json")"
grep -q '"support": \[0, 50, 50\]' "$tmp/eval.json" || fail "rank 1's dog is not rank 0's dog: $(cat "$tmp/eval.json")"
# Integer labels: the largest K (rank 1 alone has class 2).
awk -F, 'NR == 1 { print; next } { print $1 "," $2 "," ($3 + NR % 2) }' "$tmp/m2.csv" >"$tmp/i-1.csv"
cp "$tmp/m1.csv" "$tmp/i-0.csv"
run 2 train --data "$tmp/i-%r.csv" --epochs 50 --print-every 0 >"$tmp/out" 2>"$tmp/err" ||
    fail "unified K exited $?: $(cat "$tmp/err")"
grep -q '^ *2 ' "$tmp/out" || fail "K = 3 expected: $(cat "$tmp/out")"

# ---- a failing save stops every rank --------------------------------------
run 2 train --moons 200 --epochs 300 --print-every 0 --save /nonexistent/dir/ck.gnet \
    --checkpoint-every 100 >"$tmp/out" 2>"$tmp/err"
status=$?
[[ $status != 0 && $status != 124 ]] || fail "failing checkpoint: exited $status"
[[ $(gemmnet_lines) == 1 ]] || fail "failing checkpoint: expected one line: $(cat "$tmp/err")"
grep -q '^gemmnet train: /nonexistent/dir/ck.gnet: ' "$tmp/err" || fail "failing checkpoint: $(cat "$tmp/err")"
# The name fits, its temporary name does not: the save fails, the file stays.
long=$tmp/$(printf 'c%.0s' {1..250})
printf 'previous checkpoint\n' >"$long"
cp "$long" "$tmp/long.copy"
for every in "--checkpoint-every 100" ""; do
    # shellcheck disable=SC2086 # $every is zero or two words
    run 2 train --moons 200 --epochs 200 --print-every 0 --save "$long" $every >"$tmp/out" 2>"$tmp/err"
    status=$?
    [[ $status != 0 && $status != 124 ]] || fail "failing save ($every): exited $status"
    [[ $(gemmnet_lines) == 1 ]] || fail "failing save ($every): $(cat "$tmp/err")"
    cmp -s "$long" "$tmp/long.copy" || fail "failing save ($every): file replaced"
done
# Ranks × row-block threads: 2 ranks of 4000 rows with --threads 2 (each
# rank's 2-64-2 batch is big enough for 2 workers) equal 1 rank, 1 thread.
# With a single-threaded BLAS (ATLAS, netlib) --threads 2 gives 2
# row-block workers instead of BLAS threads: the same check holds.
wide=(train --moons 8000 --hidden 64 --lr 0.00005 --epochs 40 --print-every 4)
run 1 "${wide[@]}" --threads 1 >"$tmp/wide1.txt" || fail "1 rank, 1 thread exited $?"
run 2 "${wide[@]}" --threads 2 >"$tmp/wide2.txt" 2>"$tmp/err" ||
    fail "2 ranks × 2 threads exited $?: $(cat "$tmp/err")"
same_within 3e-6 "$tmp/wide1.txt" "$tmp/wide2.txt" ||
    fail "2 ranks × 2 threads differ from 1: $(diff "$tmp/wide1.txt" "$tmp/wide2.txt")"

finish MPI
