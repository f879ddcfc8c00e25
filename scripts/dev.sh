#!/usr/bin/env bash
# A development loop: builds the site and the debug server, serves on
# http://127.0.0.1:3000, and rebuilds and restarts whenever a source file changes
# (checked every 2 s; the browser bundle is rebuilt only when the app, the hydrate
# entry, the model core, the styles or the public files changed). Ctrl+C stops it.
# Needs what scripts/run.sh needs; extra arguments go to `vinovoyant serve`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/install-web-tools.sh --build
web_sources=(app frontend model style public)
server_sources=(server inference store trainer analytics reviews Cargo.toml)
stamp="target/.dev-stamp"
server=""

stop_server() {
    if [[ -n "$server" ]]; then
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
        server=""
    fi
}
trap stop_server EXIT

changed_since_stamp() { # folders...
    [[ -n "$(find "$@" -newer "$stamp" -type f -print -quit 2>/dev/null)" ]]
}

build_and_start() { # with_site, then the serve arguments
    local with_site="$1"
    shift
    stop_server
    if [[ "$with_site" == 1 ]]; then
        scripts/build-site.sh || { echo "dev: the site does not build; waiting for a change" >&2; return; }
    fi
    cargo build -p server --bin vinovoyant || { echo "dev: the server does not build; waiting for a change" >&2; return; }
    target/debug/vinovoyant serve "$@" &
    server=$!
}

mkdir -p target
touch "$stamp"
build_and_start 1 "$@"
while sleep 2; do
    with_site=0
    changed_since_stamp "${web_sources[@]}" && with_site=1
    if [[ "$with_site" == 1 ]] || changed_since_stamp "${server_sources[@]}"; then
        touch "$stamp"
        echo "dev: sources changed; rebuilding" >&2
        build_and_start "$with_site" "$@"
    fi
done
