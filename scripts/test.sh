#!/usr/bin/env bash
# Every check CI runs, in order: tools, formatting, lints (native and wasm32),
# unit and integration tests, the model core on wasm32 (golden vectors), the
# release build of site and server, and the browser end-to-end tests.
# Tests that need the real review data read ../shared/data/wine_reviews.csv and
# say so when it is absent.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s (%ss)\n' "$*" "$SECONDS"; }

step "installing tools (skips what is present)"
scripts/install-web-tools.sh

step "rustfmt"
cargo fmt --all --check

step "clippy (native)"
cargo clippy --workspace --all-targets -- -D warnings

step "clippy (wasm32 hydrate crate)"
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

step "tests (native)"
cargo test --workspace

step "model core on wasm32 (golden vectors)"
scripts/test-wasm.sh

step "release build and browser end-to-end tests"
scripts/e2e.sh

step "all checks passed"
