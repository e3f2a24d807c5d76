//! WasmRust's host tool, as a library.
//!
//! Bazel actions run the `wasmrust` binary; everything it does lives here so
//! that unit tests and benchmarks exercise the same code:
//!
//! * [`flags`] owns the rustc flag policy for every (target, mode, crate kind).
//! * [`rustc`] runs rustc with exactly those flags and a clean environment.
//! * [`build_script`] runs a Cargo build script hermetically and records the
//!   cfgs and environment it asks of rustc in a flags file.
//! * [`verify`] is the verifier a linked module must pass: valid, only its
//!   profile's features and imports, only its functions' declared effects.
//! * [`postlink`] holds the post-link passes: optimize, componentize and
//!   normalise. Each reads a whole module, verifies it, and writes its output
//!   atomically, so a failing pass never leaves a partial file behind.
//! * `module` is the one model of a linked module (layout, call graph) that
//!   the verifier, the size report and the diff share.
//! * [`diff`] locates where two builds of a module differ (section, function,
//!   demangled name), for reproducibility audits; [`size`] says where a
//!   module's bytes go: sections, functions, retained sizes over the dominator
//!   tree of the call graph, a diff of two builds, as text, JSON or HTML.
//! * [`sources`] checks that a prebuilt tool was built from the checkout's
//!   sources before Bazel runs it.
//! * [`worker`] serves dev compiles as a Bazel persistent worker that keeps
//!   rustc's incremental state between builds.

#![forbid(unsafe_code)]

pub mod bindgen;
pub mod build_script;
pub mod diff;
pub mod flags;
pub mod io;
pub(crate) mod module;
pub mod postlink;
pub mod rustc;
pub mod size;
pub mod sources;
pub mod verify;
pub mod worker;
