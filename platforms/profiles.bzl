"""The four host profiles, defined once.

Everything else is generated from this table: the `constraint_value`s and
`platform`s in platforms/BUILD.bazel, the toolchains in toolchains/BUILD.bazel,
the `--config=<profile>` lines' targets, and the host table in
docs/host-profiles.md (checked by //docs:host_profiles_test).

Fields:
  triple:          rustc target triple.
  os:              the @platforms os constraint.
  features:        WebAssembly features beyond the target's defaults (rustc names).
  release_opt:     rustc opt-level for release builds (`s` or `z`).
  threads:         threading model.
  js:              JS interop.
  component_model: Component Model support.
  memory:          what the module's linear memory is used for and limited by.
  stack_size:      default stack of linked modules, bytes (docs/memory.md says why).
  max_memory:      default maximum linear memory, bytes; 0 = unbounded.
  runtime:         where tests run.
"""

PROFILES = {
    "browser": struct(
        triple = "wasm32-unknown-unknown",
        os = "@platforms//os:none",
        features = [],
        release_opt = "z",
        threads = "Web Workers + SharedArrayBuffer (needs COOP/COEP); sequential fallback otherwise",
        js = "yes: JS imports and exports",
        component_model = "no (core modules)",
        memory = "one linear memory, grown on demand",
        runtime = "headless Chromium",
        stack_size = 64 * 1024,
        max_memory = 0,
    ),
    "node": struct(
        triple = "wasm32-wasip1",
        os = "@platforms//os:wasi",
        features = [],
        release_opt = "z",
        threads = "none (sequential fallback)",
        js = "yes: JS imports; WASI preview 1 through `node:wasi`",
        component_model = "no (core modules)",
        memory = "one linear memory, grown on demand",
        runtime = "node 20",
        stack_size = 64 * 1024,
        max_memory = 0,
    ),
    "wasmtime": struct(
        triple = "wasm32-wasip2",
        os = "@platforms//os:wasi",
        features = [],
        release_opt = "s",
        threads = "shared memory + atomics from the host (no wasi-threads after wasmtime 46)",
        js = "no",
        component_model = "yes: WASI preview 2 components",
        memory = "one linear memory, grown on demand",
        runtime = "wasmtime (the `wasmtime` crate)",
        stack_size = 256 * 1024,
        max_memory = 0,
    ),
    "embedded": struct(
        triple = "wasm32v1-none",
        os = "@platforms//os:none",
        features = [],
        release_opt = "z",
        threads = "none",
        js = "no",
        component_model = "no (MVP core modules, no std)",
        memory = "one linear memory with a declared maximum",
        runtime = "an embedded interpreter",
        stack_size = 16 * 1024,
        max_memory = 256 * 1024,
    ),
}

DEFAULT_PROFILE = "wasmtime"
