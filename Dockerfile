# syntax=docker/dockerfile:1.7
#
# VinoVoyant container image: three stages, and a seam.
#
#   web-tools  npm ci in end2end/ for npm binaryen's wasm-opt (the only wasm-opt
#              that produces a module browsers accept; see scripts/build-site.sh)
#   builder    Rust with the wasm32 target and wasm-bindgen-cli: the site
#              (scripts/build-site.sh) and the release server binary, in /out,
#              and the CA bundle
#   artifacts  the image the runtime stage copies /out and the CA bundle from:
#              the builder stage unless ARTIFACTS names another image
#   runtime    Debian slim with the binary, target/site and the default model
#              bundle in models/, run as an unprivileged user
#
# ARTIFACTS lets scripts/test-image.sh build the same runtime stage around a
# binary and site built on the host (an image holding /out/vinovoyant,
# /out/site and /etc/ssl/certs/ca-certificates.crt), without the builder.
# scripts/build-image.sh builds the whole chain with podman, which does not
# resolve a stage name given through ARG: it builds --target builder first and
# passes that image as ARTIFACTS. BuildKit needs neither step.
#
# Build:  docker build -t vinovoyant .        (or scripts/build-image.sh)
# Run:    docker run -p 8080:8080 vinovoyant
#         docker run -p 9000:9000 -e LEPTOS_SITE_ADDR=0.0.0.0:9000 vinovoyant
#         (or build with --build-arg PORT=9000 to change the default)

ARG RUST_VERSION=1.95.0
ARG NODE_VERSION=20.20.2
ARG DEBIAN_RELEASE=bookworm
ARG ARTIFACTS=builder

FROM node:${NODE_VERSION}-${DEBIAN_RELEASE}-slim AS web-tools
WORKDIR /src/end2end
# Only wasm-opt is needed from these packages, never a browser.
ENV PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
COPY end2end/package.json end2end/package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM rust:${RUST_VERSION}-${DEBIAN_RELEASE} AS builder
# Must match the `wasm-bindgen` crate version pinned in Cargo.lock.
ARG WASM_BINDGEN_VERSION=0.2.130
WORKDIR /src
# npm binaryen's wasm-opt is a Node script: the node binary is all it needs.
COPY --from=web-tools /usr/local/bin/node /usr/local/bin/node
# Tools first, in their own layer, so source edits do not reinstall them.
# (`--locked` fails for this version: one locked dependency is no longer served.)
RUN rustup target add wasm32-unknown-unknown \
    && cargo install wasm-bindgen-cli --version "${WASM_BINDGEN_VERSION}" \
    && rm -rf /usr/local/cargo/registry
COPY . .
COPY --from=web-tools /src/end2end/node_modules end2end/node_modules
# The cargo registry and target/ are BuildKit cache mounts, so the outputs are
# copied to /out inside the same step.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    scripts/build-site.sh \
    && cargo build --release --locked -p server --bin vinovoyant \
    && mkdir -p /out \
    && cp target/release/vinovoyant /out/vinovoyant \
    && cp -R target/site /out/site

# hadolint ignore=DL3006
FROM ${ARTIFACTS} AS artifacts

FROM debian:${DEBIAN_RELEASE}-slim AS runtime
ARG PORT=8080
# The model store on S3 is reached over HTTPS: the CA bundle comes from the
# builder (same Debian release) rather than from apt, to keep the image small.
COPY --from=artifacts /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
RUN groupadd --system --gid 10001 vinovoyant \
    && useradd --system --uid 10001 --gid vinovoyant --no-create-home \
        --home-dir /app --shell /usr/sbin/nologin vinovoyant
WORKDIR /app
COPY --from=artifacts --chown=root:root /out/vinovoyant /app/vinovoyant
COPY --from=artifacts --chown=root:root /out/site /app/site
COPY --chown=root:root models /app/models
# Files stay owned by root and read-only to the service user; it writes nothing
# but standard output.
ENV LEPTOS_SITE_ADDR=0.0.0.0:${PORT} \
    VINOVOYANT_SITE_ROOT=/app/site \
    VINOVOYANT_LOG_FORMAT=json \
    VINOVOYANT_EMF=true \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
USER 10001:10001
EXPOSE ${PORT}
# `vinovoyant healthcheck` GETs /health on the port of LEPTOS_SITE_ADDR and exits
# 0 on HTTP 200 (ok, or degraded on the bundled model), 1 otherwise.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["/app/vinovoyant", "healthcheck", "--timeout-secs", "3"]
ENTRYPOINT ["/app/vinovoyant"]
CMD ["serve"]
