#!/usr/bin/env bash
# Measures the live notification push: N clients each hold an open event stream while the demo
# agent commits status changes at a steady rate; prints push latency (p50 / p99 / max) and the
# server's memory per N, on SQLite and, when it is reachable, on PostgreSQL. Arguments go to
# fssc-live-bench, for example
#   scripts/bench-live.sh --connections 100,500 --seconds 10
# The tables are written to target/bench/live.md.
#
# Every stream is an open file on both sides, and the server inherits the bench's limit, so
# the soft open-file limit is raised first (to 65536, or to the hard limit when that is lower).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

out="target/bench"
mkdir -p "$out"
results="$out/live.md"
pg_host="${BENCH_POSTGRES_HOST:-127.0.0.1}"
pg_port="${BENCH_POSTGRES_PORT:-5432}"
pg_user="${BENCH_POSTGRES_USER:-postgres}"
pg_db="${BENCH_LIVE_POSTGRES_DB:-postgres}"
pg_url="postgres://$pg_user@$pg_host:$pg_port/$pg_db"

# The site's assets are not needed: the bench only calls the API and the event stream.
say "release build of fssc-server and fssc-live-bench"
cargo build --release -p server --bin fssc-server -p tools --bin fssc-live-bench

hard="$(ulimit -Hn)"
if [[ "$hard" == unlimited || "$hard" -ge 65536 ]]; then
  ulimit -n 65536
else
  ulimit -n "$hard"
fi
say "open-file limit $(ulimit -n)"

bench() { target/release/fssc-live-bench --server target/release/fssc-server "$@"; }

status=0
: >"$results"

say "SQLite"
bench "$@" | tee -a "$results" || status=1

if psql -h "$pg_host" -p "$pg_port" -U "$pg_user" -d "$pg_db" -tAc 'SELECT 1' >/dev/null 2>"$out/pg-error"; then
  say "PostgreSQL: $pg_url (a schema of its own per run, dropped afterwards)"
  bench --postgres "$pg_url" "$@" | tee -a "$results" || status=1
else
  echo "warning: PostgreSQL at $pg_host:$pg_port unavailable ($(cat "$out/pg-error")); skipped" >&2
fi

say "results in $results"
exit "$status"
