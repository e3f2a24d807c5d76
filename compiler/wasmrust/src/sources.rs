//! Whether a prebuilt host tool was built from the sources the checkout holds.
//!
//! The setup command builds `wasmrust` and `wasmrust-run` with Cargo, outside
//! Bazel. Each embeds the [`manifest`] of its sources (its build script walks
//! them), and Bazel runs each tool once as `check-sources` over the same files
//! (`//compiler/bin:driver`, `//compiler/bin:runner`). The action fails, naming
//! every file that differs and the command that rebuilds the tools, when the
//! binary is older or newer than the sources; otherwise it copies the binary,
//! and every other action runs that copy. So an edit under `compiler/` never
//! goes silently unused, and only a rebuilt tool reruns the actions that use it.

pub mod manifest;

use crate::io;
use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The manifest of the sources this `wasmrust` was built from.
pub const WASMRUST: &str = include_str!(concat!(env!("OUT_DIR"), "/sources.manifest"));

/// The options of `check-sources`, shared by both tools.
#[derive(clap::Args)]
pub struct CheckArgs {
    /// This tool's binary (in compiler/bin), copied to --out when it matches.
    pub binary: PathBuf,
    /// Every source file of the tool, as the action is given them.
    #[arg(required = true)]
    pub sources: Vec<PathBuf>,
    /// Where the workspace root is, relative to the working directory
    /// (Bazel's `workspace_root` of the label; empty for the main repository).
    #[arg(long, default_value = "")]
    pub root: String,
    /// The Bazel target that runs the check, for the error message.
    #[arg(long)]
    pub label: Option<String>,
    /// The checked copy of the binary.
    #[arg(short, long)]
    pub out: PathBuf,
}

/// How a checkout's sources differ from the ones a tool was built from.
#[derive(Debug, Default, PartialEq, Eq)]
struct Drift {
    changed: Vec<String>,
    added: Vec<String>,
    removed: Vec<String>,
}

impl Drift {
    fn is_empty(&self) -> bool {
        self.changed.is_empty() && self.added.is_empty() && self.removed.is_empty()
    }
}

fn entries(manifest: &str) -> BTreeMap<&str, &str> {
    manifest
        .lines()
        .filter_map(|l| l.split_once("  "))
        .map(|(hash, path)| (path, hash))
        .collect()
}

/// Compares the manifest a tool was built from with the checkout's.
fn drift(built_from: &str, checkout: &str) -> Drift {
    let (old, new) = (entries(built_from), entries(checkout));
    let mut d = Drift::default();
    for (path, hash) in &new {
        match old.get(path) {
            None => d.added.push((*path).to_owned()),
            Some(h) if h != hash => d.changed.push((*path).to_owned()),
            Some(_) => {}
        }
    }
    d.removed = old
        .keys()
        .filter(|p| !new.contains_key(*p))
        .map(|p| (*p).to_owned())
        .collect();
    d
}

/// `check-sources`: fails when `tool` (whose embedded manifest is
/// `built_from`) was not built from `args.sources`; otherwise copies it to `args.out`.
pub fn check(tool: &str, built_from: &str, args: &CheckArgs) -> Result<()> {
    // Order does not matter: `drift` compares by path.
    let mut checkout = String::new();
    for src in &args.sources {
        let rel = src
            .strip_prefix(&args.root)
            .with_context(|| format!("`{}` is not under `{}`", src.display(), args.root))?;
        let Some(rel) = rel.to_str() else {
            bail!("`{}` is not a UTF-8 path", src.display());
        };
        checkout.push_str(&manifest::line(rel, &io::read(src)?));
    }
    let d = drift(built_from, &checkout);
    if !d.is_empty() {
        let target = args
            .label
            .as_deref()
            .map(|l| format!(" (target {l})"))
            .unwrap_or_default();
        let mut msg = format!(
            "`{}` was built from other sources than this checkout holds{target}:",
            args.binary.display()
        );
        for (what, paths) in [
            ("changed", &d.changed),
            ("new", &d.added),
            ("gone", &d.removed),
        ] {
            for p in paths.iter().take(10) {
                msg.push_str(&format!("\n  {what}: {p}"));
            }
            if paths.len() > 10 {
                msg.push_str(&format!("\n  ... and {} more {what}", paths.len() - 10));
            }
        }
        bail!(
            "{msg}\nBazel would run a {tool} that does not do what its sources say; \
             rebuild the host tools with `bash tools/setup.sh tools`, then build again"
        );
    }
    copy_executable(&args.binary, &args.out)
}

fn copy_executable(binary: &Path, out: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    io::ensure_not_input(out, &[binary])?;
    let mut file = std::fs::File::open(binary)
        .with_context(|| format!("failed to read `{}`", binary.display()))?;
    io::write_atomic_from(out, &mut file)?;
    std::fs::set_permissions(out, std::fs::Permissions::from_mode(0o755))
        .with_context(|| format!("failed to make `{}` executable", out.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest_of(files: &[(&str, &str)]) -> String {
        files
            .iter()
            .map(|(p, c)| manifest::line(p, c.as_bytes()))
            .collect()
    }

    #[test]
    fn drift_names_changed_new_and_gone_files() {
        let built = manifest_of(&[("a.rs", "1"), ("b.rs", "2"), ("c.rs", "3")]);
        assert!(drift(&built, &built).is_empty());
        let now = manifest_of(&[("a.rs", "1"), ("b.rs", "2 edited"), ("d.rs", "4")]);
        assert_eq!(
            drift(&built, &now),
            Drift {
                changed: vec!["b.rs".into()],
                added: vec!["d.rs".into()],
                removed: vec!["c.rs".into()],
            }
        );
    }

    #[test]
    fn the_embedded_manifest_is_this_checkouts() {
        // The manifest Cargo embedded is the one the same walk gives now: this
        // test binary was built from the sources it runs beside.
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        assert_eq!(
            WASMRUST,
            manifest::walk(&workspace, manifest::WASMRUST).unwrap()
        );
    }

    #[test]
    fn check_copies_a_matching_binary_and_refuses_a_stale_one() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("repo/compiler/wasmrust/src/lib.rs");
        std::fs::create_dir_all(src.parent().unwrap()).unwrap();
        std::fs::write(&src, "fn f() {}\n").unwrap();
        let binary = dir.path().join("tool");
        std::fs::write(&binary, b"\x7fELF").unwrap();
        let args = CheckArgs {
            binary: binary.clone(),
            sources: vec![src.clone()],
            root: dir.path().join("repo").display().to_string(),
            label: Some("//compiler/bin:driver".into()),
            out: dir.path().join("checked/tool"),
        };
        std::fs::create_dir_all(dir.path().join("checked")).unwrap();
        let built = manifest::line("compiler/wasmrust/src/lib.rs", b"fn f() {}\n");
        check("wasmrust", &built, &args).unwrap();
        assert_eq!(std::fs::read(&args.out).unwrap(), b"\x7fELF");

        std::fs::remove_file(&args.out).unwrap();
        std::fs::write(&src, "fn f() { edited() }\n").unwrap();
        let err = format!("{:#}", check("wasmrust", &built, &args).unwrap_err());
        assert!(
            err.contains("changed: compiler/wasmrust/src/lib.rs"),
            "{err}"
        );
        assert!(err.contains("(target //compiler/bin:driver)"), "{err}");
        assert!(err.contains("bash tools/setup.sh tools"), "{err}");
        assert!(!args.out.exists(), "a refused tool is not copied");
    }
}
