#!/usr/bin/env bash
# Builds the browser half of the site into target/site, without cargo-leptos:
#
#   target/site/pkg/<hash>/vinovoyant.js       wasm-bindgen's JS glue (--target web)
#   target/site/pkg/<hash>/vinovoyant_bg.wasm  the hydrate bundle, optimised by wasm-opt -Oz
#   target/site/pkg/<hash>/vinovoyant.css      style/main.css
#   target/site/pkg/<hash>/noscript.css        style/noscript.css (linked inside <noscript>)
#   target/site/pkg/<hash>/analytics.js        frontend/js/analytics.js (the analytics filter)
#   target/site/pkg/<hash>/batch.js            frontend/js/batch.js (the batch page's upload)
#   target/site/asset-dir.txt                  `pkg/<hash>`: where the server finds them
#   target/site/…                              everything in public/
#
# <hash> is the start of the SHA-256 of those files, so a new build has a new
# address and the server can tell browsers to keep the assets for a year. Each
# text and WASM file also gets a gzip (-9) and a brotli (quality 11, by Node's
# zlib) copy, which the server's static file handler sends to browsers that
# accept them.
#
# These are the names Leptos's <HydrationScripts/> asks for when the output name is
# `vinovoyant` and LEPTOS_OUTPUT_NAME is unset at compile time: `{name}.js` and
# `{name}_bg.wasm`. (Building the server with LEPTOS_OUTPUT_NAME set would make it
# ask for `{name}.wasm` instead, so leave it unset.)
#
# Needs scripts/install-web-tools.sh first. The server is built separately
# (`cargo build --release -p server`).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

name="vinovoyant"
target_dir="${CARGO_TARGET_DIR:-$repo_root/target}"
site="$target_dir/site"
pkg="$site/pkg"
wasm_opt="$repo_root/end2end/node_modules/.bin/wasm-opt"
wasm_bindgen_version="0.2.130"

step() { printf '==> %s\n' "$*"; }
fail() { printf 'build-site: %s\n' "$*" >&2; exit 1; }

[[ "$(wasm-bindgen --version 2>/dev/null)" == "wasm-bindgen $wasm_bindgen_version" ]] \
    || fail "wasm-bindgen $wasm_bindgen_version is missing: run scripts/install-web-tools.sh"
# Debian's wasm-opt (binaryen 108) silently produces a module browsers reject;
# only npm's binaryen is used.
[[ -x "$wasm_opt" ]] || fail "npm binaryen is missing: run scripts/install-web-tools.sh"
[[ -n "${LEPTOS_OUTPUT_NAME:-}" ]] \
    && fail "unset LEPTOS_OUTPUT_NAME: with it, Leptos asks for $name.wasm instead of ${name}_bg.wasm"

step "compiling the hydrate bundle (wasm32, profile wasm-release)"
# No `--cfg erase_components` here: it changes the hydration markers, so the
# server would have to be built with it too, or hydration fails.
cargo build -p frontend --lib --target wasm32-unknown-unknown --profile wasm-release

step "generating the JS glue"
rm -rf "$pkg"
mkdir -p "$pkg"
wasm-bindgen \
    --target web \
    --no-typescript \
    --out-dir "$pkg" \
    --out-name "$name" \
    "$target_dir/wasm32-unknown-unknown/wasm-release/frontend.wasm"

step "optimising the WASM ($(stat -c %s "$pkg/${name}_bg.wasm") bytes before)"
"$wasm_opt" -Oz --converge --strip-debug --strip-producers \
    --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals \
    -o "$pkg/${name}_bg.opt.wasm" "$pkg/${name}_bg.wasm"
mv "$pkg/${name}_bg.opt.wasm" "$pkg/${name}_bg.wasm"

step "copying styles, the plain scripts and public files"
cp style/main.css "$pkg/$name.css"
cp style/noscript.css "$pkg/noscript.css"
cp frontend/js/analytics.js "$pkg/analytics.js"
cp frontend/js/batch.js "$pkg/batch.js"
cp -R public/. "$site/"

step "naming the assets by their content"
hash="$(cat "$pkg/$name.js" "$pkg/${name}_bg.wasm" "$pkg/$name.css" "$pkg/noscript.css" "$pkg/analytics.js" \
    "$pkg/batch.js" | sha256sum | cut -c1-16)"
assets="$pkg/$hash"
mkdir "$assets"
mv "$pkg/$name.js" "$pkg/${name}_bg.wasm" "$pkg/$name.css" "$pkg/noscript.css" "$pkg/analytics.js" \
    "$pkg/batch.js" "$assets/"
printf 'pkg/%s\n' "$hash" >"$site/asset-dir.txt"

step "precompressing (gzip -9, brotli 11)"
mapfile -d '' compressible < <(find "$site" -type f \
    \( -name '*.js' -o -name '*.wasm' -o -name '*.css' -o -name '*.svg' -o -name '*.ico' \) -print0)
for file in "${compressible[@]}"; do
    gzip -9 --keep --force --no-name "$file"
done
# shellcheck disable=SC2016 # JavaScript's template literal, not a shell expansion
node -e '
const fs = require("fs");
const zlib = require("zlib");
for (const file of process.argv.slice(1)) {
  const body = fs.readFileSync(file);
  fs.writeFileSync(`${file}.br`, zlib.brotliCompressSync(body, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length,
    },
  }));
}' "${compressible[@]}"

for file in "$assets/$name.js" "$assets/${name}_bg.wasm" "$assets/$name.css" "$assets/analytics.js" \
    "$assets/batch.js"; do
    printf '    %-44s %8d bytes, %8d gzip, %8d brotli\n' "${file#"$site"/}" "$(stat -c %s "$file")" \
        "$(stat -c %s "$file.gz")" "$(stat -c %s "$file.br")"
done
step "site ready in $site"
