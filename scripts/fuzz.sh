#!/usr/bin/env bash
# Builds the libFuzzer harnesses in fuzz/ with clang (the core instrumented
# for coverage, with ASan and UBSan, every UBSan report fatal) in
# build-fuzz/, then runs each for SECONDS (default 60) on its corpus in
# fuzz/corpus/NAME/. New inputs go to build-fuzz/corpus/NAME/, never into
# the committed seeds. Fails on the first finding; the crashing input is
# left in build-fuzz/findings/.
# Usage: scripts/fuzz.sh [SECONDS] [NAME...]
#        (names: csv csv_stream model_load model_json checkpoint agree onnx train_log)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
names=("$@")
((${#names[@]})) || names=(csv csv_stream model_load model_json checkpoint agree onnx train_log)
scripts/deps.sh clang libclang-rt-14-dev
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Haswell}
export OPENBLAS_NUM_THREADS=1
# Leaks are findings too; a UBSan report stops the run like a crash.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

if [[ ! -f build-fuzz/build.ninja ]]; then
    CC=clang meson setup build-fuzz -Dfuzz=true -Dtests=false -Dmpi=disabled -Dplot=enabled \
        -Dbuildtype=debugoptimized -Db_sanitize=address,undefined -Db_lundef=false \
        -Dc_args='-fsanitize=fuzzer-no-link -fno-sanitize-recover=all' >/dev/null
fi
targets=()
for name in "${names[@]}"; do targets+=("fuzz/fuzz_$name"); done
ninja -C build-fuzz "${targets[@]}"

mkdir -p build-fuzz/findings
for name in "${names[@]}"; do
    mkdir -p "build-fuzz/corpus/$name"
    echo "== fuzz_$name for $seconds s"
    # -timeout: one input taking over 10 s is a hang; -rss_limit_mb: a
    # blow-up of memory is a finding, not an OOM kill.
    if ! "build-fuzz/fuzz/fuzz_$name" "build-fuzz/corpus/$name" "fuzz/corpus/$name" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -artifact_prefix="build-fuzz/findings/$name-" -print_final_stats=1 \
        >"build-fuzz/fuzz_$name.log" 2>&1; then
        tail -40 "build-fuzz/fuzz_$name.log"
        echo "fuzz_$name found a problem: the input is in build-fuzz/findings/ (log: build-fuzz/fuzz_$name.log)"
        exit 1
    fi
    grep -E '^stat::(number_of_executed_units|peak_rss_mb)|cov:' "build-fuzz/fuzz_$name.log" | tail -3
done
echo "== no findings in ${#names[@]} harness(es), $seconds s each"
