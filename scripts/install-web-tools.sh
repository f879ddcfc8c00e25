#!/usr/bin/env bash
# Installs the tools the web build and the browser tests need, skipping any
# that are already present, so it is cheap to run on every CI pass.
#
#   - the wasm32-unknown-unknown Rust target
#   - wasm-bindgen-cli, exactly the version the `wasm-bindgen` crate is pinned to
#   - end2end/node_modules (npm binaryen for wasm-opt, @playwright/test)
#   - Debian's Chromium for Playwright
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
wasm_bindgen_version="0.2.130"

step() { printf '==> %s\n' "$*"; }

if rustup target list --installed | grep -qx 'wasm32-unknown-unknown'; then
    step "wasm32-unknown-unknown target present"
else
    step "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
fi

installed_bindgen="$(wasm-bindgen --version 2>/dev/null || true)"
if [[ "$installed_bindgen" == "wasm-bindgen $wasm_bindgen_version" ]]; then
    step "wasm-bindgen $wasm_bindgen_version present"
else
    # `--locked` fails here: one of its locked dependency versions is not served.
    step "installing wasm-bindgen-cli $wasm_bindgen_version (about 8 minutes on 2 cores)"
    cargo install wasm-bindgen-cli --version "$wasm_bindgen_version"
fi

if [[ -x "$repo_root/end2end/node_modules/.bin/wasm-opt" && -x "$repo_root/end2end/node_modules/.bin/playwright" ]]; then
    step "end2end/node_modules present"
else
    step "installing end2end npm packages (binaryen, @playwright/test)"
    (cd "$repo_root/end2end" && npm ci --no-audit --no-fund)
fi

if [[ -x /usr/bin/chromium ]]; then
    step "chromium present"
else
    step "installing Debian's chromium"
    if [[ "$(id -u)" -eq 0 ]]; then
        apt-get update
        DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
    else
        sudo apt-get update
        sudo DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
    fi
fi
