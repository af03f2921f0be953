#!/usr/bin/env bash
# Seeds a large policy data set (once) and times the policy column's search, suggestions, page
# and list of pages, on SQLite and on PostgreSQL, in release mode. Arguments go to
# fssc-policy-bench, for example
#   scripts/bench-policies.sh --pages 1000 --iterations 100
# The data sets are their own (target/bench/policies.db and the PostgreSQL database
# fssc_policy_bench), apart from the request data set of scripts/bench.sh. The tables are
# written to target/bench/policies.md.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"

export BENCH_POSTGRES_DB="${BENCH_POSTGRES_DB:-fssc_policy_bench}"
# shellcheck source=scripts/bench-data.sh
source scripts/bench-data.sh
sqlite_url="sqlite://$out/policies.db"
results="$out/policies.md"

say "release build of fssc-policy-bench"
cargo build --release -p tools --bin fssc-policy-bench
bench() {
  DATABASE_URL="$1" target/release/fssc-policy-bench "${@:2}"
}

: >"$results"

say "SQLite: $sqlite_url"
bench "$sqlite_url" "$@" 2> >(tee "$out/policies-sqlite.log" >&2) | tee -a "$results"

if bench_postgres_ready; then
  say "PostgreSQL: $pg_url"
  bench "$pg_url" "$@" 2> >(tee "$out/policies-postgres.log" >&2) | tee -a "$results"
fi

say "results in $results"
