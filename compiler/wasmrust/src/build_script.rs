//! Runs a compiled Cargo build script (`build.rs`) as one hermetic Bazel
//! action, the way cargo does, and records what it asks of rustc in a flags
//! file that `wasmrust rustc --build-script-flags` reads.
//!
//! The flags file has one entry a line, in the order the script printed them:
//!
//! * `cfg=VALUE`: rustc gets `--cfg=VALUE` (`cargo::rustc-cfg`);
//! * `check-cfg=VALUE`: rustc gets `--check-cfg=VALUE` (`cargo::rustc-check-cfg`);
//! * `env=NAME=VALUE`: rustc runs with `NAME=VALUE` for `env!` (`cargo::rustc-env`).
//!
//! Absolute paths under the working directory are written as `${pwd}`, so the
//! file is the same in every checkout; the reader puts the directory back.

use crate::flags::{Mode, Target, debug_assertions, expand_pwd};
use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// One entry of a flags file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Flag {
    /// `--cfg=VALUE`.
    Cfg(String),
    /// `--check-cfg=VALUE`.
    CheckCfg(String),
    /// An environment variable for rustc.
    Env(String, String),
}

impl Flag {
    /// The flags-file line (without its newline), with `cwd` written as `${pwd}`.
    pub fn to_line(&self, cwd: &str) -> String {
        match self {
            Flag::Cfg(v) => format!("cfg={}", abstract_pwd(v, cwd)),
            Flag::CheckCfg(v) => format!("check-cfg={}", abstract_pwd(v, cwd)),
            Flag::Env(k, v) => format!("env={k}={}", abstract_pwd(v, cwd)),
        }
    }
}

/// What `wasmrust rustc` takes from a flags file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RustcFlags {
    /// `--cfg` values.
    pub cfgs: Vec<String>,
    /// `--check-cfg` values.
    pub check_cfgs: Vec<String>,
    /// Environment variables, in file order.
    pub env: Vec<(String, String)>,
}

/// Parses the flags file `text` (`name` names it in errors), replacing
/// `${pwd}` in every value with the absolute working directory `pwd`.
pub fn parse_flags_file(name: &str, text: &str, pwd: &str) -> Result<RustcFlags> {
    let mut f = RustcFlags::default();
    for (i, line) in text.lines().enumerate() {
        if line.is_empty() {
            continue;
        }
        let bad = || {
            anyhow::anyhow!(
                "{name}:{}: expected `cfg=VALUE`, `check-cfg=VALUE` or `env=NAME=VALUE`, got `{line}`",
                i + 1
            )
        };
        let (key, value) = line.split_once('=').ok_or_else(bad)?;
        let value = expand_pwd(value, pwd);
        match key {
            "cfg" => f.cfgs.push(value),
            "check-cfg" => f.check_cfgs.push(value),
            "env" => match value.split_once('=') {
                Some((k, v)) if !k.is_empty() => f.env.push((k.to_string(), v.to_string())),
                _ => return Err(bad()),
            },
            _ => return Err(bad()),
        }
    }
    Ok(f)
}

/// The flags file for `flags`: one line each, `cwd` written as `${pwd}`.
pub fn flags_file(flags: &[Flag], cwd: &str) -> String {
    flags.iter().map(|f| f.to_line(cwd) + "\n").collect()
}

/// Replaces the absolute directory `cwd` in `value` with `${pwd}`, where it
/// is a whole path prefix (`/e/x` and `/e` match `/e`; `/ex` does not).
pub fn abstract_pwd(value: &str, cwd: &str) -> String {
    if cwd.is_empty() || cwd == "/" {
        return value.to_string();
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(i) = rest.find(cwd) {
        let after = &rest[i + cwd.len()..];
        let whole =
            !after.starts_with(|c: char| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
        out.push_str(&rest[..i]);
        out.push_str(if whole { "${pwd}" } else { cwd });
        rest = after;
    }
    out.push_str(rest);
    out
}

/// The package a build script belongs to, for messages.
#[derive(Clone, Copy, Debug)]
pub struct Package<'a> {
    /// `CARGO_PKG_NAME`.
    pub name: &'a str,
    /// `CARGO_PKG_VERSION`.
    pub version: &'a str,
    /// The target the crate is built for.
    pub target: Target,
    /// Where the crate comes from and who needs it (supplied by Bazel).
    pub context: Option<&'a str>,
}

impl Package<'_> {
    /// `; CONTEXT`, or nothing.
    fn context(&self) -> String {
        self.context.map(|c| format!("; {c}")).unwrap_or_default()
    }
}

/// One `cargo:` / `cargo::` instruction of a build script's stdout.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Directive {
    /// Something for rustc.
    Flag(Flag),
    /// `warning=`: shown to the user.
    Warning(String),
    /// `cargo::error=`: the build fails.
    Error(String),
    /// `rustc-link-lib=` (or `-l` in `rustc-flags=`): the library's name.
    NativeLib(String),
    /// `rustc-link-search=` (or `-L` in `rustc-flags=`).
    LinkSearch(String),
    /// A `rustc-link-arg*` variant: the instruction and its value.
    LinkArg(String, String),
    /// An unknown `cargo::` instruction.
    Unknown(String),
}

/// Parses one line of a build script's stdout like cargo: `None` for lines
/// that are not instructions and for instructions with no effect here
/// (`rerun-if-*`, and `metadata`: cargo turns metadata, including every
/// unknown legacy `cargo:KEY=VALUE`, into `DEP_<LINKS>_<KEY>` variables for
/// the build scripts of dependants, which WasmRust does not support).
fn directive(line: &str) -> Result<Option<Directive>> {
    let (rest, new_syntax) = match (line.strip_prefix("cargo::"), line.strip_prefix("cargo:")) {
        (Some(rest), _) => (rest, true),
        (None, Some(rest)) => (rest, false),
        (None, None) => return Ok(None),
    };
    let Some((key, value)) = rest.split_once('=') else {
        if new_syntax {
            bail!("malformed build script instruction `{line}`: expected `cargo::KEY=VALUE`");
        }
        return Ok(None);
    };
    let (key, value) = (key.trim(), value.trim().to_string());
    Ok(Some(match key {
        "rustc-cfg" => Directive::Flag(Flag::Cfg(value)),
        "rustc-check-cfg" => Directive::Flag(Flag::CheckCfg(value)),
        "rustc-env" => match value.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => {
                Directive::Flag(Flag::Env(k.trim().to_string(), v.to_string()))
            }
            _ => bail!(
                "malformed build script instruction `{line}`: expected `rustc-env=NAME=VALUE`"
            ),
        },
        "warning" => Directive::Warning(value),
        "error" if new_syntax => Directive::Error(value),
        "rustc-link-lib" => Directive::NativeLib(lib_name(&value)),
        "rustc-link-search" => Directive::LinkSearch(value),
        "rustc-flags" => return rustc_flags(line, &value).map(Some),
        k if k.starts_with("rustc-link-arg")
            || k == "rustc-cdylib-link-arg"
            || k == "rustc-bin-link-arg" =>
        {
            Directive::LinkArg(k.to_string(), value)
        }
        "rerun-if-changed" | "rerun-if-env-changed" | "metadata" => return Ok(None),
        k if new_syntax => Directive::Unknown(k.to_string()),
        _ => return Ok(None),
    }))
}

/// The library name in `[KIND[:MODIFIERS]=]NAME[:RENAME]`.
fn lib_name(spec: &str) -> String {
    let name = spec.rsplit_once('=').map_or(spec, |(_, n)| n);
    name.split(':').next().unwrap_or(name).to_string()
}

/// `rustc-flags=`: only `-l` and `-L` are allowed (as in cargo); a library
/// makes it a [`Directive::NativeLib`], otherwise it is a search path.
fn rustc_flags(line: &str, value: &str) -> Result<Directive> {
    let mut words = value.split_whitespace();
    let mut search = None;
    while let Some(w) = words.next() {
        let (flag, arg) = match w.get(..2) {
            Some(f @ ("-l" | "-L")) if w.len() > 2 => (f, w[2..].to_string()),
            Some(f @ ("-l" | "-L")) => (f, words.next().unwrap_or_default().to_string()),
            _ => bail!(
                "malformed build script instruction `{line}`: only `-l` and `-L` flags are allowed"
            ),
        };
        if flag == "-l" {
            return Ok(Directive::NativeLib(lib_name(&arg)));
        }
        search.get_or_insert(arg);
    }
    Ok(Directive::LinkSearch(search.unwrap_or_default()))
}

/// What a build script's stdout asks for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScriptOutput {
    /// The flags-file entries, in the order printed.
    pub flags: Vec<Flag>,
    /// Messages for stderr (each a `warning: ...` line).
    pub warnings: Vec<String>,
    /// Reasons the build fails (empty when it succeeds).
    pub errors: Vec<String>,
}

/// Interprets a build script's stdout for `pkg`'s target.
pub fn interpret(stdout: &str, pkg: &Package) -> ScriptOutput {
    let mut out = ScriptOutput::default();
    let warn = |out: &mut ScriptOutput, msg: String| {
        out.warnings
            .push(format!("warning: build script of `{}`: {msg}", pkg.name))
    };
    let wasm = pkg.target != Target::Host;
    for line in stdout.lines() {
        match directive(line) {
            Ok(None) => {}
            Ok(Some(Directive::Flag(f))) => out.flags.push(f),
            Ok(Some(Directive::Warning(w))) => warn(&mut out, w),
            Ok(Some(Directive::Error(e))) => out.errors.push(format!(
                "build script of crate `{} {}` reported an error for {}: {e}{}",
                pkg.name,
                pkg.version,
                pkg.target,
                pkg.context()
            )),
            Ok(Some(Directive::NativeLib(lib))) => out.errors.push(native_lib_error(pkg, &lib)),
            Ok(Some(Directive::LinkSearch(dir))) if wasm => warn(
                &mut out,
                format!(
                    "ignoring link search path `{dir}`: {} links no native libraries",
                    pkg.target
                ),
            ),
            Ok(Some(Directive::LinkSearch(_))) => {}
            Ok(Some(Directive::LinkArg(key, arg))) => warn(
                &mut out,
                format!(
                    "ignoring `{key}={arg}`: WasmRust passes no linker arguments from build scripts"
                ),
            ),
            Ok(Some(Directive::Unknown(key))) => warn(
                &mut out,
                format!("ignoring unknown instruction `cargo::{key}`"),
            ),
            Err(e) => out.errors.push(format!(
                "build script of crate `{} {}`: {e}{}",
                pkg.name,
                pkg.version,
                pkg.context()
            )),
        }
    }
    out
}

/// The error for a build script that asks to link native library `lib`.
fn native_lib_error(pkg: &Package, lib: &str) -> String {
    let why = if pkg.target == Target::Host {
        format!(
            "which WasmRust cannot provide for {} (host crates have no C toolchain)",
            pkg.target
        )
    } else {
        format!("which cannot exist for {}", pkg.target)
    };
    format!(
        "crate `{} {}` links native library `{lib}` (its build script asks for it), {why}{}; \
         use a pure-Rust alternative or disable the feature that needs it",
        pkg.name,
        pkg.version,
        pkg.context()
    )
}

/// `CARGO_CFG_<KEY>` variables from `rustc --print cfg` output: keys
/// uppercased, the values of a repeated key joined with `,` in printed
/// order, and a bare key (`unix`, `debug_assertions`) set to "".
pub fn cfg_env(print_cfg: &str) -> Vec<(String, String)> {
    let mut keys: Vec<String> = Vec::new();
    let mut values: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in print_cfg.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (key, value) = match line.split_once('=') {
            Some((k, v)) => (k, Some(v.trim_matches('"').to_string())),
            None => (line, None),
        };
        let name = format!("CARGO_CFG_{}", key.to_uppercase());
        if !values.contains_key(&name) {
            keys.push(name.clone());
        }
        values.entry(name).or_default().extend(value);
    }
    keys.into_iter()
        .map(|k| {
            let v = values[&k].join(",");
            (k, v)
        })
        .collect()
}

/// `[MAJOR, MINOR, PATCH, PRE]` of a semver version (`1.0.0-rc.1+build`).
fn version_parts(version: &str) -> Result<[String; 4]> {
    let core = version.split('+').next().unwrap_or_default();
    let (core, pre) = core.split_once('-').unwrap_or((core, ""));
    let nums: Vec<&str> = core.split('.').collect();
    if nums.len() != 3
        || nums
            .iter()
            .any(|n| n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()))
    {
        bail!("invalid package version `{version}`: expected MAJOR.MINOR.PATCH[-PRE][+BUILD]");
    }
    Ok([nums[0].into(), nums[1].into(), nums[2].into(), pre.into()])
}

/// Everything one build-script run depends on: the options of
/// `wasmrust build-script`. Paths are relative to the working directory (the
/// execroot) as Bazel passes them.
#[derive(Clone, Debug, clap::Args)]
pub struct BuildScript {
    /// The compiled build script (a host executable).
    #[arg(long)]
    pub script: PathBuf,
    /// The pinned rustc (the script's RUSTC).
    #[arg(long)]
    pub rustc: PathBuf,
    /// Directory of the toolchain's shared libraries (LD_LIBRARY_PATH).
    #[arg(long)]
    pub library_path: PathBuf,
    /// The sysroot for the script's own rustc probes (in CARGO_ENCODED_RUSTFLAGS).
    #[arg(long)]
    pub sysroot: Option<PathBuf>,
    /// The target the crate is built for (TARGET and CARGO_CFG_*).
    #[arg(long)]
    pub target: Target,
    #[arg(long)]
    pub mode: Mode,
    /// The crate's directory (CARGO_MANIFEST_DIR; the script runs there).
    #[arg(long)]
    pub manifest_dir: PathBuf,
    #[arg(long)]
    pub pkg_name: String,
    #[arg(long)]
    pub pkg_version: String,
    /// An enabled cargo feature (CARGO_FEATURE_<NAME>=1).
    #[arg(long = "feature")]
    pub features: Vec<String>,
    /// The package's `links` key (CARGO_MANIFEST_LINKS).
    #[arg(long)]
    pub links: Option<String>,
    /// OUT_DIR: emptied, then filled by the script.
    #[arg(long)]
    pub out_dir: PathBuf,
    /// Where to write the flags file.
    #[arg(long)]
    pub flags_out: PathBuf,
    /// Appended to errors (e.g. which third-party crate this is, and who needs it).
    #[arg(long)]
    pub context: Option<String>,
    /// KEY=VALUE added to the script's environment; `${pwd}` becomes the working directory.
    #[arg(long = "env", value_parser = crate::flags::parse_pair)]
    pub env: Vec<(String, String)>,
}

/// The host triple (the exec platform, where build scripts run).
const HOST: &str = "x86_64-unknown-linux-gnu";

impl BuildScript {
    fn package(&self) -> Package<'_> {
        Package {
            name: &self.pkg_name,
            version: &self.pkg_version,
            target: self.target,
            context: self.context.as_deref(),
        }
    }

    /// The `rustc --print cfg` arguments for the target as the crate is compiled.
    fn print_cfg_args(&self) -> Vec<String> {
        let on = if debug_assertions(self.target, self.mode) {
            "on"
        } else {
            "off"
        };
        let mut a = vec![
            "--print=cfg".to_string(),
            format!("--target={}", self.target),
            format!("-Cdebug-assertions={on}"),
        ];
        if self.target != Target::Host {
            a.push("-Cpanic=abort".into());
        }
        a
    }

    /// The script's whole environment, given the working directory `cwd` and
    /// the target's `CARGO_CFG_*` variables (see [`cfg_env`]).
    pub fn env(&self, cwd: &Path, cfg: Vec<(String, String)>) -> Result<Vec<(String, String)>> {
        let abs = |p: &Path| cwd.join(p).to_string_lossy().into_owned();
        let pwd = cwd.to_string_lossy();
        let manifest_dir = abs(&self.manifest_dir);
        let [major, minor, patch, pre] = version_parts(&self.pkg_version)?;
        let wasm = self.target != Target::Host;
        let release = self.mode == Mode::Release;
        let mut rustflags = vec![format!("--remap-path-prefix={pwd}=.")];
        if let Some(s) = &self.sysroot {
            rustflags.push(format!("--sysroot={}", abs(s)));
        }
        let mut env: BTreeMap<String, String> = BTreeMap::new();
        let mut set = |k: &str, v: &str| env.insert(k.to_string(), v.to_string());
        set("CARGO", "/usr/bin/cargo"); // read by some scripts; never run
        set("CARGO_MANIFEST_PATH", &format!("{manifest_dir}/Cargo.toml"));
        set("CARGO_MANIFEST_DIR", &manifest_dir);
        set("CARGO_PKG_NAME", &self.pkg_name);
        set("CARGO_PKG_VERSION", &self.pkg_version);
        for (k, v) in [
            ("MAJOR", major),
            ("MINOR", minor),
            ("PATCH", patch),
            ("PRE", pre),
        ] {
            set(&format!("CARGO_PKG_VERSION_{k}"), &v);
        }
        for k in [
            "AUTHORS",
            "DESCRIPTION",
            "HOMEPAGE",
            "REPOSITORY",
            "LICENSE",
            "LICENSE_FILE",
            "RUST_VERSION",
            "README",
        ] {
            set(&format!("CARGO_PKG_{k}"), "");
        }
        if let Some(links) = &self.links {
            set("CARGO_MANIFEST_LINKS", links);
        }
        for f in &self.features {
            set(
                &format!("CARGO_FEATURE_{}", f.to_uppercase().replace('-', "_")),
                "1",
            );
        }
        for (k, v) in &cfg {
            set(k, v);
        }
        set("OUT_DIR", &abs(&self.out_dir));
        set("TARGET", &self.target.to_string());
        set("HOST", HOST);
        set("NUM_JOBS", "1");
        set(
            "OPT_LEVEL",
            if !wasm {
                "1"
            } else if release {
                crate::flags::DEFAULT_RELEASE_OPT_LEVEL
            } else {
                "0"
            },
        );
        set("DEBUG", "false");
        set("PROFILE", if release { "release" } else { "debug" });
        set("RUSTC", &abs(&self.rustc));
        set("CARGO_ENCODED_RUSTFLAGS", &rustflags.join("\u{1f}"));
        set("PATH", "/usr/bin:/bin");
        set("LD_LIBRARY_PATH", &abs(&self.library_path));
        for (k, v) in &self.env {
            set(k, &expand_pwd(v, &pwd));
        }
        Ok(env.into_iter().collect())
    }
}

/// Runs the build script `bs` in the working directory: empties its
/// `OUT_DIR`, asks rustc for the target's cfgs, runs the script in its
/// manifest directory with a clean environment, and writes the flags file.
/// A failing script's error names the crate and ends with its output.
pub fn run(bs: &BuildScript) -> Result<()> {
    let cwd = std::env::current_dir().context("failed to read the working directory")?;
    let pkg = bs.package();
    let out_dir = cwd.join(&bs.out_dir);
    check_out_dir(bs, &cwd, &out_dir)?;
    crate::io::ensure_not_input(&bs.flags_out, &[&bs.script, &bs.rustc])?;
    if out_dir.exists() {
        std::fs::remove_dir_all(&out_dir)
            .with_context(|| format!("failed to empty `{}`", bs.out_dir.display()))?;
    }
    std::fs::create_dir_all(&out_dir)
        .with_context(|| format!("failed to create `{}`", bs.out_dir.display()))?;
    let cfg = print_cfg(bs, &cwd)?;
    let env = bs.env(&cwd, cfg_env(&cfg))?;
    let script = cwd.join(&bs.script);
    let output = Command::new(&script)
        .current_dir(cwd.join(&bs.manifest_dir))
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .output()
        .with_context(|| {
            format!(
                "failed to run build script `{}` of crate `{} {}`{}",
                bs.script.display(),
                pkg.name,
                pkg.version,
                pkg.context()
            )
        })?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        let status = output
            .status
            .code()
            .map_or_else(|| output.status.to_string(), |c| format!("exit status {c}"));
        bail!(
            "build script of crate `{} {}` failed for {} ({status}){}\n--- stderr (last {TAIL} lines) ---\n{}--- stdout (last {TAIL} lines) ---\n{}",
            pkg.name,
            pkg.version,
            pkg.target,
            pkg.context(),
            tail(&String::from_utf8_lossy(&output.stderr)),
            tail(&stdout).trim_end()
        );
    }
    let result = interpret(&stdout, &pkg);
    for w in &result.warnings {
        eprintln!("{w}");
    }
    if !result.errors.is_empty() {
        bail!("{}", result.errors.join("\n"));
    }
    crate::io::write_atomic(
        &bs.flags_out,
        flags_file(&result.flags, &cwd.to_string_lossy()).as_bytes(),
    )
}

/// `OUT_DIR` is emptied before the script runs: refuse one that is, or holds,
/// the working directory or any input (the script, rustc, its libraries, the
/// sysroot, the crate's sources), so emptying it can only remove what an
/// earlier run of the script wrote.
fn check_out_dir(bs: &BuildScript, cwd: &Path, out_dir: &Path) -> Result<()> {
    let Ok(out) = out_dir.canonicalize() else {
        return Ok(()); // not there yet: nothing to empty
    };
    let mut inputs: Vec<&Path> = vec![
        cwd,
        &bs.script,
        &bs.rustc,
        &bs.library_path,
        &bs.manifest_dir,
    ];
    inputs.extend(bs.sysroot.as_deref());
    for input in inputs {
        if let Ok(real) = cwd.join(input).canonicalize()
            && real.starts_with(&out)
        {
            bail!(
                "refusing to empty the build script's OUT_DIR `{}`: it holds `{}`, an input of the build script of crate `{} {}`; \
                 pass an OUT_DIR of its own (a directory only the script writes)",
                bs.out_dir.display(),
                input.display(),
                bs.pkg_name,
                bs.pkg_version
            );
        }
    }
    Ok(())
}

/// How many lines of a failed script's output an error shows.
const TAIL: usize = 40;

/// The last [`TAIL`] lines of `text`, each ending in a newline.
fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(TAIL)..]
        .iter()
        .map(|l| format!("{l}\n"))
        .collect()
}

/// `rustc --print cfg` for the crate's target, with debug assertions and
/// panic strategy as the crate is compiled.
fn print_cfg(bs: &BuildScript, cwd: &Path) -> Result<String> {
    let rustc = cwd.join(&bs.rustc);
    let output = Command::new(&rustc)
        .args(bs.print_cfg_args())
        .env_clear()
        .env("LD_LIBRARY_PATH", cwd.join(&bs.library_path))
        .env("PATH", "/usr/bin:/bin")
        .stdin(Stdio::null())
        .output()
        .with_context(|| {
            format!(
                "failed to run rustc at `{}` (is the pinned toolchain installed?)",
                bs.rustc.display()
            )
        })?;
    if !output.status.success() {
        bail!(
            "`{} --print=cfg --target={}` failed ({}):\n{}",
            bs.rustc.display(),
            bs.target,
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    String::from_utf8(output.stdout).context("rustc --print=cfg printed non-UTF-8 output")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkg(target: Target) -> Package<'static> {
        Package {
            name: "zmij",
            version: "1.0.23",
            target,
            context: Some("third-party crate zmij 1.0.23, needed by: app -> zmij"),
        }
    }

    fn d(line: &str) -> Option<Directive> {
        directive(line).unwrap()
    }

    #[test]
    fn directives_parse_like_cargo_in_both_syntaxes() {
        assert_eq!(
            d("cargo:rustc-cfg=has_i128"),
            Some(Directive::Flag(Flag::Cfg("has_i128".into())))
        );
        assert_eq!(
            d("cargo::rustc-cfg=kind=\"fast\" "),
            Some(Directive::Flag(Flag::Cfg("kind=\"fast\"".into())))
        );
        assert_eq!(
            d("cargo::rustc-check-cfg=cfg(has_i128)"),
            Some(Directive::Flag(Flag::CheckCfg("cfg(has_i128)".into())))
        );
        assert_eq!(
            d("cargo:rustc-env=GIT=a=b"),
            Some(Directive::Flag(Flag::Env("GIT".into(), "a=b".into())))
        );
        assert_eq!(d("cargo::error=no"), Some(Directive::Error("no".into())));
        assert_eq!(
            d("cargo:rustc-link-lib=static:+whole-archive=ssl:ssl3"),
            Some(Directive::NativeLib("ssl".into()))
        );
        assert_eq!(
            d("cargo:rustc-flags=-L /x -lz"),
            Some(Directive::NativeLib("z".into()))
        );
        assert_eq!(
            d("cargo:rustc-flags=-L /x"),
            Some(Directive::LinkSearch("/x".into()))
        );
        assert_eq!(
            d("cargo::rustc-link-arg-bins=-zfoo"),
            Some(Directive::LinkArg(
                "rustc-link-arg-bins".into(),
                "-zfoo".into()
            ))
        );
        assert_eq!(
            d("cargo::frobnicate=1"),
            Some(Directive::Unknown("frobnicate".into()))
        );
        for ignored in [
            "cargo:rerun-if-changed=build.rs",
            "cargo::metadata=root=/x",
            "cargo:root=/x",
            "cargo:error=legacy metadata",
            "hello",
            "cargo:novalue",
        ] {
            assert_eq!(d(ignored), None, "{ignored}");
        }
        for bad in [
            "cargo:rustc-env=NOVALUE",
            "cargo::rustc-env==x",
            "cargo::novalue",
            "cargo:rustc-flags=-O",
        ] {
            assert!(directive(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn stdout_becomes_flags_in_order_with_warnings() {
        let out = interpret(
            "building\ncargo:rustc-cfg=a\ncargo::warning=old compiler\ncargo::rustc-env=X=1\ncargo:rustc-check-cfg=cfg(a)\ncargo:rustc-link-search=/usr/lib\n",
            &pkg(Target::Wasm32v1None),
        );
        assert_eq!(
            out.flags,
            vec![
                Flag::Cfg("a".into()),
                Flag::Env("X".into(), "1".into()),
                Flag::CheckCfg("cfg(a)".into())
            ]
        );
        assert_eq!(out.warnings.len(), 2, "{:?}", out.warnings);
        assert_eq!(
            out.warnings[0],
            "warning: build script of `zmij`: old compiler"
        );
        assert!(
            out.warnings[1].contains("/usr/lib") && out.warnings[1].contains("wasm32v1-none"),
            "{:?}",
            out.warnings
        );
        assert!(out.errors.is_empty());
        assert!(
            interpret("cargo:rustc-link-search=/usr/lib\n", &pkg(Target::Host))
                .warnings
                .is_empty()
        );
    }

    #[test]
    fn native_libraries_and_script_errors_fail_with_context() {
        let out = interpret(
            "cargo:rustc-link-lib=dylib=ssl\ncargo::error=needs OpenSSL\n",
            &pkg(Target::Wasm32Wasip2),
        );
        assert_eq!(out.errors.len(), 2);
        assert_eq!(
            out.errors[0],
            "crate `zmij 1.0.23` links native library `ssl` (its build script asks for it), which cannot exist for wasm32-wasip2; \
             third-party crate zmij 1.0.23, needed by: app -> zmij; use a pure-Rust alternative or disable the feature that needs it"
        );
        assert!(
            out.errors[1]
                .contains("reported an error for wasm32-wasip2: needs OpenSSL; third-party"),
            "{}",
            out.errors[1]
        );
        let host = interpret("cargo:rustc-link-lib=z\n", &pkg(Target::Host));
        assert!(
            host.errors[0].contains("native library `z`")
                && host.errors[0].contains("x86_64-unknown-linux-gnu"),
            "{:?}",
            host.errors
        );
    }

    #[test]
    fn print_cfg_becomes_cargo_cfg_variables() {
        let env = cfg_env(
            "debug_assertions\npanic=\"abort\"\ntarget_abi=\"\"\ntarget_feature=\"bulk-memory\"\ntarget_feature=\"sign-ext\"\nunix\n",
        );
        let want = [
            ("CARGO_CFG_DEBUG_ASSERTIONS", ""),
            ("CARGO_CFG_PANIC", "abort"),
            ("CARGO_CFG_TARGET_ABI", ""),
            ("CARGO_CFG_TARGET_FEATURE", "bulk-memory,sign-ext"),
            ("CARGO_CFG_UNIX", ""),
        ];
        assert_eq!(
            env,
            want.map(|(k, v)| (k.to_string(), v.to_string())).to_vec()
        );
    }

    #[test]
    fn flags_file_round_trips_through_pwd() {
        let flags = [
            Flag::Cfg("x".into()),
            Flag::CheckCfg("cfg(x)".into()),
            Flag::Env("GEN".into(), "/exec/root/bazel-out/out/gen.rs".into()),
            Flag::Env("NEAR".into(), "/exec/rootless".into()),
        ];
        let text = flags_file(&flags, "/exec/root");
        assert_eq!(
            text,
            "cfg=x\ncheck-cfg=cfg(x)\nenv=GEN=${pwd}/bazel-out/out/gen.rs\nenv=NEAR=/exec/rootless\n"
        );
        let back = parse_flags_file("f", &format!("\n{text}"), "/other").unwrap();
        assert_eq!(back.cfgs, vec!["x"]);
        assert_eq!(back.check_cfgs, vec!["cfg(x)"]);
        assert_eq!(
            back.env[0],
            ("GEN".to_string(), "/other/bazel-out/out/gen.rs".to_string())
        );
        for bad in ["link-lib=z", "cfg", "env=NOVALUE", "env==1"] {
            let e = parse_flags_file("out/x.flags", &format!("cfg=a\n{bad}\n"), "/p")
                .unwrap_err()
                .to_string();
            assert!(e.starts_with("out/x.flags:2: ") && e.contains(bad), "{e}");
        }
    }

    fn script(target: Target, mode: Mode) -> BuildScript {
        BuildScript {
            script: "bazel-out/host/zmij_build".into(),
            rustc: "external/wasm_toolchain/bin/rustc".into(),
            library_path: "external/wasm_toolchain/lib".into(),
            sysroot: Some("external/wasm_toolchain/host".into()),
            target,
            mode,
            manifest_dir: "external/crates/zmij-1.0.23".into(),
            pkg_name: "zmij".into(),
            pkg_version: "1.0.23-rc.1+meta".into(),
            features: vec!["no-panic".into()],
            links: None,
            out_dir: "bazel-out/zmij/out".into(),
            flags_out: "bazel-out/zmij/flags".into(),
            context: None,
            env: vec![("GEN".into(), "${pwd}/gen".into())],
        }
    }

    #[test]
    fn script_environment_is_cargos() {
        let bs = script(Target::Wasm32v1None, Mode::Release);
        let env: BTreeMap<String, String> = bs
            .env(
                Path::new("/e"),
                vec![("CARGO_CFG_PANIC".into(), "abort".into())],
            )
            .unwrap()
            .into_iter()
            .collect();
        let want = [
            ("CARGO_MANIFEST_DIR", "/e/external/crates/zmij-1.0.23"),
            (
                "CARGO_MANIFEST_PATH",
                "/e/external/crates/zmij-1.0.23/Cargo.toml",
            ),
            ("CARGO_PKG_VERSION_PATCH", "23"),
            ("CARGO_PKG_VERSION_PRE", "rc.1"),
            ("CARGO_FEATURE_NO_PANIC", "1"),
            ("CARGO_CFG_PANIC", "abort"),
            ("OUT_DIR", "/e/bazel-out/zmij/out"),
            ("TARGET", "wasm32v1-none"),
            ("HOST", "x86_64-unknown-linux-gnu"),
            ("OPT_LEVEL", "z"),
            ("PROFILE", "release"),
            ("RUSTC", "/e/external/wasm_toolchain/bin/rustc"),
            (
                "CARGO_ENCODED_RUSTFLAGS",
                "--remap-path-prefix=/e=.\u{1f}--sysroot=/e/external/wasm_toolchain/host",
            ),
            ("LD_LIBRARY_PATH", "/e/external/wasm_toolchain/lib"),
            ("GEN", "/e/gen"),
        ];
        for (k, v) in want {
            assert_eq!(env.get(k).map(String::as_str), Some(v), "{k}");
        }
        for absent in [
            "RUSTDOC",
            "RUSTC_LINKER",
            "CARGO_MAKEFLAGS",
            "CARGO_MANIFEST_LINKS",
            "HOME",
        ] {
            assert!(!env.contains_key(absent), "{absent}");
        }
        let dev = script(Target::Wasm32v1None, Mode::Dev);
        let dev: BTreeMap<_, _> = dev
            .env(Path::new("/e"), vec![])
            .unwrap()
            .into_iter()
            .collect();
        assert_eq!(
            (dev["OPT_LEVEL"].as_str(), dev["PROFILE"].as_str()),
            ("0", "debug")
        );
        let mut bad = script(Target::Host, Mode::Dev);
        bad.pkg_version = "1.0".into();
        assert!(
            bad.env(Path::new("/e"), vec![])
                .unwrap_err()
                .to_string()
                .contains("invalid package version `1.0`")
        );
    }

    #[test]
    fn print_cfg_matches_how_the_crate_is_compiled() {
        let wasm = script(Target::Wasm32Wasip1, Mode::Release).print_cfg_args();
        assert_eq!(
            wasm,
            [
                "--print=cfg",
                "--target=wasm32-wasip1",
                "-Cdebug-assertions=off",
                "-Cpanic=abort"
            ]
        );
        let host = script(Target::Host, Mode::Release).print_cfg_args();
        assert_eq!(
            host,
            [
                "--print=cfg",
                "--target=x86_64-unknown-linux-gnu",
                "-Cdebug-assertions=on"
            ]
        );
    }

    #[test]
    fn pwd_is_abstracted_only_as_a_whole_prefix() {
        assert_eq!(
            abstract_pwd("/e/x:/e:/ex/y:-I/e/z", "/e"),
            "${pwd}/x:${pwd}:/ex/y:-I${pwd}/z"
        );
        assert_eq!(tail(&"x\n".repeat(100)).lines().count(), TAIL);
    }
}
