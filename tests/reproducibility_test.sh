#!/usr/bin/env bash
# Bit-reproducibility, through the audit (tools/audit.py): //app:component and
# the composition //tests/bindgen:resources_composed (bindings, two components,
# wasm-compose) --config=release built twice from fresh copies that differ in checkout
# path, output base, TZ, LANG/LC_ALL, umask, HOME/USER, -j2/-j1, disk cache
# off/on and the actions' clock (libfaketime) gives byte-identical outputs
# for every action (sysroot .rlibs, proc-macro .so, every .wasm). In the same
# audit a deliberately non-reproducible target (tests/audit:stamped, a
# timestamp in a custom section) must be caught: named as the one root-cause
# action, with the differing section shown.
set -uo pipefail
source "$(dirname "$0")/lib.sh"

out=$SCRATCH/audit.txt
json=$SCRATCH/audit.json
WASMRUST_AUDIT_TMP=$SCRATCH/audit python3 "$ROOT/tools/audit.py" check //app:component //tests/bindgen:resources_composed //tests/audit:stamped \
  --config=release --json "$json" >"$out" 2>&1
status=$?
if [ "$status" -ne 1 ]; then
  fail audit_runs "expected exit status 1 (the stamped target differs), got $status" "$(tail -30 "$out")"
else
  pass audit_runs
  # Every difference is the stamped target's: the component and everything it is built from are identical.
  summary=$(python3 - "$json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
diffs = r["differences"]
others = [d["path"] for d in diffs if "tests/audit/stamped.wasm" not in d["path"]]
print(f"{r['outputs']} {len(diffs)} {len(others)} {sum(1 for d in diffs if d.get('root_cause'))}")
print("\n".join(others))
PY
)
  read -r outputs ndiff nothers nroots <<<"$(head -1 <<<"$summary")"
  if [ "$nothers" -eq 0 ] && [ "$outputs" -ge 25 ]; then
    pass "reproducible_component ($outputs action outputs compared, all identical but the stamped one)"
  else
    fail reproducible_component "$nothers outputs other than the stamped one differ (of $outputs):" "$(tail -n +2 <<<"$summary")"
  fi
  if [ "$ndiff" -eq 1 ] && [ "$nroots" -eq 1 ]; then
    expect_contains audit_names_the_nondeterministic_action "$out" \
      "result: NOT REPRODUCIBLE: 1 output(s) differ; 1 from actions whose inputs are identical" \
      "[root cause] Genrule: bazel-out/k8-opt/bin/tests/audit/stamped.wasm" \
      'A: custom "stamp" section' \
      "TZ           UTC  ->  Asia/Kathmandu" \
      "bin/app/component.wasm" \
      "DIFFERENT  " \
      "umask        022  ->  077"
  else
    fail audit_names_the_nondeterministic_action "expected exactly 1 difference, a root cause; got $ndiff ($nroots root causes)"
  fi
fi
grep -E "actions, .* outputs compared|^  (identical|DIFFERENT) " "$out" | sed 's/^/    /'
finish
