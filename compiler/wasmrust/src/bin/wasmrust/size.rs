//! `wasmrust size`: where a module's bytes go, or how two builds differ in size.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use wasmrust::io;
use wasmrust::size::{self, Format};

/// Report where a module's bytes go: sections, code by kind (panics, formatting,
/// allocator), the largest functions with demangled names, retained sizes (the
/// call graph's dominator tree) and what pulled in each kind. With --diff, the
/// per-section and per-function size changes between two builds.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  wasmrust size app_core.linked.wasm --top 20 -o size.txt --json size.json --html size.html\n  wasmrust size app_core.linked.wasm --format html -o size.html\n  wasmrust size --diff old/app_core.linked.wasm new/app_core.linked.wasm\n  wasmrust size --diff old.wasm new.wasm --format html -o diff.html"
)]
pub struct Args {
    /// The module or component (with --diff: the old build).
    input: PathBuf,
    /// With --diff: the new build.
    new: Option<PathBuf>,
    /// Compare two builds (OLD NEW): size deltas per section and per function.
    #[arg(long, requires = "new")]
    diff: bool,
    /// What -o (or stdout) gets: text, html (one self-contained page) or json.
    #[arg(long, default_value = "text")]
    format: Format,
    /// How many functions to list (largest, largest retained, largest changes).
    #[arg(long, default_value_t = 30)]
    top: usize,
    /// Write the report here instead of stdout.
    #[arg(short)]
    o: Option<PathBuf>,
    /// Also write the full report as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Also write the HTML page here (not with --diff).
    #[arg(long, conflicts_with = "diff")]
    html: Option<PathBuf>,
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

pub fn run(a: Args) -> Result<()> {
    let input = &a.input;
    for out in [&a.o, &a.json, &a.html].into_iter().flatten() {
        io::ensure_not_input(out, &[input, a.new.as_deref().unwrap_or(input)])?;
    }
    let (out, json_bytes) = match (a.diff, &a.new) {
        (true, Some(new)) => {
            let (old_bytes, new_bytes) = (io::read(input)?, io::read(new)?);
            let d = size::size_diff(&old_bytes, &new_bytes).with_context(|| {
                format!(
                    "failed to parse `{}` or `{}`",
                    input.display(),
                    new.display()
                )
            })?;
            let json_bytes = serde_json::to_vec_pretty(&d)?;
            let (old_name, new_name) = (input.display().to_string(), new.display().to_string());
            let out = match a.format {
                Format::Text => size::render_diff(&old_name, &new_name, &d, a.top).into_bytes(),
                Format::Json => json_bytes.clone(),
                Format::Html => {
                    size::render_diff_html(&old_name, &new_name, &d, a.top).into_bytes()
                }
            };
            (out, json_bytes)
        }
        (false, Some(new)) => bail!(
            "unexpected second file `{}` (compare two builds with --diff OLD NEW)",
            new.display()
        ),
        (_, None) => {
            let bytes = io::read(input)?;
            let report = size::size_report(&bytes)
                .with_context(|| format!("failed to parse `{}`", input.display()))?;
            let json_bytes = serde_json::to_vec_pretty(&report)?;
            let name = file_name(input);
            if let Some(path) = &a.html {
                io::write_atomic(path, size::render_html(&name, &report, a.top).as_bytes())?;
            }
            let out = match a.format {
                Format::Text => size::render(&name, &report, a.top).into_bytes(),
                Format::Html => size::render_html(&name, &report, a.top).into_bytes(),
                Format::Json => json_bytes.clone(),
            };
            (out, json_bytes)
        }
    };
    if let Some(path) = &a.json {
        io::write_atomic(path, &json_bytes)?;
    }
    match &a.o {
        Some(path) => io::write_atomic(path, &out)?,
        None => {
            use std::io::Write;
            std::io::stdout().write_all(&out)?;
        }
    }
    Ok(())
}
