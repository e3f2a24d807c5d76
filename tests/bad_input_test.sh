#!/usr/bin/env bash
# Bad input gives a clear error and a non-zero exit, never a corrupted output:
# a Rust compile error, a malformed WIT file, a world the WIT does not have, a module too big for its
# profile's memory, a component for a profile without the Component Model,
# threads or SIMD on a profile without them, a WASI import in a browser module, a
# function doing more than its declared effects, a dropped #[linear] value,
# a third-party crate that cannot build for the profile's target (no std; C
# code), a stale Cargo.lock, a changed checksum in Cargo.lock, a misnamed
# post-return export, a `.wasm` file where a `wasm_rust_binary` is expected,
# a toolchain that does not match the lock, and host tools older than their
# sources. Where the error prints a fix,
# the test runs it and sees the build pass; each error is printed once.
# (Corrupted .wasm handed to the post-link subcommands is covered by
# compiler/wasmrust/tests/cli.rs.)
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

# printed_once NAME FILE TEXT: TEXT occurs on exactly one line of FILE.
printed_once() {
  local n
  n=$(grep -cF -- "$3" "$2")
  if [ "$n" -eq 1 ]; then pass "$1"; else fail "$1" "\`$3\` printed $n times" "$(tail -30 "$2")"; fi
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

# 2a. A world that is not in the WIT package (a typo in BUILD): the generator
#     names the package's worlds.
cp "$W/app/BUILD.bazel" "$SCRATCH/bad/BUILD.orig"
sed -i '0,/world = "demo"/s//world = "dmeo"/' "$W/app/BUILD.bazel"
build_fails missing_world "//app:demo_bindings" \
  "failed to select the world in \`app/wit" "the worlds of package \`wasmrust:demo@0.1.0\` are: \`demo\`" "dmeo"
cp "$SCRATCH/bad/BUILD.orig" "$W/app/BUILD.bazel"

# 2b. A hand-written canonical-ABI post-return export with a misnamed function
#     (`cabi_post_...#reverse-word`, one letter short) beside the generated ones:
#     wit-component would ignore it, and had it been the real hook every string
#     `reverse-words` returns would leak; componentize names it and the export it
#     was meant for.
cp "$W/app/src/lib.rs" "$SCRATCH/bad/lib.rs.orig"
cat >>"$W/app/src/lib.rs" <<'RUST'
#[unsafe(export_name = "cabi_post_wasmrust:demo/text@0.1.0#reverse-word")]
extern "C" fn reverse_words_post(_ret: *mut u8) {}
RUST
build_fails misnamed_post_return "//app:component" \
  "exports the canonical-ABI post-return function \`cabi_post_wasmrust:demo/text@0.1.0#reverse-word\`, but no function \`wasmrust:demo/text@0.1.0#reverse-word\`" \
  "did you mean \`cabi_post_wasmrust:demo/text@0.1.0#reverse-words\`"
cp "$SCRATCH/bad/lib.rs.orig" "$W/app/src/lib.rs"

# 2b'. A hand-written export whose core signature is not the canonical ABI's lowering
#      of its WIT function, and the world's other functions missing: componentize
#      names each WIT function with its line, both signatures and the Rust symbol.
build_fails canonical_abi_mismatch "//tests/gates:abi_mismatch" \
  "does not implement its WIT world's canonical ABI (5 problems)" \
  "the WIT function \`wasmrust:demo/numbers@0.1.0#primes-below\` (app/wit/demo.wit:32:5) is exported as \`wasmrust:demo/numbers@0.1.0#primes-below\` with the core signature (i64) -> i32, but the canonical ABI lowers it to (i32) -> i32 (Rust symbol" \
  "the WIT function \`wasmrust:demo/text@0.1.0#stats\` (app/wit/demo.wit:14:5) must be exported" \
  "Generate the exports with \`wasm_rust_wit_bindings\`"

# 2c. A .wasm file as a component's module: the rule says it takes a wasm_rust_binary
#     (at analysis, before anything is built).
mkdir -p "$W/tests/bad_module"
printf '\0asm\1\0\0\0' >"$W/tests/bad_module/core.wasm"
cat >"$W/tests/bad_module/BUILD.bazel" <<'BUILD'
load("//toolchains:defs.bzl", "wasm_component")

wasm_component(
    name = "from_file",
    module = "core.wasm",
    tags = ["manual"],
)
BUILD
build_fails component_module_is_a_file "//tests/bad_module:from_file" \
  "//tests/bad_module:from_file: \`module\` takes a \`wasm_rust_binary\` target, but \`//tests/bad_module:core.wasm\` is not one" \
  "build the core module with \`wasm_rust_binary\`"
printed_once component_module_error_printed_once "$log" "but \`//tests/bad_module:core.wasm\` is not one"
rm -r "$W/tests/bad_module"

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

# 12b. A changed checksum in Cargo.lock (serde's, one digit): the fetch fails naming
#      the user's file (not @crates' internal copy), the crate and version, both
#      checksums and the fix, once. Restoring the line (what the printed
#      `git checkout` does) makes the fetch pass again.
lock=$W/third_party/crates/Cargo.lock
serde_version=$(sed -n '/^name = "serde"$/{n;s/^version = "\(.*\)"$/\1/p}' "$lock")
real=$(sed -n '/^name = "serde"$/,/^checksum/s/^checksum = "\(.*\)"$/\1/p' "$lock")
wrong=$(echo "$real" | tr '0-9a-f' '1-9a-f0')
sed -i "s/^checksum = \"$real\"$/checksum = \"$wrong\"/" "$lock"
build_fails cargo_lock_checksum_changed "--nobuild @crates//:serde" \
  "third_party/crates/Cargo.lock: the checksum of crate serde $serde_version is not the registry's" \
  "in third_party/crates/Cargo.lock: $wrong" "in the crate registry:            $real" \
  "git checkout -- third_party/crates/Cargo.lock" \
  "cargo generate-lockfile --manifest-path third_party/crates/Cargo.toml"
printed_once cargo_lock_checksum_error_printed_once "$log" "the checksum of crate serde"
if grep -qE 'cargo_workspace|needs the crate registry' "$log"; then
  fail cargo_lock_checksum_names_the_users_file "the error names @crates' internal copy or the registry" "$(grep -E 'cargo_workspace|needs the crate registry' "$log" | head -3)"
else
  pass cargo_lock_checksum_names_the_users_file
fi
cp "$SCRATCH/bad/Cargo.lock.orig" "$lock"
if bazel_in "$W" "$OUT" build --nobuild @crates//:serde >"$log" 2>&1; then
  pass cargo_lock_checksum_fix_works
else
  fail cargo_lock_checksum_fix_works "the fetch still fails with the line restored" "$(tail -10 "$log")"
fi

# 13. A #[linear] value dropped without being consumed: in release its drop glue
#     references a symbol that does not exist, and the driver names the type.
build_fails linear_value_dropped "//crates/wasm/js/test:linear_dropped --config=release" \
  "undefined symbol: wasmrust_linear_value_dropped__Ticket" \
  "module \`linear_dropped\` (crates/wasm/js/test/linear_dropped.rs) drops a \`#[linear]\` value of type \`Ticket\` without consuming it"

# 14. A toolchain that does not match the lock. Each cause gets the fix that works
#     for it (the checker's diagnosis, with apt and dpkg answers injected):
#     a package at another version -> apt-get install PKG=VERSION; at the lock's
#     version but with a file changed on disk -> apt-get install --reinstall PKG;
#     files exactly as dpkg installed them, or a version no apt source has -> the
#     lock itself differs: restore it with git or regenerate it.
if (cd "$W" && python3 - >"$log" 2>&1) <<'PY'
import sys
sys.path.insert(0, "toolchains/private")
import inspect_toolchain as t

h = lambda c: c * 64
lock = {"packages": {"rustc-web": "1.96", "lld-22": "22.1", "libllvm22": "22.1.8", "wasi-libc": "0.1"},
        "files": {"bin/rustc": {"package": "rustc-web", "path": "/usr/bin/rustc", "sha256": h("a")},
                  "bin/rust-lld": {"package": "lld-22", "path": "/usr/lib/llvm-22/bin/lld", "sha256": h("b")},
                  "lib/libLLVM.so": {"package": "libllvm22", "path": "/usr/lib/libLLVM.so", "sha256": h("c")}},
        "trees": {"wasi-libc": {"package": "wasi-libc", "path": "/usr/lib/wasm32-wasi", "sha256": h("d")}},
        "versions": {"rustc": "rustc 1.96"}}
have = {"packages": {"rustc-web": "1.85", "lld-22": "22.1", "libllvm22": "22.1.8", "wasi-libc": "0.1"},
        "files": {"bin/rustc": {"path": "/usr/bin/rustc", "sha256": h("0")},
                  "bin/rust-lld": {"path": "/usr/lib/llvm-22/bin/lld", "sha256": h("0")},
                  "lib/libLLVM.so": {"path": "/usr/lib/libLLVM.so", "sha256": h("0")}},
        "trees": {"wasi-libc": {"path": "/usr/lib/wasm32-wasi", "sha256": h("d")}},
        "versions": {"rustc": "rustc 1.85"}}
verdicts = {"lld-22": "changed: /usr/lib/llvm-22/bin/lld is not the file lld-22 installed", "libllvm22": "intact"}
text = t.report(t.diagnose(lock, have, lambda pkg: ["1.96", "1.85"], lambda pkg, path, tree: verdicts.get(pkg)))
print(text)
expect = [
    "package rustc-web: the lock expects version 1.96, but 1.85 is installed.\n    fix: apt-get install -y --allow-downgrades rustc-web=1.96",
    "bin/rustc (/usr/bin/rustc): the lock expects sha256 " + h("a") + ", found " + h("0") + "; it comes from package rustc-web, whose version differs",
    "but the files on disk changed (/usr/lib/llvm-22/bin/lld is not the file lld-22 installed).\n    fix: apt-get install -y --reinstall lld-22",
    "lib/libLLVM.so (/usr/lib/libLLVM.so): the lock expects sha256 " + h("c") + ", found " + h("0") + "; it is exactly what package libllvm22 22.1.8 installed.\n    fix: the lock file is what differs, see below.",
    "rustc --version: the lock expects `rustc 1.96`, found `rustc 1.85` (a package version differs, above).",
    "If it was edited by mistake, restore it (`git diff toolchains/toolchain.lock.json` shows the edit):\n    git checkout -- toolchains/toolchain.lock.json\n",
    "regenerate it (ReadMe.md, \"Updating the toolchain\"):\n    /usr/bin/python3 toolchains/private/inspect_toolchain.py lock > toolchains/toolchain.lock.json\n",
]
missing = [e for e in expect if e not in text]
assert not missing, f"missing: {missing}"
assert "--allow-downgrades" not in text.split("rustc-web=1.96", 1)[1], "apt-get suggested for a package already at the lock's version"
# A version no apt source has: apt-get cannot help, the lock differs. No apt lists at all: update first.
lock2 = {"packages": {"rustc-web": "0.0-not-installed"}, "files": {}, "trees": {}, "versions": {}}
have2 = {"packages": {"rustc-web": "1.96"}, "files": {}, "trees": {}, "versions": {}}
text2 = t.report(t.diagnose(lock2, have2, lambda pkg: ["1.96", "1.85"], lambda *a: None))
assert "no apt source of this machine has rustc-web 0.0-not-installed (they have 1.96, 1.85)" in text2 and "git checkout -- toolchains/toolchain.lock.json" in text2, text2
text3 = t.report(t.diagnose(lock2, have2, lambda pkg: None, lambda *a: None))
assert "fix: apt-get update && apt-get install -y --allow-downgrades rustc-web=0.0-not-installed" in text3, text3
assert "git checkout -- toolchains/toolchain.lock.json" in text3, text3
# The real dpkg comparison, on this machine's (intact) toolchain: a file, and a tree.
assert t.dpkg_verdict("rustc-web", "/usr/bin/rustc", False) == "intact"
assert t.dpkg_verdict("wasi-libc", "/usr/lib/wasm32-wasi", True) == "intact"
PY
then
  pass toolchain_fix_per_cause
else
  fail toolchain_fix_per_cause "$(tail -15 "$log")"
fi

#     Through Bazel: a lock edited by mistake (rustc's sha256, and rustc-web's
#     version set to one that does not exist). The error names the file, both
#     hashes and the package, printed once; running the regenerate command it
#     prints (the lock is then the committed one again, as after the other fix,
#     `git checkout`) makes the build pass.
cp "$W/toolchains/toolchain.lock.json" "$SCRATCH/bad/toolchain.lock.orig"
python3 - "$W/toolchains/toolchain.lock.json" <<'PY'
import json, sys
p = sys.argv[1]; d = json.load(open(p))
d["files"]["bin/rustc"]["sha256"] = "0" * 64
d["packages"]["rustc-web"] = "0.0-not-installed"
json.dump(d, open(p, "w"), indent=2, sort_keys=True)
PY
build_fails toolchain_hash_mismatch "//tests/memory:fits_embedded" \
  "does not match toolchains/toolchain.lock.json" \
  "package rustc-web: the lock expects version 0.0-not-installed, but" \
  "bin/rustc (/usr/bin/rustc): the lock expects sha256 0000000000000000000000000000000000000000000000000000000000000000, found" \
  "it comes from package rustc-web, whose version differs" \
  "git checkout -- toolchains/toolchain.lock.json" \
  "/usr/bin/python3 toolchains/private/inspect_toolchain.py lock > toolchains/toolchain.lock.json"
printed_once toolchain_error_printed_once "$log" "does not match toolchains/toolchain.lock.json:"
fix=$(grep -oF '/usr/bin/python3 toolchains/private/inspect_toolchain.py lock > toolchains/toolchain.lock.json' "$log" | head -1)
if [ -z "$fix" ]; then
  fail toolchain_fix_works "no regenerate command in the error"
elif ! (cd "$W" && bash -c "$fix") 2>"$log.fix"; then
  fail toolchain_fix_works "the printed command failed" "$(tail -5 "$log.fix")"
elif ! cmp -s "$W/toolchains/toolchain.lock.json" "$SCRATCH/bad/toolchain.lock.orig"; then
  fail toolchain_fix_works "the regenerated lock differs from the committed one"
elif ! bazel_in "$W" "$OUT" build //tests/memory:fits_embedded >"$log" 2>&1; then
  fail toolchain_fix_works "the build still fails" "$(tail -10 "$log")"
else
  pass toolchain_fix_works
fi
cp "$SCRATCH/bad/toolchain.lock.orig" "$W/toolchains/toolchain.lock.json"

# 15. Host tools older than their sources (compiler/bin is built by the setup
#     command, outside Bazel): the check action names each file that differs,
#     the target and the command that rebuilds the tools. A change to the
#     runner's sources stops only what runs the runner; the build passes again
#     once the tools and sources agree (here by undoing the edit: the printed
#     fix, `bash tools/setup.sh tools`, is a full cargo build of wasmtime).
printf 'pub fn added() {}\n' >"$W/compiler/wasmrust-run/src/added.rs"
if bazel_in "$W" "$OUT" build //tests/memory:fits_embedded >"$log" 2>&1; then
  pass stale_runner_leaves_builds_alone
else
  fail stale_runner_leaves_builds_alone "a build that does not run wasmrust-run failed" "$(tail -10 "$log")"
fi
build_fails stale_runner "//tests/memory:stack_overflow_test" \
  "compiler/bin/wasmrust-run\` was built from other sources than this checkout holds (target //compiler/bin:runner)" \
  "new: compiler/wasmrust-run/src/added.rs" \
  "bash tools/setup.sh tools"
rm "$W/compiler/wasmrust-run/src/added.rs"
cp "$W/compiler/wasmrust/src/flags.rs" "$SCRATCH/bad/flags.rs.orig"
printf '\n// an edit the prebuilt wasmrust has not seen\n' >>"$W/compiler/wasmrust/src/flags.rs"
build_fails stale_driver "//tests/memory:fits_embedded" \
  "compiler/bin/wasmrust\` was built from other sources than this checkout holds (target //compiler/bin:driver)" \
  "changed: compiler/wasmrust/src/flags.rs" \
  "rebuild the host tools with \`bash tools/setup.sh tools\`, then build again"
printed_once stale_driver_printed_once "$log" "was built from other sources than this checkout holds"
cp "$SCRATCH/bad/flags.rs.orig" "$W/compiler/wasmrust/src/flags.rs"
if bazel_in "$W" "$OUT" build //tests/memory:fits_embedded //tests/memory:stack_overflow_test >"$log" 2>&1; then
  pass stale_tools_fixed
else
  fail stale_tools_fixed "the build still fails with the sources restored" "$(tail -10 "$log")"
fi

stop_bazel "$W" "$OUT"
finish
