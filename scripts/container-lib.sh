# shellcheck shell=bash
# Shared by scripts/test-image.sh and scripts/build-image.sh (sourced, not run):
# podman on a machine with no Docker daemon and no reachable registry.
#
#   container_tools   installs podman, runc, debootstrap, curl and binutils with
#                     apt when one is missing, and points podman at target/image/containers.conf
#                     (runc, cgroupfs, no default rlimits: crun and the default
#                     ulimits fail on these machines; /etc is left alone)
#   base_image        makes docker.io/library/debian:bookworm-slim locally with
#                     debootstrap when podman does not have it yet (~1 min once;
#                     podman keeps it in /var/lib/containers between runs)
#   podman ...        the podman command itself
#
# Settings (environment):
#   DEBIAN_MIRROR   mirror for debootstrap (default http://deb.debian.org/debian)

CONTAINER_STATE="${CONTAINER_STATE:-$PWD/target/image}"
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
BASE_IMAGE="docker.io/library/debian:bookworm-slim"

clog() { printf '==> %s (%ss)\n' "$*" "$SECONDS" >&2; }

container_tools() {
    local missing=() tool
    for tool in podman runc debootstrap curl objcopy; do
        command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
    done
    if ((${#missing[@]})); then
        clog "installing ${missing[*]} (apt)"
        local packages=(podman runc debootstrap uidmap fuse-overlayfs slirp4netns containernetworking-plugins
            curl binutils)
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -qq --no-install-recommends "${packages[@]}" >&2 \
            || { apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends "${packages[@]}" >&2; }
    fi
    mkdir -p "$CONTAINER_STATE"
    cat >"$CONTAINER_STATE/containers.conf" <<'EOF'
# Written by scripts/container-lib.sh: podman as root on a machine where crun
# fails (hybrid cgroups) and the default rlimits are refused.
[containers]
default_ulimits = []

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
    export CONTAINERS_CONF="$CONTAINER_STATE/containers.conf"
}

# Makes a Debian bookworm root file system in $1 (minbase, plus the packages in
# $2, comma-separated), without apt's caches and lists, documentation or locales.
debian_rootfs() {
    local rootfs="$1" include="${2:-}"
    rm -rf "$rootfs"
    mkdir -p "$(dirname "$rootfs")"
    debootstrap --variant=minbase ${include:+--include="$include"} bookworm "$rootfs" "$DEBIAN_MIRROR" \
        >"$rootfs.log" 2>&1 || {
        tail -n 20 "$rootfs.log" >&2
        return 1
    }
    rm -rf "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/* \
        "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* \
        "$rootfs"/usr/share/locale/* "$rootfs"/var/log/*.log "$rootfs"/var/log/apt/*
}

base_image() {
    if podman image exists "$BASE_IMAGE"; then
        return 0
    fi
    clog "making $BASE_IMAGE with debootstrap (no registry is reachable)"
    local rootfs="$CONTAINER_STATE/rootfs-bookworm"
    debian_rootfs "$rootfs"
    tar -C "$rootfs" -c . | podman import --quiet - "$BASE_IMAGE" >/dev/null
    rm -rf "$rootfs"
}
