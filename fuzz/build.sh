#!/usr/bin/env bash
# Builds the libFuzzer targets with the flags cargo-fuzz uses (SanitizerCoverage: inline 8-bit
# counters, PC table, comparison tracing; `--cfg fuzzing`; debug assertions and overflow checks),
# on the stable toolchain: no cargo-fuzz install and no nightly compiler needed. FUZZ_ASAN=1 adds
# AddressSanitizer, which needs `-Zsanitizer` and so RUSTC_BOOTSTRAP=1 on stable. FUZZ_FEATURES
# passes cargo features (`aws-lc`: the core as the bindings build it).
set -euo pipefail
cd "$(dirname "$0")"
host=$(rustc -vV | sed -n 's/^host: //p')
flags="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4"
flags+=" -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table"
flags+=" -Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks"
if [ "${FUZZ_ASAN:-0}" = 1 ]; then
    export RUSTC_BOOTSTRAP=1
    flags+=" -Zsanitizer=address"
fi
# --target keeps RUSTFLAGS away from build scripts and proc macros, as cargo-fuzz does.
RUSTFLAGS="$flags" cargo build --release --target "$host" --bins ${FUZZ_FEATURES:+--features "$FUZZ_FEATURES"} "$@"
echo "target/$host/release"
