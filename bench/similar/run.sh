#!/usr/bin/env bash
# Build time, memory and query latency of the similar-reviews index (crate
# `similar/`, measured by its example `similar/examples/bench.rs`): on the review
# data as read, then grown to TARGET reviews by altered copies of its reviews.
# Method and figures: bench/similar/RESULTS.md.
#
# Usage: bench/similar/run.sh                  release build, TARGET=130000
#        PROFILE=debug bench/similar/run.sh    the same on a debug build
#        TARGET=0 bench/similar/run.sh         the data as read only
#        SMOKE=1 bench/similar/run.sh          debug build, a made-up CSV
#                                              (bench/fixture.py) grown to 2,000
#                                              reviews; figures mean nothing
# Reads ../shared/data/wine_reviews.csv (or $VINOVOYANT_DATA); skips, saying so,
# when it is absent. The output is also written to bench/out/similar/PROFILE.txt.
# Needs cargo (and python3 in smoke mode).
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
root="$bench_root"
if [[ "$bench_smoke" == 1 ]]; then
    out="$root/bench/out/smoke/similar"
    csv="$out/fixture.csv"
    profile=debug
    target="${TARGET:-2000}"
    bench_need python3 cargo
    echo "== smoke mode: made-up reviews in $csv"
    bench_fixture "$csv"
else
    out="$root/bench/out/similar"
    csv="${VINOVOYANT_DATA:-$root/../shared/data/wine_reviews.csv}"
    profile="${PROFILE:-release}"
    target="${TARGET:-130000}"
    bench_need cargo
    if [[ ! -f "$csv" ]]; then
        echo "bench/similar: skipped: no review data at $csv (SMOKE=1 runs on a made-up CSV)"
        exit 0
    fi
fi
case "$profile" in
    release) build=(--release) ;;
    debug) build=() ;;
    *) echo "bench/similar: PROFILE must be release or debug, not $profile" >&2; exit 2 ;;
esac

mkdir -p "$out"
echo "== cargo build ${build[*]} -p vinovoyant-similar --example bench"
(cd "$root" && cargo build "${build[@]}" --quiet -p vinovoyant-similar --example bench)
echo "== $csv, grown to $target reviews; $(nproc) cores"
(cd "$root" && cargo run "${build[@]}" --quiet -p vinovoyant-similar --example bench -- "$csv" "$target") |
    tee "$out/$profile.txt"
