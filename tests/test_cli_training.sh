#!/usr/bin/env bash
# gemmnet train's AdamW, gradient clipping, warm starts and class weights through the
# command line: runs, resumes, equalities with uninterrupted runs, and
# one-line refusals. Usage: test_cli_training.sh GEMMNET
set -u
gemmnet=$1
# shellcheck source=tests/cli_helpers.sh
source "$(dirname "$0")/cli_helpers.sh"

# weights FILE: the model's JSON without the training state (a checkpoint's
# dump carries it as the key "training_state", which holds the run's
# settings, so runs of equal weights but other options would differ).
weights() { "$gemmnet" dump --model "$1" | without_training_state; }
same_weights() { [[ $(weights "$1") == "$(weights "$2")" ]]; }

# ---- AdamW ---------------------------------------------------------------
adamw=(--moons 200 --optimizer adamw --reduction mean --lr 0.02 --batch 50 --print-every 0)
"$gemmnet" train "${adamw[@]}" --epochs 60 --weight-decay 0.1 --save "$tmp/aw.gnet" >"$tmp/out" ||
    fail "train --optimizer adamw exited $?"
grep -q '^accuracy: 0\.[89]' "$tmp/out" || fail "adamw accuracy: $(cat "$tmp/out")"
# AdamW is decoupled unless --l2 is given: the model records l2 = 0.
weights "$tmp/aw.gnet" | grep -qx '  "l2": 0,' || fail "adamw without --l2 did not record l2 0"
"$gemmnet" train "${adamw[@]}" --epochs 1 --l2 0.5 --save "$tmp/aw_l2.gnet" >/dev/null
weights "$tmp/aw_l2.gnet" | grep -qx '  "l2": 0.5,' || fail "adamw --l2 0.5 not recorded"
# The decay changes the run; stopped at 25 and resumed, it equals the whole.
"$gemmnet" train "${adamw[@]}" --epochs 60 --weight-decay 0 --save "$tmp/aw0.gnet" >/dev/null
same_weights "$tmp/aw.gnet" "$tmp/aw0.gnet" && fail "--weight-decay 0.1 did not change the weights"
"$gemmnet" train "${adamw[@]}" --epochs 25 --weight-decay 0.1 --save "$tmp/aw_part.gnet" >/dev/null
"$gemmnet" train --moons 200 --resume "$tmp/aw_part.gnet" --epochs 60 --save "$tmp/aw_part.gnet" \
    --print-every 0 >/dev/null || fail "resuming adamw exited $?"
cmp -s "$tmp/aw.gnet" "$tmp/aw_part.gnet" || fail "resumed adamw run differs from the whole run"
expect 2 "is for --optimizer adamw" "$gemmnet" train --moons 200 --weight-decay 0.1
expect 2 "drop --weight-decay" "$gemmnet" train --moons 200 --resume "$tmp/aw_part.gnet" \
    --weight-decay 0.2
expect 2 "weight-decay" "$gemmnet" train --moons 200 --optimizer adamw --weight-decay -1

# ---- dropout ---------------------------------------------------------------
dr=(--moons 200 --epochs 40 --print-every 0)
"$gemmnet" train "${dr[@]}" --save "$tmp/dr_plain.gnet" >/dev/null
"$gemmnet" train "${dr[@]}" --dropout 0 --save "$tmp/dr_zero.gnet" >/dev/null ||
    fail "--dropout 0 exited $?"
"$gemmnet" train "${dr[@]}" --dropout 0.3 --save "$tmp/dr.gnet" >/dev/null ||
    fail "--dropout 0.3 exited $?"
same_weights "$tmp/dr_plain.gnet" "$tmp/dr_zero.gnet" || fail "--dropout 0 changed the run"
same_weights "$tmp/dr_plain.gnet" "$tmp/dr.gnet" && fail "--dropout 0.3 did not change the run"
"$gemmnet" train "${dr[@]/40/15}" --dropout 0.3 --save "$tmp/dr_part.gnet" >/dev/null
"$gemmnet" train --moons 200 --resume "$tmp/dr_part.gnet" --epochs 40 --print-every 0 \
    --save "$tmp/dr_part.gnet" >/dev/null
cmp -s "$tmp/dr.gnet" "$tmp/dr_part.gnet" || fail "resumed dropout run differs"
expect 2 "dropout" "$gemmnet" train --moons 200 --dropout 1
expect 2 "dropout" "$gemmnet" train --moons 200 --dropout -0.1
"$gemmnet" train --help | grep -q -- "--dropout P" || fail "--help does not list --dropout"

# ---- gradient clipping ---------------------------------------------------
gd=(--moons 200 --epochs 40 --print-every 0)
"$gemmnet" train "${gd[@]}" --save "$tmp/plain.gnet" >/dev/null
"$gemmnet" train "${gd[@]}" --clip-norm 0.5 --save "$tmp/clip.gnet" >/dev/null ||
    fail "--clip-norm 0.5 exited $?"
"$gemmnet" train "${gd[@]}" --clip-norm 1e30 --save "$tmp/clip_huge.gnet" >/dev/null
same_weights "$tmp/plain.gnet" "$tmp/clip.gnet" && fail "--clip-norm 0.5 did not change the run"
same_weights "$tmp/plain.gnet" "$tmp/clip_huge.gnet" || fail "--clip-norm 1e30 changed the run"
"$gemmnet" train "${gd[@]/40/15}" --clip-norm 0.5 --save "$tmp/clip_part.gnet" >/dev/null
"$gemmnet" train --moons 200 --resume "$tmp/clip_part.gnet" --epochs 40 --print-every 0 \
    --save "$tmp/clip_part.gnet" >/dev/null
cmp -s "$tmp/clip.gnet" "$tmp/clip_part.gnet" || fail "resumed clipped run differs"
expect 2 "clip-norm" "$gemmnet" train --moons 200 --clip-norm -1
expect 2 "drop --clip-norm" "$gemmnet" train --moons 200 --resume "$tmp/clip_part.gnet" \
    --clip-norm 1

# ---- warm starts ---------------------------------------------------------
# Full-batch gradient descent keeps no optimizer state, so 10 epochs, then
# 15 more from the saved model, equal 25 epochs in one go.
"$gemmnet" train --moons 200 --epochs 10 --print-every 0 --save "$tmp/w10.gnet" >/dev/null
"$gemmnet" train --moons 200 --epochs 25 --print-every 0 --save "$tmp/w25.gnet" >/dev/null
"$gemmnet" train --moons 200 --epochs 15 --print-every 0 --init-from "$tmp/w10.gnet" \
    --save "$tmp/warm.gnet" >/dev/null || fail "--init-from exited $?"
same_weights "$tmp/w25.gnet" "$tmp/warm.gnet" || fail "10 + 15 warm-started epochs differ from 25"
# Zero epochs keep the given weights; a model made by import works alike.
"$gemmnet" train --moons 200 --epochs 0 --init-from "$tmp/w10.gnet" --save "$tmp/w0.gnet" >/dev/null
same_weights "$tmp/w10.gnet" "$tmp/w0.gnet" || fail "--init-from with 0 epochs changed the weights"
weights "$tmp/w10.gnet" >"$tmp/w10.json"
"$gemmnet" import "$tmp/w10.json" -o "$tmp/imported.gnet" || fail "import exited $?"
"$gemmnet" train --moons 200 --epochs 15 --print-every 0 --init-from "$tmp/imported.gnet" \
    --save "$tmp/warm_imported.gnet" >/dev/null || fail "--init-from an imported model exited $?"
same_weights "$tmp/w25.gnet" "$tmp/warm_imported.gnet" || fail "warm start from import differs"
# Adam's moments start fresh: not the same as resuming the checkpoint.
adam=(--moons 200 --optimizer adam --lr 0.01 --print-every 0)
"$gemmnet" train "${adam[@]}" --epochs 10 --save "$tmp/a10.gnet" >/dev/null
"$gemmnet" train "${adam[@]}" --epochs 20 --save "$tmp/a20.gnet" >/dev/null
"$gemmnet" train "${adam[@]}" --epochs 10 --init-from "$tmp/a10.gnet" --save "$tmp/aw10.gnet" >/dev/null
same_weights "$tmp/a20.gnet" "$tmp/aw10.gnet" && fail "--init-from kept Adam's moments"
# The standardisation comes with the weights.
"$gemmnet" moons --n 200 --seed 0 | awk -F, 'NR == 1 { print; next } { print $1 * 100 "," $2 - 5 "," $3 }' \
    >"$tmp/wide.csv"
"$gemmnet" train --data "$tmp/wide.csv" --standardize --epochs 10 --print-every 0 \
    --save "$tmp/s10.gnet" >/dev/null
"$gemmnet" train --data "$tmp/wide.csv" --standardize --epochs 25 --print-every 0 \
    --save "$tmp/s25.gnet" >/dev/null
"$gemmnet" train --data "$tmp/wide.csv" --init-from "$tmp/s10.gnet" --epochs 15 --print-every 0 \
    --save "$tmp/s_warm.gnet" >/dev/null || fail "--init-from a standardised model exited $?"
same_weights "$tmp/s25.gnet" "$tmp/s_warm.gnet" || fail "standardised warm start differs"
# A shape that does not fit is refused, naming the difference.
expect 1 "width of hidden layer 1: 3 in the model, 4 expected" \
    "$gemmnet" train --moons 200 --hidden 4 --init-from "$tmp/w10.gnet"
expect 1 "hidden layers: 1 in the model, 2 expected" \
    "$gemmnet" train --moons 200 --hidden 3,3 --init-from "$tmp/w10.gnet"
expect 1 "activation of hidden layer 1: tanh in the model, relu expected" \
    "$gemmnet" train --moons 200 --activation relu --init-from "$tmp/w10.gnet"
awk -F, '{ print $1 "," $2 "," $1 "," $3 }' "$tmp/wide.csv" >"$tmp/three.csv"
expect 1 "inputs: 2 in the model, 3 expected" \
    "$gemmnet" train --data "$tmp/three.csv" --init-from "$tmp/w10.gnet"
expect 1 "classes: 2 in the model, 3 expected" \
    "$gemmnet" train --data "$tmp/wide.csv" --classes 3 --init-from "$tmp/w10.gnet"
expect 1 "no-such.gnet" "$gemmnet" train --moons 200 --init-from "$tmp/no-such.gnet"
expect 2 "not both" "$gemmnet" train --moons 200 --init-from "$tmp/w10.gnet" --resume "$tmp/w10.gnet"
expect 2 "drop --init" "$gemmnet" train --moons 200 --init-from "$tmp/w10.gnet" --init he
expect 2 "drop --standardize" "$gemmnet" train --moons 200 --init-from "$tmp/w10.gnet" --standardize

# ---- --threads on every backend ------------------------------------------
# 2 threads: BLAS threads, or (ATLAS, netlib: single-threaded) 2 row-block
# workers; either way the run equals 1 thread within float32 reassociation
# (6 printed decimals, 3e-6), and never refuses the count.
wide=(train --moons 4000 --hidden 64 --lr 0.0001 --epochs 30 --print-every 2)
expect 0 "" "$gemmnet" "${wide[@]}" --threads 1
cp "$tmp/out" "$tmp/threads1.txt"
expect 0 "" "$gemmnet" "${wide[@]}" --threads 2
same_within 3e-6 "$tmp/threads1.txt" "$tmp/out" ||
    fail "--threads 2 differs from 1: $(diff "$tmp/threads1.txt" "$tmp/out")"

# ---- class weights ----------------------------------------------------------
cw=(--moons 200 --epochs 40 --print-every 0)
"$gemmnet" train "${cw[@]}" --save "$tmp/cw_plain.gnet" >/dev/null
"$gemmnet" train "${cw[@]}" --class-weight 1,1 --save "$tmp/cw_ones.gnet" >/dev/null ||
    fail "--class-weight 1,1 exited $?"
same_weights "$tmp/cw_plain.gnet" "$tmp/cw_ones.gnet" || fail "--class-weight 1,1 changed the run"
"$gemmnet" train "${cw[@]}" --class-weight balanced --save "$tmp/cw_bal.gnet" >/dev/null ||
    fail "--class-weight balanced exited $?"
"$gemmnet" train "${cw[@]}" --class-weight 1,3 --save "$tmp/cw_13.gnet" >/dev/null
same_weights "$tmp/cw_plain.gnet" "$tmp/cw_13.gnet" && fail "--class-weight 1,3 did not change the run"
# Stopped at 15 and resumed with the same weights: the whole run; without them: refused.
"$gemmnet" train "${cw[@]}" --epochs 15 --class-weight 1,3 --save "$tmp/cw_part.gnet" >/dev/null
expect 1 "split and weights" "$gemmnet" train --moons 200 --resume "$tmp/cw_part.gnet" --epochs 40
"$gemmnet" train --moons 200 --resume "$tmp/cw_part.gnet" --epochs 40 --class-weight 1,3 \
    --print-every 0 --save "$tmp/cw_part.gnet" >/dev/null || fail "resuming with class weights exited $?"
cmp -s "$tmp/cw_13.gnet" "$tmp/cw_part.gnet" || fail "resumed class-weighted run differs from the whole run"
expect 1 "^gemmnet train: --class-weight: 3 weights given, the data has 2 classes$" \
    "$gemmnet" train --moons 200 --class-weight 1,2,3
expect 1 "^gemmnet train: --class-weight: '1,-1': expected 'balanced' or a list of 2 weights" \
    "$gemmnet" train --moons 200 --class-weight 1,-1
expect 1 "^gemmnet train: --class-weight: 'nan,1': expected" \
    "$gemmnet" train --moons 200 --class-weight nan,1
expect 1 "^gemmnet train: --class-weight: 'even'" "$gemmnet" train --moons 200 --class-weight even
# eval's balanced accuracy: text and JSON.
"$gemmnet" moons --n 200 -o "$tmp/cw.csv" || fail "gemmnet moons exited $?"
if [[ -s $tmp/cw.csv ]]; then
    "$gemmnet" eval --model "$tmp/cw_bal.gnet" --data "$tmp/cw.csv" | grep -q '^balanced accuracy: 0\.[0-9]\{4\}$' ||
        fail "eval prints no balanced accuracy"
    "$gemmnet" eval --model "$tmp/cw_bal.gnet" --data "$tmp/cw.csv" --json |
        grep -q '"balanced_accuracy": 0\.' || fail "eval --json has no balanced_accuracy"
else
    fail "could not write a moons CSV for eval"
fi

finish "training-option"
