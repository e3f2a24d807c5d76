//! `wasmrust validate`: checks a module or component against a feature set.

use anyhow::Result;
use std::path::PathBuf;
use wasmrust::flags::{Target, WasmFeature, module_features};
use wasmrust::io;

/// Check that a module or component is valid for a set of features.
#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  wasmrust validate --target wasm32v1-none app.wasm --stamp app.valid"
)]
pub struct Args {
    /// The module or component to check.
    input: PathBuf,
    /// Restrict a core module to this target's default features (plus --feature).
    #[arg(long)]
    target: Option<Target>,
    /// Extra features the profile enables.
    #[arg(long = "feature")]
    features: Vec<WasmFeature>,
    /// Write this file (containing `ok`) when the input is valid.
    #[arg(long)]
    stamp: Option<PathBuf>,
}

pub fn run(a: Args) -> Result<()> {
    let bytes = io::read(&a.input)?;
    let allowed = a.target.map(|t| module_features(t, &a.features));
    wasmrust::verify::validate::validate(&a.input, &bytes, allowed.as_deref())?;
    if let Some(stamp) = a.stamp {
        io::ensure_not_input(&stamp, &[&a.input])?;
        io::write_atomic(&stamp, b"ok\n")?;
    }
    Ok(())
}
