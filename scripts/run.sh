#!/usr/bin/env bash
# Sets up a fresh machine and runs VinoVoyant on the committed default model:
# installs the web tools, builds the WASM site and the release server, then serves
# on http://127.0.0.1:3000 (override with LEPTOS_SITE_ADDR). Extra arguments go to
# `vinovoyant serve`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/install-web-tools.sh
scripts/build-site.sh
cargo build --release -p server --bin vinovoyant
exec target/release/vinovoyant serve "$@"
