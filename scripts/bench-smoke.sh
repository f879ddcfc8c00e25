#!/usr/bin/env bash
# Runs every benchmark under bench/ once in smoke mode (SMOKE=1: seconds, small
# made-up inputs, the debug binary `cargo test --workspace` builds at
# target/debug/vinovoyant, ports 31180-31200 on 127.0.0.1), so none of them rots.
# Their figures mean nothing here and are not checked; a script that fails fails
# this one, after the others have run. Each script's output goes to
# bench/out/smoke/<name>.log, shown when it fails.
#
#   scripts/bench-smoke.sh            all of them
#   scripts/bench-smoke.sh load soak  only these (load, soak, accuracy, first-load, similar)
#
# scripts/test.sh runs it after the browser tests, when the site and the debug
# binary exist; run alone, it builds what is missing (the debug binary, the site).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

declare -A scripts=(
    [load]=bench/load/run.sh
    [soak]=bench/soak/run.sh
    [accuracy]=bench/accuracy/run.sh
    [first-load]=bench/first-load.sh
    [similar]=bench/similar/run.sh
)
names=("$@")
((${#names[@]})) || names=(load soak accuracy first-load similar)

# Every script under bench/ that can be run must be listed above (lib.sh is sourced;
# a bench/x.mjs is run by its bench/x.sh).
for found in bench/*.sh bench/*/run.sh bench/*.mjs; do
    [[ "$found" != bench/lib.sh ]] || continue
    found="${found%.mjs}"
    [[ "$found" == *.sh ]] || found="$found.sh"
    listed=0
    for script in "${scripts[@]}"; do
        [[ "$found" == "$script" ]] && listed=1
    done
    if ((!listed)); then
        printf 'bench-smoke: %s is not in the list in scripts/bench-smoke.sh\n' "$found" >&2
        exit 1
    fi
done

# What the smoke runs share, built here when missing so that the time limit below
# bounds the runs alone: the debug binary and the site.
if [[ ! -x target/debug/vinovoyant ]]; then
    printf '==> building the debug binary (cargo build -p server --bin vinovoyant)\n'
    cargo build -p server --bin vinovoyant
fi
if [[ " ${names[*]} " == *" first-load "* && ! -f target/site/pkg/vinovoyant.js ]]; then
    printf '==> building the site (scripts/install-web-tools.sh, scripts/build-site.sh)\n'
    scripts/install-web-tools.sh
    scripts/build-site.sh
fi

logs="bench/out/smoke"
mkdir -p "$logs"
failed=()
report=()
for name in "${names[@]}"; do
    script="${scripts[$name]:-}"
    [[ -n "$script" ]] || { printf 'bench-smoke: no benchmark called %s\n' "$name" >&2; exit 2; }
    printf '==> %s (SMOKE=1 %s)\n' "$name" "$script"
    started=$SECONDS
    # A hung script must not hang CI: every smoke run is bounded.
    if SMOKE=1 timeout --kill-after 10 300 "$script" >"$logs/$name.log" 2>&1; then
        outcome=ok
    else
        outcome="FAILED (exit $?)"
        failed+=("$name")
        printf -- '--- %s: last 40 lines of %s\n' "$name" "$logs/$name.log" >&2
        tail -n 40 "$logs/$name.log" >&2
    fi
    report+=("$(printf '  %-10s %4ds  %s' "$name" $((SECONDS - started)) "$outcome")")
    printf '%s\n' "${report[-1]}"
done

printf '\nbench-smoke: %d s in all\n' "$SECONDS"
printf '%s\n' "${report[@]}"
if ((${#failed[@]})); then
    printf 'bench-smoke: FAILED: %s\n' "${failed[*]}" >&2
    exit 1
fi
