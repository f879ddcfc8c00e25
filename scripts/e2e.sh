#!/usr/bin/env bash
# Runs the Playwright end-to-end tests against the server in Debian's Chromium.
# Builds what is missing first unless E2E_SKIP_BUILD=1:
#   scripts/install-web-tools.sh, scripts/build-site.sh, and the server binary:
#   the release build, or none when E2E_SERVER_BIN names a binary built already
#   (scripts/test.sh passes the debug binary `cargo test` has just built, which
#   saves CI a full release build).
# Extra arguments go to `playwright test` (e.g. a test name filter with -g).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

if [[ "${E2E_SKIP_BUILD:-0}" != "1" ]]; then
    scripts/install-web-tools.sh
    scripts/build-site.sh
    if [[ -z "${E2E_SERVER_BIN:-}" ]]; then
        cargo build --release -p server --bin vinovoyant
    fi
fi

cd end2end
exec npx --no-install playwright test "$@"
