#!/usr/bin/env bash
# Bad input gives a clear error and a non-zero exit, never a corrupted output:
# a Rust compile error, a malformed WIT file, a module too big for its
# profile's memory, a component for a profile without the Component Model,
# threads or SIMD on a profile without them, a WASI import in a browser module, a
# function doing more than its declared effects, a dropped #[linear] value,
# a third-party crate that cannot build for the profile's target (no std; C
# code), a stale Cargo.lock, and a toolchain that does not match the lock. (Corrupted .wasm handed to the post-link subcommands is
# covered by compiler/wasmrust/tests/cli.rs.)
set -uo pipefail
source "$(dirname "$0")/lib.sh"

W=$SCRATCH/bad/wasmrust
OUT=$SCRATCH/bad/root
fresh_copy "$W"
log=$SCRATCH/bad/out.log

# build_fails NAME "BAZEL BUILD ARGS" PATTERN...: the build fails and its output
# holds every PATTERN.
build_fails() {
  local name=$1 args=$2
  shift 2
  # shellcheck disable=SC2086
  if bazel_in "$W" "$OUT" build $args >"$log" 2>&1; then
    fail "$name" "the build succeeded"
  else
    expect_contains "$name" "$log" "$@"
  fi
}

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
build_fails malformed_wit "//app:component" "failed to parse WIT at" "app/wit/demo.wit:12:43" "expected a type, found ';'"
cp "$SCRATCH/bad/demo.wit.orig" "$W/app/wit/demo.wit"

# 3. An embedded module larger than the profile's maximum memory: the module, the limit and what it needs.
build_fails memory_over_embedded_limit "//tests/memory:oversized_embedded" \
  "module \`oversized_embedded\` (tests/memory/oversized.rs) does not fit its linear memory for wasm32v1-none" \
  "max_memory is 262144 bytes (4 pages)" "raise \`max_memory\` on the target"

# 4. A feature the profile lacks: a component for the embedded profile fails at analysis.
build_fails component_on_embedded_profile "//tests/gates:component_on_embedded" \
  "//tests/gates:component_on_embedded: the \`embedded\` profile has no Component Model support" \
  "build it with --config=wasmtime"

# 5. Threads on a profile without them: Bazel's own incompatibility error at analysis,
#    naming the target and the missing capability.
build_fails threads_on_embedded_profile "//tests/gates:threads_on_embedded" \
  "Target //tests/gates:threads_on_embedded is incompatible and cannot be built" \
  "target platform didn't satisfy constraint //platforms:threads"

# 5b. Real threads asked of a profile whose target cannot link them (node: wasi-libc has no
#     threaded build): the toolchain refuses at analysis, naming the profile and the fix.
build_fails threads_flag_on_node_profile "//crates/wasm --config=node --config=threads" \
  "asks for threads, but the \`node\` profile (wasm32-wasip1) has none" \
  "Build threaded code for the browser profile (\`--config=browser\`)"

# 6. A WASI import in a browser module: the post-link check names the target,
#    the profile, the import and the fix.
build_fails wasi_import_on_browser_profile "//tests/gates:wasi_on_browser" \
  "//tests/gates:wasi_on_browser (\`browser\` profile, wasm32-unknown-unknown) imports \`wasi_snapshot_preview1::sched_yield\`, a WASI function" \
  "Build the target for a WASI profile"

# 7. SIMD asked for on the embedded (MVP) profile: fails at analysis, naming the target.
build_fails simd_on_embedded_profile "//tests/memory:fits_embedded --config=simd" \
  "asks for 128-bit SIMD, but the \`embedded\` profile (wasm32v1-none) has no SIMD" \
  "Analysis of target '//tests/memory:fits_embedded' failed"

# 8. A function doing more than its effect declaration: the post-link check names
#    the function, the undeclared effect and the call path to its source.
build_fails undeclared_effect "//tests/effects:dishonest" \
  "//tests/effects:dishonest: functions do more than their \`#[wasm::effect]\` declarations allow" \
  "\`report\` declares no effects (pure) but can \`js_call\`: report -> notify -> env::log"

# 9. The allocator: `heap` on a WASI profile is refused at analysis with the
#    reason; a crate with its own `#[global_allocator]` on the browser profile
#    (default `heap`) gets rustc's error and the attribute that fixes it.
build_fails heap_allocator_on_node "//tests/gates:heap_on_node" \
  "//tests/gates:heap_on_node: \`allocator = \"heap\"\` is for the browser and embedded profiles" \
  "std's allocator (wasi-libc's dlmalloc) already starts at \`__heap_base\`"
build_fails two_allocators_on_browser "//tests/gates:own_allocator_on_browser" \
  "conflicts with global allocator in: wasm_global_heap" \
  "crate \`own_allocator_on_browser\` (tests/gates/own_allocator.rs) declares its own \`#[global_allocator]\`" \
  "set \`allocator = \"default\"\` on the target"

# 10. A third-party crate that cannot build for the profile's target (serde_json's
#    `std` feature on wasm32v1-none): rustc's error, then the crate, its target
#    and how the root Cargo.toml reaches it.
build_fails crate_needs_std_on_embedded "@crates//:serde_json --config=embedded --platforms=//platforms:embedded" \
  "can't find crate for \`std\`" \
  "for wasm32v1-none; third-party crate" \
  "needed by: third_party -> serde_json"

# 11. A Cargo.lock that no longer matches Cargo.toml: the fetch fails naming both
#     and the command that updates the lock; the lock is not touched.
cp "$W/third_party/crates/Cargo.toml" "$SCRATCH/bad/Cargo.toml.orig"
sed -i 's/^\[dependencies\]$/[dependencies]\nbase64 = "0.22"/' "$W/third_party/crates/Cargo.toml"
cp "$W/third_party/crates/Cargo.lock" "$SCRATCH/bad/Cargo.lock.before"
build_fails stale_cargo_lock "@crates//:serde" \
  "//third_party/crates:Cargo.lock is out of date with //third_party/crates:Cargo.toml" \
  "Fix: cargo update --workspace --manifest-path third_party/crates/Cargo.toml"
cmp -s "$W/third_party/crates/Cargo.lock" "$SCRATCH/bad/Cargo.lock.before" || fail stale_cargo_lock "the build changed Cargo.lock"
cp "$SCRATCH/bad/Cargo.toml.orig" "$W/third_party/crates/Cargo.toml"

# 12. A crate that needs C code: libz-sys builds zlib with a C compiler, and no
#     wasm profile has one. Its build script fails; the error names the crate,
#     the target, the dependency path and the compiler's complaint. (Adding the
#     crate to the lock needs the crate registry, as any new dependency does.)
cp "$W/third_party/crates/Cargo.lock" "$SCRATCH/bad/Cargo.lock.orig"
sed -i 's/^\[dependencies\]$/[dependencies]\nlibz-sys = { version = "1", default-features = false, features = ["static"] }/' "$W/third_party/crates/Cargo.toml"
if (cd "$W/third_party/crates" && /usr/bin/cargo update --workspace --quiet) >"$log" 2>&1; then
  build_fails crate_needs_c_code "@crates//:libz-sys --config=browser --platforms=//platforms:browser" \
    "build script of crate \`libz-sys" "failed for wasm32-unknown-unknown" \
    "needed by: third_party -> libz-sys" "--- stderr (last"
else
  fail crate_needs_c_code "could not add libz-sys to the lock" "$(tail -5 "$log")"
fi
cp "$SCRATCH/bad/Cargo.toml.orig" "$W/third_party/crates/Cargo.toml"
cp "$SCRATCH/bad/Cargo.lock.orig" "$W/third_party/crates/Cargo.lock"

# 13. A #[linear] value dropped without being consumed: in release its drop glue
#     references a symbol that does not exist, and the driver names the type.
build_fails linear_value_dropped "//crates/wasm/js/test:linear_dropped --config=release" \
  "undefined symbol: wasmrust_linear_value_dropped__Ticket" \
  "module \`linear_dropped\` (crates/wasm/js/test/linear_dropped.rs) drops a \`#[linear]\` value of type \`Ticket\` without consuming it"

# 14. A toolchain that does not match the lock: names the tool, both hashes and the fix.
python3 - "$W/toolchains/toolchain.lock.json" <<'PY'
import json, sys
p = sys.argv[1]; d = json.load(open(p))
d["files"]["bin/rustc"]["sha256"] = "0" * 64
d["packages"]["rustc-web"] = "0.0-not-installed"
json.dump(d, open(p, "w"), indent=2, sort_keys=True)
PY
build_fails toolchain_hash_mismatch "//app:component" \
  "does not match toolchains/toolchain.lock.json" \
  "bin/rustc (/usr/bin/rustc): expected sha256 0000000000000000000000000000000000000000000000000000000000000000, found" \
  "package rustc-web: expected version 0.0-not-installed, found" \
  "fix: apt-get install -y --allow-downgrades rustc-web=0.0-not-installed" \
  "inspect_toolchain.py lock > toolchains/toolchain.lock.json"

stop_bazel "$W" "$OUT"
finish
