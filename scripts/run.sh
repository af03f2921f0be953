#!/usr/bin/env bash
# Builds the portal in release mode and serves it on embedded SQLite with the demo accounts.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
"$root/scripts/setup.sh"
export PATH="$HOME/.cargo/bin:$root/end2end/node_modules/.bin:$PATH"
"$root/scripts/build-site.sh"
export DATABASE_URL="${DATABASE_URL:-sqlite://data/fssc.db}"
export FSSC_DEMO_SEED="${FSSC_DEMO_SEED:-1}"
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-$root/target/site}"
exec "$root/target/release/fssc-server"
