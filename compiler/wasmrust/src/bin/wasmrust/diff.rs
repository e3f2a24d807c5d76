//! `wasmrust diff`: where two builds of a module or component differ.

use anyhow::{Context, Result};
use std::path::PathBuf;
use wasmrust::io;

/// Show where two builds of a module or component differ: the first differing byte's
/// section and function (demangled name), and the sections whose sizes differ.
/// Exit status 0 when identical, 1 when they differ.
#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  wasmrust diff a/component.wasm b/component.wasm --json diff.json"
)]
pub struct Args {
    /// The first file.
    a: PathBuf,
    /// The second file.
    b: PathBuf,
    /// Also write the difference as JSON here (`null` when identical).
    #[arg(long)]
    json: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<()> {
    let Args { a, b, json } = args;
    let (ba, bb) = (io::read(&a)?, io::read(&b)?);
    if let Some(out) = &json {
        io::ensure_not_input(out, &[&a, &b])?;
    }
    let d = wasmrust::diff::diff(&ba, &bb)
        .with_context(|| format!("failed to parse `{}` or `{}`", a.display(), b.display()))?;
    if let Some(path) = json {
        io::write_atomic(&path, &serde_json::to_vec_pretty(&d)?)?;
    }
    match d {
        None => println!("{} and {} are identical", a.display(), b.display()),
        Some(d) => {
            print!(
                "{}",
                wasmrust::diff::report(&a.display().to_string(), &b.display().to_string(), &d)
            );
            std::process::exit(1);
        }
    }
    Ok(())
}
