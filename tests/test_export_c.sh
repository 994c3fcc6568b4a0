#!/usr/bin/env bash
# gemmnet export --format c: for every activation, 0 to 3 hidden layers,
# with and without standardisation, and class names that need escapes
# ('?' starts trigraphs, '\', UTF-8), the generated header compiles with
# -std=c99 -pedantic -Wall -Wextra -Werror (also in a file that includes it
# without calling anything), and its predict function gives the
# probabilities `gemmnet predict --proba` prints within 1e-6 (gemmnet's
# own tanh and exp against libm's, and sgemm's summation order), and the
# same classes wherever the top two are further apart than that.
# SHOW_WORST=1 prints the largest difference of each model (measured: at
# most 3.6e-7). Also the export command's usage errors and refusals.
# Usage: test_export_c.sh GEMMNET
set -u
gemmnet=$1
cc=${CC:-cc}
# shellcheck source=tests/cli_helpers.sh
source "$(dirname "$0")/cli_helpers.sh"
tolerance=1e-6

# A driver for a header: reads CSV rows of D features and a label (header
# skipped), prints the K probabilities and the class name.
cat >"$tmp/driver.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include "model.h"

int main(void)
{
    char line[4096];
    if (!fgets(line, sizeof line, stdin))
        return 1;
    while (fgets(line, sizeof line, stdin)) {
        float x[MODEL_INPUTS], p[MODEL_CLASSES];
        char *s = line;
        for (int i = 0; i < MODEL_INPUTS; i++) {
            x[i] = strtof(s, &s);
            s++;
        }
        int k = model_predict(x, p);
        for (int j = 0; j < MODEL_CLASSES; j++)
            printf("%s%.9g", j ? "," : "", p[j]);
        printf(" %s\n", model_class_name(k));
    }
    return 0;
}
EOF
printf '#include "model.h"\nint unused(void);\nint unused(void) { return MODEL_CLASSES; }\n' >"$tmp/unused.c"
cflags=(-std=c99 -pedantic -Wall -Wextra -Werror -I"$tmp")

"$gemmnet" blobs --n 150 --classes 3 --noise 2 --seed 4 -o "$tmp/blobs.csv" || fail "blobs exited $?"
awk -F, 'NR == 1 { print; next }
         { print $1 "," $2 "," ($3 == 0 ? "what?" : $3 == 1 ? "back\\slash" : "ünï") }' \
    "$tmp/blobs.csv" >"$tmp/named.csv"

# check NAME TRAIN-OPTIONS...: train, export, compile, compare.
check() {
    local name=$1
    shift
    if ! "$gemmnet" train --data "$tmp/named.csv" --epochs 300 --lr 0.002 "$@" --save "$tmp/$name.gnet" \
        >/dev/null 2>"$tmp/err"; then
        fail "$name: train $*: $(cat "$tmp/err")"
        return
    fi
    "$gemmnet" export --format c "$tmp/$name.gnet" -o "$tmp/model.h" || { fail "$name: export exited $?"; return; }
    if ! "$cc" "${cflags[@]}" -c "$tmp/unused.c" -o "$tmp/unused.o" 2>"$tmp/err" ||
        ! "$cc" "${cflags[@]}" "$tmp/driver.c" -o "$tmp/driver" -lm 2>"$tmp/err"; then
        fail "$name: the header does not compile cleanly: $(head -5 "$tmp/err")"
        return
    fi
    "$tmp/driver" <"$tmp/named.csv" >"$tmp/c.txt" || fail "$name: driver exited $?"
    "$gemmnet" predict --model "$tmp/$name.gnet" --data "$tmp/named.csv" --proba >"$tmp/p.txt" || fail "predict exited $?"
    "$gemmnet" predict --model "$tmp/$name.gnet" --data "$tmp/named.csv" >"$tmp/l.txt" || fail "predict exited $?"
    paste -d' ' "$tmp/p.txt" "$tmp/l.txt" "$tmp/c.txt" | awk -v tol="$tolerance" -v name="$name" '
        { n = split($1, p, ","); split($3, q, ","); top = 0; second = 0
          for (j = 1; j <= n; j++) {
              d = p[j] - q[j]; if (d < 0) d = -d; if (d > worst) worst = d
              if (p[j] > top) { second = top; top = p[j] } else if (p[j] > second) second = p[j]
          }
          if (top - second > tol && $2 != $4) { print name ": row " NR ": class " $4 ", gemmnet says " $2; bad = 1 } }
        END { if (NR != 150) { print name ": " NR " rows"; bad = 1 }
              if (worst > tol) { print name ": largest difference " worst " > " tol; bad = 1 }
              if (ENVIRON["SHOW_WORST"]) print name ": largest difference " worst
              exit bad }' || fail "$name: the C header and gemmnet predict disagree"
}

for act in tanh relu leaky_relu sigmoid; do
    check "$act-1" --hidden 6 --activation "$act"
    check "$act-2" --hidden 6,5 --activation "$act" --standardize
    check "$act-3" --hidden 7,5,4 --activation "$act,tanh,$act"
done
check softmax-regression --hidden 0 --standardize
check mixed-std --hidden 5,4,3 --activation relu,sigmoid,leaky_relu --standardize

# ---- the names, as C sees them ---------------------------------------------
"$gemmnet" export --format c "$tmp/mixed-std.gnet" --name tiny_net -o "$tmp/tiny.h" || fail "export --name exited $?"
grep -q '^static inline int tiny_net_predict(const float x\[TINY_NET_INPUTS\], float proba\[TINY_NET_CLASSES\])$' \
    "$tmp/tiny.h" || fail "--name: no tiny_net_predict in the header"
grep -qF '{"back\\slash", "what\?", "\303\274n\303\257"}' "$tmp/tiny.h" ||
    fail "class names not escaped as expected: $(grep class_names "$tmp/tiny.h" | head -1)"
grep -q '#include <stdlib.h>\|malloc' "$tmp/tiny.h" && fail "the header allocates or includes more than <math.h>"
[[ $(grep -c '#include' "$tmp/tiny.h") == 1 ]] || fail "the header includes more than <math.h>"

# ---- usage errors and refusals ----------------------------------------------
expect 2 "export: --format onnx|c is required" "$gemmnet" export "$tmp/tanh-1.gnet" -o "$tmp/x.h"
expect 2 "export: --format expects one of onnx, c, got 'tflite'" "$gemmnet" export --format tflite "$tmp/tanh-1.gnet" -o "$tmp/x"
expect 2 "export: a MODEL file is required" "$gemmnet" export --format c -o "$tmp/x.h"
expect 2 "export: -o FILE" "$gemmnet" export --format c "$tmp/tanh-1.gnet"
expect 2 "export: --fold-standardization goes with --format onnx" "$gemmnet" export --format c --fold-standardization "$tmp/tanh-1.gnet" -o "$tmp/x.h"
expect 2 "export: expected one MODEL file" "$gemmnet" export --format c "$tmp/tanh-1.gnet" "$tmp/tanh-2.gnet" -o "$tmp/x.h"
expect 1 "export: the name '1st' is not a C identifier" "$gemmnet" export --format c --name 1st "$tmp/tanh-1.gnet" -o "$tmp/x.h"
[[ -e $tmp/x.h ]] && fail "a refused export left $tmp/x.h"
expect 1 "export: .*nothing.gnet" "$gemmnet" export --format onnx "$tmp/nothing.gnet" -o "$tmp/x.onnx"
expect 0 "" "$gemmnet" export --help
grep -q 'usage: gemmnet export --format onnx|c' "$tmp/out" || fail "export --help"

finish "C export"
