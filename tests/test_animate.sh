#!/usr/bin/env bash
# gemmnet animate end to end, read back with giflib's decoder (gif_probe):
# frame count, size and loop; the palette holds the class colours and the
# frames show them exactly; frames change as training proceeds; the same
# command writes the same bytes; every view; bad options and failures get
# one line and leave no file behind (or the previous one intact).
# Usage: test_animate.sh GEMMNET GIF_PROBE   or   test_animate.sh GEMMNET disabled
set -u
gemmnet=$1
probe=$2
# shellcheck source=tests/cli_helpers.sh
source "$(dirname "$0")/cli_helpers.sh"

if [[ $probe == disabled ]]; then
    expect 1 "built without giflib or cairo; install libgif-dev and libcairo2-dev and reconfigure with -Danimate=enabled" \
        "$gemmnet" animate --moons 50 -o "$tmp/x.gif"
    finish animate
fi

# field FILE NAME: the value of the probe's "NAME ..." line.
field() { "$probe" "$1" | awk -v n="$2" '$1 == n { $1 = ""; sub(/^ /, ""); print }'; }

# expect_gif FILE FRAMES SIZE: a GIF of FRAMES frames of SIZE ("W H").
expect_gif() {
    [[ -f $1 ]] || { fail "$1 was not written"; return; }
    "$probe" "$1" >"$tmp/probe" 2>&1 || { fail "$1 does not decode: $(cat "$tmp/probe")"; return; }
    [[ $(field "$1" frames) == "$2" ]] || fail "$1 has $(field "$1" frames) frames, expected $2"
    [[ $(field "$1" size) == "$3" ]] || fail "$1 is $(field "$1" size), expected $3"
}

# has_colours FILE RRGGBB...: the palette holds each colour, and the last
# frame has pixels of exactly that colour.
has_colours() {
    local file=$1 last
    shift
    for c in "$@"; do
        [[ " $(field "$file" palette) " == *" $c "* ]] || fail "$file: palette lacks $c"
        last=$("$probe" "$file" count "$c" | tail -1 | awk '{ print $4 }')
        ((last > 0)) || fail "$file: no pixel of exactly $c in the last frame"
    done
}

# distinct_frames FILE: how many different composed frames it has.
distinct_frames() { "$probe" "$1" | awk '$1 == "frame" { print $6 }' | sort -u | wc -l; }

# Class colours: points (tab10 blue, orange, green) and region tints.
blue=1f77b4 orange=ff7f0e green=2ca02c blue_region=bcd6e9 orange_region=ffd9b7

# boundary: defaults but few epochs; frames, size, loop, colours, motion.
moons=(--moons 100 --epochs 400)
expect 0 "" "$gemmnet" animate "${moons[@]}" --frames 12 -o "$tmp/b.gif"
expect_gif "$tmp/b.gif" 12 "480 400"
[[ $(field "$tmp/b.gif" loop) == 0 ]] || fail "b.gif: loop $(field "$tmp/b.gif" loop), expected 0 (forever)"
has_colours "$tmp/b.gif" $blue $orange $blue_region $orange_region
n=$(distinct_frames "$tmp/b.gif")
((n == 12)) || fail "b.gif: only $n of 12 frames differ from each other as training proceeds"
# The region under the points changes: the share of blue region pixels
# differs between the first and the last frame.
first=$("$probe" "$tmp/b.gif" count $blue_region | head -1 | awk '{ print $4 }')
last=$("$probe" "$tmp/b.gif" count $blue_region | tail -1 | awk '{ print $4 }')
[[ $first != "$last" ]] || fail "b.gif: the blue region has $first pixels in the first and last frame"
# Delays: 1/fps, the last one held --hold seconds longer.
"$probe" "$tmp/b.gif" | awk '$1 == "frame" { print $4 }' >"$tmp/delays"
[[ $(head -1 "$tmp/delays") == 10 && $(tail -1 "$tmp/delays") == 210 ]] ||
    fail "b.gif: delays $(head -1 "$tmp/delays")..$(tail -1 "$tmp/delays"), expected 10..210"

# Same command, same bytes.
expect 0 "" "$gemmnet" animate "${moons[@]}" --frames 12 -o "$tmp/b2.gif"
cmp -s "$tmp/b.gif" "$tmp/b2.gif" || fail "two identical animate runs wrote different bytes"

# Options: size, fps, hold, loop, --every.
expect 0 "" "$gemmnet" animate "${moons[@]}" --every 100 --size 300x240 --fps 5 --hold 0 --loop -1 \
    -o "$tmp/e.gif"
expect_gif "$tmp/e.gif" 4 "300 240"
[[ $(field "$tmp/e.gif" loop) == -1 ]] || fail "e.gif: --loop -1 still has a loop extension"
[[ $("$probe" "$tmp/e.gif" | awk '$1 == "frame" { print $4 }' | sort -u) == 20 ]] ||
    fail "e.gif: --fps 5 --hold 0 should give every frame 20 hundredths"
expect 0 "" "$gemmnet" animate "${moons[@]}" --every 100 --loop 3 -o "$tmp/l.gif"
[[ $(field "$tmp/l.gif" loop) == 3 ]] || fail "l.gif: --loop 3 wrote loop $(field "$tmp/l.gif" loop)"

# Three classes, two hidden layers of ReLU, Adam: the third colour too.
"$gemmnet" spiral --classes 3 --n 150 -o "$tmp/spiral.csv"
expect 0 "" "$gemmnet" animate --data "$tmp/spiral.csv" --hidden 16,16 --activation relu \
    --optimizer adam --reduction mean --lr 0.02 --epochs 200 --frames 8 -o "$tmp/k3.gif"
expect_gif "$tmp/k3.gif" 8 "480 400"
has_colours "$tmp/k3.gif" $blue $orange $green

# hidden: XOR in 3 tanh units (turning camera) and in 2.
"$gemmnet" xor --n 120 -o "$tmp/xor.csv"
expect 0 "" "$gemmnet" animate --view hidden --data "$tmp/xor.csv" --epochs 300 --frames 10 \
    -o "$tmp/h3.gif"
expect_gif "$tmp/h3.gif" 10 "440 400"
has_colours "$tmp/h3.gif" $blue $orange
n=$(distinct_frames "$tmp/h3.gif")
((n == 10)) || fail "h3.gif: only $n of 10 frames differ"
expect 0 "" "$gemmnet" animate --view hidden --data "$tmp/xor.csv" --hidden 2 --epochs 300 \
    --frames 6 -o "$tmp/h2.gif"
expect_gif "$tmp/h2.gif" 6 "440 400"
has_colours "$tmp/h2.gif" $blue $orange $blue_region
expect 0 "" "$gemmnet" animate --view hidden --data "$tmp/xor.csv" --hidden 4,3 --activation relu \
    --epochs 100 --frames 4 -o "$tmp/h43.gif"
expect_gif "$tmp/h43.gif" 4 "440 400"

# sweep: every size trains side by side.
expect 0 "" "$gemmnet" animate --view sweep --moons 100 --hidden-sizes 1,3,8 --epochs 200 \
    --frames 5 -o "$tmp/s.gif"
expect_gif "$tmp/s.gif" 5 "880 480"
has_colours "$tmp/s.gif" $blue $orange $blue_region $orange_region

# Bad options: usage errors, one line, exit 2, nothing written.
bad() { expect 2 "$1" "$gemmnet" animate "${@:2}"; }
bad "-o FILE.gif is required" --moons 50
bad "-o expects a name ending in .gif, got '$tmp/x.png'" --moons 50 -o "$tmp/x.png"
bad "give exactly one of --data FILE and --moons N" -o "$tmp/x.gif"
bad "--view" --moons 50 --view movie -o "$tmp/x.gif"
bad "--fps" --moons 50 --fps 0 -o "$tmp/x.gif"
bad "--fps" --moons 50 --fps 100 -o "$tmp/x.gif"
bad "--frames" --moons 50 --frames 1 -o "$tmp/x.gif"
bad "--frames" --moons 50 --frames 5000 -o "$tmp/x.gif"
bad "--hold" --moons 50 --hold -1 -o "$tmp/x.gif"
bad "--loop" --moons 50 --loop -2 -o "$tmp/x.gif"
bad "--size expects WIDTHxHEIGHT, each in 200..2000" --moons 50 --size 100x100 -o "$tmp/x.gif"
bad "--every 1 over 20000 epochs makes more than 1000 frames" --moons 50 --every 1 -o "$tmp/x.gif"
bad "--every 1 over 1001 epochs makes more than 1000 frames" --moons 50 --epochs 1001 --every 1 -o "$tmp/x.gif"
bad "--view hidden draws the last hidden layer, which needs 2 or 3 units; --hidden gives it 5" \
    --moons 50 --view hidden --hidden 5 -o "$tmp/x.gif"
bad "--epochs" --moons 50 --epochs 0 -o "$tmp/x.gif"
bad "--view sweep takes --hidden-sizes, not --hidden" --moons 50 --view sweep --hidden 3 -o "$tmp/x.gif"
bad "--hidden-sizes goes with --view sweep" --moons 50 --hidden-sizes 1,2 -o "$tmp/x.gif"
bad "unrecognized option\|unknown option" --moons 50 --colour red -o "$tmp/x.gif"
[[ ! -e $tmp/x.gif ]] || fail "a refused command wrote $tmp/x.gif"

# Failures: exit 1, one line; the previous file stays as it was.
printf 'a,b,c,label\n1,2,3,0\n2,3,4,1\n' >"$tmp/three.csv"
expect 1 "decision regions need 2 features; the data has 3" \
    "$gemmnet" animate --data "$tmp/three.csv" -o "$tmp/x.gif"
expect 1 "" "$gemmnet" animate --data "$tmp/missing.csv" -o "$tmp/x.gif"
expect 1 "" "$gemmnet" animate "${moons[@]}" -o "$tmp/no/such/dir/x.gif"
cp "$tmp/b.gif" "$tmp/keep.gif"
expect 1 "not finite" "$gemmnet" animate "${moons[@]}" --lr 1e6 -o "$tmp/b.gif"
cmp -s "$tmp/b.gif" "$tmp/keep.gif" || fail "a run that diverged replaced the previous GIF"
[[ -z $(find "$tmp" -name '*.tmp*' -o -name '.*gif*') ]] || fail "temporary files left: $(ls -a "$tmp")"

finish animate
