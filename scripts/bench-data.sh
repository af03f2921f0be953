# Sourced by the benchmark scripts: where the large data set lives, on SQLite and PostgreSQL.
# Defines out, sqlite_url, pg_url, say, psql_admin and bench_postgres_ready.
out="target/bench"
mkdir -p "$out"
sqlite_url="sqlite://$out/fssc.db"
pg_host="${BENCH_POSTGRES_HOST:-127.0.0.1}"
pg_port="${BENCH_POSTGRES_PORT:-5432}"
pg_user="${BENCH_POSTGRES_USER:-postgres}"
pg_db="${BENCH_POSTGRES_DB:-fssc_bench}"
pg_url="postgres://$pg_user@$pg_host:$pg_port/$pg_db"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
psql_admin() { psql -v ON_ERROR_STOP=1 -q -h "$pg_host" -p "$pg_port" -U "$pg_user" -d postgres "$@"; }

# Whether PostgreSQL answers; creates the benchmark database when it is missing.
bench_postgres_ready() {
  if ! psql_admin -tAc "SELECT 1" >/dev/null 2>"$out/pg-error"; then
    echo "warning: PostgreSQL at $pg_host:$pg_port unavailable ($(cat "$out/pg-error")); skipped" >&2
    return 1
  fi
  if [[ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$pg_db'")" != 1 ]]; then
    say "creating PostgreSQL database $pg_db"
    psql_admin -c "CREATE DATABASE \"$pg_db\""
  fi
}
