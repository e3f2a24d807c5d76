"""The four host profiles, defined once.

Everything else is generated from this table: the `constraint_value`s and
`platform`s in platforms/BUILD.bazel, the toolchains in toolchains/BUILD.bazel,
the `--config=<profile>` lines' targets, the capability constraints targets
put in `target_compatible_with` (`//platforms:std`, `//platforms:threads`,
`@platforms//os:wasi`),
and the host table in
docs/host-profiles.md (checked by //docs:host_profiles_test).

Fields:
  triple:          rustc target triple.
  os:              the @platforms os constraint.
  features:        WebAssembly features beyond the target's defaults (rustc names).
  simd:            whether `--config=simd` (128-bit SIMD, `simd128`) may be turned on.
  release_opt:     rustc opt-level for release builds (`s` or `z`).
  std:             whether the target has `std` (else `core` + `alloc` only).
  has_threads:     whether modules can run threads (shared memory + atomics in the host).
  threads:         threading model.
  js:              JS interop (prose, for the docs).
  has_js:          whether the hosts run the module's non-WASI imports in JavaScript.
  component_model: Component Model support (prose, for the docs).
  has_components:  whether the hosts run components.
  memory:          what the module's linear memory is used for and limited by.
  stack_size:      default stack of linked modules, bytes (docs/memory.md says why).
  max_memory:      default maximum linear memory, bytes; 0 = unbounded.
  allocator:       the global allocator linked modules get unless they choose
                   (`allocator` attribute): `heap` = `wasm::alloc::Heap`
                   (crates/wasm), `default` = std's, or the crate's own
                   `#[global_allocator]` (docs/memory.md says why).
  runtime:         where tests run.
  test_runner:     how `wasm_test` runs tests: `chromium`, `node` (toolchains/runners/),
                   `wasmtime` or `wasmi` (`wasmrust-run test`).
"""

PROFILES = {
    "browser": struct(
        triple = "wasm32-unknown-unknown",
        os = "@platforms//os:none",
        features = [],
        simd = True,
        release_opt = "z",
        std = True,
        has_threads = True,
        threads = "Web Workers over a shared memory with `--config=threads` (the page needs COOP/COEP); sequential fallback otherwise",
        js = "yes: JS imports and exports",
        component_model = "no (core modules)",
        has_js = True,
        has_components = False,
        memory = "one linear memory, grown on demand",
        runtime = "headless Chromium (Debian `chromium`), page served with COOP/COEP",
        test_runner = "chromium",
        stack_size = 32 * 1024,
        max_memory = 0,
        allocator = "heap",
    ),
    "node": struct(
        triple = "wasm32-wasip1",
        os = "@platforms//os:wasi",
        features = [],
        simd = True,
        release_opt = "z",
        std = True,
        has_threads = False,
        threads = "none: wasm32-wasip1-threads needs a threaded wasi-libc, which Debian lacks (sequential fallback); the browser profile's threaded modules run on node's worker_threads",
        js = "yes: JS imports; WASI preview 1 through `node:wasi`",
        component_model = "no (core modules)",
        has_js = True,
        has_components = False,
        memory = "one linear memory, grown on demand",
        runtime = "node 20",
        test_runner = "node",
        stack_size = 64 * 1024,
        max_memory = 0,
        allocator = "default",
    ),
    "wasmtime": struct(
        triple = "wasm32-wasip2",
        os = "@platforms//os:wasi",
        features = [],
        simd = True,
        release_opt = "s",
        std = True,
        has_threads = False,
        threads = "none in components (wasmtime 47+ has no wasi-threads, components no shared memory): sequential fallback; `wasmrust-run` runs the browser profile's threaded core modules on host threads",
        js = "no",
        component_model = "yes: WASI preview 2 components",
        has_js = False,
        has_components = True,
        memory = "one linear memory, grown on demand",
        runtime = "wasmtime (the `wasmtime` crate)",
        test_runner = "wasmtime",
        stack_size = 256 * 1024,
        max_memory = 0,
        allocator = "default",
    ),
    "embedded": struct(
        triple = "wasm32v1-none",
        os = "@platforms//os:none",
        features = [],
        simd = False,
        release_opt = "z",
        std = False,
        has_threads = False,
        threads = "none: MVP hosts have no atomics (sequential fallback)",
        js = "no",
        component_model = "no (MVP core modules, no std)",
        has_js = False,
        has_components = False,
        memory = "one linear memory with a declared maximum",
        runtime = "the wasmi interpreter, after an MVP-only wasmparser check",
        test_runner = "wasmi",
        stack_size = 16 * 1024,
        max_memory = 256 * 1024,
        allocator = "default",
    ),
}

DEFAULT_PROFILE = "wasmtime"
