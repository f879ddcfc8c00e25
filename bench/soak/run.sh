#!/usr/bin/env bash
# Memory soak of the release server on 127.0.0.1: varied predictions and thousands
# of distinct ?country= values at a fixed rate for a bounded time, RSS every 10 s
# (bench/soak/soak.py says what it sends and how it judges).
#
# Usage: bench/soak/run.sh        SECONDS_TOTAL=180 RATE=300 PORT=30090 by default;
#        SERVER_BIN=path uses a built binary instead of building the release one.
# Without ../shared/data/wine_reviews.csv the notes are made up from wine words.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$root/bench/out/soak"
csv="${VINOVOYANT_DATA:-$root/../shared/data/wine_reviews.csv}"
seconds="${SECONDS_TOTAL:-180}"
rate="${RATE:-300}"
port="${PORT:-30090}"
mkdir -p "$out"

bin="${SERVER_BIN:-}"
if [[ -z "$bin" ]]; then
    (cd "$root" && cargo build --release -p server --bin vinovoyant)
    bin="$root/target/release/vinovoyant"
fi
data_args=()
[[ -f "$csv" ]] && data_args=(--data "$csv")

"$bin" serve --addr "127.0.0.1:$port" --emf false --log-level warn \
    --model "$root/models" "${data_args[@]}" >"$out/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/health" 2>/dev/null && break
    sleep 0.1
done

python3 "$root/bench/soak/soak.py" --port "$port" --pid "$server" --seconds "$seconds" \
    --rate "$rate" "${data_args[@]}" | tee "$out/result.txt"
