#!/usr/bin/env bash
# `make fuzz`: builds the targets (build.sh), writes the seed corpora (seeds.py) and runs each
# target for FUZZ_SECONDS (default 60) with libFuzzer, one at a time. The working corpus grows in
# fuzz/corpus/<target>/ (not committed); crashes land in fuzz/artifacts/<target>/ and fail the run.
# FUZZ_TARGETS limits the run to some targets; FUZZ_JOBS>1 runs that many workers per target.
set -euo pipefail
cd "$(dirname "$0")"
secs=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-"verify jwks_json jwks_pem jwks_changed cert_parse config differential ec_tables"}
bin=$(./build.sh 2>build.log | tail -1) || { cat build.log; exit 1; }
python3 seeds.py
mkdir -p logs
total=0
summary=""
fail=0
jobs=${FUZZ_JOBS:-1}
for t in $targets; do
    mkdir -p "artifacts/$t" "corpus/$t"
    # FUZZ_JOBS workers share the corpus directory (libFuzzer picks up each other's new inputs
    # when it reloads); each writes its own log, and their executions are added up.
    pids=()
    for j in $(seq 1 "$jobs"); do
        "$bin/$t" "corpus/$t" -max_total_time="$secs" -print_final_stats=1 -max_len=65536 \
            -rss_limit_mb=2048 -timeout=10 -artifact_prefix="artifacts/$t/" \
            >"logs/$t.$j.log" 2>&1 &
        pids+=($!)
    done
    rc=0
    for p in "${pids[@]}"; do
        wait "$p" || rc=$?
    done
    execs=0
    for j in $(seq 1 "$jobs"); do
        n=$(sed -n 's/^stat::number_of_executed_units: *//p' "logs/$t.$j.log" | tail -1)
        execs=$((execs + ${n:-0}))
    done
    total=$((total + execs))
    line=$(printf '%-14s %12s executions in %ss x %s, exit %s' "$t" "$execs" "$secs" "$jobs" "$rc")
    echo "fuzz: $line"
    summary+="$line"$'\n'
    if [ "$rc" != 0 ]; then
        fail=1
        cat logs/"$t".*.log | grep -E "panicked|ERROR|SUMMARY|Test unit written" | head -20
    fi
done
printf '%s' "$summary" >> logs/history.txt
echo "fuzz: total $total executions"
[ "$fail" = 0 ] || { echo "fuzz: FAILED (inputs in fuzz/artifacts/)"; exit 1; }
echo "fuzz: no failures"
