//! `wasmrust opt`: the release optimizer (binaryen through the `wasm-opt`
//! crate), after the effects check when the rule asks for it.

use anyhow::{Result, bail};
use std::path::PathBuf;
use wasmrust::flags::{Mode, Target, WasmFeature, module_features};
use wasmrust::postlink::optimize;
use wasmrust::verify::validate;

/// Optimize a core module with binaryen (the `wasm-opt` crate).
#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  wasmrust opt --target wasm32-wasip2 --level Oz --converge in.wasm -o out.wasm"
)]
pub struct Args {
    /// The core module.
    input: PathBuf,
    /// Output path.
    #[arg(short)]
    o: PathBuf,
    /// The target the module was compiled for (sets the allowed features).
    #[arg(long)]
    target: Target,
    /// Extra features the profile enables.
    #[arg(long = "feature")]
    features: Vec<WasmFeature>,
    /// The toolchain's policy for this build mode (release: -Oz to
    /// convergence); instead of --level and --converge.
    #[arg(long, conflicts_with_all = ["level", "converge"])]
    mode: Option<Mode>,
    /// O1, O2, O3, Os or Oz.
    #[arg(long, default_value = "Oz")]
    level: optimize::Level,
    /// Repeat the passes while the module keeps shrinking.
    #[arg(long)]
    converge: bool,
    /// Check the module's `#[wasm::effect]` declarations, then strip the
    /// `wasmrust.fx.*` exports and records before optimizing.
    #[arg(long)]
    check_effects: bool,
    /// The Bazel target being built (for messages).
    #[arg(long)]
    label: Option<String>,
    /// The hosts run non-WASI imports in JavaScript (effects: `js_call`, not `io`).
    #[arg(long)]
    js_host: bool,
}

pub fn run(a: Args) -> Result<()> {
    let (level, converge) = match a.mode {
        None => (a.level, a.converge),
        Some(Mode::Release) => optimize::RELEASE,
        Some(Mode::Dev) => bail!(
            "`wasmrust opt --mode dev`: dev builds are not optimized (the dev pipeline \
             skips this step); pass --mode release, or --level for a one-off run"
        ),
    };
    let host = validate::Host {
        target: a.target,
        label: a.label.as_deref(),
        profile: None,
        js_host: a.js_host,
    };
    optimize::optimize(
        &a.input,
        &a.o,
        level,
        &module_features(a.target, &a.features),
        converge,
        a.check_effects.then_some(&host),
    )
}
