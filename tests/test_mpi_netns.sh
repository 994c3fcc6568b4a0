#!/usr/bin/env bash
# Data-parallel training across separate hosts: ranks in network
# namespaces joined by veth pairs to a bridge (scripts/netns-hosts), Open
# MPI over TCP between them, nothing shared but the file system. 2 and 3
# hosts compute the single-process run up to float32 reassociation, also
# over a link limited to 100 Mbit/s; a rank killed mid-run stops the others
# with a message within 60 s (no hang). Skipped (status 77, with the
# reason) where namespaces cannot be made: not root, or no CAP_NET_ADMIN.
# Usage: test_mpi_netns.sh GEMMNET MPIRUN
set -u
gemmnet=$1
mpirun=$2
# shellcheck source=tests/cli_helpers.sh
source "$(dirname "$0")/cli_helpers.sh"
hosts=$(dirname "$0")/../scripts/netns-hosts
prefix=gn$$
PATH=$(dirname "$mpirun"):$PATH

probe=$prefix-probe
if ! command -v ip >/dev/null || ! ip netns add "$probe" 2>"$tmp/err"; then
    echo "skipped: cannot create a network namespace ($(head -1 "$tmp/err" 2>/dev/null))"
    exit 77
fi
ip netns del "$probe"
trap '"$hosts" down "$prefix"; rm -rf "$tmp"' EXIT

across() {
    local n=$1
    shift
    timeout 300 "$hosts" mpirun "$prefix" "$n" "$gemmnet" "$@"
}

# Minibatch Adam with a validation split (as in test_mpi.sh): every printed
# number (6 decimals) within 3e-6 of one process's.
mini=(train --moons 1000 --hidden 16 --batch 64 --optimizer adam --reduction mean --lr 0.01
      --epochs 100 --print-every 25 --val 0.2)
"$gemmnet" "${mini[@]}" >"$tmp/one.txt" || fail "one process exited $?"
"$hosts" up "$prefix" 3 || fail "netns-hosts up failed"
for n in 2 3; do
    across "$n" "${mini[@]}" >"$tmp/hosts$n.txt" 2>"$tmp/err" || fail "$n hosts exited $?: $(cat "$tmp/err")"
    same_within 3e-6 "$tmp/one.txt" "$tmp/hosts$n.txt" ||
        fail "$n hosts differ from one process: $(diff "$tmp/one.txt" "$tmp/hosts$n.txt")"
done
"$hosts" down "$prefix"

# The same over a 100 Mbit/s link.
"$hosts" up "$prefix" 2 100mbit || fail "netns-hosts up with a rate limit failed"
across 2 "${mini[@]}" >"$tmp/slow.txt" 2>"$tmp/err" || fail "100 Mbit/s: exited $?: $(cat "$tmp/err")"
same_within 3e-6 "$tmp/one.txt" "$tmp/slow.txt" || fail "100 Mbit/s differs from one process"

# A rank killed mid-run (SIGKILL: no chance to say goodbye) stops the
# other, blocked in its allreduce, with mpirun's report.
across 2 train --moons 20000 --hidden 64 --epochs 100000 --print-every 0 >"$tmp/out" 2>"$tmp/err" &
job=$!
victim=
for _ in $(seq 100); do
    victim=$(ip netns pids "$prefix-h2" | while read -r pid; do
        [[ $(cat "/proc/$pid/comm" 2>/dev/null) == gemmnet ]] && echo "$pid"; done | head -1)
    [[ -n $victim ]] && break
    sleep 0.2
done
if [[ -z $victim ]]; then
    fail "no gemmnet rank appeared on host 2"
    kill "$job"
else
    sleep 1
    started=$SECONDS
    kill -KILL "$victim"
    timeout 60 tail --pid="$job" -f /dev/null || fail "the job did not stop within 60 s of the kill"
    wait "$job"
    status=$?
    [[ $status != 0 && $status != 124 ]] || fail "a killed rank: mpirun exited $status"
    grep -qiE 'signal 9|killed' "$tmp/err" || fail "a killed rank: no report: $(cat "$tmp/err")"
    echo "a killed rank stopped the job in $((SECONDS - started)) s (exit $status)"
fi
finish "training across network namespaces"
