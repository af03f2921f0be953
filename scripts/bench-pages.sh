#!/usr/bin/env bash
# Loads the busiest pages of the release server against bare axum serving the same bytes, on
# the large data set of fssc-seed (seeded once, then reused), on SQLite and, when it is
# reachable, on PostgreSQL. Arguments go to fssc-page-bench, for example
#   scripts/bench-pages.sh --connections 64 --seconds 10
# The tables are written to target/bench/pages.md.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"

# shellcheck source=scripts/bench-data.sh
source scripts/bench-data.sh
results="$out/pages.md"

say "release build of fssc-server, fssc-seed and fssc-page-bench"
cargo build --release -p server --bin fssc-server -p tools --bin fssc-seed --bin fssc-page-bench

# Every connection is an open file on both sides.
hard="$(ulimit -Hn)"
if [[ "$hard" == unlimited || "$hard" -ge 4096 ]]; then ulimit -n 4096; fi

status=0
: >"$results"

say "SQLite: $sqlite_url"
DATABASE_URL="$sqlite_url" target/release/fssc-seed 2>&1 | tee "$out/seed-sqlite.log" >&2
DATABASE_URL="$sqlite_url" target/release/fssc-page-bench "$@" | tee -a "$results" || status=1

if bench_postgres_ready; then
  say "PostgreSQL: $pg_url"
  DATABASE_URL="$pg_url" target/release/fssc-seed 2>&1 | tee "$out/seed-postgres.log" >&2
  echo >>"$results"
  DATABASE_URL="$pg_url" target/release/fssc-page-bench "$@" | tee -a "$results" || status=1
fi

say "results in $results"
exit "$status"
