#!/usr/bin/env bash
# Load benchmark of POST /api/v1/predict on 127.0.0.1, against VinoVoyant (release
# build) and against the reference Python service (what the original app did):
#   1. maximum throughput: closed loop, $CONNECTIONS connections, $DURATION;
#   2. latency at a fixed rate: $RATE requests/s, $DURATION, latency corrected for
#      coordinated omission.
# Bodies are real tasting notes from the review CSV (never copied into the repo).
# Results: bench/out/load/*.json and a summary on standard output (also summary.md).
#
# Usage: bench/load/run.sh        (from anywhere; knobs below via the environment)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$root/bench/load"
out="$root/bench/out/load"
csv="${VINOVOYANT_DATA:-$root/../shared/data/wine_reviews.csv}"
duration="${DURATION:-15s}"
connections="${CONNECTIONS:-32}"
rate="${RATE:-1000}"
port="${PORT:-38080}"
ref_port="${REF_PORT:-38081}"
oha_version="1.16.0"

if [[ ! -f "$csv" ]]; then
    echo "bench/load: no review data at $csv (set VINOVOYANT_DATA); nothing to measure."
    exit 0
fi
mkdir -p "$out"

pids=()
cleanup() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT

if ! command -v oha >/dev/null; then
    echo "== installing oha $oha_version (cargo install, once)"
    cargo install oha --version "$oha_version" --locked --no-default-features
fi

echo "== request bodies from $csv"
python3 "$here/bodies.py" "$csv" "$out/bodies.jsonl" 2000

wait_for() { # url, seconds
    for _ in $(seq 1 $(($2 * 10))); do
        if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "bench/load: $1 did not answer within $2 s" >&2
    return 1
}

load() { # name, url
    local name="$1" url="$2"
    echo "== $name: warm-up"
    oha -z 3s -c "$connections" -m POST -H 'content-type: application/json' \
        -Z "$out/bodies.jsonl" --no-tui --output-format json "$url" >/dev/null
    echo "== $name: maximum throughput ($connections connections, $duration)"
    oha -z "$duration" -c "$connections" -m POST -H 'content-type: application/json' \
        -Z "$out/bodies.jsonl" --no-tui --output-format json "$url" >"$out/$name-max.json"
    echo "== $name: fixed rate ($rate req/s, $duration)"
    oha -z "$duration" -q "$rate" --latency-correction -c "$connections" -m POST \
        -H 'content-type: application/json' -Z "$out/bodies.jsonl" --no-tui \
        --output-format json "$url" >"$out/$name-fixed.json"
}

echo "== building the release binary"
(cd "$root" && cargo build --release -p server)

echo "== VinoVoyant on 127.0.0.1:$port"
(cd "$root" && exec target/release/vinovoyant serve --addr "127.0.0.1:$port" \
    --max-concurrency 1024) >"$out/vinovoyant.log" 2>&1 &
server=$!
pids+=("$server")
wait_for "http://127.0.0.1:$port/health" 60
load vinovoyant "http://127.0.0.1:$port/api/v1/predict"
kill -TERM "$server"
wait "$server" || { echo "bench/load: VinoVoyant did not exit cleanly" >&2; exit 1; }

echo "== reference service (FastAPI + scikit-learn) in $out/venv"
if [[ ! -x "$out/venv/bin/uvicorn" ]]; then
    python3 -m venv "$out/venv"
    "$out/venv/bin/pip" install --quiet "fastapi==0.163.2" "uvicorn==0.54.0" "scikit-learn==1.9.1"
fi
(cd "$here" && REFERENCE_CSV="$csv" exec "$out/venv/bin/uvicorn" reference_service:app \
    --host 127.0.0.1 --port "$ref_port" --log-level warning) >"$out/reference.log" 2>&1 &
reference=$!
pids+=("$reference")
wait_for "http://127.0.0.1:$ref_port/health" 300
load reference "http://127.0.0.1:$ref_port/api/v1/predict"
kill -TERM "$reference"
wait "$reference" || true

python3 "$here/summarize.py" "$out" "$rate" | tee "$out/summary.md"
