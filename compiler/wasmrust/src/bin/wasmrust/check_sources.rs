//! `wasmrust check-sources`: whether this binary was built from the
//! checkout's sources (`wasmrust::sources`).

use anyhow::Result;
use wasmrust::sources::{self, CheckArgs};

/// Check that this binary was built from the given sources, and copy it to -o
/// (the tool every other action runs); fail naming each file that differs.
#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  wasmrust check-sources compiler/bin/wasmrust Cargo.toml Cargo.lock \\\n    compiler/wasmrust/src/lib.rs ... -o bazel-out/k8-opt-exec/bin/compiler/bin/checked/wasmrust"
)]
pub struct Args {
    #[command(flatten)]
    check: CheckArgs,
}

pub fn run(a: Args) -> Result<()> {
    sources::check("wasmrust", sources::WASMRUST, &a.check)
}
