#!/usr/bin/env bash
# Runs every test: unit tests, store and server tests on SQLite and PostgreSQL, and the
# browser tests in Chromium against the release build.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
"$root/scripts/setup.sh" --browser
export PATH="$HOME/.cargo/bin:$root/end2end/node_modules/.bin:$PATH"

say() { printf '\033[1m[%s] ==> %s\033[0m\n' "$(date +%T)" "$*"; }
in_ci() { [[ "${CI:-}" == "true" || "${CI:-}" == "1" ]]; }

# One fresh PostgreSQL database for this run, dropped at the end whatever happens.
pg_host="${TEST_POSTGRES_HOST:-127.0.0.1}"
pg_port="${TEST_POSTGRES_PORT:-5432}"
pg_user="${TEST_POSTGRES_USER:-postgres}"
pg_db="fssc_test_$$_$(date +%s)"
psql_admin() { psql -v ON_ERROR_STOP=1 -q -h "$pg_host" -p "$pg_port" -U "$pg_user" -d postgres "$@"; }
if psql_admin -c "CREATE DATABASE \"$pg_db\"" 2>/tmp/fssc-pg-error; then
  export TEST_POSTGRES_URL="postgres://$pg_user@$pg_host:$pg_port/$pg_db"
  trap 'psql_admin -c "DROP DATABASE IF EXISTS \"$pg_db\" WITH (FORCE)" || true' EXIT
  say "PostgreSQL test database $pg_db"
elif in_ci; then
  echo "PostgreSQL at $pg_host:$pg_port is required in CI: $(cat /tmp/fssc-pg-error)" >&2
  exit 1
else
  echo "warning: PostgreSQL unavailable ($(cat /tmp/fssc-pg-error)); its tests are skipped" >&2
fi

# The structure first: it takes seconds and names the file to change. See docs/architecture.md.
say "structure: floors of app/src and import loops in every crate (fssc-layers)"
cargo run -q -p layers

say "release build (server binary and hashed, compressed site)"
"$root/scripts/build-site.sh"

# One invocation, so unit and integration tests share the server's dependency build.
say "unit tests, then store and server tests on SQLite and PostgreSQL"
cargo test --release -p app -p server -p tools -p layers -p hydration_context --features app/ssr

say "browser tests in Chromium"
(cd end2end && npx playwright test)

# The size budget of the first visit: measured from the built files, printed with every run.
say "first load of /login and /requests (Brotli)"
scripts/first-load.sh
say "every test passed"
