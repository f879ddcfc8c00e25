#!/usr/bin/env bash
# Memory soak of the release server on 127.0.0.1: varied predictions and thousands
# of distinct ?country= values at a fixed rate for a bounded time, RSS every 10 s
# (bench/soak/soak.py says what it sends and how it judges).
#
# Usage: bench/soak/run.sh        SECONDS_TOTAL=180 RATE=300 PORT=30090 SAMPLE=10 by default;
#        SERVER_BIN=path uses a built binary instead of building the release one.
#        SMOKE=1 bench/soak/run.sh  6 s at 40 req/s on the debug binary with a made-up
#                                   CSV (bench/fixture.py), RSS every 2 s, port 31190;
#                                   the memory verdict is printed, not enforced
# Without ../shared/data/wine_reviews.csv the notes are made up from wine words.
# Needs python3 and curl (standard library only).
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
root="$bench_root"
smoke_args=()
if [[ "$bench_smoke" == 1 ]]; then
    out="$root/bench/out/smoke/soak"
    csv="$out/fixture.csv"
    defaults=(6 40 31190 2)
    smoke_args=(--smoke --threads 2)
else
    out="$root/bench/out/soak"
    csv="${VINOVOYANT_DATA:-$root/../shared/data/wine_reviews.csv}"
    defaults=(180 300 30090 10)
fi
seconds="${SECONDS_TOTAL:-${defaults[0]}}"
rate="${RATE:-${defaults[1]}}"
port="${PORT:-${defaults[2]}}"
sample="${SAMPLE:-${defaults[3]}}"

bench_need python3 curl
mkdir -p "$out"
if [[ "$bench_smoke" == 1 ]]; then
    echo "== smoke mode: made-up reviews in $csv"
    bench_fixture "$csv"
fi

bin="$(bench_server_bin)"
data_args=()
[[ -f "$csv" ]] && data_args=(--data "$csv")

"$bin" serve --addr "127.0.0.1:$port" --emf false --log-level warn \
    --model "$root/models" "${data_args[@]}" >"$out/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
bench_wait_for "http://127.0.0.1:$port/health" 30

python3 "$root/bench/soak/soak.py" --port "$port" --pid "$server" --seconds "$seconds" \
    --rate "$rate" --sample "$sample" "${data_args[@]}" "${smoke_args[@]}" | tee "$out/result.txt"
