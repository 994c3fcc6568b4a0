#!/usr/bin/env bash
# The plot commands end to end: picture sizes from the PNG header, SVG that
# parses as XML, identical bytes for identical input (PNG, SVG, PDF), the
# sweep's table, exit statuses (0 ok, 1 failure, 2 usage) with one-line
# messages, and no temporary files left behind.
# Usage: test_plot.sh GEMMNET DATADIR [disabled]
# With "disabled" (a build without cairo) it checks only that every plot
# command exits 1 naming the -Dplot option.
set -u
gemmnet=$1
data=$2
# shellcheck source=tests/cli_helpers.sh
source "$(dirname "$0")/cli_helpers.sh"

if [[ ${3:-} == disabled ]]; then
    for command in plot sweep plot-hidden plot-loss; do
        expect 1 "built without cairo; install libcairo2-dev and reconfigure with -Dplot=enabled" \
            "$gemmnet" "$command" -o "$tmp/x.png"
    done
    finish plot
fi

# png_size FILE: "WIDTHxHEIGHT" from the IHDR chunk (big-endian at byte 16).
png_size() {
    local w h
    read -r w h < <(od -An -tu1 -j16 -N8 "$1" |
        awk '{ printf "%d %d\n", (($1 * 256 + $2) * 256 + $3) * 256 + $4, (($5 * 256 + $6) * 256 + $7) * 256 + $8 }')
    echo "${w}x${h}"
}

# expect_png FILE SIZE: a PNG signature and that size.
expect_png() {
    [[ -f $1 ]] || { fail "$1 was not written"; return; }
    [[ $(od -An -tx1 -N8 "$1" | tr -d ' ') == 89504e470d0a1a0a ]] || fail "$1 is not a PNG"
    [[ $(png_size "$1") == "$2" ]] || fail "$1 is $(png_size "$1"), expected $2"
}

# well_formed FILE: the SVG parses as XML (xmllint, else python3; skipped
# when neither is installed).
well_formed() {
    if command -v xmllint >/dev/null; then
        xmllint --noout "$1" 2>"$tmp/xml" || fail "$1 is not well-formed XML: $(head -3 "$tmp/xml")"
    elif command -v python3 >/dev/null; then
        python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$1" 2>"$tmp/xml" ||
            fail "$1 is not well-formed XML: $(tail -1 "$tmp/xml")"
    else
        echo "note: neither xmllint nor python3 is installed; SVG not parsed"
    fi
}

# twice FILE CMD...: runs CMD -o FILE twice and compares the bytes.
twice() {
    local file=$1
    shift
    "$@" -o "$file" 2>"$tmp/err" || fail "$* -o $file exited $?: $(cat "$tmp/err")"
    cp "$file" "$file.first"
    "$@" -o "$file" 2>"$tmp/err" || fail "second $* -o $file exited $?"
    cmp -s "$file" "$file.first" || fail "$*: two runs wrote different bytes to $file"
}

# Models from JSON: three bands by x1 (no hidden layer), and networks with
# 2, 3 and 4 tanh units.
model_json() { # INPUTS HIDDEN-JSON CLASSES LAYERS-JSON
    printf '{"format": "gemmnet-model", "version": 1, "inputs": %s, "hidden": [%s], "classes": %s,
  "reduction": "sum", "l2": 0, "standardization": null, "class_names": null, "layers": [%s]}\n' "$@"
}
model_json 2 '' 3 '{"weights": [[1, 0, -1], [0, 0, 0]], "biases": [0, 0.5, 0]}' >"$tmp/bands.json"
unit='{"width": UNITS, "activation": "tanh"}'
model_json 2 "${unit/UNITS/2}" 2 '{"weights": [[3, -3], [3, 3]], "biases": [0, 0]},
  {"weights": [[1, -1], [-1, 1]], "biases": [0.5, -0.5]}' >"$tmp/h2.json"
model_json 2 "${unit/UNITS/3}" 2 '{"weights": [[3, -3, 1], [3, 3, -2]], "biases": [0, 0, 0.1]},
  {"weights": [[1, -1], [-1, 1], [0.5, 0]], "biases": [0.5, -0.5]}' >"$tmp/h3.json"
model_json 2 "${unit/UNITS/4}" 2 '{"weights": [[1, 1, 1, 1], [1, 1, 1, 1]], "biases": [0, 0, 0, 0]},
  {"weights": [[1, -1], [1, -1], [1, -1], [1, -1]], "biases": [0, 0]}' >"$tmp/h4.json"
for m in bands h2 h3 h4; do
    "$gemmnet" import "$tmp/$m.json" -o "$tmp/$m.model" || fail "import $m.json exited $?"
done
printf 'x1,x2,label\n-1.5,-1,2\n-1.2,1,2\n0,-0.8,1\n0.1,0.9,1\n1.4,-1,0\n1.6,1.1,0\n' >"$tmp/bands.csv"
"$gemmnet" xor --n 120 -o "$tmp/xor.csv" || fail "xor exited $?"

# plot: sizes, formats, the --hidden fallback, deterministic bytes.
expect 0 "" "$gemmnet" plot --model "$tmp/bands.model" --data "$tmp/bands.csv" -o "$tmp/bands.png"
expect_png "$tmp/bands.png" 640x480
expect 0 "" "$gemmnet" plot --model "$tmp/bands.model" --data "$tmp/bands.csv" --size 500x400 \
    --title 'three bands' -o "$tmp/bands-small.png"
expect_png "$tmp/bands-small.png" 500x400
twice "$tmp/moons.png" "$gemmnet" plot --moons 200 --hidden 3 --epochs 2000
expect_png "$tmp/moons.png" 640x480
twice "$tmp/moons.svg" "$gemmnet" plot --moons 200 --hidden 3 --epochs 2000
well_formed "$tmp/moons.svg"
grep -q 'width="640px" height="480px"' "$tmp/moons.svg" || fail "the SVG is not 640px x 480px"
twice "$tmp/moons.pdf" "$gemmnet" plot --moons 200 --hidden 3 --epochs 2000
[[ $(head -c 5 "$tmp/moons.pdf") == %PDF- ]] || fail "moons.pdf is not a PDF"
expect 0 "" "$gemmnet" plot --model "$tmp/bands.model" --data "$tmp/bands.csv" -o "$tmp/UPPER.PNG"
expect_png "$tmp/UPPER.PNG" 640x480

# sweep: the table, the same numbers with any number of jobs, the panels.
expect 0 "" "$gemmnet" sweep --moons 100 --hidden-sizes 1,3 --epochs 300 --jobs 1 -o "$tmp/sweep.png"
cp "$tmp/out" "$tmp/sweep1.txt"
[[ $(grep -c '^ *[0-9]* *0\.[0-9]\{6\}  [01]\.[0-9]\{4\} ([0-9]*/100)$' "$tmp/sweep1.txt") == 2 ]] ||
    fail "sweep table: $(cat "$tmp/sweep1.txt")"
grep -q '^ *ridge *- *0\.[0-9]\{4\} ([0-9]*/100)' "$tmp/sweep1.txt" || fail "no baseline row: $(cat "$tmp/sweep1.txt")"
expect_png "$tmp/sweep.png" 900x280
expect 0 "" "$gemmnet" sweep --moons 100 --hidden-sizes 1,3 --epochs 300 --jobs 3
cmp -s "$tmp/out" "$tmp/sweep1.txt" || fail "sweep --jobs 3 printed another table than --jobs 1"
expect 0 "" "$gemmnet" sweep --moons 100 --hidden-sizes 1,2,3,4,5 --epochs 10 --no-baseline --columns 2 \
    -o "$tmp/sweep5.png"
expect_png "$tmp/sweep5.png" 600x840

# plot-hidden: 2 and 3 units from model files and from --hidden.
expect 0 "" "$gemmnet" plot-hidden --model "$tmp/h2.model" --data "$tmp/xor.csv" -o "$tmp/h2.png"
expect_png "$tmp/h2.png" 640x560
twice "$tmp/h3.svg" "$gemmnet" plot-hidden --model "$tmp/h3.model" --data "$tmp/xor.csv"
well_formed "$tmp/h3.svg"
expect 0 "" "$gemmnet" plot-hidden --hidden 3 --epochs 500 --data "$tmp/xor.csv" --size 400x400 -o "$tmp/hx.png"
expect_png "$tmp/hx.png" 400x400
expect 1 "hidden layer 1 has 4 units; it needs 2 or 3" \
    "$gemmnet" plot-hidden --model "$tmp/h4.model" --data "$tmp/xor.csv" -o "$tmp/h4.png"
expect 1 "the model has 1 hidden layer" \
    "$gemmnet" plot-hidden --model "$tmp/h2.model" --data "$tmp/xor.csv" --layer 2 -o "$tmp/h4.png"
expect 1 "" "$gemmnet" plot-hidden --model "$tmp/bands.model" --data "$tmp/bands.csv" -o "$tmp/h4.png"

# plot-loss: with and without validation columns; malformed logs.
printf 'epoch,loss,accuracy,val_loss,val_accuracy\n0,0.43,0.8,,\n1000,0.07,0.975,,\n2000,0.071,0.975,,\n' \
    >"$tmp/log.csv"
printf 'epoch,loss,accuracy,val_loss,val_accuracy\r\n0,0.5,0.8,0.6,0.7\r\n10,0.3,0.9,0.4,0.85\r\n' >"$tmp/val.csv"
twice "$tmp/loss.png" "$gemmnet" plot-loss "$tmp/log.csv"
expect_png "$tmp/loss.png" 860x380
expect 0 "" "$gemmnet" plot-loss "$tmp/val.csv" --size 600x300 --title 'with validation' -o "$tmp/val.svg"
well_formed "$tmp/val.svg"
printf 'epoch,loss,accuracy,val_loss,val_accuracy\n0,0.5,0.8,,\n1,x,0.8,,\n' >"$tmp/badlog.csv"
expect 1 "badlog.csv:3:2: expected a finite number" "$gemmnet" plot-loss "$tmp/badlog.csv" -o "$tmp/l.png"
printf 'epoch,loss\n0,0.5\n' >"$tmp/header.csv"
expect 1 "header.csv:1: expected the header" "$gemmnet" plot-loss "$tmp/header.csv" -o "$tmp/l.png"

# Usage errors exit 2.
expect 2 "-o FILE.png|.svg|.pdf is required" "$gemmnet" plot --moons 200 --hidden 3
expect 2 "-o expects a name ending in .png, .svg or .pdf" "$gemmnet" plot --moons 200 --hidden 3 -o x.gif
expect 2 "exactly one of --model FILE and --hidden LIST" "$gemmnet" plot --moons 200 -o x.png
expect 2 "exactly one of --model FILE and --hidden LIST" \
    "$gemmnet" plot --moons 200 --hidden 3 --model "$tmp/h2.model" -o x.png
expect 2 "exactly one of --data FILE and --moons N" "$gemmnet" plot --hidden 3 -o x.png
expect 2 "--epochs goes with --hidden" "$gemmnet" plot --model "$tmp/h2.model" --moons 9 --epochs 5 -o x.png
expect 2 "--size expects" "$gemmnet" plot --moons 200 --hidden 3 --size 10x10 -o x.png
expect 2 "unknown option '--frob'" "$gemmnet" plot --moons 200 --hidden 3 --frob -o x.png
expect 2 "--hidden-sizes expects" "$gemmnet" sweep --moons 200 --hidden-sizes 3,,4
expect 2 "exactly one of --data FILE and --moons N" "$gemmnet" sweep
expect 2 "--layer expects" "$gemmnet" plot-hidden --model "$tmp/h2.model" --moons 9 --layer 0 -o x.png
expect 2 "expected one log file" "$gemmnet" plot-loss -o x.png
expect 0 "" "$gemmnet" plot --help
grep -q -- '--model FILE' "$tmp/out" || fail "plot --help does not describe --model"

# Failures exit 1 with one line naming the file; no temporary files stay.
expect 1 "missing.model" "$gemmnet" plot --model "$tmp/missing.model" --moons 200 -o "$tmp/m.png"
expect 1 "missing.csv" "$gemmnet" plot --model "$tmp/bands.model" --data "$tmp/missing.csv" -o "$tmp/m.png"
expect 1 "missing.csv" "$gemmnet" plot-loss "$tmp/missing.csv" -o "$tmp/m.png"
expect 1 "missing.csv" "$gemmnet" sweep --data "$tmp/missing.csv"
expect 1 "" "$gemmnet" plot --model "$tmp/bands.model" --data "$tmp/bands.csv" -o "$tmp/no/such/dir/x.png"
printf 'a,b,c,label\n1,2,3,0\n4,5,6,1\n' >"$tmp/three.csv"
echo keep >"$tmp/keep.png"
expect 1 "decision regions need 2 features" "$gemmnet" plot --hidden 3 --data "$tmp/three.csv" -o "$tmp/keep.png"
[[ $(cat "$tmp/keep.png") == keep ]] || fail "a failed plot replaced the existing file"
ls "$tmp" | grep -q 'tmp-' && fail "a temporary file was left behind: $(ls "$tmp" | grep tmp-)"

finish plot
