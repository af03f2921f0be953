#!/usr/bin/env bash
# The release build: the server binary, and the site with each page's WASM in a chunk of its
# own (`--split`, see the lazy routes in app/src/routes.rs), hashed and precompressed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export PATH="$HOME/.cargo/bin:$root/end2end/node_modules/.bin:$PATH"
exec cargo leptos build --release --precompress --split
