#!/usr/bin/env bash
# What a save may replace, for every command that writes: a regular file or
# nothing; a symbolic link to a regular file (that file is replaced, the link
# stays); /dev/stdout and /dev/null written in place. Devices, FIFOs,
# directories and dangling links are refused with one line and stay as
# they were. The previous file keeps its mode; a file size limit (SIGXFSZ),
# SIGINT and SIGTERM leave no temporary behind and the previous file
# intact; temporaries a killed run left are removed by the next save.
# Usage: test_writes.sh GEMMNET [disabled]   ("disabled": no plot commands)
set -u
gemmnet=$1
plot=${2:-enabled}
# shellcheck source=tests/cli_helpers.sh
source "$(dirname "$0")/cli_helpers.sh"

"$gemmnet" moons --n 40 -o "$tmp/d.csv" || fail "moons"
"$gemmnet" train --data "$tmp/d.csv" --epochs 2 --print-every 0 --save "$tmp/m.gnet" >/dev/null ||
    fail "train"
"$gemmnet" dump --model "$tmp/m.gnet" -o "$tmp/m.json" || fail "dump"
"$gemmnet" train --data "$tmp/d.csv" --epochs 3 --print-every 0 --log "$tmp/l.csv" >/dev/null ||
    fail "train --log"

root=0
[[ $(id -u) == 0 ]] && root=1

# Each writer with OUT standing for its output path.
writers=(
    "moons --n 40 -o OUT"
    "dump --model $tmp/m.gnet -o OUT"
    "import $tmp/m.json -o OUT"
    "train --data $tmp/d.csv --epochs 2 --print-every 0 --save OUT"
    "train --data $tmp/d.csv --epochs 2 --print-every 0 --checkpoint-every 1 --save OUT"
    "train --data $tmp/d.csv --epochs 2 --print-every 0 --log OUT"
)
if [[ $plot != disabled ]]; then
    writers+=("plot --model $tmp/m.gnet --data $tmp/d.csv --size 200x200 -o OUT"
        "plot-loss $tmp/l.csv --size 200x200 -o OUT")
fi

# run_writer WRITER PATH: the writer with OUT replaced by PATH, bounded in
# time (a FIFO opened for writing would block).
run_writer() {
    local words
    read -r -a words <<<"${1//OUT/$2}"
    timeout 60 "$gemmnet" "${words[@]}" >"$tmp/out" 2>"$tmp/err"
}

# no_temporaries DIR WHAT: nothing named *.tmp-* is left in DIR.
no_temporaries() {
    local left
    left=$(find "$1" -maxdepth 1 -name '*.tmp-*' | head -3)
    [[ -z $left ]] || fail "$2 left temporaries: $left"
    find "$1" -maxdepth 1 -name '*.tmp-*' -delete
}

# refused WRITER PATH PATTERN: exit 1, one line matching PATTERN.
refused() {
    run_writer "$1" "$2"
    local got=$?
    [[ $got == 1 ]] || fail "$1 over $2 exited $got, expected 1; stderr: $(cat "$tmp/err")"
    grep -q -- "$3" "$tmp/err" || fail "$1 over $2: stderr lacks '$3': $(cat "$tmp/err")"
    [[ $(wc -l <"$tmp/err") == 1 ]] || fail "$1 over $2: not one line: $(cat "$tmp/err")"
}

for writer in "${writers[@]}"; do
    ext=csv
    [[ $writer == plot* ]] && ext=png
    [[ $writer == *--save* || $writer == import* ]] && ext=gnet
    dir="$tmp/w"
    rm -rf "$dir" && mkdir "$dir"

    # A character device, also reached through a link. The checks never
    # aim a writer at the system's /dev where it could replace a node (a
    # broken build run by root would): root makes its own device node.
    device=/dev/full
    if ((root)); then
        device="$dir/device.$ext"
        mknod "$device" c 1 7 || fail "mknod"
    fi
    ln -s "$device" "$dir/full.$ext"
    if [[ $writer != plot* ]] || ((root)); then
        refused "$writer" "$device" "is a character device; only a regular file is replaced"
        [[ -c $device ]] || fail "$writer replaced $device"
    fi
    refused "$writer" "$dir/full.$ext" "a symbolic link to a character device"
    [[ -L $dir/full.$ext ]] || fail "$writer replaced the link to /dev/full"

    mkfifo "$dir/fifo.$ext"
    refused "$writer" "$dir/fifo.$ext" "is a FIFO; only a regular file is replaced"
    [[ -p $dir/fifo.$ext ]] || fail "$writer replaced a FIFO"

    mkdir "$dir/dir.$ext"
    refused "$writer" "$dir/dir.$ext" "is a directory; only a regular file is replaced"
    [[ -d $dir/dir.$ext ]] || fail "$writer replaced a directory"

    ln -s "$dir/nowhere.$ext" "$dir/dangling.$ext"
    refused "$writer" "$dir/dangling.$ext" "a symbolic link to nothing"
    [[ -L $dir/dangling.$ext && ! -e $dir/nowhere.$ext ]] || fail "$writer followed a dangling link"

    # A link to a regular file: the file is replaced, the link stays, and
    # the file keeps its mode.
    echo old >"$dir/real.$ext"
    chmod 600 "$dir/real.$ext"
    ln -s "real.$ext" "$dir/link.$ext"
    run_writer "$writer" "$dir/link.$ext" || fail "$writer through a link: $(cat "$tmp/err")"
    [[ -L $dir/link.$ext ]] || fail "$writer replaced the link itself"
    echo old | cmp -s - "$dir/real.$ext" && fail "$writer did not write the link's file"
    [[ $(stat -c %a "$dir/real.$ext") == 600 ]] ||
        fail "$writer left mode $(stat -c %a "$dir/real.$ext"), expected 600"

    # Descriptors are written in place. /proc refuses new names, so a
    # writer that tried a temporary there would fail, not replace anything;
    # /dev/stdout and /dev/null only where /dev is not writable.
    outputs=(/proc/self/fd/1)
    ((root)) || outputs+=(/dev/stdout /dev/null)
    for output in "${outputs[@]}"; do
        [[ $writer == plot* ]] && break
        run_writer "$writer" "$output" || fail "$writer -o $output: $(cat "$tmp/err")"
        [[ $output == /dev/null || -s $tmp/out ]] || fail "$writer -o $output wrote nothing"
    done
    no_temporaries "$dir" "$writer"
done

# A file size limit: the write fails with EFBIG, reported; the previous
# file and nothing else stays.
echo previous >"$tmp/big.csv"
(
    ulimit -f 8
    exec "$gemmnet" moons --n 100000 -o "$tmp/big.csv"
) 2>"$tmp/err"
got=$?
[[ $got == 1 ]] || fail "moons under ulimit -f exited $got, expected 1"
grep -q "big.csv: write failed: File too large (the previous file, if any, is unchanged)" \
    "$tmp/err" || fail "moons under ulimit -f: $(cat "$tmp/err")"
[[ $(cat "$tmp/big.csv") == previous ]] || fail "ulimit -f changed the previous file"
(
    ulimit -f 8
    exec "$gemmnet" train --moons 200 --hidden 4000 --epochs 1 --print-every 0 \
        --save "$tmp/big.gnet" >/dev/null
) 2>"$tmp/err"
got=$?
[[ $got == 1 ]] || fail "train --save under ulimit -f exited $got, expected 1"
grep -q "big.gnet: write failed: File too large" "$tmp/err" ||
    fail "train --save under ulimit -f: $(cat "$tmp/err")"
no_temporaries "$tmp" "ulimit -f"

# SIGINT and SIGTERM while the log's temporary is open: the process ends by
# the signal, the temporary is gone, the previous log is intact.
# Job control, so that the background job does not start with SIGINT
# ignored (as a non-interactive shell's background jobs do).
set -m
for signal in INT TERM; do
    echo previous >"$tmp/sig.csv"
    "$gemmnet" train --moons 200 --epochs 100000000 --print-every 0 --log "$tmp/sig.csv" \
        --save "$tmp/sig.gnet" >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 200); do
        compgen -G "$tmp/sig.csv.tmp-*" >/dev/null && break
        sleep 0.05
    done
    compgen -G "$tmp/sig.csv.tmp-*" >/dev/null || fail "no log temporary seen before SIG$signal"
    kill -s "$signal" "$pid"
    wait "$pid"
    got=$?
    want=$((128 + $(kill -l "$signal")))
    [[ $got == "$want" ]] || fail "train after SIG$signal exited $got, expected $want"
    [[ $(cat "$tmp/sig.csv") == previous ]] || fail "SIG$signal changed the previous log"
    [[ ! -e $tmp/sig.gnet ]] || fail "SIG$signal left a model"
    no_temporaries "$tmp" "SIG$signal"
done
set +m

# Temporaries of the same target from a killed run: those of a process that
# no longer exists are removed; a live process's stays.
dead=$(sh -c 'echo $$')
echo stale >"$tmp/s.csv.tmp-$dead-0"
echo stale >"$tmp/s.gnet.tmp-$dead-3"
echo live >"$tmp/s.csv.tmp-$$-0"
"$gemmnet" moons -o "$tmp/s.csv" || fail "moons over stale temporaries"
"$gemmnet" train --moons 40 --epochs 1 --print-every 0 --save "$tmp/s.gnet" >/dev/null ||
    fail "train over stale temporaries"
[[ ! -e $tmp/s.csv.tmp-$dead-0 ]] || fail "a dead process's CSV temporary was left"
[[ ! -e $tmp/s.gnet.tmp-$dead-3 ]] || fail "a dead process's model temporary was left"
[[ -e $tmp/s.csv.tmp-$$-0 ]] || fail "a live process's temporary was removed"

finish writes
