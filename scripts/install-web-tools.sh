#!/usr/bin/env bash
# Installs the tools the web build and the browser tests need, skipping any
# that are already present, so it is cheap to run on every CI pass.
#
#   - the wasm32-unknown-unknown Rust target
#   - wasm-bindgen-cli, exactly the version the `wasm-bindgen` crate is pinned to
#   - end2end/node_modules: npm binaryen for wasm-opt (the package's dependencies)
#     and, for the tests, @playwright/test (its devDependencies)
#   - for the tests, Debian's Chromium for Playwright
#
# Usage: scripts/install-web-tools.sh          everything the tests need
#        scripts/install-web-tools.sh --build  only what building the site needs
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
wasm_bindgen_version="0.2.130"
build_only=0
[[ "${1:-}" == "--build" ]] && build_only=1

step() { printf '==> %s\n' "$*"; }

if rustup target list --installed | grep -qx 'wasm32-unknown-unknown'; then
    step "wasm32-unknown-unknown target present"
else
    step "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
fi

# Chromium and the npm packages are mostly download and unpack time: fetch them in
# the background while wasm-bindgen-cli compiles in the foreground.
logs="$(mktemp -d)"
pids=()
bin="$repo_root/end2end/node_modules/.bin"
if [[ "$build_only" == 1 && -x "$bin/wasm-opt" ]]; then
    step "npm binaryen present"
elif [[ "$build_only" == 1 ]]; then
    step "installing npm binaryen (end2end's dependencies only) in the background"
    (cd "$repo_root/end2end" && npm ci --omit=dev --no-audit --no-fund) >"$logs/npm.log" 2>&1 &
    pids+=("$!:npm")
elif [[ -x "$bin/wasm-opt" && -x "$bin/playwright" && -d "$repo_root/end2end/node_modules/@axe-core/playwright" ]]; then
    step "end2end/node_modules present"
else
    step "installing end2end npm packages (binaryen, @playwright/test, @axe-core/playwright) in the background"
    (cd "$repo_root/end2end" && npm ci --no-audit --no-fund) >"$logs/npm.log" 2>&1 &
    pids+=("$!:npm")
fi

if [[ "$build_only" == 1 ]]; then
    :
elif [[ -x /usr/bin/chromium ]]; then
    step "chromium present"
else
    step "installing Debian's chromium in the background"
    sudo_if_needed=()
    [[ "$(id -u)" -eq 0 ]] || sudo_if_needed=(sudo)
    { "${sudo_if_needed[@]}" apt-get update \
        && "${sudo_if_needed[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; } \
        >"$logs/chromium.log" 2>&1 &
    pids+=("$!:chromium")
fi

installed_bindgen="$(wasm-bindgen --version 2>/dev/null || true)"
if [[ "$installed_bindgen" == "wasm-bindgen $wasm_bindgen_version" ]]; then
    step "wasm-bindgen $wasm_bindgen_version present"
else
    # `--locked` fails here: one of its locked dependency versions is not served.
    # A lightly optimised build compiles in a fraction of the time of the full
    # release profile, and generating the JS glue takes seconds either way.
    step "installing wasm-bindgen-cli $wasm_bindgen_version (opt-level 1, no LTO)"
    CARGO_PROFILE_RELEASE_OPT_LEVEL=1 \
        CARGO_PROFILE_RELEASE_LTO=false \
        CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
        CARGO_PROFILE_RELEASE_DEBUG=false \
        cargo install wasm-bindgen-cli --version "$wasm_bindgen_version"
fi

for entry in "${pids[@]}"; do
    pid="${entry%%:*}"
    name="${entry#*:}"
    if wait "$pid"; then
        step "$name installed"
    else
        cat "$logs/$name.log" >&2
        printf 'install-web-tools: installing %s failed\n' "$name" >&2
        exit 1
    fi
done
rm -rf "$logs"
