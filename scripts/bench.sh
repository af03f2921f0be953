#!/usr/bin/env bash
# Seeds a large, realistic data set (once) and times the database work of the busiest pages,
# the operations dashboard and the monthly statement job, on SQLite and on PostgreSQL, in
# release mode. Arguments go to fssc-seed, for example
#   scripts/bench.sh --requests 50000
# The tables are written to target/bench/results.md.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"

# shellcheck source=scripts/bench-data.sh
source scripts/bench-data.sh
results="$out/results.md"

say "release build of fssc-seed and fssc-bench"
cargo build --release -p tools --bin fssc-seed --bin fssc-bench

# fssc-seed leaves an already seeded database as it is.
seed() {
  DATABASE_URL="$1" cargo run --quiet --release -p tools --bin fssc-seed -- "${@:2}"
}
bench() {
  DATABASE_URL="$1" cargo run --quiet --release -p tools --bin fssc-bench -- ${BENCH_ARGS:-}
}

: >"$results"

say "SQLite: $sqlite_url"
seed "$sqlite_url" "$@" 2>&1 | tee "$out/seed-sqlite.log"
bench "$sqlite_url" | tee -a "$results"

if bench_postgres_ready; then
  say "PostgreSQL: $pg_url"
  seed "$pg_url" "$@" 2>&1 | tee "$out/seed-postgres.log"
  bench "$pg_url" | tee -a "$results"
fi

say "results in $results"
