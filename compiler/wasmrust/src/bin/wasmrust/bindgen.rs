//! `wasmrust bindgen`: the Rust bindings crate of a WIT world.

use anyhow::Result;
use std::path::PathBuf;
use wasmrust::postlink::componentize::World;

/// Generate the Rust bindings crate of a WIT world: types, `Guest` traits, the
/// canonical-ABI glue and an `export!` macro, as one source file.
#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  wasmrust bindgen --wit app/wit --world demo --crate-name demo_bindings -o bindings.rs"
)]
pub struct Args {
    /// A `.wit` file or directory (with `deps/`) holding the world.
    #[arg(long)]
    wit: PathBuf,
    /// The world's name (optional when the package has one world).
    #[arg(long)]
    world: Option<String>,
    /// The name the bindings crate is compiled under (its `export!` macro names it).
    #[arg(long)]
    crate_name: String,
    /// Output path.
    #[arg(short)]
    o: PathBuf,
}

pub fn run(a: Args) -> Result<()> {
    let world = World {
        path: &a.wit,
        name: a.world.as_deref(),
    };
    wasmrust::bindgen::bindgen(&world, &a.crate_name, &a.o)
}
