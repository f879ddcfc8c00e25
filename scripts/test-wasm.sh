#!/usr/bin/env bash
# Runs the model core's tests compiled to wasm32 under Node (wasm-bindgen-test-runner),
# including the golden-vector test that the native build checks too: both targets
# must produce bit-identical features and scores.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
cargo test -p vinovoyant-model --target wasm32-unknown-unknown --test golden
