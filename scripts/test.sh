#!/usr/bin/env bash
# Every check CI runs, in order: tools, formatting, lints (native and wasm32),
# unused dependencies (scripts/check-deps.sh),
# unit and integration tests, the model core on wasm32 (golden vectors), the
# infrastructure lint (scripts/lint-infra.sh), the site build, and the browser
# end-to-end tests against the debug server binary that `cargo test` built, a
# smoke run of every benchmark under bench/ (scripts/bench-smoke.sh), the
# container image's quick check (scripts/test-image.sh: the Dockerfile's runtime
# stage around that binary and site, run with podman), and the blue-green
# release and disaster-recovery rehearsal against moto (scripts/rehearse-release.sh).
# Tests that need the real review data read ../shared/data/wine_reviews.csv and
# say so when it is absent. The S3 tests run against moto, started here on
# 127.0.0.1 (scripts/s3-server.sh) and stopped on exit.
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

step "unused dependencies (cargo-machete and the workspace table)"
scripts/check-deps.sh

step "S3-compatible test server (moto on 127.0.0.1, for the model store tests)"
VINOVOYANT_TEST_S3_ENDPOINT="$(scripts/s3-server.sh)"
export VINOVOYANT_TEST_S3_ENDPOINT
trap 'scripts/s3-server.sh stop' EXIT

step "tests (native)"
cargo test --workspace

step "model core on wasm32 (golden vectors)"
scripts/test-wasm.sh

step "infrastructure lint (hadolint, terraform, checkov, actionlint, deploy dry-run)"
scripts/lint-infra.sh

step "site build and browser end-to-end tests (on the debug server cargo test built)"
E2E_SERVER_BIN=target/debug/vinovoyant scripts/e2e.sh

step "benchmark smoke runs (every script under bench/ for seconds, on the debug binary and made-up data)"
scripts/bench-smoke.sh

step "container image quick check (runtime stage around the debug binary and target/site)"
scripts/test-image.sh

step "release and disaster-recovery rehearsal against moto (deploy.sh, rollback.sh, backup, restore)"
scripts/rehearse-release.sh

step "all checks passed"
