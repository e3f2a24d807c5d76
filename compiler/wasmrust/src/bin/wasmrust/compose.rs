//! `wasmrust compose`: plugs components into a root component's imports.

use anyhow::Result;
use std::path::PathBuf;

/// Plug components into the imports of a root component (wasm-compose): each
/// root import a plug exports under the same name is satisfied inside the result.
#[derive(clap::Args)]
#[command(after_help = "Example:\n  wasmrust compose app.wasm --plug host.wasm -o composed.wasm")]
pub struct Args {
    /// The root component: the composed component exports what it exports.
    root: PathBuf,
    /// A component whose exports satisfy imports of the root (or of another plug).
    #[arg(long = "plug", required = true)]
    plugs: Vec<PathBuf>,
    /// Output path.
    #[arg(short)]
    o: PathBuf,
}

pub fn run(a: Args) -> Result<()> {
    wasmrust::postlink::compose::compose(&a.root, &a.plugs, &a.o)
}
