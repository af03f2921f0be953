#!/usr/bin/env bash
# Starts the release build for the browser tests: a fresh SQLite database with the demo data.
# With E2E_HISTORY=1, the demo's months of history too (the statements specs read them).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
data="$(mktemp -d -t fssc-e2e-XXXXXX)"
trap 'rm -rf "$data"' EXIT
cd "$root"
export DATABASE_URL="sqlite://$data/portal.db"
export PORT="${E2E_PORT:-3107}"
export FSSC_DEMO_SEED=1
# Most browser tests count what they create: the demo accounts without their months of history.
export FSSC_DEMO_HISTORY="${E2E_HISTORY:-0}"
export LEPTOS_SITE_ROOT="$root/target/site"
export RUST_LOG="${RUST_LOG:-warn}"
exec "$root/target/release/fssc-server"
