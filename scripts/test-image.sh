#!/usr/bin/env bash
# Quick check of the container image: builds the Dockerfile's runtime stage
# around a server binary and site built on the host, runs it with podman and
# checks what production relies on:
#
#   /health answers 200, the page and its WASM glue are served, a prediction
#   (POST /api/v1/predict) names a country, the server process runs as uid
#   10001 (not root), the image's HEALTHCHECK command passes, and SIGTERM
#   stops the container with exit status 0.
#
#   scripts/test-image.sh
#
# The runtime stage is the Dockerfile's own: its `artifacts` stage is replaced
# (build arg ARTIFACTS) by a small image holding the host's binary, site and CA
# bundle, so none of the runtime instructions is copied here. The full
# multi-stage build is scripts/build-image.sh.
#
# Settings (environment):
#   IMAGE_SERVER_BIN   server binary (default target/debug/vinovoyant, which
#                      `cargo test` builds; its debug info is stripped first)
#   IMAGE_SITE_DIR     built site (default target/site, from scripts/build-site.sh)
#   IMAGE_TEST_PORT    port the container listens on, on 127.0.0.1 (default 30480)
#   IMAGE_TEST_IMAGE   run the checks on this image instead of building one
#                      (e.g. scripts/build-image.sh's localhost/vinovoyant:<commit>)
# Needs root (podman, apt), curl, objcopy; installs podman, runc and
# debootstrap when missing and makes the Debian base image once (container-lib.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=scripts/container-lib.sh
source scripts/container-lib.sh

SERVER_BIN="${IMAGE_SERVER_BIN:-target/debug/vinovoyant}"
SITE_DIR="${IMAGE_SITE_DIR:-target/site}"
PORT="${IMAGE_TEST_PORT:-30480}"
IMAGE="localhost/vinovoyant:quick-check"
ARTIFACTS_IMAGE="localhost/vinovoyant-artifacts:quick-check"
CONTAINER="vinovoyant-quick-check"
BASE="http://127.0.0.1:$PORT"

fail() {
    printf 'test-image: FAIL: %s\n' "$*" >&2
    if podman container exists "$CONTAINER" 2>/dev/null; then
        printf -- '--- container log (last 30 lines)\n' >&2
        podman logs --tail 30 "$CONTAINER" >&2 || true
    fi
    exit 1
}
pass() { printf '  ok  %s\n' "$*"; }

if [[ -z "${IMAGE_TEST_IMAGE:-}" ]]; then
    [[ -x "$SERVER_BIN" ]] || fail "no server binary at $SERVER_BIN (cargo test builds it; or set IMAGE_SERVER_BIN)"
    [[ -f "$SITE_DIR/asset-dir.txt" ]] || fail "no built site in $SITE_DIR (scripts/build-site.sh; or set IMAGE_SITE_DIR)"
    [[ -f /etc/ssl/certs/ca-certificates.crt ]] || fail "no CA bundle at /etc/ssl/certs/ca-certificates.crt (apt-get install ca-certificates)"
fi

container_tools

cleanup() {
    podman rm --force --time 0 "$CONTAINER" >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup

image_id() { podman image inspect --format '{{.Id}}' "$1" 2>/dev/null || true; }

# Builds IMAGE: the Dockerfile's runtime stage around SERVER_BIN and SITE_DIR.
build_quick_image() {
    # Earlier runs' images, removed once replaced so repeated runs do not pile up.
    local old_ids context id started
    old_ids=("$(image_id "$IMAGE")" "$(image_id "$ARTIFACTS_IMAGE")")
    clog "artifacts image from $SERVER_BIN and $SITE_DIR"
    context="$CONTAINER_STATE/artifacts"
    rm -rf "$context"
    mkdir -p "$context"
    # The debug binary is ~170 MB, nearly all debug info; the code is unchanged.
    objcopy --strip-debug "$SERVER_BIN" "$context/vinovoyant"
    cp -R "$SITE_DIR" "$context/site"
    cp /etc/ssl/certs/ca-certificates.crt "$context/ca-certificates.crt"
    printf '%s\n' 'FROM scratch' 'COPY vinovoyant /out/vinovoyant' 'COPY site /out/site' \
        'COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt' >"$context/Containerfile"
    podman build --quiet --pull=never -f "$context/Containerfile" -t "$ARTIFACTS_IMAGE" "$context" >/dev/null

    clog "runtime stage of Dockerfile (ARTIFACTS=$ARTIFACTS_IMAGE)"
    started=$SECONDS
    # Docker format: OCI images have no HEALTHCHECK.
    podman build --quiet --pull=never --format docker --target runtime \
        --build-arg ARTIFACTS="$ARTIFACTS_IMAGE" -f Dockerfile -t "$IMAGE" . >/dev/null
    build_secs=$((SECONDS - started))
    rm -rf "$context"
    for id in "${old_ids[@]}"; do
        if [[ -n "$id" && "$id" != "$(image_id "$IMAGE")" && "$id" != "$(image_id "$ARTIFACTS_IMAGE")" ]]; then
            podman rmi --force "$id" >/dev/null 2>&1 || true
        fi
    done
}

build_secs=0
if [[ -n "${IMAGE_TEST_IMAGE:-}" ]]; then
    IMAGE="$IMAGE_TEST_IMAGE"
    podman image exists "$IMAGE" || fail "no image $IMAGE"
else
    base_image
    build_quick_image
fi
size_bytes="$(podman image inspect --format '{{.Size}}' "$IMAGE")"
printf '  image %s: %d MB%s\n' "$IMAGE" "$((size_bytes / 1000000))" \
    "$([[ -n "${IMAGE_TEST_IMAGE:-}" ]] || printf ' (runtime stage built in %ds)' "$build_secs")"

healthcheck="$(podman image inspect --format '{{json .Config.Healthcheck.Test}}' "$IMAGE")"
[[ "$healthcheck" == *'"/app/vinovoyant","healthcheck"'* ]] || fail "the image has no HEALTHCHECK running vinovoyant healthcheck: $healthcheck"
[[ "$(podman image inspect --format '{{.Config.User}}' "$IMAGE")" == "10001:10001" ]] || fail "the image's USER is not 10001:10001"

clog "running the container on 127.0.0.1:$PORT"
# Host network (no CNI setup needed); the address keeps it on the loopback. No
# periodic health checks (podman would need systemd timers): run below by hand.
podman run --detach --name "$CONTAINER" --network host --health-interval disable \
    -e LEPTOS_SITE_ADDR="127.0.0.1:$PORT" "$IMAGE" >/dev/null 2>"$CONTAINER_STATE/run.err" \
    || fail "podman run: $(cat "$CONTAINER_STATE/run.err")"

healthy=0
for _ in $(seq 1 120); do
    if [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$BASE/health" || true)" == "200" ]]; then
        healthy=1
        break
    fi
    [[ "$(podman inspect --format '{{.State.Running}}' "$CONTAINER")" == "true" ]] || fail "the container exited"
    sleep 0.25
done
((healthy)) || fail "/health did not answer 200 within 30 s"
pass "/health 200: $(curl -s "$BASE/health")"

[[ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/")" == "200" ]] || fail "the page does not answer 200"
script="/$(curl -s "$BASE/" | grep -o 'pkg/[0-9a-f]*/vinovoyant\.js' | head -n 1)"
[[ "$script" != "/" ]] || fail "the page names no content-named vinovoyant.js"
[[ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE$script")" == "200" ]] || fail "the site's $script is not served"
pass "page / and $script 200"

answer="$(curl -s --max-time 10 -H 'content-type: application/json' \
    -d '{"description": "Ripe black cherry, tobacco and firm tannins from old-vine Tempranillo in Rioja."}' \
    -w '\n%{http_code}' "$BASE/api/v1/predict")"
[[ "${answer##*$'\n'}" == "200" ]] || fail "POST /api/v1/predict answered ${answer##*$'\n'}: ${answer%$'\n'*}"
country="$(grep -o '"country":"[^"]*"' <<<"$answer" | head -n1 | cut -d'"' -f4)"
[[ "$country" == "Spain" ]] || fail "prediction says '$country', expected Spain: ${answer:0:300}"
pass "POST /api/v1/predict: $country"

pid="$(podman inspect --format '{{.State.Pid}}' "$CONTAINER")"
uid="$(awk '/^Uid:/ {print $2 "/" $3}' "/proc/$pid/status")"
[[ "$uid" == "10001/10001" ]] || fail "the server runs as uid $uid, expected 10001 (not root)"
pass "server process (host pid $pid) runs as uid 10001, not root"

podman healthcheck run "$CONTAINER" >/dev/null || fail "podman healthcheck run (the image's HEALTHCHECK) failed"
pass "image HEALTHCHECK command: healthy"

podman kill --signal TERM "$CONTAINER" >/dev/null
status="$(timeout 60 podman wait "$CONTAINER" || echo "none")"
[[ "$status" == "0" ]] || fail "after SIGTERM the container exited with '$status', expected 0"
pass "SIGTERM: exit status 0"
grep -q 'drain\|shutdown' <(podman logs "$CONTAINER" 2>&1) || fail "no shutdown line in the container log"

# The health check must also fail when nothing answers: run it in a container
# of the same image with no server.
if podman run --rm --network host -e LEPTOS_SITE_ADDR="127.0.0.1:$PORT" "$IMAGE" \
    healthcheck --timeout-secs 1 >/dev/null 2>&1; then
    fail "the HEALTHCHECK command passed with no server listening"
fi
pass "HEALTHCHECK command fails with no server listening"

clog "image quick check passed"
