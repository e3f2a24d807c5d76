//! `wasmrust rustc`: compiles one crate with the flag policy for its target,
//! mode and kind (`wasmrust::flags`), in the persistent worker's incremental
//! session when the action asks for one.

use anyhow::{Context, Result};
use std::path::PathBuf;
use wasmrust::build_script;
use wasmrust::flags::{
    CrateKind, Invocation, Lever, Memory, Mode, Target, WasmFeature, expand_pwd, parse_pair,
};
use wasmrust::worker;

/// Compile one crate with the flag policy for its target, mode and kind.
#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  wasmrust rustc --rustc external/wasm_toolchain/bin/rustc --target wasm32-wasip2 \\\n    --mode release --kind lib --crate-name app --edition 2024 --src app/src/lib.rs \\\n    --out bazel-out/app/libapp.rlib --sysroot bazel-out/sysroot"
)]
pub struct Args {
    /// The pinned rustc.
    #[arg(long)]
    rustc: PathBuf,
    #[arg(long)]
    target: Target,
    #[arg(long)]
    mode: Mode,
    #[arg(long)]
    kind: CrateKind,
    #[arg(long)]
    crate_name: String,
    #[arg(long)]
    edition: String,
    #[arg(long)]
    src: String,
    #[arg(long)]
    out: String,
    /// The profile's release opt-level.
    #[arg(long, default_value = wasmrust::flags::DEFAULT_RELEASE_OPT_LEVEL)]
    opt_level: String,
    /// Keep panic messages in release (`-Cpanic=abort`; default `immediate-abort`).
    #[arg(long)]
    panic_messages: bool,
    /// A release lever turned back to cargo's default (opt_level, lto, codegen_units, optimize_for_size).
    #[arg(long = "lever-off")]
    levers_off: Vec<Lever>,
    #[arg(long = "target-feature")]
    target_features: Vec<WasmFeature>,
    /// Defaults to the crate name.
    #[arg(long)]
    metadata: Option<String>,
    #[arg(long = "feature")]
    features: Vec<String>,
    #[arg(long = "cfg")]
    cfgs: Vec<String>,
    /// NAME=PATH
    #[arg(long = "extern", value_parser = parse_pair)]
    externs: Vec<(String, String)>,
    /// NAME=PATH: a crate linked although the source never names it (the
    /// global allocator crate); rustc's unstable `--extern force:`.
    #[arg(long = "force-extern", value_parser = parse_pair)]
    forced_externs: Vec<(String, String)>,
    #[arg(long = "dependency-dir")]
    dependency_dirs: Vec<String>,
    #[arg(long)]
    sysroot: Option<String>,
    #[arg(long)]
    linker: Option<String>,
    #[arg(long)]
    library_root: Option<String>,
    /// Directory of the toolchain's shared libraries (LD_LIBRARY_PATH for rustc).
    #[arg(long)]
    library_path: Option<String>,
    #[command(flatten)]
    memory: Memory,
    /// KEY=VALUE set in rustc's environment (for `env!`); `${pwd}` becomes the working directory.
    #[arg(long = "env", value_parser = parse_pair)]
    env: Vec<(String, String)>,
    /// A flags file written by `wasmrust build-script` (cfg, check-cfg and env lines).
    #[arg(long)]
    build_script_flags: Option<PathBuf>,
    /// The build script's OUT_DIR (set, made absolute, in rustc's environment).
    #[arg(long)]
    out_dir: Option<PathBuf>,
    /// Appended to the error when rustc fails (e.g. which third-party crate this is, and who needs it).
    #[arg(long)]
    context: Option<String>,
    /// Keep rustc's incremental state between builds when the persistent worker runs this
    /// (`--//platforms:incremental`, dev and release-iteration builds of first-party crates); a
    /// one-shot run compiles from scratch as before.
    #[arg(long)]
    incremental: bool,
    /// A release build tuned for rebuild speed, not for shipping (`--config=release-iter`):
    /// thin LTO, several codegen units, incremental state allowed.
    #[arg(long)]
    release_iteration: bool,
    /// The user's `rustc_flags`, after `--`.
    #[arg(last = true)]
    user_flags: Vec<String>,
}

pub fn run(a: Args) -> Result<()> {
    let cwd = std::env::current_dir().context("failed to read the working directory")?;
    let pwd = cwd.to_string_lossy().into_owned();
    let mut script = build_script::RustcFlags::default();
    if let Some(path) = &a.build_script_flags {
        let text = String::from_utf8(wasmrust::io::read(path)?)
            .with_context(|| format!("`{}` is not UTF-8", path.display()))?;
        script = build_script::parse_flags_file(&path.display().to_string(), &text, &pwd)?;
    }
    // Later entries win: the build script's env, then --env, then OUT_DIR.
    let mut env = script.env;
    env.extend(a.env.iter().map(|(k, v)| (k.clone(), expand_pwd(v, &pwd))));
    if let Some(dir) = &a.out_dir {
        env.push((
            "OUT_DIR".into(),
            cwd.join(dir).to_string_lossy().into_owned(),
        ));
    }
    let mut cfgs = a.cfgs;
    cfgs.extend(script.cfgs);
    let session = match std::env::var_os(worker::INCREMENTAL_ROOT_ENV) {
        Some(root) if a.incremental && (a.mode == Mode::Dev || a.release_iteration) => {
            Some(worker::IncrementalSession::open(root.as_ref(), &a.out)?)
        }
        _ => None,
    };
    if session.as_ref().is_some_and(|s| s.discarded) {
        eprintln!(
            "wasmrust: the last compile of `{}` did not finish; its incremental state was discarded",
            a.out
        );
    }
    let inv = Invocation {
        target: a.target,
        mode: a.mode,
        kind: a.kind,
        metadata: a.metadata.unwrap_or_else(|| a.crate_name.clone()),
        crate_name: a.crate_name,
        edition: a.edition,
        src: a.src,
        out: a.out,
        release_opt_level: a.opt_level,
        target_features: a.target_features,
        features: a.features,
        cfgs,
        check_cfgs: script.check_cfgs,
        externs: a.externs,
        forced_externs: a.forced_externs,
        dependency_dirs: a.dependency_dirs,
        sysroot: a.sysroot,
        linker: a.linker,
        library_root: a.library_root,
        cwd: pwd,
        memory: a.memory,
        panic_messages: a.panic_messages,
        levers_off: a.levers_off,
        release_iteration: a.release_iteration,
        incremental: session
            .as_ref()
            .map(|s| s.rustc_dir().to_string_lossy().into_owned()),
        user_flags: a.user_flags,
    };
    let result = wasmrust::rustc::run(
        &a.rustc,
        &inv,
        &env,
        a.library_path.as_deref(),
        a.context.as_deref(),
    );
    // A compile error is a finished compile too: its state is consistent.
    if let Some(session) = session {
        session.finish()?;
    }
    result
}
