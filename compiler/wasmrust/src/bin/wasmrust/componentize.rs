//! `wasmrust componentize`: a component from a core module and a WIT world.

use anyhow::Result;
use std::path::PathBuf;
use wasmrust::postlink::componentize;

/// Make a component from a core module and a WIT world (wit-component).
#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  wasmrust componentize core.wasm --wit app/wit --world demo -o component.wasm"
)]
pub struct Args {
    /// The core module (already optimized).
    input: PathBuf,
    /// Output path.
    #[arg(short)]
    o: PathBuf,
    /// A `.wit` file or directory describing the world the module implements.
    #[arg(long)]
    wit: Option<PathBuf>,
    /// The world's name (optional when the package has one world).
    #[arg(long, requires = "wit")]
    world: Option<String>,
}

pub fn run(a: Args) -> Result<()> {
    let world = a.wit.as_deref().map(|path| componentize::World {
        path,
        name: a.world.as_deref(),
    });
    componentize::componentize(&a.input, &a.o, world.as_ref())
}
