#!/usr/bin/env bash
# Prints what the first visit to /login and to /requests costs in Brotli, from the release
# build in target/site, and writes the table to target/first-load.md. It serves the build on a
# spare port with the demo data and opens each page in a fresh Chromium to see which files the
# first visit fetches; sizes are those of the built .br files.
#   scripts/first-load.sh            print the table
#   scripts/first-load.sh --enforce  also fail when a page is over 250 KB
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
port="${FIRST_LOAD_PORT:-3109}"
E2E_PORT="$port" RUST_LOG=error scripts/e2e-server.sh >/dev/null 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.5
done
status=0
node end2end/first-load.mjs "http://127.0.0.1:$port" "$root/target/site" 250 | tee target/first-load.md || status=$?
if [[ "${1:-}" == "--enforce" ]]; then exit "$status"; fi
[[ "$status" == 0 ]] || echo "warning: the first load is over the 250 KB budget (see target/first-load.md)" >&2
