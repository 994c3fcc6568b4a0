#!/usr/bin/env bash
# The CLI on data that used to be read silently wrong, and the shape of
# its error messages: pandas-style numeric headers (train, eval, predict,
# --header), text labels for a model without class names, the messages
# that named neither file nor place, and a sweep of error paths (the
# tests/bad/ corpus, hostile names, option errors) asserting one line of
# `gemmnet CMD: FILE:LINE[:COL]: what` (or `gemmnet CMD: what`), printable,
# bounded. Usage: test_cli_data.sh GEMMNET BADDIR
set -u
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
gemmnet=$1
bad_dir=$2
# shellcheck source=tests/cli_helpers.sh
source "$(dirname "$0")/cli_helpers.sh"

# ---- pandas-style numeric headers ------------------------------------------
"$gemmnet" moons --n 100 --seed 3 -o "$tmp/moons.csv" || fail "moons exited $?"
tail -n +2 "$tmp/moons.csv" >"$tmp/rows.csv"
text_rows() { awk -F, '{ print $1 "," $2 "," ($3 ? "dog" : "cat") }' "$tmp/rows.csv"; }
{ echo 0,1,label; cat "$tmp/rows.csv"; } >"$tmp/p_int.csv"     # DataFrame(X).assign(label=y)
{ echo 0,1,2; cat "$tmp/rows.csv"; } >"$tmp/p_num.csv"         # DataFrame(np.c_[X, y])
{ echo 0,1,species; text_rows; } >"$tmp/p_text.csv"            # named label, text classes
{ echo 0,1,2; text_rows; } >"$tmp/p_num_text.csv"
{ echo 0,1,2; cat "$tmp/rows.csv"; echo 0.5,0.5,2; } >"$tmp/p_ambiguous.csv"

# Every header above is skipped: 100 rows, K = 2, never a class "label",
# "species" or "2".
for f in p_int p_num p_text p_num_text; do
    expect 0 "" "$gemmnet" train --data "$tmp/$f.csv" --epochs 20 --print-every 0 --save "$tmp/$f.gnet"
    grep -q '^accuracy: [0-9.]* ([0-9]*/100)$' "$tmp/out" || fail "$f: not 100 rows: $(cat "$tmp/out")"
    grep -q '^ *2 ' "$tmp/out" && fail "$f: a third class: $(cat "$tmp/out")"
    "$gemmnet" predict --model "$tmp/$f.gnet" --data "$tmp/$f.csv" >"$tmp/pred.txt" ||
        fail "$f: predict exited $?"
    [[ $(wc -l <"$tmp/pred.txt") == 100 ]] || fail "$f: predict printed $(wc -l <"$tmp/pred.txt") lines"
    "$gemmnet" predict --model "$tmp/$f.gnet" --data - <"$tmp/$f.csv" >"$tmp/pred.txt" ||
        fail "$f: predict from stdin exited $?"
    [[ $(wc -l <"$tmp/pred.txt") == 100 ]] || fail "$f: predict (stdin) printed $(wc -l <"$tmp/pred.txt") lines"
done
expect 0 "" "$gemmnet" eval --model "$tmp/p_text.gnet" --data "$tmp/p_text.csv" --json
grep -q '"rows": 100,' "$tmp/out" || fail "eval read the header as a row: $(head -1 "$tmp/out")"
grep -q '"classes": \["cat", "dog"\]' "$tmp/out" || fail "eval classes: $(cat "$tmp/out")"
expect 0 "" "$gemmnet" eval --model "$tmp/p_int.gnet" --data "$tmp/p_num.csv"
grep -q '(.*/100)$' "$tmp/out" || fail "eval of p_num: $(cat "$tmp/out")"

# Column numbers whose label other rows have: ambiguous, and --header decides.
expect 1 'p_ambiguous.csv:1: column numbers 0,1,... (a pandas header) or a data row? ambiguous' \
    "$gemmnet" train --data "$tmp/p_ambiguous.csv" --epochs 1 --print-every 0
expect 0 "" "$gemmnet" train --data "$tmp/p_ambiguous.csv" --epochs 1 --print-every 0 --header yes
grep -q '(.*/101)$' "$tmp/out" || fail "--header yes: $(cat "$tmp/out")"
expect 0 "" "$gemmnet" train --data "$tmp/p_ambiguous.csv" --epochs 1 --print-every 0 --header no
grep -q '(.*/102)$' "$tmp/out" || fail "--header no: $(cat "$tmp/out")"
# (eval with K = 2 finds the real error: row 102's label is out of range.)
expect 1 'p_ambiguous.csv:102:3: label 2 is out of range' \
    "$gemmnet" eval --model "$tmp/p_int.gnet" --data "$tmp/p_ambiguous.csv"
expect 0 "" "$gemmnet" predict --model "$tmp/p_int.gnet" --data "$tmp/p_ambiguous.csv"  # 2 ≥ K
[[ $(wc -l <"$tmp/out") == 101 ]] || fail "predict of p_ambiguous: $(wc -l <"$tmp/out") lines"
printf '0,1\n0.5,0.5\n' >"$tmp/x.csv" # features only: column numbers are always ambiguous
expect 1 'x.csv:1: column numbers' "$gemmnet" predict --model "$tmp/p_int.gnet" --data "$tmp/x.csv"
expect 2 '--header expects one of auto, yes, no' "$gemmnet" train --data "$tmp/p_int.csv" --header maybe
expect 2 '--header expects one of auto, yes, no' "$gemmnet" predict --model "$tmp/p_int.gnet" \
    --data "$tmp/p_int.csv" --header 1

# A model without class names refuses text labels (eval used to map them
# in sorted order).
expect 1 'p_text.csv:2:3: "[a-z]*" is not a number, expected an integer label 0..1 (text labels need class names)' \
    "$gemmnet" eval --model "$tmp/p_int.gnet" --data "$tmp/p_text.csv"
expect 1 'p_text.csv:2:3: "[a-z]*" is not a number, expected an integer label 0..1' \
    "$gemmnet" predict --model "$tmp/p_int.gnet" --data "$tmp/p_text.csv"
[[ -s $tmp/out ]] && fail "predict printed rows before refusing text labels: $(head -2 "$tmp/out")"

# ---- messages that used to name neither file nor place ------------------------
printf '1,2,0\n3,4,16777216\n' >"$tmp/big_label.csv"
expect 1 'big_label.csv:2:3: label 16777216 is too large, expected at most 16777215' \
    "$gemmnet" train --data "$tmp/big_label.csv" --epochs 1
for label in 1e-400 0.99999999999999999999; do
    printf '1,2,0\n3,4,1\n5,6,%s\n' "$label" >"$tmp/round.csv"
    expect 1 "round.csv:3:3: label $label is not a non-negative integer" \
        "$gemmnet" train --data "$tmp/round.csv" --epochs 1
done
expect 2 '--val expects a fraction above 0 and below 1' "$gemmnet" train --moons 50 --val 1.0
expect 0 "" "$gemmnet" train --moons 50 --val 0.5 --epochs 1
expect 1 "/: is a directory, expected a log" "$gemmnet" plot-loss / -o "$tmp/loss.png"
expect 2 "--save and --log name the same file" "$gemmnet" train --moons 50 --epochs 1 \
    --save "$tmp/same" --log "$tmp/same"
[[ -e $tmp/same ]] && fail "--save X --log X wrote X"
ln -s "$tmp/same_target" "$tmp/same_link"
touch "$tmp/same_target"
expect 2 "--save and --log name the same file" "$gemmnet" train --moons 50 --epochs 1 \
    --save "$tmp/same_target" --log "$tmp/same_link"
expect 2 "--lr expects a number" "$gemmnet" train --moons 50 --lr 0x10
expect 2 "--epochs expects an integer" "$gemmnet" train --moons 50 --epochs 0x10
expect 2 "--epochs expects an integer" "$gemmnet" train --moons 50 --epochs ' 5'
expect 2 "--noise expects a number" "$gemmnet" train --moons 50 --noise inf
expect 2 "--activation expects one of" "$gemmnet" train --moons 50 --hidden 3,3,3 --activation relu,,tanh
expect 2 "--hidden expects" "$gemmnet" train --moons 50 --hidden 3,,4

# JSON errors: hostile bytes are escaped, long names cut.
"$gemmnet" dump "$tmp/p_text.gnet" -o "$tmp/model.json" 2>/dev/null ||
    "$gemmnet" dump --model "$tmp/p_text.gnet" -o "$tmp/model.json" || fail "dump exited $?"
bidi=$'\xe2\x80\xae'
sed "s/\"format\"/\"fo${bidi}rm\xff\"/" "$tmp/model.json" >"$tmp/bidi.json"
expect 1 'bidi.json:[0-9]*:[0-9]*: expected key "format", found "fo\\xe2\\x80\\xaerm\\xff"' \
    "$gemmnet" import "$tmp/bidi.json" -o "$tmp/bidi.gnet"
long=$(printf 'n%.0s' {1..1000})
sed "s/\"cat\", \"dog\"/\"$long\", \"$long\"/" "$tmp/model.json" >"$tmp/long.json"
expect 1 "long.json:[0-9]*:[0-9]*: class name \"n*\\.\\.\\.\" appears twice" \
    "$gemmnet" import "$tmp/long.json" -o "$tmp/long.gnet"
(($(wc -c <"$tmp/err") < 200)) || fail "a long class name was echoed whole: $(wc -c <"$tmp/err") bytes"

# ---- the sweep: every error is one printable, bounded line ------------------
# shape CMD...: the command fails with one line `gemmnet CMD: ...` of at
# most 400 bytes, valid UTF-8 without control or bidi characters; a
# message naming a data file names its line.
shape() {
    "$@" >"$tmp/out" 2>"$tmp/err"
    local got=$? line
    line=$(head -1 "$tmp/err")
    if ((got == 0 || got >= 124)); then
        fail "$*: exited $got"
    elif [[ $(wc -l <"$tmp/err") != 1 ]]; then
        fail "$*: expected one line: $(head -c 400 "$tmp/err")"
    elif [[ ! $line =~ ^gemmnet\ [a-z-]+:\ . ]]; then
        fail "$*: not 'gemmnet CMD: ...': $line"
    elif (($(wc -c <"$tmp/err") > 400)); then
        fail "$*: $(wc -c <"$tmp/err") bytes"
    elif LC_ALL=C grep -q $'[\x01-\x1f\x7f]' "$tmp/err" || ! iconv -f UTF-8 -t UTF-8 "$tmp/err" >/dev/null 2>&1 ||
        grep -q $'\xe2\x80[\xaa-\xae]\|\xe2\x81[\xa6-\xa9]' "$tmp/err"; then
        fail "$*: unprintable message: $(od -c "$tmp/err" | head -3)"
    elif [[ $line == *.csv* && ! $line =~ \.csv:[0-9]+(:[0-9]+)?:\  && ! $line =~ \.csv:\ cannot ]]; then
        fail "$*: names a file but not its line: $line"
    fi
}
for f in "$bad_dir"/*.csv; do
    case $(basename "$f") in ok_* | label_three.csv) continue ;; esac
    shape "$gemmnet" train --data "$f" --classes 2 --epochs 1
    shape "$gemmnet" eval --model "$tmp/p_int.gnet" --data "$f"
done
for f in bare_cr binary nul_byte not_a_number nan inf overflow ragged_long ragged_short; do
    shape "$gemmnet" predict --model "$tmp/p_int.gnet" --data "$bad_dir/$f.csv"
done
# Hostile names: bidi, non-UTF-8 and 1024-byte labels, in files and options.
printf 'x,y,label\n1,2,a%sb\n3,4,c\n' "$bidi" >"$tmp/bidi.csv"
printf 'x,y,label\n1,2,\xff\xfe\n3,4,c\n' >"$tmp/latin.csv"
printf 'x,y,label\n1,2,cat\n3,4,%s%s\n' "$long" "$long" >"$tmp/longname.csv"
printf 'x,y,label\n1,2,cat\n3,4,%s\n' "$long$bidi" >"$tmp/longbidi.csv"
for f in latin longname; do
    shape "$gemmnet" train --data "$tmp/$f.csv" --epochs 1
done
shape "$gemmnet" eval --model "$tmp/p_text.gnet" --data "$tmp/bidi.csv"
shape "$gemmnet" eval --model "$tmp/p_text.gnet" --data "$tmp/longbidi.csv"
shape "$gemmnet" train --data "$tmp/bidi.csv" --label-col "z$bidi"
shape "$gemmnet" import "$tmp/bidi.json" -o "$tmp/x.gnet"
shape "$gemmnet" import "$tmp/long.json" -o "$tmp/x.gnet"
for args in "--epochs -1" "--epochs 1e3" "--lr nan" "--lr 1,5" "--hidden -1" "--val 0" "--val 2" \
    "--batch x" "--activation soft" "--optimizer sgd" "--schedule step:0:1" "--threads 0" \
    "--seed -1" "--classes 1" "--header" "--bogus"; do
    # shellcheck disable=SC2086 # each entry is an option and its value
    shape "$gemmnet" train --moons 50 $args
done
shape "$gemmnet" predict --model "$tmp/nonexistent.gnet" --data "$tmp/p_int.csv"
shape "$gemmnet" eval --model "$tmp/p_int.gnet" --data "$tmp/nonexistent.csv"
shape "$gemmnet" plot-loss / -o "$tmp/loss.png"

finish "CLI data"
