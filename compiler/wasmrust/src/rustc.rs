//! Runs rustc for one crate, as one Bazel action.

use crate::flags::{self, Invocation};
use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::Command;

/// Runs `rustc` with the policy flags for `inv`. rustc's diagnostics go
/// straight to stderr; a failed compile returns an error naming the crate.
pub fn run(rustc: &Path, inv: &Invocation, extra_env: &[(String, String)], library_path: Option<&str>) -> Result<()> {
    let args = flags::rustc_args(inv)?;
    let env = flags::rustc_env(inv, extra_env, library_path);
    let mut cmd = Command::new(rustc);
    cmd.args(&args).env_clear().envs(env.iter().map(|(k, v)| (k, v)));
    if std::env::var_os("WASMRUST_VERBOSE").is_some() {
        eprintln!("wasmrust: {} {}", rustc.display(), args.join(" "));
    }
    let status = cmd
        .status()
        .with_context(|| format!("failed to run rustc at `{}` (is the pinned toolchain installed?)", rustc.display()))?;
    if !status.success() {
        bail!("rustc failed to compile crate `{}` ({}) for {}", inv.crate_name, inv.src, inv.target);
    }
    if !Path::new(&inv.out).exists() {
        bail!("rustc succeeded but wrote no `{}`", inv.out);
    }
    Ok(())
}
