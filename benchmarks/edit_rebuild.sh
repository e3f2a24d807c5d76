#!/usr/bin/env bash
# Wall time from a one-line edit in app/ to a rebuilt //app:component, in dev
# and in release, against a warm Bazel server and output base (the inner loop a
# developer sees). Each edit changes the separator `reverse-words` joins with,
# so the module really changes and every action downstream of app/src/text.rs
# reruns (an edit the optimizer could erase would understate release times). Prints one table; the edit is
# reverted at the end.
#
# Usage: benchmarks/edit_rebuild.sh [ROUNDS]   (default 3; the median is shown)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
file=app/src/text.rs
backup=$(mktemp)
cp "$file" "$backup"
trap 'cp "$backup" "$file"; rm -f "$backup"' EXIT

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

printf '%-8s %12s %12s %10s\n' mode "cold (s)" "edit (s)" "bytes"
for mode in dev release; do
  bazel build //app:component --config=$mode >/dev/null 2>&1
  t0=$(now)
  bazel clean >/dev/null 2>&1
  bazel build //app:component --config=$mode >/dev/null 2>&1
  cold=$(echo "$(now) - $t0" | bc)
  times=()
  for i in $(seq "$rounds"); do
    cp "$backup" "$file"
    sep=$(printf '%*s' "$((i + 1))" '')
    sed -i "s/words.join(\" \")/words.join(\"$sep\")/" "$file"
    grep -q "words.join(\"$sep\")" "$file" || { echo "edit failed" >&2; exit 1; }
    t0=$(now)
    bazel build //app:component --config=$mode >/dev/null 2>&1
    times+=("$(echo "$(now) - $t0" | bc)")
  done
  out=$(find bazel-out/ -path '*/bin/app/component.wasm' -newer "$backup" -printf '%T@ %p\n' | sort -n | tail -1 | cut -d' ' -f2)
  printf '%-8s %12.1f %12.1f %10s\n' "$mode" "$cold" "$(printf '%s\n' "${times[@]}" | median)" "$(stat -c %s "$out")"
done
