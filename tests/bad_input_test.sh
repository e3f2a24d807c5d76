#!/usr/bin/env bash
# Bad input gives a clear error and a non-zero exit, never a corrupted output:
# a Rust compile error, a malformed WIT file, a module too big for its
# profile's memory, a component for a profile without the Component Model,
# threads or SIMD on a profile without them, a WASI import in a browser module, a
# function doing more than its declared effects, and a toolchain that does not
# match the lock. (Corrupted .wasm handed to the post-link subcommands is
# covered by compiler/wasmrust/tests/cli.rs.)
set -uo pipefail
source "$(dirname "$0")/lib.sh"

W=$SCRATCH/bad/wasmrust
OUT=$SCRATCH/bad/root
fresh_copy "$W"
log=$SCRATCH/bad/out.log

# 1. A type error in app/: rustc's own diagnostic, workspace-relative paths.
cp "$W/app/src/text.rs" "$SCRATCH/bad/text.rs.orig"
printf '\npub fn broken() -> u32 { "not a number" }\n' >>"$W/app/src/text.rs"
if bazel_in "$W" "$OUT" build //app:app_core >"$log" 2>&1; then
  fail rust_compile_error "the build succeeded"
elif grep -qF "$W/app/src/text.rs" "$log"; then
  fail rust_compile_error "the diagnostic shows an absolute path"
else
  expect_contains rust_compile_error "$log" "error[E0308]: mismatched types" "app/src/text.rs:" "expected \`u32\`, found \`&str\`"
fi
cp "$SCRATCH/bad/text.rs.orig" "$W/app/src/text.rs"

# 2. A syntax error in the WIT world: file:line and wit-parser's message.
cp "$W/app/wit/demo.wit" "$SCRATCH/bad/demo.wit.orig"
sed -i 's/reverse-words: func(input: string) -> string;/reverse-words: func(input: string) -> ;/' "$W/app/wit/demo.wit"
if bazel_in "$W" "$OUT" build //app:component >"$log" 2>&1; then
  fail malformed_wit "the build succeeded"
else
  expect_contains malformed_wit "$log" "failed to parse WIT at" "app/wit/demo.wit:12:43" "expected a type, found ';'"
fi
cp "$SCRATCH/bad/demo.wit.orig" "$W/app/wit/demo.wit"

# 3. An embedded module larger than the profile's maximum memory: the module, the limit and what it needs.
if bazel_in "$W" "$OUT" build //tests/memory:oversized_embedded >"$log" 2>&1; then
  fail memory_over_embedded_limit "the build succeeded"
else
  expect_contains memory_over_embedded_limit "$log" \
    "module \`oversized_embedded\` (tests/memory/oversized.rs) does not fit its linear memory for wasm32v1-none" \
    "max_memory is 262144 bytes (4 pages)" "raise \`max_memory\` on the target"
fi

# 4. A feature the profile lacks: a component for the embedded profile fails at analysis.
if bazel_in "$W" "$OUT" build //tests/gates:component_on_embedded >"$log" 2>&1; then
  fail component_on_embedded_profile "the build succeeded"
else
  expect_contains component_on_embedded_profile "$log" \
    "//tests/gates:component_on_embedded: the \`embedded\` profile has no Component Model support" \
    "build it with --config=wasmtime"
fi

# 5. Threads on a profile without them: Bazel's own incompatibility error at analysis,
#    naming the target and the missing capability.
if bazel_in "$W" "$OUT" build //tests/gates:threads_on_embedded >"$log" 2>&1; then
  fail threads_on_embedded_profile "the build succeeded"
else
  expect_contains threads_on_embedded_profile "$log" \
    "Target //tests/gates:threads_on_embedded is incompatible and cannot be built" \
    "target platform didn't satisfy constraint //platforms:threads"
fi

# 6. A WASI import in a browser module: the post-link check names the target,
#    the profile, the import and the fix.
if bazel_in "$W" "$OUT" build //tests/gates:wasi_on_browser >"$log" 2>&1; then
  fail wasi_import_on_browser_profile "the build succeeded"
else
  expect_contains wasi_import_on_browser_profile "$log" \
    "//tests/gates:wasi_on_browser (\`browser\` profile, wasm32-unknown-unknown) imports \`wasi_snapshot_preview1::sched_yield\`, a WASI function" \
    "Build the target for a WASI profile"
fi

# 7. SIMD asked for on the embedded (MVP) profile: fails at analysis, naming the target.
if bazel_in "$W" "$OUT" build //tests/memory:fits_embedded --config=simd >"$log" 2>&1; then
  fail simd_on_embedded_profile "the build succeeded"
else
  expect_contains simd_on_embedded_profile "$log" \
    "asks for 128-bit SIMD, but the \`embedded\` profile (wasm32v1-none) has no SIMD" \
    "Analysis of target '//tests/memory:fits_embedded' failed"
fi

# 8. A function doing more than its effect declaration: the post-link check names
#    the function, the undeclared effect and the call path to its source.
if bazel_in "$W" "$OUT" build //tests/effects:dishonest >"$log" 2>&1; then
  fail undeclared_effect "the build succeeded"
else
  expect_contains undeclared_effect "$log" \
    "//tests/effects:dishonest: functions do more than their \`#[wasm::effect]\` declarations allow" \
    "\`report\` declares no effects (pure) but can \`js_call\`: report -> env::log"
fi

# 9. A toolchain that does not match the lock: names the tool, both hashes and the fix.
python3 - "$W/toolchains/toolchain.lock.json" <<'PY'
import json, sys
p = sys.argv[1]; d = json.load(open(p))
d["files"]["bin/rustc"]["sha256"] = "0" * 64
d["packages"]["rustc-web"] = "0.0-not-installed"
json.dump(d, open(p, "w"), indent=2, sort_keys=True)
PY
if bazel_in "$W" "$OUT" build //app:component >"$log" 2>&1; then
  fail toolchain_hash_mismatch "the build succeeded"
else
  expect_contains toolchain_hash_mismatch "$log" \
    "does not match toolchains/toolchain.lock.json" \
    "bin/rustc (/usr/bin/rustc): expected sha256 0000000000000000000000000000000000000000000000000000000000000000, found" \
    "package rustc-web: expected version 0.0-not-installed, found" \
    "fix: apt-get install -y --allow-downgrades rustc-web=0.0-not-installed" \
    "inspect_toolchain.py lock > toolchains/toolchain.lock.json"
fi

stop_bazel "$W" "$OUT"
finish
