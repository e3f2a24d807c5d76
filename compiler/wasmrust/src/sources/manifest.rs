//! The manifest of a host tool's sources: one `SHA256  PATH` line per file
//! (the format `sha256sum` prints), sorted by path, with paths relative to
//! the workspace root. The tools' build scripts include this file with
//! `#[path]` and embed the manifest in the binary; [`crate::sources`] compares
//! it with the files a Bazel action is given.

use sha2::{Digest, Sha256};
use std::fs;
use std::io;
use std::path::Path;

/// What `wasmrust` is built from, relative to the workspace root: files, and
/// directories taken whole. The root `BUILD.bazel` globs the same set.
pub const WASMRUST: &[&str] = &[
    "Cargo.toml",
    "Cargo.lock",
    "compiler/wasmrust/Cargo.toml",
    "compiler/wasmrust/build.rs",
    "compiler/wasmrust/src",
    "crates/wasm/Cargo.toml",
    "crates/wasm/src",
];

/// What `wasmrust-run` adds to [`WASMRUST`] (it links the `wasmrust` library).
pub const RUNNER: &[&str] = &[
    "compiler/wasmrust-run/Cargo.toml",
    "compiler/wasmrust-run/build.rs",
    "compiler/wasmrust-run/src",
];

/// The manifest line of one file.
pub fn line(path: &str, bytes: &[u8]) -> String {
    format!("{:x}  {path}\n", Sha256::digest(bytes))
}

/// The manifest of every file under `roots` (relative to `workspace`).
pub fn walk(workspace: &Path, roots: &[&str]) -> io::Result<String> {
    let mut files = Vec::new();
    for root in roots {
        collect(workspace, root, &mut files)?;
    }
    files.sort();
    let mut manifest = String::new();
    for file in &files {
        manifest.push_str(&line(file, &fs::read(workspace.join(file))?));
    }
    Ok(manifest)
}

fn collect(workspace: &Path, rel: &str, files: &mut Vec<String>) -> io::Result<()> {
    let path = workspace.join(rel);
    if !path.is_dir() {
        files.push(rel.to_owned());
        return Ok(());
    }
    for entry in fs::read_dir(&path)? {
        let name = entry?.file_name();
        let Some(name) = name.to_str() else {
            return Err(io::Error::other(format!(
                "`{}` holds a file whose name is not UTF-8",
                path.display()
            )));
        };
        collect(workspace, &format!("{rel}/{name}"), files)?;
    }
    Ok(())
}

/// For a build script: writes the manifest of `roots` to `$OUT_DIR/sources.manifest`
/// and asks Cargo to rerun the script when any of them changes.
pub fn embed(roots: &[&[&str]]) -> io::Result<()> {
    let var = |name: &str| {
        std::env::var_os(name).ok_or_else(|| io::Error::other(format!("{name} is not set")))
    };
    let crate_dir = std::path::PathBuf::from(var("CARGO_MANIFEST_DIR")?);
    let workspace = crate_dir.join("../..");
    let roots: Vec<&str> = roots.iter().flat_map(|r| r.iter().copied()).collect();
    for root in &roots {
        println!("cargo:rerun-if-changed={}", workspace.join(root).display());
    }
    let manifest = walk(&workspace, &roots)?;
    fs::write(
        Path::new(&var("OUT_DIR")?).join("sources.manifest"),
        manifest,
    )
}
