#!/usr/bin/env bash
# The CLI's conventions (docs/cli.md), for every command: a failed write of
# stdout is an error naming it; "-" is stdin for every input file; long
# options only as spelled in --help, with suggestions for typos, and for
# commands; help and version; messages as "gemmnet CMD: ..."; the final
# loss line and the name of the unit a progress line counts; predict
# answering each row before it waits for the next.
# Usage: test_cli_conventions.sh GEMMNET
set -u
gemmnet=$1
# shellcheck source=tests/cli_helpers.sh
source "$(dirname "$0")/cli_helpers.sh"

"$gemmnet" moons --n 60 -o "$tmp/m.csv" || fail "moons -o"
"$gemmnet" train --data "$tmp/m.csv" --epochs 20 --print-every 0 --save "$tmp/m.gnet" >/dev/null ||
    fail "train --save"
"$gemmnet" dump --model "$tmp/m.gnet" -o "$tmp/m.json" || fail "dump -o"

# -- stdout to a full device: exit 1 and one line naming stdout.
full() {
    local command=$1
    shift
    expect 1 "^gemmnet $command: standard output: write failed: No space left on device$" \
        sh -c '"$@" >/dev/full' sh "$gemmnet" "$@"
}
if [[ -w /dev/full ]]; then
    full train train --moons 50 --epochs 10
    full info info
    full train train --help
    full moons moons --n 20
    full dump dump --model "$tmp/m.gnet"
    full eval eval --model "$tmp/m.gnet" --data "$tmp/m.csv"
    full eval eval --model "$tmp/m.gnet" --data "$tmp/m.csv" --json
    full predict predict --model "$tmp/m.gnet" --data "$tmp/m.csv"
    full baseline baseline --moons 50
    full version version
    expect 1 "^gemmnet: standard output: write failed" sh -c '"$1" --help >/dev/full' sh "$gemmnet"
    expect 1 "^gemmnet: standard output: write failed" sh -c '"$1" --version >/dev/full' sh "$gemmnet"
    expect 1 "^gemmnet help: standard output: write failed" \
        sh -c '"$1" help >/dev/full' sh "$gemmnet"
fi

# -- "-" reads stdin, for every command that reads a file, with the same
# result as the file.
same_output() {
    local what=$1 stdin=$2
    shift 2
    "$gemmnet" "$@" >"$tmp/from_file" 2>&1 || fail "$what from the file exited $?"
    local args=("$@")
    for i in "${!args[@]}"; do [[ ${args[$i]} == "$stdin" ]] && args[$i]=-; done
    "$gemmnet" "${args[@]}" <"$stdin" >"$tmp/from_stdin" 2>&1 || fail "$what from stdin exited $?"
    cmp -s "$tmp/from_file" "$tmp/from_stdin" ||
        fail "$what: stdin differs from the file: $(diff "$tmp/from_file" "$tmp/from_stdin" | head -4)"
}
same_output "train --data -" "$tmp/m.csv" train --data "$tmp/m.csv" --epochs 30 --print-every 10
same_output "eval --data -" "$tmp/m.csv" eval --model "$tmp/m.gnet" --data "$tmp/m.csv"
same_output "eval --model -" "$tmp/m.gnet" eval --model "$tmp/m.gnet" --data "$tmp/m.csv"
same_output "predict --data -" "$tmp/m.csv" predict --model "$tmp/m.gnet" --data "$tmp/m.csv"
same_output "dump --model -" "$tmp/m.gnet" dump --model "$tmp/m.gnet"
same_output "baseline --data -" "$tmp/m.csv" baseline --data "$tmp/m.csv"
same_output "train --resume -" "$tmp/m.gnet" train --data "$tmp/m.csv" --resume "$tmp/m.gnet" \
    --epochs 40 --print-every 0
"$gemmnet" import - -o "$tmp/back.gnet" <"$tmp/m.json" || fail "import - exited $?"
if "$gemmnet" plot-loss --help >/dev/null 2>&1; then
    "$gemmnet" train --moons 60 --epochs 20 --print-every 0 --log "$tmp/log.csv" >/dev/null
    "$gemmnet" plot-loss - -o "$tmp/loss.svg" <"$tmp/log.csv" || fail "plot-loss - exited $?"
    [[ -s $tmp/loss.svg ]] || fail "plot-loss - drew nothing"
    printf 'epoch,loss,accuracy,val_loss,val_accuracy\n0,x,1,,\n' >"$tmp/bad_log.csv"
    expect 1 "^gemmnet plot-loss: <stdin>:2:" sh -c '"$1" plot-loss - -o "$2" <"$3"' sh \
        "$gemmnet" "$tmp/x.svg" "$tmp/bad_log.csv"
fi
# Errors in stdin name it, not a temporary file.
printf 'x1,x2,label\n1,2,0\n3,abc,1\n' >"$tmp/bad.csv"
for command in "train --data -" "eval --model $tmp/m.gnet --data -" "baseline --data -"; do
    # shellcheck disable=SC2086
    expect 1 '^gemmnet [a-z]*: <stdin>:3:2: "abc" is not a number$' \
        sh -c '"$@" <"$0"' "$tmp/bad.csv" "$gemmnet" $command
done
expect 1 "^gemmnet eval: only one input can be - (stdin)$" \
    sh -c '"$1" eval --model - --data - <"$2"' sh "$gemmnet" "$tmp/m.gnet"
expect 1 "^gemmnet predict: only one input can be - (stdin)$" \
    sh -c '"$1" predict --model - --data - <"$2"' sh "$gemmnet" "$tmp/m.gnet"

# -- options only as spelled; suggestions for typos.
expect 2 "^gemmnet train: unknown option '--hid' (did you mean '--hidden'?)" \
    "$gemmnet" train --moons 50 --hid 5
expect 2 "^gemmnet train: unknown option '--epoch' (did you mean '--epochs'?)" \
    "$gemmnet" train --moons 50 --epoch=5
expect 2 "^gemmnet predict: unknown option '--prob' (did you mean '--proba'?)" \
    "$gemmnet" predict --model "$tmp/m.gnet" --data "$tmp/m.csv" --prob
expect 2 "^gemmnet import: unknown option '--out' (did you mean '--output'?)" \
    "$gemmnet" import "$tmp/m.json" --out "$tmp/x.gnet"
expect 2 "^gemmnet moons: unknown option '--nois'" "$gemmnet" moons --nois 0.1
expect 2 "^gemmnet train: unknown option '--frobnicate' (see" "$gemmnet" train --frobnicate
expect 0 "" "$gemmnet" train --moons=50 --hidden=2 --epochs=5 --print-every=0
expect 0 "" "$gemmnet" import "$tmp/m.json" -o "$tmp/y.gnet"
expect 0 "" "$gemmnet" import -o "$tmp/y.gnet" "$tmp/m.json" --output "$tmp/z.gnet"
expect 2 "^gemmnet: unknown command 'trian' (did you mean 'train'?)$" "$gemmnet" trian
expect 2 "^gemmnet: unknown command 'prdict' (did you mean 'predict'?)$" "$gemmnet" prdict
expect 2 "^gemmnet: unknown command 'frobnicate' (see 'gemmnet help')$" "$gemmnet" frobnicate

# -- help and version.
"$gemmnet" help train >"$tmp/help1" && "$gemmnet" train --help >"$tmp/help2" ||
    fail "help train exited $?"
cmp -s "$tmp/help1" "$tmp/help2" || fail "'help train' differs from 'train --help'"
"$gemmnet" help >"$tmp/help1" && "$gemmnet" --help >"$tmp/help2" || fail "help exited $?"
cmp -s "$tmp/help1" "$tmp/help2" || fail "'help' differs from '--help'"
grep -q '^  version ' "$tmp/help1" || fail "help lists no version command"
expect 2 "^gemmnet: unknown command 'trian' (did you mean 'train'?)$" "$gemmnet" help trian
[[ $("$gemmnet" version) == "$("$gemmnet" --version)" ]] || fail "version differs from --version"
"$gemmnet" version | grep -Eq '^gemmnet [0-9]+\.[0-9]+\.[0-9]+ \(BLAS: [a-z]+\)$' ||
    fail "version: $("$gemmnet" version)"
# (Without cairo the picture commands only say so.)
for command in plot sweep plot-hidden; do
    "$gemmnet" $command --help >"$tmp/help" 2>&1 || continue
    grep -q -- '--label-col N|NAME' "$tmp/help" ||
        fail "$command --help does not document --label-col NAME"
done

# -- messages of output files name the command.
expect 1 "^gemmnet moons: $tmp/none/x.csv: cannot create a temporary file next to it: " \
    "$gemmnet" moons -o "$tmp/none/x.csv"
expect 1 "^gemmnet dump: $tmp/none/x.json: cannot create a temporary file next to it: " \
    "$gemmnet" dump --model "$tmp/m.gnet" -o "$tmp/none/x.json"

# -- a resumed model checked against other data names the data file.
"$gemmnet" blobs --classes 3 --n 60 -o "$tmp/b3.csv"
expect 1 "^gemmnet train: $tmp/b3.csv: row [0-9]*: label 2 is out of range" \
    "$gemmnet" train --data "$tmp/b3.csv" --resume "$tmp/m.gnet" --epochs 40

# -- progress lines name what they count; the final loss is always printed.
"$gemmnet" train --moons 100 --batch 25 --reduction mean --epochs 15 --print-every 10 \
    >"$tmp/mini.txt" || fail "minibatch train exited $?"
[[ $(grep -c '^Loss after epoch [0-9]*: ' "$tmp/mini.txt") == 2 ]] ||
    fail "minibatch lines should say epoch: $(cat "$tmp/mini.txt")"
grep -q '^Loss after iteration' "$tmp/mini.txt" && fail "minibatch lines say iteration"
for print_every in 0 10; do
    "$gemmnet" train --moons 100 --epochs 15 --print-every $print_every >"$tmp/final.txt" ||
        fail "train exited $?"
    grep -Eq '^loss: [0-9]+\.[0-9]{6}$' "$tmp/final.txt" ||
        fail "--print-every $print_every: no final loss line: $(cat "$tmp/final.txt")"
done
# The final line is the loss after the last epoch: 10 epochs printed at
# epoch 9 by --print-every 9 give the same number.
"$gemmnet" train --moons 100 --epochs 10 --print-every 9 >"$tmp/final.txt"
[[ $(sed -n 's/^Loss after iteration 9: //p' "$tmp/final.txt") == \
    $(sed -n 's/^loss: //p' "$tmp/final.txt") ]] || fail "final loss: $(cat "$tmp/final.txt")"

# -- predict answers each row before it waits for the next one.
coproc PREDICT { "$gemmnet" predict --model "$tmp/m.gnet" --data - 2>&1; }
# bash forgets PREDICT_PID once the coprocess ends: keep it for the wait.
predict_pid=$PREDICT_PID
for row in 1 2 3; do
    echo "0.$row,0.5" >&"${PREDICT[1]}"
    if ! IFS= read -r -t 20 answer <&"${PREDICT[0]}"; then
        fail "predict gave no answer to row $row before its next input"
        break
    fi
    [[ $answer == [01] ]] || fail "predict answered '$answer' to row $row"
done
exec {PREDICT[1]}>&-
wait "$predict_pid" || fail "streaming predict exited $?"

finish "CLI convention"
