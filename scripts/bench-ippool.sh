#!/usr/bin/env bash
# The IP pool allocator's figures (issue #16), optimised build: per-allocation time on an
# IPv4 /16 until full, and 100 000 allocations from an IPv6 /64.
# Usage: scripts/bench-ippool.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo run --quiet --release -p vireo-net --example bench_alloc
