#!/usr/bin/env bash
# Sets up a fresh machine and runs VinoVoyant on the committed default model:
# checks the prerequisites, installs the web build's tools, builds the WASM site
# and the release server, then serves on http://127.0.0.1:3000 (override with
# LEPTOS_SITE_ADDR). Extra arguments go to `vinovoyant serve`.
#
# Prerequisites, checked first so that nothing long runs in vain: the Rust
# toolchain (rustup, with the version rust-toolchain.toml names), a C compiler
# (some crates build C code), node and npm (npm's binaryen provides wasm-opt).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

missing_packages=()
command -v cc >/dev/null || missing_packages+=(build-essential)
command -v node >/dev/null || missing_packages+=(nodejs)
command -v npm >/dev/null || missing_packages+=(npm)
if ! command -v cargo >/dev/null || ! command -v rustup >/dev/null; then
    echo "run.sh: Rust is missing: install rustup (https://rustup.rs), then run this again." >&2
    exit 1
fi
if ((${#missing_packages[@]})); then
    echo "run.sh: missing prerequisites. Install them with:" >&2
    echo "    sudo apt-get install -y ${missing_packages[*]}" >&2
    exit 1
fi

scripts/install-web-tools.sh --build
scripts/build-site.sh
cargo build --release -p server --bin vinovoyant
exec target/release/vinovoyant serve "$@"
