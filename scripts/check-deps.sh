#!/usr/bin/env bash
# Fails on a dependency no code uses: cargo-machete over every member crate,
# then a check that each entry of the root [workspace.dependencies] table is
# taken by at least one member (cargo-machete does not look at that table).
# Installs cargo-machete (pinned, into target/tools) when it is missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

machete_version="0.9.2"
tools="$PWD/target/tools"
machete="$tools/bin/cargo-machete"
if [[ "$("$machete" --version 2>/dev/null || true)" != *"$machete_version"* ]]; then
    printf '==> installing cargo-machete %s\n' "$machete_version"
    cargo install cargo-machete --version "$machete_version" --locked --root "$tools" --quiet
fi

printf '==> cargo-machete: unused dependencies in member crates\n'
"$machete" --skip-target-dir

printf '==> workspace dependencies taken by no member\n'
unused=()
while read -r name; do
    # A member takes it as `name.workspace = true` or `name = { workspace = true ... }`.
    if ! grep -qE "^${name}(\.workspace *= *true| *= *\{[^}]*workspace *= *true)" \
        -- */Cargo.toml; then
        unused+=("$name")
    fi
done < <(sed -n '/^\[workspace\.dependencies\]/,/^\[/{/^[A-Za-z0-9_-]* *=/s/ *=.*//p}' Cargo.toml)
if ((${#unused[@]})); then
    printf 'check-deps: [workspace.dependencies] entries no member uses: %s\n' "${unused[*]}" >&2
    exit 1
fi
printf 'no unused dependencies\n'
