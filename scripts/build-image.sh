#!/usr/bin/env bash
# The full multi-stage build of the Dockerfile with podman, on a machine with
# no registry: the base images its FROM lines name are made here first.
#
#   scripts/build-image.sh [TAG]      (default tag: the commit, git rev-parse --short HEAD)
#
#   debian:bookworm-slim        debootstrap minbase (scripts/container-lib.sh)
#   node:20.20.2-bookworm-slim  that base plus the host's node and npm, which
#                               must be that version (the web-tools stage runs
#                               npm ci against the npm registry)
#   rust:1.95.0-bookworm        debootstrap with gcc, cmake and friends, plus the
#                               host's Rust 1.95.0 toolchain (with the wasm32
#                               target) in /usr/local/rustup and the host's
#                               wasm-bindgen-cli 0.2.130 in /usr/local/cargo: Debian
#                               has no Rust 1.95 and static.rust-lang.org is
#                               unreachable, and the Dockerfile's `cargo install
#                               wasm-bindgen-cli` then finds it installed
#                               (set BUILD_IMAGE_FRESH_WASM_BINDGEN=1 to leave it
#                               out, so the step compiles it, ~8 min more)
#
# Both stand-ins also trust the host's CA bundle (/usr/local/share/host-ca.crt,
# through NODE_EXTRA_CA_CERTS, SSL_CERT_FILE and CARGO_HTTP_CAINFO): this
# network reaches the registries through a TLS-inspecting proxy. Debian's own
# /etc/ssl/certs bundle, which the runtime stage copies, is left as it is.
#
# then builds --target builder (site and release binary; crates come from
# crates.io), then the runtime stage with ARTIFACTS set to that builder image:
# podman does not resolve a stage name passed through ARG (BuildKit does, where
# `docker build .` does both in one go). Prints each phase's time and the image
# size. Not part of scripts/test.sh (a release build of the workspace: tens of
# minutes on 2 cores); the quick check there is scripts/test-image.sh.
#
# Settings (environment): BUILD_IMAGE_NICE (default 10: the compiler yields to
# interactive work), DEBIAN_MIRROR.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=scripts/container-lib.sh
source scripts/container-lib.sh

TAG="${1:-$(git rev-parse --short HEAD)}"
NODE_VERSION="20.20.2"
RUST_VERSION="1.95.0"
WASM_BINDGEN_VERSION="0.2.130"
NODE_IMAGE="docker.io/library/node:$NODE_VERSION-bookworm-slim"
RUST_IMAGE="docker.io/library/rust:$RUST_VERSION-bookworm"
BUILDER_IMAGE="localhost/vinovoyant-builder:$TAG"
IMAGE="localhost/vinovoyant:$TAG"
NICE="${BUILD_IMAGE_NICE:-10}"

die() {
    printf 'build-image: %s\n' "$*" >&2
    exit 1
}
declare -a TIMES=()
timed() {
    local label="$1" started=$SECONDS
    shift
    clog "$label"
    "$@"
    TIMES+=("$(printf '%-44s %5ds' "$label" "$((SECONDS - started))")")
}

container_tools
timed "base image debian:bookworm-slim" base_image

node_image() {
    podman image exists "$NODE_IMAGE" && return 0
    [[ "$(node --version 2>/dev/null)" == "v$NODE_VERSION" ]] \
        || die "the host's node is $(node --version 2>/dev/null || echo missing), not v$NODE_VERSION"
    local node_bin npm_dir context="$CONTAINER_STATE/node-context"
    node_bin="$(command -v node)"
    npm_dir="$(dirname "$(dirname "$node_bin")")/lib/node_modules/npm"
    [[ -f "$npm_dir/bin/npm-cli.js" ]] || die "no npm beside $node_bin"
    rm -rf "$context"
    mkdir -p "$context"
    cp "$node_bin" "$context/node"
    cp -R "$npm_dir" "$context/npm"
    cp /etc/ssl/certs/ca-certificates.crt "$context/host-ca.crt"
    cat >"$context/Containerfile" <<'EOF'
FROM docker.io/library/debian:bookworm-slim
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
COPY host-ca.crt /usr/local/share/host-ca.crt
ENV NODE_EXTRA_CA_CERTS=/usr/local/share/host-ca.crt
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
    && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx
EOF
    podman build --quiet --pull=never -f "$context/Containerfile" -t "$NODE_IMAGE" "$context" >/dev/null
    rm -rf "$context"
}

rust_image() {
    podman image exists "$RUST_IMAGE" && return 0
    local toolchain rootfs="$CONTAINER_STATE/rootfs-rust"
    toolchain="$(rustup +"$RUST_VERSION" which rustc 2>/dev/null | sed 's#/bin/rustc$##')" \
        || die "the host has no Rust $RUST_VERSION toolchain (rustup)"
    [[ -d "$toolchain/lib/rustlib/wasm32-unknown-unknown" ]] \
        || die "the host's Rust $RUST_VERSION has no wasm32-unknown-unknown target"
    debian_rootfs "$rootfs" "ca-certificates,gcc,g++,libc6-dev,make,cmake,pkg-config,perl,git"
    mkdir -p "$rootfs/usr/local/rustup/toolchains" "$rootfs/usr/local/cargo/bin"
    # -L: the host's 1.95.0 may be a link to its stable toolchain.
    cp -RL "$toolchain" "$rootfs/usr/local/rustup/toolchains/$RUST_VERSION-x86_64-unknown-linux-gnu"
    rm -rf "$rootfs/usr/local/rustup/toolchains/$RUST_VERSION-x86_64-unknown-linux-gnu/share/doc"
    printf 'version = "12"\ndefault_toolchain = "%s-x86_64-unknown-linux-gnu"\nprofile = "minimal"\nauto_self_update = "disable"\n' \
        "$RUST_VERSION" >"$rootfs/usr/local/rustup/settings.toml"
    cp "$(command -v rustup)" "$rootfs/usr/local/cargo/bin/rustup"
    local proxy
    for proxy in cargo rustc rustdoc rustfmt cargo-clippy clippy-driver; do
        ln -s rustup "$rootfs/usr/local/cargo/bin/$proxy"
    done
    if [[ "${BUILD_IMAGE_FRESH_WASM_BINDGEN:-0}" != "1" ]]; then
        [[ "$(wasm-bindgen --version 2>/dev/null)" == "wasm-bindgen $WASM_BINDGEN_VERSION" ]] \
            || die "the host has no wasm-bindgen $WASM_BINDGEN_VERSION (or set BUILD_IMAGE_FRESH_WASM_BINDGEN=1)"
        local cargo_home="${CARGO_HOME:-$HOME/.cargo}" bin
        for bin in wasm-bindgen wasm-bindgen-test-runner wasm2es6js; do
            cp "$cargo_home/bin/$bin" "$rootfs/usr/local/cargo/bin/$bin"
        done
        cp "$cargo_home/.crates.toml" "$cargo_home/.crates2.json" "$rootfs/usr/local/cargo/"
    fi
    cp /etc/ssl/certs/ca-certificates.crt "$rootfs/usr/local/share/host-ca.crt"
    tar -C "$rootfs" -c . | podman import --quiet \
        --change 'ENV SSL_CERT_FILE=/usr/local/share/host-ca.crt' \
        --change 'ENV CARGO_HTTP_CAINFO=/usr/local/share/host-ca.crt' \
        --change 'ENV RUSTUP_HOME=/usr/local/rustup' \
        --change 'ENV CARGO_HOME=/usr/local/cargo' \
        --change 'ENV PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        - "$RUST_IMAGE" >/dev/null
    rm -rf "$rootfs" "$rootfs.log"
}

timed "base image node:$NODE_VERSION-bookworm-slim" node_image
timed "base image rust:$RUST_VERSION-bookworm" rust_image

# --network host: npm ci and cargo reach their registries; no CNI setup needed.
build() {
    local log="$CONTAINER_STATE/build-$TAG-$2.log"
    nice -n "$NICE" podman build --pull=never --network host --format docker "$@" . >"$log" 2>&1 || {
        tail -n 40 "$log" >&2
        die "podman build $* failed; whole log: $log"
    }
    grep -E '^\[[0-9]/[0-9]\] STEP' "$log" >&2 || true
}
timed "web-tools and builder stages (site, release binary)" build --target builder -t "$BUILDER_IMAGE"
timed "runtime stage" build --target runtime --build-arg ARTIFACTS="$BUILDER_IMAGE" -t "$IMAGE"

size_bytes="$(podman image inspect --format '{{.Size}}' "$IMAGE")"
printf '\nbuilt %s: %d MB\n' "$IMAGE" "$((size_bytes / 1000000))"
printf '  %s\n' "${TIMES[@]}"
printf '  %-44s %5ds\n' "total" "$SECONDS"
printf 'check it: IMAGE_TEST_IMAGE=%s scripts/test-image.sh\n' "$IMAGE"
printf 'run it:   podman run --rm --network host -e LEPTOS_SITE_ADDR=127.0.0.1:8080 %s\n' "$IMAGE"
