#!/usr/bin/env bash
# Starts an S3-compatible server (moto, from PyPI) on 127.0.0.1 for the store tests,
# and prints its endpoint on standard output:
#
#   export VINOVOYANT_TEST_S3_ENDPOINT="$(scripts/s3-server.sh)"
#   cargo test -p vinovoyant-store
#   scripts/s3-server.sh stop
#
# The server handles one request at a time, so conditional writes (If-Match,
# If-None-Match) are atomic, as on S3. Its data lives in memory and is gone when it
# stops. The virtual environment is kept in ~/.cache/vinovoyant (override with
# VINOVOYANT_S3_VENV); the port is a free one unless VINOVOYANT_S3_PORT is set.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

MOTO_VERSION="5.1.22"
VENV="${VINOVOYANT_S3_VENV:-$HOME/.cache/vinovoyant/s3-venv}"
STATE="target/s3-server"
PID_FILE="$STATE/pid"
LOG_FILE="$STATE/server.log"

stop() {
    if [[ -f "$PID_FILE" ]]; then
        local pid
        pid="$(cat "$PID_FILE")"
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid"
        fi
        rm -f "$PID_FILE"
    fi
}

case "${1:-start}" in
stop)
    stop
    exit 0
    ;;
start) ;;
*)
    echo "usage: $0 [start|stop]" >&2
    exit 2
    ;;
esac

if ! "$VENV/bin/python" -c "import moto, sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
    echo "installing moto $MOTO_VERSION into $VENV" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION" >&2
fi

stop
mkdir -p "$STATE"
PORT="${VINOVOYANT_S3_PORT:-$("$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
ENDPOINT="http://127.0.0.1:$PORT"

# moto's own entry point serves requests on several threads; this one does not.
nohup "$VENV/bin/python" - "$PORT" >"$LOG_FILE" 2>&1 <<'PY' &
import sys

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple

run_simple(
    "127.0.0.1",
    int(sys.argv[1]),
    DomainDispatcherApplication(create_backend_app),
    threaded=False,
    processes=1,
)
PY
echo $! >"$PID_FILE"

for _ in $(seq 1 100); do
    if "$VENV/bin/python" -c "import urllib.request as u; u.urlopen('$ENDPOINT/moto-api/', timeout=1)" 2>/dev/null; then
        echo "S3 test server (moto $MOTO_VERSION) at $ENDPOINT, pid $(cat "$PID_FILE"); stop it with $0 stop" >&2
        echo "$ENDPOINT"
        exit 0
    fi
    if ! kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
        break
    fi
    sleep 0.2
done
echo "the S3 test server did not start; its log:" >&2
cat "$LOG_FILE" >&2
stop
exit 1
