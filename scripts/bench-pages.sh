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

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

out="target/bench"
mkdir -p "$out"
results="$out/pages.md"
sqlite_url="sqlite://$out/fssc.db"
pg_host="${BENCH_POSTGRES_HOST:-127.0.0.1}"
pg_port="${BENCH_POSTGRES_PORT:-5432}"
pg_user="${BENCH_POSTGRES_USER:-postgres}"
pg_db="${BENCH_POSTGRES_DB:-fssc_bench}"
pg_url="postgres://$pg_user@$pg_host:$pg_port/$pg_db"

say "release build of fssc-server, fssc-seed and fssc-page-bench"
cargo build --release -p server --bin fssc-server --bin fssc-seed --bin fssc-page-bench

# Every connection is an open file on both sides.
hard="$(ulimit -Hn)"
if [[ "$hard" == unlimited || "$hard" -ge 4096 ]]; then ulimit -n 4096; fi

status=0
: >"$results"

say "SQLite: $sqlite_url"
DATABASE_URL="$sqlite_url" target/release/fssc-seed 2>&1 | tee "$out/seed-sqlite.log" >&2
DATABASE_URL="$sqlite_url" target/release/fssc-page-bench "$@" | tee -a "$results" || status=1

psql_admin() { psql -v ON_ERROR_STOP=1 -q -h "$pg_host" -p "$pg_port" -U "$pg_user" -d postgres "$@"; }
if psql_admin -tAc "SELECT 1" >/dev/null 2>"$out/pg-error"; then
  if [[ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$pg_db'")" != 1 ]]; then
    say "creating PostgreSQL database $pg_db"
    psql_admin -c "CREATE DATABASE \"$pg_db\""
  fi
  say "PostgreSQL: $pg_url"
  DATABASE_URL="$pg_url" target/release/fssc-seed 2>&1 | tee "$out/seed-postgres.log" >&2
  echo >>"$results"
  DATABASE_URL="$pg_url" target/release/fssc-page-bench "$@" | tee -a "$results" || status=1
else
  echo "warning: PostgreSQL at $pg_host:$pg_port unavailable ($(cat "$out/pg-error")); skipped" >&2
fi

say "results in $results"
exit "$status"
