#!/usr/bin/env bash
# The web app's two budgets in headless Chromium (bench/first-load.mjs says what it
# measures): installs what it needs, builds what is missing, runs it.
#
#   - scripts/install-web-tools.sh (skips what is present): npm packages of end2end
#     (playwright-core, from its package-lock.json), Debian's Chromium (apt), and the
#     wasm tools the site build needs
#   - scripts/build-site.sh, and the release server binary
#
# Usage: bench/first-load.sh          the budgets, with the release binary (exits 1
#                                     when one is exceeded)
#        SMOKE=1 bench/first-load.sh  seconds, to show the script works: the debug
#                                     binary `cargo test` builds, the site as built
#                                     (built only when missing), 10 keystrokes, port
#                                     31200; the byte budgets are enforced, the
#                                     keystroke time only reported
# Settings: SERVER_BIN, BENCH_PORT, BENCH_KEYSTROKES, BENCH_URL (see first-load.mjs).
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
root="$bench_root"
cd "$root"

bench_need node npm
scripts/install-web-tools.sh
if [[ "$bench_smoke" == 1 ]]; then
    [[ -f target/site/pkg/vinovoyant.js ]] || scripts/build-site.sh
    export BENCH_PORT="${BENCH_PORT:-31200}" BENCH_KEYSTROKES="${BENCH_KEYSTROKES:-10}" BENCH_SMOKE=1
else
    scripts/build-site.sh
fi
if [[ -z "${BENCH_URL:-}" ]]; then
    BENCH_SERVER_BIN="$(bench_server_bin)"
    export BENCH_SERVER_BIN
fi
exec node bench/first-load.mjs
