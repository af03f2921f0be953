#!/usr/bin/env bash
# Installs what building and testing the portal needs, skipping whatever is already present.
#   scripts/setup.sh            tools to build and run
#   scripts/setup.sh --browser  also Chromium, for the browser tests
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

want_browser=false
[[ "${1:-}" == "--browser" ]] && want_browser=true

say() { printf '\033[1m[%s] ==> %s\033[0m\n' "$(date +%T)" "$*"; }
export PATH="$HOME/.cargo/bin:$root/end2end/node_modules/.bin:$PATH"

# A build cache directory is reused when one is offered, never required.
if [[ -n "${FSSC_BUILD_CACHE:-}" && -d "$FSSC_BUILD_CACHE" && ! -e target ]]; then
  say "reusing the build cache at $FSSC_BUILD_CACHE"
  ln -s "$FSSC_BUILD_CACHE" target
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! cargo leptos --version 2>/dev/null | grep -q '0\.3\.10'; then
  say "installing cargo-leptos 0.3.10 (about 15 minutes on 2 cores)"
  cargo install cargo-leptos@0.3.10 --locked
fi

# wasm-bindgen-cli must match the wasm-bindgen crate exactly; the version is read from the lockfile.
bindgen_version="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
if ! wasm-bindgen --version 2>/dev/null | grep -q " ${bindgen_version}\$"; then
  say "installing wasm-bindgen-cli ${bindgen_version}"
  # Not --locked: its lockfile names a crate version the registry no longer has.
  cargo install wasm-bindgen-cli@"${bindgen_version}"
fi

# binaryen provides wasm-opt; Playwright and axe-core run the browser tests.
if [[ ! -x end2end/node_modules/.bin/wasm-opt || ! -d end2end/node_modules/@playwright/test ]]; then
  say "installing the npm packages of end2end/"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

if $want_browser && [[ ! -x /usr/bin/chromium ]]; then
  say "installing Chromium from Debian"
  SUDO=""; [[ "$(id -u)" != 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium
fi
