#!/usr/bin/env bash
# The gemmnet command's contract: outputs, exit statuses (0 ok, 1 failure,
# 2 usage) and one-line error messages. Usage: test_cli.sh GEMMNET DATADIR
set -u
gemmnet=$1
data=$2
# shellcheck source=tests/cli_helpers.sh
source "$(dirname "$0")/cli_helpers.sh"

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
grep -qx "accuracy: 0.9750 (195/200)" "$tmp/train.txt" ||
    fail "no 'accuracy: 0.9750 (195/200)' line: $(cat "$tmp/train.txt")"
# The confusion matrix follows: rows are true classes (100 each).
tail -2 "$tmp/train.txt" | awk '{ s += $2 + $3 } END { exit s != 200 }' ||
    fail "confusion matrix: $(tail -3 "$tmp/train.txt")"
# The same data from the CSV file trains identically.
"$gemmnet" train --data "$data/moons200_glibc.csv" >"$tmp/train_csv.txt" || fail "train --data exited $?"
cmp -s "$tmp/train.txt" "$tmp/train_csv.txt" || fail "--data moons200_glibc.csv differs from --moons 200"
# Other shapes and conventions run and report.
"$gemmnet" train --moons 300 --hidden 8,4 --epochs 300 --reduction mean --lr 0.5 --print-every 100 \
    --threads 1 >"$tmp/deep.txt" || fail "deep mean run exited $?"
[[ $(grep -c '^Loss after iteration' "$tmp/deep.txt") == 3 ]] || fail "print-every 100 over 300 epochs"
grep -q '^accuracy: 0\.[89]' "$tmp/deep.txt" || fail "deep run accuracy: $(tail -1 "$tmp/deep.txt")"

# The exercises: generators, activations, optimizers, schedules, minibatches,
# validation with early stopping, the linear baselines.
"$gemmnet" spiral --classes 3 --n 300 -o "$tmp/spiral.csv" || fail "spiral exited $?"
[[ $(wc -l <"$tmp/spiral.csv") == 301 ]] || fail "spiral --n 300 did not write 300 rows"
[[ $(cut -d, -f3 "$tmp/spiral.csv" | sort -u | grep -c '^[0-9]') == 3 ]] || fail "spiral: not 3 classes"
for kind in blobs circles xor; do
    "$gemmnet" "$kind" --n 50 | awk -F, 'NR > 1 { n++ } END { exit n != 50 }' || fail "$kind --n 50"
done
"$gemmnet" train --data "$tmp/spiral.csv" --hidden 64 --activation relu --init he --optimizer adam \
    --reduction mean --lr 0.02 --l2 0.0001 --batch 64 --epochs 1500 --print-every 500 >"$tmp/spiral.txt" ||
    fail "spiral training exited $?"
grep -Eq '^accuracy: (0\.9[5-9]|1\.0)' "$tmp/spiral.txt" || fail "spiral accuracy: $(grep accuracy "$tmp/spiral.txt")"
[[ $(sed -n '/^confusion matrix/,$p' "$tmp/spiral.txt" | wc -l) == 5 ]] ||
    fail "spiral: expected a 3×3 confusion matrix: $(cat "$tmp/spiral.txt")"
"$gemmnet" train --moons 400 --noise 0.4 --hidden 32 --optimizer adam --reduction mean --lr 0.05 --l2 0 \
    --epochs 3000 --val 0.25 --patience 50 --print-every 100 >"$tmp/val.txt" || fail "--val run exited $?"
grep -q '^Loss after iteration 0: [0-9.]* accuracy [0-9.]* | val loss [0-9.]* val accuracy [0-9.]*$' \
    "$tmp/val.txt" || fail "--val print line: $(head -1 "$tmp/val.txt")"
grep -q '^early stop after epoch [0-9]*: keeping the weights of epoch [0-9]*' "$tmp/val.txt" ||
    fail "--patience did not stop early"
grep -q '^validation accuracy: 0\.[0-9]* ([0-9]*/100)$' "$tmp/val.txt" || fail "no validation accuracy line"
# The epochs end before the patience: the best epoch's weights are kept, and
# train says which.
"$gemmnet" train --moons 300 --noise 0.4 --val 0.3 --patience 1000 --epochs 300 --hidden 20 \
    --lr 0.05 --print-every 0 >"$tmp/ended.txt" || fail "--patience 1000 run exited $?"
grep -q '^training ended after epoch 299: keeping the weights of epoch [0-9]* (best validation loss)$' \
    "$tmp/ended.txt" || fail "no best-weights line when the epochs end first: $(head -1 "$tmp/ended.txt")"
"$gemmnet" train --moons 200 --hidden 8,8 --activation relu,tanh --schedule step:500:0.5 \
    --optimizer nesterov --lr 0.005 --epochs 2000 --print-every 0 >"$tmp/mixed.txt" || fail "mixed run exited $?"
grep -Eq '^accuracy: (0\.9[6-9]|1\.0)' "$tmp/mixed.txt" || fail "relu,tanh run: $(grep accuracy "$tmp/mixed.txt")"
"$gemmnet" train --moons 200 --hidden 0 --epochs 2000 --print-every 0 | grep -Eq '^accuracy: 0\.8[3-7]' ||
    fail "--hidden 0 (softmax regression) is not near the tutorial's 0.85"
"$gemmnet" baseline --moons 200 >"$tmp/baseline.txt" || fail "baseline exited $?"
grep -Eq 'accuracy: 0\.8[3-7][0-9]* \(1[67][0-9]/200\)' "$tmp/baseline.txt" || fail "baseline: $(cat "$tmp/baseline.txt")"
expect 2 "--activation expects one of tanh, relu" "$gemmnet" train --moons 200 --activation swish
expect 2 "--activation lists 2 functions for 1 hidden" "$gemmnet" train --moons 200 --activation relu,tanh
expect 2 "--schedule expects" "$gemmnet" train --moons 200 --schedule step:0:0.5
expect 2 "--optimizer expects one of gd, momentum" "$gemmnet" train --moons 200 --optimizer sgd
expect 2 "--patience needs --val" "$gemmnet" train --moons 200 --patience 5
expect 2 "--val expects" "$gemmnet" train --moons 200 --val 1.5
expect 2 "--classes applies to spiral and blobs" "$gemmnet" moons --classes 3
expect 2 "--classes expects" "$gemmnet" spiral --classes 1
expect 2 "exactly one of --data" "$gemmnet" baseline

# Saving and resuming: a run stopped at 7000 epochs and resumed to 20000
# saves the same bytes as an uninterrupted one; checkpoints along the way
# change nothing; a diverged run never replaces a saved model.
"$gemmnet" train --moons 200 --save "$tmp/full.gnet" --print-every 0 >/dev/null || fail "--save exited $?"
"$gemmnet" train --moons 200 --epochs 7000 --save "$tmp/part.gnet" --print-every 0 >/dev/null ||
    fail "--save after 7000 epochs exited $?"
"$gemmnet" train --moons 200 --resume "$tmp/part.gnet" --epochs 20000 --save "$tmp/part.gnet" \
    --checkpoint-every 5000 >"$tmp/resumed.txt" || fail "--resume exited $?"
cmp -s "$tmp/full.gnet" "$tmp/part.gnet" || fail "resumed run differs from the uninterrupted one"
head -1 "$tmp/resumed.txt" | grep -Eqx 'Loss after iteration 7000: 0\.07(13|07)[0-9]*' ||
    fail "resume did not continue at epoch 7000: $(head -1 "$tmp/resumed.txt")"
"$gemmnet" predict --model "$tmp/full.gnet" --data "$data/moons200_glibc.csv" >"$tmp/pred.txt" ||
    fail "predict on a saved (checkpoint) model exited $?"
[[ $(paste -d, <(tail -n +2 "$data/moons200_glibc.csv" | cut -d, -f3) "$tmp/pred.txt" |
    awk -F, '$1 == $2' | wc -l) == 195 ]] || fail "the saved model does not predict 195/200"
cp "$tmp/full.gnet" "$tmp/keep.gnet"
expect 1 "not finite" "$gemmnet" train --moons 200 --lr 1e30 --save "$tmp/keep.gnet"
cmp -s "$tmp/full.gnet" "$tmp/keep.gnet" || fail "a diverged run overwrote the saved model"
expect 2 "drop --lr" "$gemmnet" train --moons 200 --resume "$tmp/part.gnet" --lr 0.1
expect 1 "trained on 200 rows" "$gemmnet" train --moons 300 --resume "$tmp/part.gnet" --epochs 20001
# The same number of rows, other values (--noise): the data fingerprint.
expect 1 "trained on other training data" "$gemmnet" train --moons 200 --noise 0.3 \
    --resume "$tmp/part.gnet" --epochs 20001
# --epochs not beyond the checkpoint's: a message, not a silent no-op.
expect 1 "already done 20000 epochs; --epochs 5000 would train none" "$gemmnet" train \
    --moons 200 --resume "$tmp/part.gnet" --epochs 5000
expect 1 "bad magic number" "$gemmnet" train --moons 200 --resume "$data/moons200_glibc.csv"
expect 2 "--checkpoint-every needs --save" "$gemmnet" train --moons 200 --checkpoint-every 10

# Text labels by column name, standardisation stored in the model, the log.
awk -F, 'NR == 1 { print "label,a,b"; next } { print ($3 ? "inner" : "outer") "," $1 * 1000 "," $2 }' \
    "$data/moons200_glibc.csv" >"$tmp/named.csv"
"$gemmnet" train --data "$tmp/named.csv" --label-col label --standardize --hidden 8 --epochs 3000 \
    --print-every 0 --log "$tmp/log.csv" --log-every 100 --save "$tmp/named.gnet" >"$tmp/named.txt" ||
    fail "--label-col NAME --standardize exited $?"
grep -Eq '^accuracy: 0\.9[6-9]' "$tmp/named.txt" || fail "standardised run: $(grep accuracy "$tmp/named.txt")"
[[ $(head -1 "$tmp/log.csv") == epoch,loss,accuracy,val_loss,val_accuracy && $(wc -l <"$tmp/log.csv") == 31 ]] ||
    fail "--log-every 100 over 3000 epochs: $(head -2 "$tmp/log.csv")"
cut -d, -f2,3 "$tmp/named.csv" | "$gemmnet" predict --model "$tmp/named.gnet" --data - | sort | uniq -c |
    grep -q ' inner$' || fail "predict on raw rows does not print the class names"
expect 2 "--standardize needs one data file" "$gemmnet" train --data "$tmp/s-%r.csv" --standardize

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
expect 2 "--reduction expects one of sum, mean" "$gemmnet" train --moons 200 --reduction max
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

# dump -> import of a checkpoint (what train --save writes) gives the same
# bytes, training state included, and the copy resumes.
"$gemmnet" train --moons 50 --epochs 10 --hidden 3 --print-every 0 --save "$tmp/ck.gnet" \
    >/dev/null || fail "training a checkpoint exited $?"
"$gemmnet" dump --model "$tmp/ck.gnet" | "$gemmnet" import - -o "$tmp/ck.again.gnet" ||
    fail "dump | import of a checkpoint exited $?"
cmp -s "$tmp/ck.gnet" "$tmp/ck.again.gnet" || fail "dump -> import of a checkpoint differs"
expect 0 "" "$gemmnet" train --moons 50 --resume "$tmp/ck.again.gnet" --epochs 12 --print-every 0

# Finite weights, non-finite answers: weights of 3e38 overflow the logits.
# predict, predict --proba and eval (text and --json) fail with a message
# and print no NaN.
"$gemmnet" train --moons 50 --epochs 10 --hidden 3 --print-every 0 --save "$tmp/small.gnet" \
    >/dev/null || fail "training the small model exited $?"
"$gemmnet" dump --model "$tmp/small.gnet" | sed -E '/^        \[/ s/[-0-9.e+]+/3e38/g' \
    >"$tmp/huge.json"
"$gemmnet" import "$tmp/huge.json" -o "$tmp/huge.gnet" || fail "import of 3e38 weights exited $?"
"$gemmnet" moons --n 20 >"$tmp/twenty.csv"
for mode in "predict" "predict --proba" "eval" "eval --json"; do
    # shellcheck disable=SC2086 # $mode is a command and its option
    expect 1 "probabilities are not finite\|loss is not finite" "$gemmnet" $mode \
        --model "$tmp/huge.gnet" --data "$tmp/twenty.csv"
    grep -qi nan "$tmp/out" && fail "$mode printed NaN: $(head -3 "$tmp/out")"
done

finish CLI
