# The two commands a newcomer needs (README.md); the benchmarks are in docs/benchmarks.md.
.PHONY: run test build setup bench bench-live bench-pages bench-policies bench-security bench-clock

run:    ## build in release and serve on SQLite with demo accounts at http://127.0.0.1:3000
	@scripts/run.sh

test:   ## every test: unit, SQLite and PostgreSQL integration, Chromium end-to-end
	@scripts/test.sh

setup:  ## only install the tools
	@scripts/setup.sh --browser

build:
	@scripts/setup.sh && scripts/build-site.sh

bench:  ## seed a large data set once, then time the busiest pages, the dashboard and the statement job on SQLite and PostgreSQL
	@scripts/bench.sh

bench-live:  ## 100 / 500 / 2,000 clients with open event streams: push latency and server memory
	@scripts/bench-live.sh

bench-pages:  ## the busiest pages under 64 connections, against bare axum serving the same bytes
	@scripts/bench-pages.sh

bench-policies:  ## a large policy data set once, then time search, suggestions and pages on SQLite and PostgreSQL
	@scripts/bench-policies.sh

bench-security:  ## the sign-in race, a sign-in flood and 1,000 idle connections: PASS or FAIL each
	@scripts/bench-security.sh

bench-clock:  ## the working-time clock: remaining time of a list page, due instants of every open request
	@cargo run --release -q -p tools --bin fssc-clock-bench
