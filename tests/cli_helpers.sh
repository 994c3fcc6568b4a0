# shellcheck shell=bash
# Helpers shared by the shell tests; sourced, not run. After reading its
# own arguments a script does
#     source "$(dirname "$0")/cli_helpers.sh"
# and gets a scratch directory $tmp (removed however the script ends), a
# failure count and the checks below.

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# fail MESSAGE...: reports a failed check and counts it; the script goes on.
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect STATUS PATTERN CMD...: runs CMD (stdout to $tmp/out, stderr to
# $tmp/err) and checks its exit status, that stderr has a line matching
# PATTERN (a grep basic regular expression; empty: any) and, for a failure,
# that the message is one line.
expect() {
    local want=$1 pattern=$2
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    local got=$?
    [[ $got == "$want" ]] || fail "$* exited $got, expected $want; stderr: $(cat "$tmp/err")"
    if [[ -n $pattern ]] && ! grep -q -- "$pattern" "$tmp/err"; then
        fail "$*: stderr lacks '$pattern': $(cat "$tmp/err")"
    fi
    if [[ $want != 0 && $(wc -l <"$tmp/err") != 1 ]]; then
        fail "$*: expected a one-line error message, got: $(cat "$tmp/err")"
    fi
}

# finish WHAT: says how the WHAT checks went and exits 1 if any failed,
# else 0.
finish() {
    if ((failures)); then
        echo "$failures $1 check(s) failed"
        exit 1
    fi
    echo "all $1 checks passed"
    exit 0
}

# without_training_state: a dump (stdin) without a checkpoint's last key,
# "training_state", and the comma before it: the model alone, as JSON.
without_training_state() { sed '/^  "training_state": /d' | sed -z 's/,\n}/\n}/'; }

# numbers FILE: every number of an output (decimals and "(a/b)" counts),
# one per line.
numbers() { grep -oE '[0-9]+\.[0-9]+|\([0-9]+/[0-9]+\)' "$1"; }

# same_within TOLERANCE A B: A and B print as many numbers (over 10), each
# decimal of A within TOLERANCE of B's and each count equal.
same_within() {
    paste <(numbers "$2") <(numbers "$3") | awk -v t="$1" -F'\t' '
        { n++; if ($1 ~ /\//) { if ($1 != $2) bad++ } else if ((d = $1 - $2) > t || -d > t) bad++ }
        END { exit !(n > 10 && !bad && NR == n) }'
}
