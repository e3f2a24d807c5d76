//! `wasmrust normalize`: the custom-section policy, and the host checks
//! (features, imports, effects) when the rule names the target.

use anyhow::Result;
use std::path::PathBuf;
use wasmrust::flags::{Mode, Target, WasmFeature, module_features};
use wasmrust::verify::validate;

/// Apply the custom-section policy (names kept in dev, dropped in release).
#[derive(clap::Args)]
#[command(after_help = "Example:\n  wasmrust normalize --mode release in.wasm -o out.wasm")]
pub struct Args {
    /// The module or component.
    input: PathBuf,
    /// Output path.
    #[arg(short)]
    o: PathBuf,
    /// dev or release.
    #[arg(long)]
    mode: Mode,
    /// Also require a core module to use only this target's features (plus --feature).
    #[arg(long)]
    target: Option<Target>,
    /// Extra features the profile enables.
    #[arg(long = "feature")]
    features: Vec<WasmFeature>,
    /// The Bazel target being built (for messages).
    #[arg(long)]
    label: Option<String>,
    /// The host profile (for messages).
    #[arg(long)]
    profile: Option<String>,
    /// The hosts run non-WASI imports in JavaScript (effects: `js_call`, not `io`).
    #[arg(long)]
    js_host: bool,
}

pub fn run(a: Args) -> Result<()> {
    let allowed = a.target.map(|t| module_features(t, &a.features));
    let host = a.target.map(|target| validate::Host {
        target,
        label: a.label.as_deref(),
        profile: a.profile.as_deref(),
        js_host: a.js_host,
    });
    wasmrust::postlink::normalize::normalize(
        &a.input,
        &a.o,
        a.mode,
        allowed.as_deref(),
        host.as_ref(),
    )
}
