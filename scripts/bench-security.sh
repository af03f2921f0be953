#!/usr/bin/env bash
# Replays the sign-in race, the sign-in flood and the idle-connection flood against the release
# server on loopback and prints PASS or FAIL for each (tools/src/bin/fssc-security-bench.rs).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"
cargo build --release -p server --bin fssc-server -p tools --bin fssc-security-bench
exec target/release/fssc-security-bench --server target/release/fssc-server
