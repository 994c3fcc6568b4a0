#!/usr/bin/env bash
# The model commands' contract: predict, eval, dump and import, their exit
# statuses (0 ok, 1 failure, 2 usage) and one-line errors; predictions that
# agree between the library in memory (train_save), the CLI reading the
# saved file (from a file and from stdin) and the embedding example; and
# dump -> import giving back the identical file.
# Usage: test_cli_io.sh GEMMNET TRAIN_SAVE EMBED
set -u
gemmnet=$1
train_save=$2
embed=$3
# shellcheck source=tests/cli_helpers.sh
source "$(dirname "$0")/cli_helpers.sh"

# same FILE1 FILE2 WHAT: byte-identical files.
same() { cmp -s "$1" "$2" || fail "$3: $1 and $2 differ: $(diff "$1" "$2" | head -5)"; }

# ---- data: integer labels, and the same with names in a middle column ----
"$gemmnet" moons --n 3000 --noise 0.25 --seed 7 -o "$tmp/moons.csv" || fail "moons exited $?"
awk -F, 'NR == 1 { print "x1,species,x2"; next }
         { print $1 "," ($3 == 1 ? "dog" : "cat") "," $2 }' "$tmp/moons.csv" >"$tmp/named.csv"
cut -d, -f1,2 "$tmp/moons.csv" >"$tmp/features.csv"

# ---- integer labels, standardised ----------------------------------------
"$train_save" "$tmp/moons.csv" "$tmp/int.gnet" "$tmp/int_api.txt" --standardize ||
    fail "train_save (integer labels) exited $?"
"$gemmnet" predict --model "$tmp/int.gnet" --data "$tmp/moons.csv" >"$tmp/int_cli.txt" ||
    fail "predict exited $?"
same "$tmp/int_api.txt" "$tmp/int_cli.txt" "the in-memory model and the CLI on the saved file"
[[ $(wc -l <"$tmp/int_cli.txt") == 3000 ]] || fail "predict printed $(wc -l <"$tmp/int_cli.txt") lines"
"$gemmnet" predict --model "$tmp/int.gnet" --data - <"$tmp/moons.csv" >"$tmp/int_stdin.txt" ||
    fail "predict from stdin exited $?"
same "$tmp/int_api.txt" "$tmp/int_stdin.txt" "predict from a pipe"
cat "$tmp/features.csv" | "$gemmnet" predict --model "$tmp/int.gnet" --data - >"$tmp/int_nolabel.txt" ||
    fail "predict without a label column exited $?"
same "$tmp/int_api.txt" "$tmp/int_nolabel.txt" "rows without a label column"
"$embed" "$tmp/int.gnet" "$tmp/moons.csv" >"$tmp/int_embed.txt" || fail "embed exited $?"
same "$tmp/int_api.txt" "$tmp/int_embed.txt" "examples/embed.c"
"$embed" "$tmp/int.gnet" <"$tmp/features.csv" >"$tmp/int_embed_stdin.txt" || fail "embed (stdin) exited $?"
same "$tmp/int_api.txt" "$tmp/int_embed_stdin.txt" "examples/embed.c on stdin"
head -c 0 /dev/null | "$gemmnet" predict --model "$tmp/int.gnet" --data - >"$tmp/empty.txt" ||
    fail "predict on empty input exited $?"
[[ ! -s $tmp/empty.txt ]] || fail "predict on empty input printed something"

# Probabilities: K columns that sum to 1, and argmax = the label.
"$gemmnet" predict --model "$tmp/int.gnet" --data "$tmp/moons.csv" --proba >"$tmp/proba.txt" ||
    fail "predict --proba exited $?"
paste -d, "$tmp/proba.txt" "$tmp/int_cli.txt" |
    awk -F, 'NF != 3 || $1 + $2 < 0.99999 || $1 + $2 > 1.00001 || ($1 > $2) != ($3 == 0) { bad++ }
             END { exit bad > 0 || NR != 3000 }' ||
    fail "--proba rows are not 2 probabilities summing to 1 that agree with the labels"

# ---- text labels in a named middle column ---------------------------------
"$train_save" "$tmp/named.csv" "$tmp/named.gnet" "$tmp/named_api.txt" --standardize \
    --label-col species || fail "train_save (named labels) exited $?"
"$gemmnet" predict --model "$tmp/named.gnet" --data "$tmp/named.csv" --label-col species \
    >"$tmp/named_cli.txt" || fail "predict --label-col species exited $?"
same "$tmp/named_api.txt" "$tmp/named_cli.txt" "named labels: in-memory model and the CLI"
grep -qvx 'cat\|dog' "$tmp/named_cli.txt" && fail "predict printed something other than cat/dog"
"$gemmnet" predict --model "$tmp/named.gnet" --data - --label-col 1 <"$tmp/named.csv" \
    >"$tmp/named_col.txt" || fail "predict --label-col 1 exited $?"
same "$tmp/named_api.txt" "$tmp/named_col.txt" "--label-col 1 and --label-col species"
sed 's/,cat,/,dog,/' "$tmp/named.csv" | "$gemmnet" predict --model "$tmp/named.gnet" --data - \
    --label-col species >"$tmp/named_ignored.txt"
same "$tmp/named_api.txt" "$tmp/named_ignored.txt" "predict ignores the label values"

# eval: text and JSON; the named and integer models agree on the same data.
expect 0 "" "$gemmnet" eval --model "$tmp/named.gnet" --data "$tmp/named.csv" --label-col species
grep -q '^accuracy: 0\.[89][0-9]* ([0-9]*/3000)$' "$tmp/out" || fail "eval accuracy: $(cat "$tmp/out")"
grep -q '^loss: [0-9.]* (mean reduction, l2 0.001)$' "$tmp/out" || fail "eval loss line: $(head -1 "$tmp/out")"
grep -q '^cat  ' "$tmp/out" && grep -q '^dog  ' "$tmp/out" || fail "eval lacks per-class rows: $(cat "$tmp/out")"
grep -q '^confusion matrix' "$tmp/out" || fail "eval lacks the confusion matrix"
expect 0 "" "$gemmnet" eval --model "$tmp/named.gnet" --data "$tmp/named.csv" --label-col species --json
for key in rows loss cross_entropy accuracy correct classes precision recall support confusion; do
    grep -q "\"$key\": " "$tmp/out" || fail "eval --json lacks \"$key\""
done
grep -q '"classes": \["cat", "dog"\]' "$tmp/out" || fail "eval --json classes: $(cat "$tmp/out")"
correct=$(sed -n 's/.*"correct": \([0-9]*\).*/\1/p' "$tmp/out")
[[ $correct == $(paste -d, "$tmp/named_cli.txt" <(cut -d, -f2 "$tmp/named.csv" | tail -n +2) |
    awk -F, '$1 == $2 { n++ } END { print n }') ]] || fail "eval's correct count disagrees with predict"
expect 0 "" "$gemmnet" eval --model "$tmp/int.gnet" --data "$tmp/moons.csv"
grep -q '^1  ' "$tmp/out" || fail "eval with integer labels: $(cat "$tmp/out")"

# ---- dump and import ------------------------------------------------------
for m in int named; do
    "$gemmnet" dump --model "$tmp/$m.gnet" >"$tmp/$m.json" || fail "dump $m exited $?"
    "$gemmnet" import "$tmp/$m.json" -o "$tmp/$m.again.gnet" || fail "import $m exited $?"
    same "$tmp/$m.gnet" "$tmp/$m.again.gnet" "dump -> import of $m.gnet"
    "$gemmnet" dump --model "$tmp/$m.gnet" -o "$tmp/$m.o.json" || fail "dump -o exited $?"
    same "$tmp/$m.json" "$tmp/$m.o.json" "dump to stdout and dump -o"
    "$gemmnet" import - -o "$tmp/$m.stdin.gnet" <"$tmp/$m.json" || fail "import - exited $?"
    same "$tmp/$m.gnet" "$tmp/$m.stdin.gnet" "import from stdin"
done
grep -q '"class_names": \["cat", "dog"\]' "$tmp/named.json" || fail "dump lacks the class names"
grep -q '"standardization": {' "$tmp/named.json" || fail "dump lacks the standardisation"
ls "$tmp" | grep -q 'tmp-' && fail "a command left a temporary file"

# ---- failures: exit 1, one line, naming the file and the place -----------
expect 1 "missing.gnet: cannot open" "$gemmnet" predict --model "$tmp/missing.gnet" --data "$tmp/moons.csv"
expect 1 "not a gemmnet model file" "$gemmnet" predict --model "$tmp/moons.csv" --data "$tmp/moons.csv"
head -c 100 "$tmp/int.gnet" >"$tmp/short.gnet"
expect 1 "truncated" "$gemmnet" eval --model "$tmp/short.gnet" --data "$tmp/moons.csv"
cp "$tmp/int.gnet" "$tmp/flipped.gnet"
printf '\x55' | dd of="$tmp/flipped.gnet" bs=1 seek=120 conv=notrunc status=none
expect 1 "checksum mismatch" "$gemmnet" dump --model "$tmp/flipped.gnet"
printf 'x1,x2\n1,2\n3,oops\n' >"$tmp/oops.csv"
expect 1 "<stdin>:3:2: \"oops\" is not a number" "$gemmnet" predict --model "$tmp/int.gnet" \
    --data - <"$tmp/oops.csv"
printf '1,2,3,4\n' >"$tmp/wide.csv"
expect 1 "wide.csv:1: row has 4 fields, expected 2" "$gemmnet" predict --model "$tmp/int.gnet" \
    --data "$tmp/wide.csv"
expect 1 "no column named \"kind\"" "$gemmnet" predict --model "$tmp/named.gnet" \
    --data "$tmp/named.csv" --label-col kind
sed -E '3s/,(cat|dog),/,cow,/' "$tmp/named.csv" >"$tmp/cow.csv"
expect 1 "cow.csv:3:2: unknown class \"cow\"" "$gemmnet" eval --model "$tmp/named.gnet" \
    --data "$tmp/cow.csv" --label-col species
printf '1,2,3,0\n4,5,6,1\n' >"$tmp/three.csv"
expect 1 "three.csv: 3 feature columns, the model takes 2" "$gemmnet" eval --model "$tmp/int.gnet" \
    --data "$tmp/three.csv"
sed 's/"l2": /"l2": x/' "$tmp/int.json" >"$tmp/bad.json"
expect 1 "bad.json:[0-9]*:[0-9]*: expected a number" "$gemmnet" import "$tmp/bad.json" -o "$tmp/bad.gnet"
[[ -e $tmp/bad.gnet ]] && fail "a failed import wrote its output"
expect 1 "" "$gemmnet" import "$tmp/int.json" -o "$tmp/no/such/dir/m.gnet"

# ---- usage errors: exit 2 -------------------------------------------------
expect 2 "--model FILE and --data" "$gemmnet" predict --data "$tmp/moons.csv"
expect 2 "unknown option '--frob'" "$gemmnet" predict --model x --data y --frob
expect 2 "--model FILE and --data FILE are required" "$gemmnet" eval --model x
expect 2 "--model FILE is required" "$gemmnet" dump
expect 2 "-o MODEL" "$gemmnet" import "$tmp/int.json"
expect 2 "expected one input" "$gemmnet" import -o x.gnet
for command in predict eval dump import; do
    expect 0 "" "$gemmnet" "$command" --help
    grep -q "^usage: gemmnet $command" "$tmp/out" || fail "$command --help: $(head -1 "$tmp/out")"
done

finish model-command
