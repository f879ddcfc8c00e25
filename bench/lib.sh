# shellcheck shell=bash
# Sourced by the scripts under bench/: the pieces they share.
#
#   bench_need CMD...        fail early, with the apt-get line to run, when a command is missing
#   bench_venv               bench/out/venv with bench/requirements.txt (PyPI), made once
#   bench_fixture FILE       a small made-up review CSV (bench/fixture.py), for smoke runs
#   bench_server_bin         path of the vinovoyant binary to run: $SERVER_BIN, else the debug
#                            build in smoke mode (what `cargo test --workspace` builds), else a
#                            fresh release build
#   bench_wait_for URL SECS  wait until URL answers 2xx
#
# Smoke mode (SMOKE=1): each script runs for seconds on small inputs, to show it still
# works; its figures mean nothing and are not checked. scripts/bench-smoke.sh runs
# every script so, and scripts/test.sh runs that.

bench_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bench_smoke="${SMOKE:-0}"
[[ "$bench_smoke" == 1 ]] || bench_smoke=0

# Debian package that provides each command the scripts use.
bench_need() {
    local cmd missing=() packages=()
    for cmd in "$@"; do
        if ! command -v "$cmd" >/dev/null 2>&1; then
            missing+=("$cmd")
            case "$cmd" in
                python3) packages+=(python3 python3-venv) ;;
                node | npm) packages+=(nodejs npm) ;;
                *) packages+=("$cmd") ;;
            esac
        fi
    done
    if ((${#missing[@]})); then
        printf 'bench: missing %s; install with:\n  apt-get install -y %s\n' \
            "${missing[*]}" "${packages[*]}" >&2
        exit 1
    fi
}

# The Python packages of the reference models (bench/requirements.txt, from PyPI) in
# one venv shared by bench/load and bench/accuracy; remade when the pins change.
bench_venv() {
    local venv="$bench_root/bench/out/venv" requirements="$bench_root/bench/requirements.txt"
    local stamp="$venv/.requirements"
    if [[ -x "$venv/bin/python" ]] && cmp -s "$requirements" "$stamp"; then
        return 0
    fi
    if ! python3 -c 'import ensurepip' 2>/dev/null; then
        # Debian splits venv support out of python3.
        if [[ "$(id -u)" -eq 0 ]]; then
            echo "== installing python3-venv (apt)"
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
        else
            printf 'bench: python3 cannot make a venv; install with:\n  sudo apt-get install -y python3-venv\n' >&2
            exit 1
        fi
    fi
    echo "== Python packages of the references (bench/requirements.txt) in $venv"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --requirement "$requirements"
    cp "$requirements" "$stamp"
}

bench_fixture() {
    mkdir -p "$(dirname "$1")"
    python3 "$bench_root/bench/fixture.py" "$1"
}

bench_server_bin() {
    if [[ -n "${SERVER_BIN:-}" ]]; then
        [[ -x "$SERVER_BIN" ]] || { echo "bench: SERVER_BIN=$SERVER_BIN is not an executable" >&2; exit 1; }
        printf '%s\n' "$SERVER_BIN"
    elif [[ "$bench_smoke" == 1 ]]; then
        if [[ ! -x "$bench_root/target/debug/vinovoyant" ]]; then
            echo "== building the debug binary" >&2
            (cd "$bench_root" && cargo build -p server --bin vinovoyant) >&2
        fi
        printf '%s\n' "$bench_root/target/debug/vinovoyant"
    else
        echo "== building the release binary" >&2
        (cd "$bench_root" && cargo build --release -p server --bin vinovoyant) >&2
        printf '%s\n' "$bench_root/target/release/vinovoyant"
    fi
}

bench_wait_for() { # url, seconds
    local _
    for _ in $(seq 1 $(($2 * 10))); do
        if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "bench: $1 did not answer within $2 s" >&2
    return 1
}
