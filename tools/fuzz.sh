#!/usr/bin/env bash
# The longer fuzz run (docs/reliability.md); CI runs a short one in
# `cargo test -p wasmrust-fuzz`.
#   bash tools/fuzz.sh [DIFF_SEEDS [CLI_SEEDS [FIRST_SEED]]]
# Optimizes DIFF_SEEDS generated modules at -Oz and -O3 and runs each beside
# its original in wasmtime, then runs every `wasmrust` subcommand on CLI_SEEDS
# modules, 8 byte mutations of each, and the regression corpus. Every finding
# prints the seed that reproduces it: `wasmrust-fuzz gen --seed N --wat`.
# Exit status 1 when anything was found.
set -euo pipefail
cd "$(dirname "$0")/.."
diff_seeds=${1:-20000}
cli_seeds=${2:-300}
first=${3:-0}
CARGO=$(bash tools/setup.sh which-cargo)
RUSTFLAGS=$(bash tools/setup.sh host-rustflags)
export RUSTFLAGS
"$CARGO" build --release --locked -p wasmrust -p wasmrust-fuzz
fuzz=target/release/wasmrust-fuzz
status=0
# binaryen prints its own warnings on stderr; the verdicts are on stdout.
"$fuzz" diff --seeds "$first..$((first + diff_seeds))" 2>/dev/null || status=1
"$fuzz" cli --seeds "$first..$((first + cli_seeds))" --mutations 8 \
  --corpus compiler/wasmrust-fuzz/corpus || status=1
exit "$status"
