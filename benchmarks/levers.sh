#!/usr/bin/env bash
# What each lever of the release pipeline removes from the reference programs
# of benchmarks/size/ (browser profile, `--config=release`). Prints one table
# of final module bytes, each column adding one lever to the one before:
#
#   messages+dlmalloc  `--//platforms:panic_messages` (`-Cpanic=abort`: panics
#                      format a message) and std's allocator (`allocator =
#                      "default"`, the `<program>_std_alloc` targets)
#   immediate-abort    the release default `-Cpanic=immediate-abort`
#   +Heap              the browser profile's default allocator,
#                      `wasm::alloc::Heap` (the targets as size.sh builds them)
#
# and, for that last build, the bytes after each pipeline stage: rustc + fat LTO
# + rust-lld (`.linked.wasm`), wasm-opt -Oz to convergence after the linker's
# exports are dropped (`.opt.wasm`), and the custom-section policy (final).
# Everything else of the policy (opt-level z, fat LTO, one codegen unit,
# `optimize_for_size`) is on in every column.
#
# A second table turns those compiler levers back to cargo's release defaults
# one at a time (`--//platforms:levers_off=<lever>`: opt-level 3, no
# cross-crate LTO, 16 codegen units, core/alloc without `optimize_for_size`),
# then all four together, on the release build above (immediate-abort, Heap,
# wasm-opt and the section policy all still on). docs/size.md has the figures.
#
# Usage: benchmarks/levers.sh
set -euo pipefail
cd "$(dirname "$0")/.."

programs=(add hello hello_std strings sha256 json)
heap_programs=(hello_std strings sha256 json)   # the others never allocate
flags=(--config=release --config=browser)

# The output file of a target under the given extra flags.
out() {
  local target=$1 suffix=$2
  shift 2
  local f
  f=$(bazel cquery "$target" "${flags[@]}" "$@" --output=starlark \
    --starlark:expr="'\n'.join([f.path for f in target.files.to_list()])" 2>/dev/null | grep '\.wasm$' | head -1)
  [[ -n $f ]] || { echo "error: no output for $target" >&2; exit 1; }
  [[ -z $suffix ]] || f="${f%/*}/${target##*:}/${target##*:}$suffix.wasm"
  stat -c %s "$f"
}

build() { bazel build "${flags[@]}" "$@" >/dev/null 2>&1 || { bazel build "${flags[@]}" "$@"; exit 1; }; }

labels=() std_labels=()
for p in "${programs[@]}"; do labels+=("//benchmarks/size:$p"); done
for p in "${heap_programs[@]}"; do std_labels+=("//benchmarks/size:${p}_std_alloc"); done
build "${labels[@]}" "${std_labels[@]}"
build --//platforms:panic_messages "${labels[@]}" "${std_labels[@]}"

printf '| %-9s | %17s | %15s | %6s | %8s | %7s | %6s |\n' program messages+dlmalloc immediate-abort +Heap linked wasm-opt final
printf '|%s|\n' "-----------|-------------------|-----------------|--------|----------|---------|--------"
for p in "${programs[@]}"; do
  t=//benchmarks/size:$p
  std=$t
  for h in "${heap_programs[@]}"; do [[ $h != "$p" ]] || std=${t}_std_alloc; done
  # Assignments, not arguments, so that a missing output stops the script.
  a=$(out "$std" "" --//platforms:panic_messages)
  b=$(out "$std" "")
  c=$(out "$t" "")
  linked=$(out "$t" .linked)
  opt=$(out "$t" .opt)
  printf '| %-9s | %17s | %15s | %6s | %8s | %7s | %6s |\n' "$p" "$a" "$b" "$c" "$linked" "$opt" "$c"
done

levers=(opt_level lto codegen_units optimize_for_size)
all_off=$(IFS=,; echo "${levers[*]}")
for l in "${levers[@]}" "$all_off"; do build --//platforms:levers_off="$l" "${labels[@]}"; done

printf '\n| %-9s | %7s | %11s | %6s | %16s | %21s | %11s |\n' program release opt-level=3 no-LTO codegen-units=16 no-optimize_for_size all-four-off
printf '|%s|\n' "-----------|---------|-------------|--------|------------------|-----------------------|-------------"
for p in "${programs[@]}"; do
  t=//benchmarks/size:$p
  row=("$(out "$t" "")")
  for l in "${levers[@]}" "$all_off"; do row+=("$(out "$t" "" --//platforms:levers_off="$l")"); done
  printf '| %-9s | %7s | %11s | %6s | %16s | %21s | %11s |\n' "$p" "${row[@]}"
done
