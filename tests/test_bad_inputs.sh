#!/usr/bin/env bash
# Every bad input gets a clear error: the CLI (train, predict, eval, dump,
# import) on the corpus in tests/bad/ and on damaged model files made here
# from a real one. A bad input must exit 1 (never crash: ≥ 128; never
# hang: the timeout) with exactly one stderr line naming the file, the
# place and what was expected; the valid-but-unusual CSVs must be read.
# Usage: test_bad_inputs.sh GEMMNET TRAIN_SAVE BADDIR
set -u
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
gemmnet=$1
train_save=$2
bad_dir=$3
# shellcheck source=tests/cli_helpers.sh
source "$(dirname "$0")/cli_helpers.sh"
checks=0

# run CMD...: runs with a time limit, stdout to $tmp/out, stderr to $tmp/err.
run() { timeout 60 "$@" >"$tmp/out" 2>"$tmp/err"; }

# bad FILE PATTERN CMD...: exit 1 and one stderr line holding FILE and
# PATTERN (an extended regular expression; empty: any).
bad() {
    local file=$1 pattern=$2
    shift 2
    checks=$((checks + 1))
    run "$@"
    local got=$? lines
    lines=$(wc -l <"$tmp/err")
    if ((got == 124)); then
        fail "$* hung (killed after 60 s)"
    elif ((got >= 128)); then
        fail "$* crashed with signal $((got - 128)): $(head -c 400 "$tmp/err")"
    elif ((got != 1)); then
        fail "$* exited $got, expected 1: $(head -c 400 "$tmp/err")"
    elif ((lines != 1)); then
        fail "$*: expected one line on stderr, got $lines: $(head -c 400 "$tmp/err")"
    elif ! grep -qF -- "$file" "$tmp/err"; then
        fail "$*: the message does not name $file: $(cat "$tmp/err")"
    elif [[ -n $pattern ]] && ! grep -qE -- "$pattern" "$tmp/err"; then
        fail "$*: the message lacks /$pattern/: $(cat "$tmp/err")"
    fi
}

# good CMD...: exit 0.
good() {
    checks=$((checks + 1))
    run "$@" || fail "$* exited $?: $(head -c 400 "$tmp/err")"
}

# ---- a real model: D = 2, hidden 3, K = 2 --------------------------------
"$gemmnet" moons --n 60 --seed 5 -o "$tmp/moons.csv" || fail "moons exited $?"
"$train_save" "$tmp/moons.csv" "$tmp/model.gnet" "$tmp/predictions.txt" --hidden 3 --epochs 20 ||
    fail "train_save exited $?"
model=$tmp/model.gnet
size=$(stat -c %s "$model")

# ---- CSV files ------------------------------------------------------------
# csv NAME TRAIN PREDICT: TRAIN is the message train (with --classes 2) and
# eval must give for $bad_dir/NAME, "LINE[:COLUMN]: text"; PREDICT the one
# predict must give, or "ok" where the rows are fine without their labels.
csv() {
    local file=$bad_dir/$1 train=$2 predict=$3
    bad "$file" "$1:$train" "$gemmnet" train --data "$file" --classes 2 --epochs 2 --print-every 0
    bad "$file" "$1:$train" "$gemmnet" eval --model "$model" --data "$file"
    if [[ $predict == ok ]]; then
        good "$gemmnet" predict --model "$model" --data "$file"
    else
        bad "$file" "$1:$predict" "$gemmnet" predict --model "$model" --data "$file"
        bad "<stdin>" "<stdin>:$predict" "$gemmnet" predict --model "$model" --data - <"$file"
    fi
}

csv empty.csv '1: no data rows, expected' ok
csv header_only.csv '2: no data rows, expected lines of numbers after the header' ok
csv header_then_blanks.csv '4: no data rows' ok
csv ragged_short.csv '3: row has 2 fields, expected 3 like line 1' \
    '3: row has 2 fields, expected 3 like line 1'
csv ragged_long.csv '2: row has 4 fields, expected 3 like line 1' \
    '2: row has 4 fields, expected 3 like line 1'
csv trailing_comma_line.csv '4: row has 2 fields, expected 3' '4: row has 2 fields, expected 3'
csv one_column.csv '1: row has 1 field, expected at least 2' \
    '1: row has 1 field, expected 2 .* or 3'
csv not_a_number.csv '3:2: "abc" is not a number' '3:2: "abc" is not a number'
csv empty_field.csv '3:2: empty field, expected a number' '3:2: empty field, expected a number'
csv nan.csv '3:2: "NaN" is not finite, expected a finite number' '3:2: "NaN" is not finite'
csv inf.csv '2:2: "-inf" is not finite, expected a finite number' '2:2: "-inf" is not finite'
csv overflow.csv '3:2: 1e39 overflows float32, expected' '3:2: 1e39 overflows float32'
csv label_negative.csv '3:3: label -1 is not a non-negative integer' ok
csv label_fraction.csv '3:3: label 1.5 is not a non-negative integer' ok
csv label_three.csv '4:3: label 2 is out of range, expected 0..1' ok
csv label_too_large.csv '3:3: label 99999999999 is (out of range|too large), expected' ok
# A model without class names refuses text labels, in predict too.
csv label_not_a_number.csv '3:3: "cat" is not a number, expected an integer label' \
    '3:3: "cat" is not a number, expected an integer label'
csv bare_cr.csv '1:3: carriage return inside a line, expected' '1:3: carriage return inside a line'
csv nul_byte.csv '3:2: NUL byte, expected a text file' '3:2: NUL byte, expected a text file'
csv binary.csv '1:1: NUL byte, expected a text file' '1:1: NUL byte, expected a text file'
csv binary_no_nul.csv '1: row has 1 field, expected at least 2' '1: row has 1 field, expected 2'

# Labels beyond the classes the model has.
bad "label_three.csv" 'label_three.csv:4:3: label 2 is out of range, expected 0\.\.1' \
    "$gemmnet" eval --model "$model" --data "$bad_dir/label_three.csv"

# Valid but unusual: CRLF, a byte order mark, blank lines, spaces, no final newline.
for file in "$bad_dir"/ok_*.csv; do
    good "$gemmnet" train --data "$file" --epochs 2 --print-every 0
    good "$gemmnet" eval --model "$model" --data "$file"
    good "$gemmnet" predict --model "$model" --data "$file"
    [[ $(wc -l <"$tmp/out") == $(grep -c '^ *[0-9-]' <(tr -d '\r' <"$file" | sed 's/^\xef\xbb\xbf//')) ]] ||
        fail "predict $file printed $(wc -l <"$tmp/out") lines"
done
good "$gemmnet" predict --model "$model" --data - <"$bad_dir/ok_crlf.csv"

# A line of 10^6 fields, made here rather than stored (2 MB): a NaN deep
# inside it is found at its column, and it is a ragged row after a normal one.
awk 'BEGIN { for (i = 1; i < 1000000; i++) printf "%s,", (i == 777777 ? "nan" : "1"); print "0" }' \
    >"$tmp/wide.csv"
bad wide.csv 'wide.csv:1:777777: "nan" is not finite' \
    "$gemmnet" train --data "$tmp/wide.csv" --epochs 1 --print-every 0
bad wide.csv 'wide.csv:1: row has 1000000 fields, expected 2 .* or 3' \
    "$gemmnet" predict --model "$model" --data "$tmp/wide.csv"
{ echo "1,2,0"; sed 's/nan/1/' "$tmp/wide.csv"; } >"$tmp/wide_second.csv"
bad wide_second.csv 'wide_second.csv:2: row has 1000000 fields, expected 3 like line 1' \
    "$gemmnet" train --data "$tmp/wide_second.csv" --epochs 1 --print-every 0
bad wide_second.csv 'wide_second.csv:2: row has 1000000 fields' \
    "$gemmnet" eval --model "$model" --data "$tmp/wide_second.csv"
bad wide_second.csv 'wide_second.csv:2: row has 1000000 fields' \
    "$gemmnet" predict --model "$model" --data "$tmp/wide_second.csv"

# Files that are not there or not files.
bad missing.csv 'missing.csv: cannot open' "$gemmnet" train --data "$tmp/missing.csv"
bad "$tmp" 'cannot' "$gemmnet" train --data "$tmp" --epochs 1

# ---- model files ----------------------------------------------------------
# model_bad NAME PATTERN: predict, eval and dump all refuse $tmp/NAME.
model_bad() {
    bad "$1" "$2" "$gemmnet" predict --model "$tmp/$1" --data "$tmp/moons.csv"
    bad "$1" "$2" "$gemmnet" eval --model "$tmp/$1" --data "$tmp/moons.csv"
    bad "$1" "$2" "$gemmnet" dump --model "$tmp/$1"
}

# put_u32 FILE OFFSET VALUE / put_u64: little-endian fields written in place.
put_bytes() {
    local file=$1 offset=$2 value=$3 count=$4 escaped='' i
    for ((i = 0; i < count; i++)); do
        escaped+=$(printf '\\x%02x' $(((value >> (8 * i)) & 255)))
    done
    printf "$escaped" | dd of="$file" bs=1 seek="$offset" conv=notrunc status=none
}
put_u32() { put_bytes "$1" "$2" "$3" 4; }
put_u64() { put_bytes "$1" "$2" "$3" 8; }

# reseal FILE: a fresh CRC-32 in the last 4 bytes (gzip's trailer holds the
# zlib CRC-32 of its input, little-endian), so the damage gets past the
# checksum to the check that names it.
reseal() {
    local body=$(($(stat -c %s "$1") - 4))
    head -c "$body" "$1" >"$1.body"
    { cat "$1.body"; gzip -c -n <"$1.body" | tail -c 8 | head -c 4; } >"$1"
    rm -f "$1.body"
}

# damaged NAME: a fresh copy of the real model to damage.
damaged() {
    cp "$model" "$tmp/$1"
    echo "$tmp/$1"
}

# Sanity: resealing an intact copy changes nothing.
file=$(damaged resealed.gnet)
reseal "$file"
cmp -s "$file" "$model" || fail "reseal does not reproduce the model's checksum"

# Every truncation.
for ((n = 0; n < size; n++)); do
    head -c "$n" "$model" >"$tmp/cut.gnet"
    if ((n < 24)); then pattern='cut.gnet: (the file is [0-9]+ bytes, shorter|not a gemmnet model)'
    else pattern="cut.gnet: the file is truncated: $n bytes of the $size its header declares"; fi
    bad cut.gnet "$pattern" "$gemmnet" dump --model "$tmp/cut.gnet"
    ((n % 8 == 0)) && model_bad cut.gnet "$pattern"
done

# Every byte flipped.
for ((offset = 0; offset < size; offset++)); do
    file=$(damaged flip.gnet)
    byte=$(od -An -tu1 -j "$offset" -N1 "$model")
    put_bytes "$file" "$offset" $((byte ^ 0xff)) 1
    bad flip.gnet '' "$gemmnet" dump --model "$file"
    ((offset % 16 == 0)) && model_bad flip.gnet ''
done

file=$(damaged version.gnet)
put_u32 "$file" 8 2
model_bad version.gnet 'model format version 2 is not supported, expected version 1'

file=$(damaged terabyte_size.gnet)
put_u64 "$file" 16 $((1 << 40))
model_bad terabyte_size.gnet "truncated: $size bytes of the 1099511627776 its header declares"

# Widths of 2^24 (a 2^48-float layer, a petabyte) in a consistent header.
file=$(damaged terabyte_widths.gnet)
for l in 0 1 2; do put_u32 "$file" $((48 + 4 * l)) $((1 << 24)); done
put_u64 "$file" 40 $(((1 << 48) + (1 << 48) + 2 * (1 << 24)))
reseal "$file"
model_bad terabyte_widths.gnet 'the widths imply [0-9]+ parameters, more than the [0-9]+-byte file holds'

file=$(damaged huge_width.gnet)
put_u32 "$file" 52 $((1 << 31))
reseal "$file"
model_bad huge_width.gnet 'layer 1 has width 2147483648, expected at most 2\^24'

file=$(damaged parameter_count.gnet)
put_u64 "$file" 40 $((1 << 40))
reseal "$file"
model_bad parameter_count.gnet 'the header says 1099511627776 parameters, the widths [0-9]+'

file=$(damaged layers.gnet)
put_u32 "$file" 24 1000
reseal "$file"
model_bad layers.gnet '1000 layers, expected at most 32'

file=$(damaged nan_parameter.gnet)
put_u32 "$file" 64 $((0x7fc00000))
reseal "$file"
model_bad nan_parameter.gnet 'parameter 0 is nan, expected a finite value'

file=$(damaged stray.gnet)
printf 'xyz' >>"$file"
model_bad stray.gnet '3 stray bytes follow'

: >"$tmp/empty.gnet"
model_bad empty.gnet 'the file is 0 bytes, shorter than a model'
model_bad moons.csv 'not a gemmnet model file'
model_bad missing.gnet 'cannot open'
mkdir "$tmp/directory.gnet"
model_bad directory.gnet 'not a regular file'

# ---- JSON models (gemmnet import) -----------------------------------------
"$gemmnet" dump --model "$model" >"$tmp/model.json" || fail "dump exited $?"
length=$(stat -c %s "$tmp/model.json")
for ((n = 0; n < length - 2; n += 23)); do
    head -c "$n" "$tmp/model.json" >"$tmp/cut.json"
    bad cut.json 'cut.json:[0-9]+:[0-9]+: ' "$gemmnet" import "$tmp/cut.json" -o "$tmp/out.gnet"
done
[[ -e $tmp/out.gnet ]] && fail "a failed import wrote its output"
sed 's/"inputs": 2/"inputs": 16777216/' "$tmp/model.json" >"$tmp/wide.json"
bad wide.json 'wide.json:[0-9]+:[0-9]+: the widths imply' "$gemmnet" import "$tmp/wide.json" -o "$tmp/out.gnet"
head -c 300 /dev/zero >"$tmp/zeros.json"
bad zeros.json 'zeros.json:1:1: ' "$gemmnet" import "$tmp/zeros.json" -o "$tmp/out.gnet"

# ---- divergence and memory ------------------------------------------------
bad '' 'epoch [0-9]+, batch 0: the (gradient is|weights are) not finite' \
    "$gemmnet" train --moons 200 --lr 1e30 --epochs 10
# A diverged run must not replace a saved model (once train has --save).
if "$gemmnet" train --help | grep -q -- '--save'; then
    cp "$model" "$tmp/kept.gnet"
    bad '' 'not finite' "$gemmnet" train --moons 200 --lr 1e30 --epochs 10 --save "$tmp/kept.gnet"
    cmp -s "$model" "$tmp/kept.gnet" || fail "a diverged run replaced the saved model"
fi
# More memory than any machine has: refused up front, with the byte count.
bad '' 'cannot allocate [0-9]+ parameters \([0-9]+ bytes\)' \
    "$gemmnet" train --moons 200 --hidden 1048576,1048576
# The data alone (2^31 points, 60 GB at once) where the machine has less.
if (($(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) < 58000000)); then
    bad '' '2147483647 points need [0-9]+ bytes at once, more than the [0-9]+ bytes of memory' \
        "$gemmnet" train --moons 2147483647 --hidden 100000 --epochs 1
fi

if ((failures)); then
    echo "$failures of $checks bad-input check(s) failed"
    exit 1
fi
echo "all $checks bad-input checks passed"
