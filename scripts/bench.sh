#!/usr/bin/env bash
# Seeds a large, realistic data set (once) and times the database work of the busiest pages,
# on SQLite and on PostgreSQL, in release mode. Arguments go to fssc-seed, for example
#   scripts/bench.sh --requests 50000
# The tables are written to target/bench/results.md.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

out="target/bench"
mkdir -p "$out"
results="$out/results.md"
sqlite_url="sqlite://$out/fssc.db"
pg_host="${BENCH_POSTGRES_HOST:-127.0.0.1}"
pg_port="${BENCH_POSTGRES_PORT:-5432}"
pg_user="${BENCH_POSTGRES_USER:-postgres}"
pg_db="${BENCH_POSTGRES_DB:-fssc_bench}"
pg_url="postgres://$pg_user@$pg_host:$pg_port/$pg_db"

say "release build of fssc-seed and fssc-bench"
cargo build --release -p server --bin fssc-seed --bin fssc-bench

# fssc-seed leaves an already seeded database as it is.
seed() {
  DATABASE_URL="$1" cargo run --quiet --release -p server --bin fssc-seed -- "${@:2}"
}
bench() {
  DATABASE_URL="$1" cargo run --quiet --release -p server --bin fssc-bench -- ${BENCH_ARGS:-}
}

: >"$results"

say "SQLite: $sqlite_url"
seed "$sqlite_url" "$@" 2>&1 | tee "$out/seed-sqlite.log"
bench "$sqlite_url" | tee -a "$results"

psql_admin() { psql -v ON_ERROR_STOP=1 -q -h "$pg_host" -p "$pg_port" -U "$pg_user" -d postgres "$@"; }
if psql_admin -tAc "SELECT 1" >/dev/null 2>"$out/pg-error"; then
  if [[ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$pg_db'")" != 1 ]]; then
    say "creating PostgreSQL database $pg_db"
    psql_admin -c "CREATE DATABASE \"$pg_db\""
  fi
  say "PostgreSQL: $pg_url"
  seed "$pg_url" "$@" 2>&1 | tee "$out/seed-postgres.log"
  bench "$pg_url" | tee -a "$results"
else
  echo "warning: PostgreSQL at $pg_host:$pg_port unavailable ($(cat "$out/pg-error")); skipped" >&2
fi

say "results in $results"
