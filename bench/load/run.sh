#!/usr/bin/env bash
# Load benchmark of POST /api/v1/predict on 127.0.0.1, against VinoVoyant (release
# build) and against the reference Python service (what the original app did):
#   1. maximum throughput: closed loop, $CONNECTIONS connections, $DURATION seconds;
#   2. latency at a fixed rate: $RATE requests/s, $DURATION seconds, latency counted
#      from when each request was due (corrected for coordinated omission).
# The load generator is bench/load/loadgen.py (Python standard library only).
# Bodies are real tasting notes from the review CSV (never copied into the repo).
# Results: bench/out/load/*.json and a summary on standard output (also summary.md).
#
# Usage: bench/load/run.sh          (from anywhere; knobs below via the environment)
#        SMOKE=1 bench/load/run.sh  a few seconds on the debug binary and a made-up
#                                   CSV (bench/fixture.py): shows the script works;
#                                   its figures mean nothing
# Needs python3 (with venv) and curl; the reference's packages come from PyPI.
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
root="$bench_root"
here="$root/bench/load"
out="$root/bench/out/load"
if [[ "$bench_smoke" == 1 ]]; then
    out="$root/bench/out/smoke/load"
    csv="$out/fixture.csv"
    defaults=(2 1 4 50 1 50 31180 31181)
else
    csv="${VINOVOYANT_DATA:-$root/../shared/data/wine_reviews.csv}"
    defaults=(15 3 32 1000 2 2000 30180 30181)
fi
duration="${DURATION:-${defaults[0]}}"
duration="${duration%s}" # "15s" as oha took it still works
warmup="${WARMUP:-${defaults[1]}}"
connections="${CONNECTIONS:-${defaults[2]}}"
rate="${RATE:-${defaults[3]}}"
processes="${PROCESSES:-${defaults[4]}}"
body_count="${BODIES:-${defaults[5]}}"
port="${PORT:-${defaults[6]}}"
ref_port="${REF_PORT:-${defaults[7]}}"

bench_need python3 curl
mkdir -p "$out"
if [[ "$bench_smoke" == 1 ]]; then
    echo "== smoke mode: made-up reviews in $csv"
    bench_fixture "$csv"
elif [[ ! -f "$csv" ]]; then
    echo "bench/load: no review data at $csv (set VINOVOYANT_DATA); nothing to measure."
    exit 0
fi

pids=()
cleanup() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT

echo "== $body_count request bodies from $csv"
python3 "$here/bodies.py" "$csv" "$out/bodies.jsonl" "$body_count"

bench_venv
vinovoyant="$(bench_server_bin)"

load() { # name, url
    local name="$1" url="$2" common
    common=(--bodies "$out/bodies.jsonl" --connections "$connections" --processes "$processes")
    echo "== $name: warm-up (${warmup} s)"
    python3 "$here/loadgen.py" "$url" "${common[@]}" --duration "$warmup" --out "$out/$name-warmup.json"
    echo "== $name: maximum throughput ($connections connections, $duration s)"
    python3 "$here/loadgen.py" "$url" "${common[@]}" --duration "$duration" --out "$out/$name-max.json"
    echo "== $name: fixed rate ($rate req/s, $duration s)"
    python3 "$here/loadgen.py" "$url" "${common[@]}" --duration "$duration" --rate "$rate" \
        --out "$out/$name-fixed.json"
}

echo "== VinoVoyant ($vinovoyant) on 127.0.0.1:$port"
(cd "$root" && exec "$vinovoyant" serve --addr "127.0.0.1:$port" --max-concurrency 1024 \
    --emf false --log-level warn) >"$out/vinovoyant.log" 2>&1 &
server=$!
pids+=("$server")
bench_wait_for "http://127.0.0.1:$port/health" 60
load vinovoyant "http://127.0.0.1:$port/api/v1/predict"
kill -TERM "$server"
wait "$server" || { echo "bench/load: VinoVoyant did not exit cleanly" >&2; exit 1; }

echo "== reference service (FastAPI + scikit-learn, bench/out/venv) on 127.0.0.1:$ref_port"
(cd "$here" && REFERENCE_CSV="$csv" exec "$root/bench/out/venv/bin/uvicorn" reference_service:app \
    --host 127.0.0.1 --port "$ref_port" --log-level warning) >"$out/reference.log" 2>&1 &
reference=$!
pids+=("$reference")
bench_wait_for "http://127.0.0.1:$ref_port/health" 300
load reference "http://127.0.0.1:$ref_port/api/v1/predict"
kill -TERM "$reference"
wait "$reference" || true

python3 "$here/summarize.py" "$out" "$rate" | tee "$out/summary.md"
