//! The rustc flag policy: the one place that decides which flags rustc gets
//! for a given target, build mode and crate kind.
//!
//! Starlark passes files and data (crate name, edition, features, cfgs, the
//! profile's opt-level and target features); every flag string is made here,
//! so the policy is unit-tested and cannot drift between rules.

use anyhow::{Result, bail};
use std::fmt;
use std::str::FromStr;

/// A compilation target WasmRust supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// Browsers and JS hosts: no WASI, std with stubs.
    Wasm32UnknownUnknown,
    /// MVP + mutable-globals, no std (embedded interpreters).
    Wasm32v1None,
    /// WASI preview 1 core modules (node's `node:wasi`).
    Wasm32Wasip1,
    /// WASI preview 2 (component model hosts such as wasmtime).
    Wasm32Wasip2,
    /// The exec platform: proc-macro crates, their dependencies and Cargo
    /// build scripts.
    Host,
}

/// Every supported target triple, in the order error messages list them.
pub const TARGETS: [(&str, Target); 5] = [
    ("wasm32-unknown-unknown", Target::Wasm32UnknownUnknown),
    ("wasm32v1-none", Target::Wasm32v1None),
    ("wasm32-wasip1", Target::Wasm32Wasip1),
    ("wasm32-wasip2", Target::Wasm32Wasip2),
    ("x86_64-unknown-linux-gnu", Target::Host),
];

impl FromStr for Target {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Self> {
        match TARGETS.iter().find(|(name, _)| *name == s) {
            Some((_, t)) => Ok(*t),
            None => {
                let names: Vec<_> = TARGETS.iter().map(|(n, _)| *n).collect();
                bail!(
                    "unsupported target `{s}`; supported targets: {}",
                    names.join(", ")
                )
            }
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = TARGETS
            .iter()
            .find(|(_, t)| t == self)
            .map(|(n, _)| *n)
            .unwrap_or("?");
        f.write_str(name)
    }
}

impl Target {
    /// Whether the target has `std` (wasm32v1-none has only core + alloc).
    pub fn has_std(self) -> bool {
        !matches!(self, Target::Wasm32v1None)
    }

    /// Whether the target is a WASI target (links wasi-libc's self-contained objects).
    pub fn is_wasi(self) -> bool {
        matches!(self, Target::Wasm32Wasip1 | Target::Wasm32Wasip2)
    }

    /// The WebAssembly features rustc 1.96 enables by default for this target
    /// (binaryen and wasmparser must be told the same set).
    pub fn default_wasm_features(self) -> &'static [WasmFeature] {
        use WasmFeature::*;
        match self {
            Target::Wasm32v1None => &[MutableGlobals],
            Target::Host => &[],
            _ => &[
                BulkMemory,
                SignExt,
                NontrappingFloatToInt,
                MutableGlobals,
                ReferenceTypes,
                Multivalue,
            ],
        }
    }
}

/// A WebAssembly proposal a module may use, named as rustc's target features are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum WasmFeature {
    /// `bulk-memory`
    BulkMemory,
    /// `sign-ext`
    SignExt,
    /// `nontrapping-fptoint`
    NontrappingFloatToInt,
    /// `mutable-globals`
    MutableGlobals,
    /// `reference-types`
    ReferenceTypes,
    /// `multivalue`
    Multivalue,
    /// `simd128`
    Simd128,
    /// `atomics` (shared memory and atomic instructions)
    Atomics,
}

const FEATURE_NAMES: [(&str, WasmFeature); 8] = [
    ("bulk-memory", WasmFeature::BulkMemory),
    ("sign-ext", WasmFeature::SignExt),
    ("nontrapping-fptoint", WasmFeature::NontrappingFloatToInt),
    ("mutable-globals", WasmFeature::MutableGlobals),
    ("reference-types", WasmFeature::ReferenceTypes),
    ("multivalue", WasmFeature::Multivalue),
    ("simd128", WasmFeature::Simd128),
    ("atomics", WasmFeature::Atomics),
];

impl FromStr for WasmFeature {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Self> {
        match FEATURE_NAMES.iter().find(|(n, _)| *n == s) {
            Some((_, f)) => Ok(*f),
            None => {
                let names: Vec<_> = FEATURE_NAMES.iter().map(|(n, _)| *n).collect();
                bail!(
                    "unknown wasm feature `{s}`; known features: {}",
                    names.join(", ")
                )
            }
        }
    }
}

impl fmt::Display for WasmFeature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = FEATURE_NAMES
            .iter()
            .find(|(_, x)| x == self)
            .map(|(n, _)| *n)
            .unwrap_or("?");
        f.write_str(name)
    }
}

/// The features a module built for `target` with `extra` profile features may use.
pub fn module_features(target: Target, extra: &[WasmFeature]) -> Vec<WasmFeature> {
    let mut all: Vec<WasmFeature> = target.default_wasm_features().to_vec();
    all.extend_from_slice(extra);
    all.sort();
    all.dedup();
    all
}

/// Build mode, from Bazel's `--compilation_mode` (`opt` is release).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Fast iteration: low opt-level, debug assertions, many codegen units.
    Dev,
    /// Size-tuned: the profile's opt-level, fat LTO, one codegen unit.
    Release,
}

impl FromStr for Mode {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "dev" => Ok(Mode::Dev),
            "release" => Ok(Mode::Release),
            _ => bail!("unknown mode `{s}`; expected `dev` or `release`"),
        }
    }
}

/// A release lever `--lever-off` turns back to cargo's release default, to
/// measure what it is worth (`--//platforms:levers_off`, benchmarks/levers.sh).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lever {
    /// The profile's opt-level (`z`/`s`); cargo's is `3`.
    OptLevel,
    /// Fat LTO of linked modules; cargo's default is none across crates.
    Lto,
    /// One codegen unit; cargo's release default is 16.
    CodegenUnits,
    /// `core`/`alloc` built with `optimize_for_size`; cargo's std has it off.
    OptimizeForSize,
}

impl Lever {
    /// Every lever with the name `--lever-off` and `--//platforms:levers_off`
    /// take (`toolchains/private/settings.bzl` lists the same names; a test
    /// checks that they agree).
    pub const ALL: [(&'static str, Lever); 4] = [
        ("opt_level", Lever::OptLevel),
        ("lto", Lever::Lto),
        ("codegen_units", Lever::CodegenUnits),
        ("optimize_for_size", Lever::OptimizeForSize),
    ];
}

impl FromStr for Lever {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Self> {
        match Lever::ALL.iter().find(|(name, _)| *name == s) {
            Some((_, lever)) => Ok(*lever),
            None => {
                let names: Vec<_> = Lever::ALL.iter().map(|(n, _)| *n).collect();
                bail!("unknown lever `{s}`; expected one of: {}", names.join(", "))
            }
        }
    }
}

/// What kind of crate an action compiles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrateKind {
    /// A crate of the standard library (core, alloc, std and their deps).
    Sysroot,
    /// A user library (`.rlib`).
    Lib,
    /// A reactor module: exports, no `_start` (`cdylib`).
    Cdylib,
    /// A command module with `_start` (`bin`).
    Bin,
    /// A proc-macro crate for the exec platform.
    ProcMacro,
}

/// The crate kinds a host (exec platform) crate may have.
const HOST_KINDS: [CrateKind; 3] = [CrateKind::Lib, CrateKind::Bin, CrateKind::ProcMacro];

impl FromStr for CrateKind {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "sysroot" => CrateKind::Sysroot,
            "lib" => CrateKind::Lib,
            "cdylib" => CrateKind::Cdylib,
            "bin" => CrateKind::Bin,
            "proc-macro" => CrateKind::ProcMacro,
            _ => {
                bail!("unknown crate kind `{s}`; expected sysroot, lib, cdylib, bin or proc-macro")
            }
        })
    }
}

impl CrateKind {
    fn crate_type(self) -> &'static str {
        match self {
            CrateKind::Sysroot | CrateKind::Lib => "rlib",
            CrateKind::Cdylib => "cdylib",
            CrateKind::Bin => "bin",
            CrateKind::ProcMacro => "proc-macro",
        }
    }

    /// Whether this crate is linked into a final module.
    pub fn links(self) -> bool {
        matches!(self, CrateKind::Cdylib | CrateKind::Bin)
    }
}

/// The size of a WebAssembly page.
pub const PAGE: u64 = 65536;

/// Linear-memory settings of a linked module. The stack stays first in
/// memory (rustc's `--stack-first`), so an overflow traps below address 0
/// instead of overwriting data.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::Args)]
pub struct Memory {
    /// Stack size in bytes (linked modules; default: rustc's 1 MiB).
    #[arg(long)]
    pub stack_size: Option<u64>,
    /// Initial linear memory in bytes (linked modules; default: the linker's
    /// minimum for stack and data).
    #[arg(long = "initial-memory", value_name = "INITIAL_MEMORY")]
    pub initial: Option<u64>,
    /// Maximum linear memory in bytes (linked modules; default: unbounded).
    #[arg(long = "max-memory", value_name = "MAX_MEMORY")]
    pub max: Option<u64>,
}

impl Memory {
    /// Rejects values the linker would reject less clearly.
    pub fn check(&self) -> Result<()> {
        if let Some(s) = self.stack_size
            && (s == 0 || s % 16 != 0)
        {
            bail!("stack_size must be a positive multiple of 16 bytes, got {s}");
        }
        for (name, v) in [("initial_memory", self.initial), ("max_memory", self.max)] {
            if let Some(v) = v
                && (v == 0 || v % PAGE != 0)
            {
                bail!("{name} must be a positive multiple of 65536 bytes (one wasm page), got {v}");
            }
        }
        if let (Some(i), Some(m)) = (self.initial, self.max)
            && i > m
        {
            bail!("initial_memory ({i} bytes) exceeds max_memory ({m} bytes)");
        }
        if let (Some(s), Some(m)) = (self.stack_size, self.initial.or(self.max))
            && s >= m
        {
            bail!("stack_size ({s} bytes) leaves no room for data in {m} bytes of memory");
        }
        Ok(())
    }

    fn link_args(&self) -> Vec<String> {
        let mut a = Vec::new();
        if let Some(s) = self.stack_size {
            a.push(format!("-Clink-arg=-zstack-size={s}"));
        }
        if let Some(i) = self.initial {
            a.push(format!("-Clink-arg=--initial-memory={i}"));
        }
        if let Some(m) = self.max {
            a.push(format!("-Clink-arg=--max-memory={m}"));
        }
        a
    }
}

/// rustc `-Copt-level` values.
/// The release opt-level when a profile sets none (each profile in
/// `platforms/profiles.bzl` sets its own; host crates take this one).
pub const DEFAULT_RELEASE_OPT_LEVEL: &str = "z";

pub const OPT_LEVELS: [&str; 6] = ["0", "1", "2", "3", "s", "z"];

/// Everything one rustc invocation depends on. Paths are execroot-relative
/// strings exactly as Bazel passes them.
#[derive(Clone, Debug)]
pub struct Invocation {
    /// Target triple.
    pub target: Target,
    /// Dev or release.
    pub mode: Mode,
    /// Crate kind.
    pub kind: CrateKind,
    /// `--crate-name`.
    pub crate_name: String,
    /// `--edition`.
    pub edition: String,
    /// The crate root source file.
    pub src: String,
    /// The output file.
    pub out: String,
    /// The profile's release opt-level (`s` or `z` usually).
    pub release_opt_level: String,
    /// Extra target features of the profile (`simd128`, `atomics`).
    pub target_features: Vec<WasmFeature>,
    /// `-Cmetadata`, unique per crate (Bazel passes a label-derived value).
    pub metadata: String,
    /// Cargo features (`--cfg feature="..."`).
    pub features: Vec<String>,
    /// Plain `--cfg` values.
    pub cfgs: Vec<String>,
    /// `--check-cfg` values (from a build script's `rustc-check-cfg`).
    pub check_cfgs: Vec<String>,
    /// `--extern NAME=PATH` (NAME may carry a `priv:` prefix for sysroot crates).
    pub externs: Vec<(String, String)>,
    /// `--extern force:NAME=PATH`: crates linked although the source never
    /// names them (the global allocator crate).
    pub forced_externs: Vec<(String, String)>,
    /// `-L dependency=DIR` search directories.
    pub dependency_dirs: Vec<String>,
    /// `--sysroot` for wasm crates (none for sysroot crates themselves).
    pub sysroot: Option<String>,
    /// The linker (rust-lld) for crates that link.
    pub linker: Option<String>,
    /// The root of the library sources, remapped to `/rustc/library`.
    pub library_root: Option<String>,
    /// The absolute working directory, remapped to `.` so no output records it.
    pub cwd: String,
    /// Linear-memory settings for linked modules.
    pub memory: Memory,
    /// Keep panic messages in release (`-Cpanic=abort`) instead of the
    /// default `-Cpanic=immediate-abort`; no effect in dev or on the host.
    pub panic_messages: bool,
    /// Release levers turned back to cargo's defaults; no effect in dev or on the host.
    pub levers_off: Vec<Lever>,
    /// A release build tuned for rebuild speed rather than for shipping
    /// (`--config=release-iter`): thin LTO instead of fat, several codegen
    /// units, incremental state allowed. Only for first-party wasm crates.
    pub release_iteration: bool,
    /// rustc's incremental-state directory (`-Cincremental`): for first-party
    /// crates compiled by the persistent worker (worker.rs), in dev builds and
    /// release-iteration builds.
    pub incremental: Option<String>,
    /// The user's own `rustc_flags`, appended last.
    pub user_flags: Vec<String>,
}

impl Invocation {
    fn opt_level(&self) -> &str {
        match (self.kind, self.mode) {
            // Host code (proc macros, build scripts and their deps) runs only
            // at build time: compiling it fast matters more than its speed.
            _ if self.target == Target::Host => "1",
            // std is always optimized: an unoptimized std doubles the dev
            // rebuild's codegen (more of it is monomorphized into user code).
            (CrateKind::Sysroot, Mode::Dev) => "2",
            // User crates in dev are not optimized, as cargo's dev profile: at
            // opt-level 1 LLVM (and the crate-local ThinLTO rustc runs with
            // several codegen units) is most of a dev compile, 13x a 10,000-line
            // crate's clean build at opt-level 0 (docs/dev-loop.md).
            (_, Mode::Dev) => "0",
            (_, Mode::Release) if self.lever_off(Lever::OptLevel) => "3",
            (_, Mode::Release) => &self.release_opt_level,
        }
    }

    /// 256 for incremental compiles (as cargo: an edit recompiles, and in a
    /// release-iteration build re-optimizes, only the small units it touched),
    /// one in release (for size), 16 otherwise.
    fn codegen_units(&self) -> u32 {
        match () {
            _ if self.incremental.is_some() => 256,
            _ if self.release_iteration => 16,
            _ if self.release() && !self.lever_off(Lever::CodegenUnits) => 1,
            _ => 16,
        }
    }

    fn lever_off(&self, lever: Lever) -> bool {
        self.levers_off.contains(&lever)
    }

    /// Whether the release policy (no debug assertions, one codegen unit,
    /// LTO for linked modules) applies: never for host crates.
    fn release(&self) -> bool {
        !debug_assertions(self.target, self.mode)
    }

    /// Rejects kinds the target cannot have: proc macros are host-only, and
    /// the host builds only libraries, binaries and proc macros.
    fn check_kind(&self) -> Result<()> {
        if self.kind == CrateKind::ProcMacro && self.target != Target::Host {
            bail!(
                "proc-macro crates build for the exec platform (x86_64-unknown-linux-gnu): crate `{}` has target `{}`",
                self.crate_name,
                self.target
            );
        }
        if self.target == Target::Host && !HOST_KINDS.contains(&self.kind) {
            bail!(
                "crates for the exec platform (x86_64-unknown-linux-gnu) are lib, bin or proc-macro: crate `{}` has kind {:?}",
                self.crate_name,
                self.kind
            );
        }
        if self.release_iteration
            && (self.mode != Mode::Release
                || self.target == Target::Host
                || self.kind == CrateKind::Sysroot)
        {
            bail!(
                "crate `{}`: --release-iteration is for first-party wasm crates in release builds",
                self.crate_name
            );
        }
        Ok(())
    }

    /// Whether this crate is built with `-Cpanic=immediate-abort`: wasm crates
    /// in release unless panic messages were asked for.
    fn immediate_abort(&self) -> bool {
        self.target != Target::Host && self.mode == Mode::Release && !self.panic_messages
    }

    /// Whether a non-sysroot crate needs one of rustc's unstable options.
    fn unstable_options(&self) -> bool {
        self.immediate_abort() || !self.forced_externs.is_empty() || self.threads()
    }

    /// Whether this wasm crate is built for threads (`atomics`). rustc only treats the
    /// unstable `atomics` feature as on (`cfg(target_feature = "atomics")`, a shared memory
    /// at link) under RUSTC_BOOTSTRAP, as on nightly.
    fn threads(&self) -> bool {
        self.target != Target::Host && self.target_features.contains(&WasmFeature::Atomics)
    }

    fn needs_bootstrap(&self) -> bool {
        self.kind == CrateKind::Sysroot || self.unstable_options()
    }
}

/// The maximum memory of a threaded module whose target sets none: a shared memory must have
/// one.
pub const THREADS_MAX_MEMORY: u64 = 1 << 30;

/// Whether user crates for `target` in `mode` are compiled with debug
/// assertions and overflow checks: in dev, and always for host crates (they
/// run only at build time, where a failed check is cheap and a silent
/// overflow is not). Build scripts see the same as `CARGO_CFG_DEBUG_ASSERTIONS`.
pub fn debug_assertions(target: Target, mode: Mode) -> bool {
    mode == Mode::Dev || target == Target::Host
}

/// The full rustc argument list for `inv` (without the rustc path itself).
pub fn rustc_args(inv: &Invocation) -> Result<Vec<String>> {
    if !OPT_LEVELS.contains(&inv.release_opt_level.as_str()) {
        bail!(
            "invalid opt-level `{}`; expected one of {}",
            inv.release_opt_level,
            OPT_LEVELS.join(", ")
        );
    }
    inv.check_kind()?;
    let host = inv.target == Target::Host;
    inv.memory
        .check()
        .map_err(|e| anyhow::anyhow!("crate `{}`: {e}", inv.crate_name))?;
    // The host links with the system's `cc`; only wasm modules need rust-lld.
    if inv.kind.links() && !host && inv.linker.is_none() {
        bail!(
            "crate `{}` links a module but no linker was given",
            inv.crate_name
        );
    }
    let mut a: Vec<String> = Vec::new();
    let mut push = |s: String| a.push(s);
    push(format!("--crate-name={}", inv.crate_name));
    push(format!("--edition={}", inv.edition));
    push(format!("--crate-type={}", inv.kind.crate_type()));
    push(inv.src.clone());
    push("-o".into());
    push(inv.out.clone());
    if !host {
        push(format!("--target={}", inv.target));
    }
    push(format!("-Copt-level={}", inv.opt_level()));
    push("-Cdebuginfo=0".into());
    push(format!("-Cmetadata={}", inv.metadata));
    // No absolute path may reach an output: the working directory (Bazel's
    // execroot, different on every machine) becomes `.`.
    push(format!("--remap-path-prefix={}=.", inv.cwd));
    let release = inv.release();
    if !host {
        // wasm has no unwinding; abort is also smaller. Host crates keep
        // unwind: proc macros (and so their dependencies) require it.
        // Release drops the panic machinery itself: `immediate-abort` makes
        // every panic (std's and the user's) a bare `unreachable` trap with
        // no message formatting, which is most of a small module's code
        // (docs/size.md measures it). The sysroot is built the same way, as
        // rustc requires one panic strategy across the crate graph.
        let strategy = if inv.immediate_abort() {
            "immediate-abort"
        } else {
            "abort"
        };
        push(format!("-Cpanic={strategy}"));
    }
    if inv.unstable_options() && inv.kind != CrateKind::Sysroot {
        // `-Cpanic=immediate-abort` and `--extern force:` are unstable, so
        // rustc runs with RUSTC_BOOTSTRAP=1; an empty allow list keeps every
        // `#![feature]` an error, so user code stays stable Rust.
        push("-Zunstable-options".into());
        push("-Zallow-features=".into());
    }
    match inv.kind {
        CrateKind::Sysroot => {
            push("-Zforce-unstable-if-unmarked".into());
            push("-Zunstable-options".into()); // `--extern priv:`
            push("--cap-lints=allow".into());
            push("-Cembed-bitcode=yes".into()); // fat LTO of the final module reads it
            push("-Cdebug-assertions=off".into());
            push("-Coverflow-checks=off".into());
            if let Some(lib) = &inv.library_root {
                push(format!("--remap-path-prefix={lib}=/rustc/library"));
            }
            if release
                && !inv.lever_off(Lever::OptimizeForSize)
                && matches!(inv.crate_name.as_str(), "core" | "alloc")
            {
                push("--cfg=feature=\"optimize_for_size\"".into());
            }
        }
        _ if release => {
            push("-Cdebug-assertions=off".into());
            push("-Coverflow-checks=off".into());
        }
        _ => {
            push("-Cdebug-assertions=on".into());
            push("-Coverflow-checks=on".into());
        }
    }
    push(format!("-Ccodegen-units={}", inv.codegen_units()));
    if let Some(dir) = &inv.incremental {
        // Shipping release outputs never depend on state outside the action's inputs.
        if (inv.mode != Mode::Dev && !inv.release_iteration)
            || inv.kind == CrateKind::Sysroot
            || host
        {
            bail!(
                "crate `{}`: incremental compilation is only for first-party wasm crates in dev and release-iteration builds",
                inv.crate_name
            );
        }
        push(format!("-Cincremental={dir}"));
    }
    if release && inv.kind.links() {
        // Thin LTO still inlines across crates (std included), in parallel
        // and incrementally; fat LTO re-optimizes the whole program as one.
        if inv.release_iteration {
            push("-Clto=thin".into());
        } else if !inv.lever_off(Lever::Lto) {
            push("-Clto=fat".into());
        }
        push("-Cstrip=debuginfo".into());
    }
    if !inv.target_features.is_empty() && !host {
        let f: Vec<_> = inv
            .target_features
            .iter()
            .map(|f| format!("+{f}"))
            .collect();
        push(format!("-Ctarget-feature={}", f.join(",")));
    }
    if let Some(sysroot) = &inv.sysroot {
        push(format!("--sysroot={sysroot}"));
    }
    if let Some(linker) = &inv.linker
        && inv.kind.links()
        && !host
    {
        push(format!("-Clinker={linker}"));
        for arg in inv.memory.link_args() {
            push(arg);
        }
        if inv.threads() {
            // One shared memory, imported so every thread's instance gets the same one (and
            // exported, so hosts find it as for any module). A shared memory needs a
            // maximum: 1 GiB unless the target sets one (hosts reserve it, not commit it).
            // A host starting a thread sets the new instance's stack pointer and TLS block
            // (docs/compiler-contract.md, "Threads").
            push("-Clink-arg=--shared-memory".into());
            push("-Clink-arg=--import-memory".into());
            push("-Clink-arg=--export-memory".into());
            if inv.memory.max.is_none() {
                push(format!("-Clink-arg=--max-memory={THREADS_MAX_MEMORY}"));
            }
            for sym in [
                "__stack_pointer",
                "__wasm_init_tls",
                "__tls_size",
                "__tls_align",
                "__tls_base",
            ] {
                push(format!("-Clink-arg=--export-if-defined={sym}"));
            }
        }
    }
    if inv.kind == CrateKind::ProcMacro {
        push("--extern=proc_macro".into());
    }
    for f in &inv.features {
        push(format!("--cfg=feature=\"{f}\""));
    }
    for c in &inv.cfgs {
        push(format!("--cfg={c}"));
    }
    if !inv.check_cfgs.is_empty() {
        // Any `--check-cfg` turns checking on; cargo then also declares
        // `docsrs`, `test` and the features (all of them, which are not known
        // here, so any value), so only the build script's own cfgs are checked.
        push("--check-cfg=cfg(docsrs,test)".into());
        push("--check-cfg=cfg(feature,values(any()))".into());
        for c in &inv.check_cfgs {
            push(format!("--check-cfg={c}"));
        }
    }
    for d in &inv.dependency_dirs {
        push(format!("-Ldependency={d}"));
    }
    for (name, path) in &inv.externs {
        push(format!("--extern={name}={path}"));
    }
    for (name, path) in &inv.forced_externs {
        push(format!("--extern=force:{name}={path}"));
    }
    a.extend(inv.user_flags.iter().cloned());
    Ok(a)
}

/// The environment rustc runs with: nothing from the caller's environment
/// except what is listed here, so TZ, LANG, HOME and the like cannot matter.
/// Sorted by name; when `extra` sets a name twice, the last value wins.
pub fn rustc_env(
    inv: &Invocation,
    extra: &[(String, String)],
    library_path: Option<&str>,
) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = Vec::new();
    if inv.needs_bootstrap() {
        // The standard library is built with unstable flags, as upstream does.
        env.push(("RUSTC_BOOTSTRAP".into(), "1".into()));
    }
    if inv.target == Target::Host {
        // The host linker driver (`cc`) finds `ld` through PATH.
        env.push(("PATH".into(), "/usr/bin:/bin".into()));
    }
    if let Some(p) = library_path {
        // rustc and rust-lld load the declared, hash-checked copies of their libraries.
        env.push(("LD_LIBRARY_PATH".into(), p.into()));
    }
    env.extend(extra.iter().cloned());
    let map: std::collections::BTreeMap<String, String> = env.into_iter().collect();
    map.into_iter().collect()
}

/// Parses a `NAME=VALUE` option value (`--env`, `--extern`).
pub fn parse_pair(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .ok_or_else(|| format!("expected NAME=VALUE, got `{s}`"))
}

/// Replaces the literal `${pwd}` in `value` with the absolute working
/// directory `pwd` (build-script outputs and `--env` values are written
/// relative to it, so they are the same in every checkout).
pub fn expand_pwd(value: &str, pwd: &str) -> String {
    value.replace("${pwd}", pwd)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names a top-level Starlark assignment in `bzl` holds: the items of
    /// `NAME = [...]` on one line, or the keys of a `NAME = {` dict (its lines
    /// indented four spaces that start with a string).
    fn starlark_names(bzl: &str, name: &str) -> Vec<String> {
        let prefix = format!("{name} = ");
        let quoted = |l: &str| -> Vec<String> {
            l.split('"')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect()
        };
        let mut lines = bzl.lines().skip_while(|l| !l.starts_with(&prefix));
        let first = lines.next().unwrap_or_else(|| panic!("no `{prefix}`"));
        if first.ends_with(']') {
            return quoted(first);
        }
        lines
            .take_while(|l| !l.starts_with('}'))
            .filter(|l| l.starts_with("    \""))
            .filter_map(|l| quoted(l).into_iter().next())
            .collect()
    }

    #[test]
    fn starlark_and_rust_agree_on_names() {
        // The lever names `--//platforms:levers_off` accepts (settings.bzl) are the driver's.
        let settings = include_str!("../../../toolchains/private/settings.bzl");
        let levers: Vec<&str> = Lever::ALL.iter().map(|(n, _)| *n).collect();
        assert_eq!(starlark_names(settings, "LEVERS"), levers);
        // Every profile's triple, release opt-level and features are ones the driver knows.
        let profiles = include_str!("../../../platforms/profiles.bzl");
        let mut triples = 0;
        for line in profiles.lines().map(str::trim) {
            let value = |key: &str| {
                line.strip_prefix(key)
                    .map(|v| v.trim_end_matches(',').trim_matches('"'))
            };
            if let Some(triple) = value("triple = ") {
                triple.parse::<Target>().unwrap();
                triples += 1;
            }
            if let Some(opt) = value("release_opt = ") {
                assert!(
                    OPT_LEVELS.contains(&opt),
                    "profiles.bzl: release_opt `{opt}`"
                );
            }
            if let Some(list) = line.strip_prefix("features = [") {
                for f in list.split('"').skip(1).step_by(2) {
                    f.parse::<WasmFeature>().unwrap();
                }
            }
        }
        assert_eq!(
            triples,
            starlark_names(profiles, "PROFILES").len(),
            "one triple per profile"
        );
    }

    fn inv(kind: CrateKind, mode: Mode) -> Invocation {
        Invocation {
            target: if kind == CrateKind::ProcMacro {
                Target::Host
            } else {
                Target::Wasm32Wasip2
            },
            mode,
            kind,
            crate_name: "demo".into(),
            edition: "2024".into(),
            src: "app/src/lib.rs".into(),
            out: "bazel-out/app/libdemo.rlib".into(),
            release_opt_level: "z".into(),
            target_features: vec![],
            metadata: "demo-app".into(),
            features: vec!["std".into()],
            cfgs: vec![],
            check_cfgs: vec![],
            externs: vec![("core".into(), "sr/libcore.rlib".into())],
            forced_externs: vec![],
            dependency_dirs: vec![],
            sysroot: Some("bazel-out/sysroot".into()),
            linker: Some("external/wasm_toolchain/bin/rust-lld".into()),
            library_root: Some("external/wasm_toolchain/library".into()),
            cwd: "/home/u/.cache/bazel/execroot/wasmrust".into(),
            memory: Memory::default(),
            panic_messages: false,
            levers_off: vec![],
            release_iteration: false,
            incremental: None,
            user_flags: vec!["-Wunused".into()],
        }
    }

    fn has(args: &[String], flag: &str) -> bool {
        args.iter().any(|a| a == flag)
    }

    #[test]
    fn release_link_is_size_tuned() {
        let a = rustc_args(&inv(CrateKind::Cdylib, Mode::Release)).unwrap();
        for f in [
            "-Copt-level=z",
            "-Clto=fat",
            "-Ccodegen-units=1",
            "-Cpanic=immediate-abort",
            "-Cdebug-assertions=off",
        ] {
            assert!(has(&a, f), "missing {f} in {a:?}");
        }
        assert!(has(&a, "-Clinker=external/wasm_toolchain/bin/rust-lld"));
        assert!(has(&a, "--crate-type=cdylib"));
    }

    #[test]
    fn each_lever_turns_back_to_cargo_release_default() {
        let release = |kind, levers: &[Lever]| {
            let mut i = inv(kind, Mode::Release);
            i.levers_off = levers.to_vec();
            if kind == CrateKind::Sysroot {
                i.crate_name = "core".into();
            }
            rustc_args(&i).unwrap()
        };
        let all = [
            Lever::OptLevel,
            Lever::Lto,
            Lever::CodegenUnits,
            Lever::OptimizeForSize,
        ];
        let link = release(CrateKind::Cdylib, &all);
        for f in ["-Copt-level=3", "-Ccodegen-units=16"] {
            assert!(has(&link, f), "missing {f} in {link:?}");
        }
        assert!(!link.iter().any(|a| a.starts_with("-Clto")));
        assert!(!has(
            &release(CrateKind::Sysroot, &all),
            "--cfg=feature=\"optimize_for_size\""
        ));
        // One lever at a time leaves the others alone.
        let lto_only = release(CrateKind::Cdylib, &[Lever::Lto]);
        assert!(
            has(&lto_only, "-Copt-level=z")
                && has(&lto_only, "-Ccodegen-units=1")
                && !has(&lto_only, "-Clto=fat")
        );
        assert!(has(
            &release(CrateKind::Sysroot, &[Lever::Lto]),
            "--cfg=feature=\"optimize_for_size\""
        ));
        // Dev ignores them.
        let mut d = inv(CrateKind::Cdylib, Mode::Dev);
        d.levers_off = all.to_vec();
        assert_eq!(
            rustc_args(&d).unwrap(),
            rustc_args(&inv(CrateKind::Cdylib, Mode::Dev)).unwrap()
        );
        assert!(
            "inline"
                .parse::<Lever>()
                .unwrap_err()
                .to_string()
                .contains("opt_level, lto")
        );
    }

    #[test]
    fn forced_externs_are_linked_with_bootstrap_but_no_features() {
        let mut i = inv(CrateKind::Cdylib, Mode::Dev);
        i.forced_externs = vec![(
            "wasm_global_heap".into(),
            "h/libwasm_global_heap.rlib".into(),
        )];
        let a = rustc_args(&i).unwrap();
        for f in [
            "--extern=force:wasm_global_heap=h/libwasm_global_heap.rlib",
            "-Zunstable-options",
            "-Zallow-features=",
        ] {
            assert!(has(&a, f), "missing {f} in {a:?}");
        }
        assert_eq!(
            rustc_env(&i, &[], None),
            vec![("RUSTC_BOOTSTRAP".to_string(), "1".to_string())]
        );
    }

    #[test]
    fn release_panics_abort_immediately_unless_messages_are_kept() {
        let mut i = inv(CrateKind::Lib, Mode::Release);
        let a = rustc_args(&i).unwrap();
        // Unstable strategy: bootstrap on, but no `#![feature]` allowed.
        for f in [
            "-Cpanic=immediate-abort",
            "-Zunstable-options",
            "-Zallow-features=",
        ] {
            assert!(has(&a, f), "missing {f} in {a:?}");
        }
        assert_eq!(
            rustc_env(&i, &[], None),
            vec![("RUSTC_BOOTSTRAP".to_string(), "1".to_string())]
        );
        i.panic_messages = true;
        let a = rustc_args(&i).unwrap();
        assert!(
            has(&a, "-Cpanic=abort")
                && !has(&a, "-Cpanic=immediate-abort")
                && !has(&a, "-Zallow-features=")
        );
        assert!(rustc_env(&i, &[], None).is_empty());
        // Dev keeps messages; the sysroot follows the crates it links with.
        let a = rustc_args(&inv(CrateKind::Lib, Mode::Dev)).unwrap();
        assert!(has(&a, "-Cpanic=abort"));
        let mut s = inv(CrateKind::Sysroot, Mode::Release);
        s.crate_name = "std".into();
        let a = rustc_args(&s).unwrap();
        assert!(has(&a, "-Cpanic=immediate-abort") && !has(&a, "-Zallow-features="));
    }

    #[test]
    fn dev_is_fast_and_checked() {
        let a = rustc_args(&inv(CrateKind::Cdylib, Mode::Dev)).unwrap();
        for f in [
            "-Copt-level=0",
            "-Ccodegen-units=16",
            "-Cdebug-assertions=on",
            "-Coverflow-checks=on",
        ] {
            assert!(has(&a, f), "missing {f} in {a:?}");
        }
        assert!(
            !a.iter()
                .any(|x| x.starts_with("-Clto") || x.starts_with("-Cincremental"))
        );
    }

    #[test]
    fn incremental_state_is_for_first_party_dev_crates_only() {
        let mut i = inv(CrateKind::Cdylib, Mode::Dev);
        i.incremental = Some("/x/bazel-out/_wasmrust_incremental/app.incremental/rustc".into());
        let a = rustc_args(&i).unwrap();
        assert!(has(
            &a,
            "-Cincremental=/x/bazel-out/_wasmrust_incremental/app.incremental/rustc"
        ));
        assert!(
            has(&a, "-Ccodegen-units=256") && has(&a, "-Copt-level=0"),
            "{a:?}"
        );
        for (kind, mode) in [
            (CrateKind::Cdylib, Mode::Release),
            (CrateKind::Sysroot, Mode::Dev),
            (CrateKind::ProcMacro, Mode::Dev),
        ] {
            let mut bad = inv(kind, mode);
            bad.incremental = i.incremental.clone();
            let e = rustc_args(&bad).unwrap_err().to_string();
            assert!(
                e.contains("only for first-party wasm crates in dev and release-iteration builds"),
                "{kind:?} {mode:?}: {e}"
            );
        }
    }

    #[test]
    fn release_iteration_trades_fat_lto_for_rebuild_speed() {
        let mut i = inv(CrateKind::Cdylib, Mode::Release);
        i.release_iteration = true;
        i.incremental = Some("/x/bazel-out/_wasmrust_incremental/app.incremental/rustc".into());
        let a = rustc_args(&i).unwrap();
        for f in [
            "-Copt-level=z",
            "-Clto=thin",
            "-Ccodegen-units=256",
            "-Cpanic=immediate-abort",
            "-Cdebug-assertions=off",
            "-Cincremental=/x/bazel-out/_wasmrust_incremental/app.incremental/rustc",
        ] {
            assert!(has(&a, f), "missing {f} in {a:?}");
        }
        assert!(!has(&a, "-Clto=fat"), "{a:?}");
        // Run outside the worker (no state): 16 units.
        i.incremental = None;
        assert!(has(&rustc_args(&i).unwrap(), "-Ccodegen-units=16"));
        // A library of the same build: no LTO (nothing links).
        i.kind = CrateKind::Lib;
        let a = rustc_args(&i).unwrap();
        assert!(has(&a, "-Ccodegen-units=16") && !a.iter().any(|x| x.starts_with("-Clto")));
        // Only first-party wasm crates in release builds.
        for (kind, mode) in [
            (CrateKind::Cdylib, Mode::Dev),
            (CrateKind::Sysroot, Mode::Release),
            (CrateKind::ProcMacro, Mode::Release),
        ] {
            let mut bad = inv(kind, mode);
            bad.release_iteration = true;
            let e = rustc_args(&bad).unwrap_err().to_string();
            assert!(
                e.contains("--release-iteration is for first-party wasm crates in release builds"),
                "{kind:?} {mode:?}: {e}"
            );
        }
    }

    #[test]
    fn libraries_do_not_link_or_lto() {
        let a = rustc_args(&inv(CrateKind::Lib, Mode::Release)).unwrap();
        assert!(
            !a.iter()
                .any(|x| x.starts_with("-Clinker") || x.starts_with("-Clto"))
        );
        assert!(has(&a, "--crate-type=rlib"));
    }

    #[test]
    fn working_directory_is_always_remapped() {
        for kind in [
            CrateKind::Sysroot,
            CrateKind::Lib,
            CrateKind::Cdylib,
            CrateKind::ProcMacro,
        ] {
            let a = rustc_args(&inv(kind, Mode::Release)).unwrap();
            assert!(
                has(
                    &a,
                    "--remap-path-prefix=/home/u/.cache/bazel/execroot/wasmrust=."
                ),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn sysroot_crates_are_optimized_even_in_dev_and_remap_library() {
        let mut i = inv(CrateKind::Sysroot, Mode::Dev);
        i.crate_name = "core".into();
        let a = rustc_args(&i).unwrap();
        assert!(has(&a, "-Copt-level=2"));
        assert!(has(&a, "-Zforce-unstable-if-unmarked"));
        assert!(has(
            &a,
            "--remap-path-prefix=external/wasm_toolchain/library=/rustc/library"
        ));
        assert!(!has(&a, "--cfg=feature=\"optimize_for_size\""));
        i.mode = Mode::Release;
        assert!(has(
            &rustc_args(&i).unwrap(),
            "--cfg=feature=\"optimize_for_size\""
        ));
        assert_eq!(
            rustc_env(&i, &[], None),
            vec![("RUSTC_BOOTSTRAP".to_string(), "1".to_string())]
        );
    }

    #[test]
    fn user_crates_get_no_bootstrap_and_user_flags_come_last() {
        let i = inv(CrateKind::Lib, Mode::Dev);
        assert!(rustc_env(&i, &[], None).is_empty());
        assert_eq!(rustc_args(&i).unwrap().last().unwrap(), "-Wunused");
    }

    #[test]
    fn proc_macros_target_the_host_only() {
        let a = rustc_args(&inv(CrateKind::ProcMacro, Mode::Release)).unwrap();
        assert!(!a.iter().any(|x| x.starts_with("--target")));
        assert!(has(&a, "--extern=proc_macro"));
        for kind in [CrateKind::Cdylib, CrateKind::Sysroot] {
            let mut bad = inv(kind, Mode::Dev);
            bad.target = Target::Host;
            let e = rustc_args(&bad).unwrap_err().to_string();
            assert!(
                e.contains("exec platform") && e.contains("lib, bin or proc-macro"),
                "{e}"
            );
        }
        let mut bad = inv(CrateKind::ProcMacro, Mode::Dev);
        bad.target = Target::Wasm32v1None;
        let e = rustc_args(&bad).unwrap_err().to_string();
        assert!(
            e.contains("exec platform") && e.contains("wasm32v1-none"),
            "{e}"
        );
    }

    fn host(kind: CrateKind, mode: Mode) -> Invocation {
        let mut i = inv(kind, mode);
        i.target = Target::Host;
        i.sysroot = Some("external/wasm_toolchain/host".into());
        i.target_features = vec![WasmFeature::Simd128];
        i.memory = Memory {
            stack_size: Some(16384),
            ..Memory::default()
        };
        i
    }

    #[test]
    fn host_crates_unwind_and_build_fast_in_every_mode() {
        for kind in [CrateKind::Lib, CrateKind::Bin, CrateKind::ProcMacro] {
            for mode in [Mode::Dev, Mode::Release] {
                let a = rustc_args(&host(kind, mode)).unwrap();
                for f in [
                    "-Copt-level=1",
                    "-Ccodegen-units=16",
                    "--sysroot=external/wasm_toolchain/host",
                ] {
                    assert!(has(&a, f), "{kind:?} {mode:?}: missing {f} in {a:?}");
                }
                let banned = [
                    "-Cpanic",
                    "-Clto",
                    "-Clinker",
                    "-Clink-arg",
                    "--target",
                    "-Ctarget-feature",
                ];
                assert!(
                    !a.iter().any(|x| banned.iter().any(|b| x.starts_with(b))),
                    "{kind:?} {mode:?}: {a:?}"
                );
                assert_eq!(
                    has(&a, "--extern=proc_macro"),
                    kind == CrateKind::ProcMacro,
                    "{kind:?}"
                );
                let env = rustc_env(&host(kind, mode), &[], None);
                assert!(
                    env.contains(&("PATH".to_string(), "/usr/bin:/bin".to_string())),
                    "{kind:?}: {env:?}"
                );
            }
        }
    }

    #[test]
    fn host_binaries_are_bins_linked_by_the_system_cc() {
        let mut i = host(CrateKind::Bin, Mode::Release);
        let a = rustc_args(&i).unwrap();
        assert!(has(&a, "--crate-type=bin"), "{a:?}");
        i.linker = None;
        assert!(
            rustc_args(&i).is_ok(),
            "a host bin needs no linker argument"
        );
        assert!(has(
            &rustc_args(&host(CrateKind::Lib, Mode::Dev)).unwrap(),
            "--crate-type=rlib"
        ));
        assert!(
            rustc_env(&inv(CrateKind::Bin, Mode::Dev), &[], None).is_empty(),
            "wasm crates get no PATH"
        );
    }

    #[test]
    fn build_script_cfgs_and_env_reach_rustc() {
        let mut i = inv(CrateKind::Lib, Mode::Dev);
        i.cfgs = vec!["fast_arithmetic=\"64\"".into()];
        i.check_cfgs = vec!["cfg(fast_arithmetic, values(\"32\", \"64\"))".into()];
        let a = rustc_args(&i).unwrap();
        assert!(has(&a, "--cfg=fast_arithmetic=\"64\""), "{a:?}");
        assert!(
            has(
                &a,
                "--check-cfg=cfg(fast_arithmetic, values(\"32\", \"64\"))"
            ),
            "{a:?}"
        );
        assert!(has(&a, "--check-cfg=cfg(feature,values(any()))"), "{a:?}");
        assert!(
            !rustc_args(&inv(CrateKind::Lib, Mode::Dev))
                .unwrap()
                .iter()
                .any(|x| x.starts_with("--check-cfg"))
        );
        let extra = [
            ("A".to_string(), "1".to_string()),
            ("OUT_DIR".to_string(), "/x/o".to_string()),
            ("A".to_string(), "2".to_string()),
        ];
        let env = rustc_env(&i, &extra, None);
        assert_eq!(
            env,
            vec![
                ("A".to_string(), "2".to_string()),
                ("OUT_DIR".to_string(), "/x/o".to_string())
            ]
        );
        assert_eq!(expand_pwd("${pwd}/out/a.rs:${pwd}", "/e"), "/e/out/a.rs:/e");
    }

    #[test]
    fn bad_values_are_rejected_with_the_allowed_set() {
        let e = "wasm64-unknown-unknown"
            .parse::<Target>()
            .unwrap_err()
            .to_string();
        assert!(e.contains("wasm32-wasip2"), "{e}");
        let mut i = inv(CrateKind::Cdylib, Mode::Release);
        i.release_opt_level = "4".into();
        assert!(
            rustc_args(&i)
                .unwrap_err()
                .to_string()
                .contains("expected one of 0, 1, 2, 3, s, z")
        );
        assert!("threads".parse::<WasmFeature>().is_err());
    }

    #[test]
    fn stack_size_and_features_reach_the_linker() {
        let mut i = inv(CrateKind::Cdylib, Mode::Release);
        i.memory = Memory {
            stack_size: Some(16384),
            initial: Some(65536),
            max: Some(4 * 65536),
        };
        i.target_features = vec![WasmFeature::Simd128];
        let a = rustc_args(&i).unwrap();
        assert!(has(&a, "-Clink-arg=-zstack-size=16384"));
        assert!(has(&a, "-Clink-arg=--initial-memory=65536"));
        assert!(has(&a, "-Clink-arg=--max-memory=262144"));
        assert!(has(&a, "-Ctarget-feature=+simd128"));
    }

    #[test]
    fn threads_link_a_shared_memory_under_bootstrap_without_features() {
        let mut i = inv(CrateKind::Cdylib, Mode::Dev);
        i.target_features = vec![WasmFeature::Atomics, WasmFeature::BulkMemory];
        let a = rustc_args(&i).unwrap();
        for f in [
            "-Ctarget-feature=+atomics,+bulk-memory",
            "-Clink-arg=--shared-memory",
            "-Clink-arg=--import-memory",
            "-Clink-arg=--max-memory=1073741824",
            "-Clink-arg=--export-if-defined=__stack_pointer",
            "-Clink-arg=--export-if-defined=__wasm_init_tls",
            "-Zallow-features=",
        ] {
            assert!(has(&a, f), "missing {f} in {a:?}");
        }
        assert!(
            rustc_env(&i, &[], None)
                .iter()
                .any(|(k, v)| k == "RUSTC_BOOTSTRAP" && v == "1")
        );
        // A library is compiled the same way but links nothing.
        i.kind = CrateKind::Lib;
        let a = rustc_args(&i).unwrap();
        assert!(has(&a, "-Zallow-features=") && !a.iter().any(|x| x.contains("__stack_pointer")));
    }

    #[test]
    fn memory_settings_are_checked() {
        let bad = [
            (
                Memory {
                    stack_size: Some(1000),
                    ..Memory::default()
                },
                "multiple of 16",
            ),
            (
                Memory {
                    max: Some(100_000),
                    ..Memory::default()
                },
                "max_memory must be a positive multiple of 65536",
            ),
            (
                Memory {
                    initial: Some(2 * PAGE),
                    max: Some(PAGE),
                    ..Memory::default()
                },
                "exceeds max_memory",
            ),
            (
                Memory {
                    stack_size: Some(PAGE),
                    max: Some(PAGE),
                    ..Memory::default()
                },
                "leaves no room",
            ),
        ];
        for (m, want) in bad {
            let mut i = inv(CrateKind::Cdylib, Mode::Release);
            i.memory = m;
            let e = rustc_args(&i).unwrap_err().to_string();
            assert!(e.contains("crate `demo`") && e.contains(want), "{e}");
        }
    }

    #[test]
    fn mvp_target_has_only_mutable_globals() {
        assert_eq!(
            module_features(Target::Wasm32v1None, &[]),
            vec![WasmFeature::MutableGlobals]
        );
        assert!(
            module_features(Target::Wasm32Wasip2, &[WasmFeature::Simd128])
                .contains(&WasmFeature::Simd128)
        );
    }
}
