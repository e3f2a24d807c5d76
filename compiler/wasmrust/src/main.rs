//! `wasmrust`: the host tool WasmRust's Bazel actions run.
//!
//! Every subcommand is one action kind: `rustc` compiles one crate with the
//! toolchain's flag policy; `build-script` runs a Cargo build script; `validate`, `opt`, `componentize` and `normalize`
//! are the post-link pipeline. Errors print as `error: ...` followed by the
//! chain of causes, and the exit status is 1.

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use wasmrust::build_script::{self, BuildScript};
use wasmrust::flags::{
    CrateKind, Invocation, Memory, Mode, Target, WasmFeature, expand_pwd, module_features,
};
use wasmrust::postlink::{componentize, compose, normalize, optimize};
use wasmrust::verify::validate;
use wasmrust::worker;

#[derive(Parser)]
#[command(
    name = "wasmrust",
    version,
    about = "WasmRust's build actions: rustc flag policy and the post-link pipeline"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once per process and matched at once: boxing the large variants would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Compile one crate with the flag policy for its target, mode and kind.
    #[command(
        after_help = "Example:\n  wasmrust rustc --rustc external/wasm_toolchain/bin/rustc --target wasm32-wasip2 \\\n    --mode release --kind lib --crate-name app --edition 2024 --src app/src/lib.rs \\\n    --out bazel-out/app/libapp.rlib --sysroot bazel-out/sysroot"
    )]
    Rustc(RustcArgs),
    /// Run a compiled Cargo build script as cargo does (clean environment, cargo's
    /// variables, OUT_DIR), and write the cfgs and env it asks for to a flags file
    /// for `wasmrust rustc --build-script-flags`.
    #[command(
        after_help = "Example:\n  wasmrust build-script --script bazel-out/k8-opt-exec/bin/zmij_build_script \\\n    --rustc external/wasm_toolchain/bin/rustc --library-path external/wasm_toolchain/lib \\\n    --sysroot external/wasm_toolchain/host --target wasm32v1-none --mode release \\\n    --manifest-dir external/crates/vendor/zmij-1.0.23 --pkg-name zmij --pkg-version 1.0.23 \\\n    --feature std --out-dir bazel-out/zmij.out_dir --flags-out bazel-out/zmij.flags \\\n    --context 'third-party crate zmij 1.0.23, needed by: third_party -> serde_json -> zmij'\n\nFlags file lines: cfg=VALUE, check-cfg=VALUE, env=NAME=VALUE (${pwd} = working directory)."
    )]
    BuildScript(BuildScriptArgs),
    /// Check that a module or component is valid for a set of features.
    #[command(
        after_help = "Example:\n  wasmrust validate --target wasm32v1-none app.wasm --stamp app.valid"
    )]
    Validate {
        /// The module or component to check.
        input: PathBuf,
        /// Restrict a core module to this target's default features (plus --feature).
        #[arg(long)]
        target: Option<Target>,
        /// Extra features the profile enables.
        #[arg(long = "feature")]
        features: Vec<WasmFeature>,
        /// Write this file (containing `ok`) when the input is valid.
        #[arg(long)]
        stamp: Option<PathBuf>,
    },
    /// Optimize a core module with binaryen (the `wasm-opt` crate).
    #[command(
        after_help = "Example:\n  wasmrust opt --target wasm32-wasip2 --level Oz --converge in.wasm -o out.wasm"
    )]
    Opt {
        /// The core module.
        input: PathBuf,
        /// Output path.
        #[arg(short)]
        o: PathBuf,
        /// The target the module was compiled for (sets the allowed features).
        #[arg(long)]
        target: Target,
        /// Extra features the profile enables.
        #[arg(long = "feature")]
        features: Vec<WasmFeature>,
        /// The toolchain's policy for this build mode (release: -Oz to
        /// convergence); instead of --level and --converge.
        #[arg(long, conflicts_with_all = ["level", "converge"])]
        mode: Option<Mode>,
        /// O1, O2, O3, Os or Oz.
        #[arg(long, default_value = "Oz")]
        level: optimize::Level,
        /// Repeat the passes while the module keeps shrinking.
        #[arg(long)]
        converge: bool,
        /// Check the module's `#[wasm::effect]` declarations, then strip the
        /// `wasmrust.fx.*` exports and records before optimizing.
        #[arg(long)]
        check_effects: bool,
        /// The Bazel target being built (for messages).
        #[arg(long)]
        label: Option<String>,
        /// The hosts run non-WASI imports in JavaScript (effects: `js_call`, not `io`).
        #[arg(long)]
        js_host: bool,
    },
    /// Make a component from a core module and a WIT world (wit-component).
    #[command(
        after_help = "Example:\n  wasmrust componentize core.wasm --wit app/wit --world demo -o component.wasm"
    )]
    Componentize {
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
    },
    /// Plug components into the imports of a root component (wasm-compose): each
    /// root import a plug exports under the same name is satisfied inside the result.
    #[command(
        after_help = "Example:\n  wasmrust compose app.wasm --plug host.wasm -o composed.wasm"
    )]
    Compose {
        /// The root component: the composed component exports what it exports.
        root: PathBuf,
        /// A component whose exports satisfy imports of the root (or of another plug).
        #[arg(long = "plug", required = true)]
        plugs: Vec<PathBuf>,
        /// Output path.
        #[arg(short)]
        o: PathBuf,
    },
    /// Generate the Rust bindings crate of a WIT world: types, `Guest` traits, the
    /// canonical-ABI glue and an `export!` macro, as one source file.
    #[command(
        after_help = "Example:\n  wasmrust bindgen --wit app/wit --world demo --crate-name demo_bindings -o bindings.rs"
    )]
    Bindgen {
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
    },
    /// Show where two builds of a module or component differ: the first differing byte's
    /// section and function (demangled name), and the sections whose sizes differ.
    /// Exit status 0 when identical, 1 when they differ.
    #[command(
        after_help = "Example:\n  wasmrust diff a/component.wasm b/component.wasm --json diff.json"
    )]
    Diff {
        /// The first file.
        a: PathBuf,
        /// The second file.
        b: PathBuf,
        /// Also write the difference as JSON here (`null` when identical).
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Report where a module's bytes go: sections, code by kind (panics, formatting,
    /// allocator), the largest functions with demangled names, retained sizes (the
    /// call graph's dominator tree) and what pulled in each kind. With --diff, the
    /// per-section and per-function size changes between two builds.
    #[command(
        after_help = "Examples:\n  wasmrust size app_core.linked.wasm --top 20 -o size.txt --json size.json --html size.html\n  wasmrust size app_core.linked.wasm --format html -o size.html\n  wasmrust size --diff old/app_core.linked.wasm new/app_core.linked.wasm\n  wasmrust size --diff old.wasm new.wasm --format html -o diff.html"
    )]
    Size {
        /// The module or component (with --diff: the old build).
        input: PathBuf,
        /// With --diff: the new build.
        new: Option<PathBuf>,
        /// Compare two builds (OLD NEW): size deltas per section and per function.
        #[arg(long, requires = "new")]
        diff: bool,
        /// What -o (or stdout) gets: text, html (one self-contained page) or json.
        #[arg(long, default_value = "text")]
        format: wasmrust::size::Format,
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
    },
    /// Apply the custom-section policy (names kept in dev, dropped in release).
    #[command(after_help = "Example:\n  wasmrust normalize --mode release in.wasm -o out.wasm")]
    Normalize {
        /// The module or component.
        input: PathBuf,
        /// Output path.
        #[arg(short)]
        o: PathBuf,
        /// dev or release.
        #[arg(long)]
        mode: Mode,
        /// Also require a core module to use only this target's features (plus --feature).
        #[arg(long)]
        target: Option<Target>,
        /// Extra features the profile enables.
        #[arg(long = "feature")]
        features: Vec<WasmFeature>,
        /// The Bazel target being built (for messages).
        #[arg(long)]
        label: Option<String>,
        /// The host profile (for messages).
        #[arg(long)]
        profile: Option<String>,
        /// The hosts run non-WASI imports in JavaScript (effects: `js_call`, not `io`).
        #[arg(long)]
        js_host: bool,
    },
    /// Check that this binary was built from the given sources, and copy it to -o
    /// (the tool every other action runs); fail naming each file that differs.
    #[command(
        after_help = "Example:\n  wasmrust check-sources compiler/bin/wasmrust Cargo.toml Cargo.lock \\\n    compiler/wasmrust/src/main.rs ... -o bazel-out/k8-opt-exec/bin/compiler/bin/checked/wasmrust"
    )]
    CheckSources(wasmrust::sources::CheckArgs),
}

#[derive(clap::Args)]
struct RustcArgs {
    /// The pinned rustc.
    #[arg(long)]
    rustc: PathBuf,
    #[arg(long)]
    target: Target,
    #[arg(long)]
    mode: Mode,
    #[arg(long)]
    kind: CrateKind,
    #[arg(long)]
    crate_name: String,
    #[arg(long)]
    edition: String,
    #[arg(long)]
    src: String,
    #[arg(long)]
    out: String,
    /// The profile's release opt-level.
    #[arg(long, default_value = wasmrust::flags::DEFAULT_RELEASE_OPT_LEVEL)]
    opt_level: String,
    /// Keep panic messages in release (`-Cpanic=abort`; default `immediate-abort`).
    #[arg(long)]
    panic_messages: bool,
    /// A release lever turned back to cargo's default (opt_level, lto, codegen_units, optimize_for_size).
    #[arg(long = "lever-off")]
    levers_off: Vec<wasmrust::flags::Lever>,
    #[arg(long = "target-feature")]
    target_features: Vec<WasmFeature>,
    /// Defaults to the crate name.
    #[arg(long)]
    metadata: Option<String>,
    #[arg(long = "feature")]
    features: Vec<String>,
    #[arg(long = "cfg")]
    cfgs: Vec<String>,
    /// NAME=PATH
    #[arg(long = "extern", value_parser = parse_pair)]
    externs: Vec<(String, String)>,
    /// NAME=PATH: a crate linked although the source never names it (the
    /// global allocator crate); rustc's unstable `--extern force:`.
    #[arg(long = "force-extern", value_parser = parse_pair)]
    forced_externs: Vec<(String, String)>,
    #[arg(long = "dependency-dir")]
    dependency_dirs: Vec<String>,
    #[arg(long)]
    sysroot: Option<String>,
    #[arg(long)]
    linker: Option<String>,
    #[arg(long)]
    library_root: Option<String>,
    /// Directory of the toolchain's shared libraries (LD_LIBRARY_PATH for rustc).
    #[arg(long)]
    library_path: Option<String>,
    /// Stack size in bytes (linked modules).
    #[arg(long)]
    stack_size: Option<u64>,
    /// Initial linear memory in bytes (linked modules).
    #[arg(long)]
    initial_memory: Option<u64>,
    /// Maximum linear memory in bytes (linked modules).
    #[arg(long)]
    max_memory: Option<u64>,
    /// KEY=VALUE set in rustc's environment (for `env!`); `${pwd}` becomes the working directory.
    #[arg(long = "env", value_parser = parse_pair)]
    env: Vec<(String, String)>,
    /// A flags file written by `wasmrust build-script` (cfg, check-cfg and env lines).
    #[arg(long)]
    build_script_flags: Option<PathBuf>,
    /// The build script's OUT_DIR (set, made absolute, in rustc's environment).
    #[arg(long)]
    out_dir: Option<PathBuf>,
    /// Appended to the error when rustc fails (e.g. which third-party crate this is, and who needs it).
    #[arg(long)]
    context: Option<String>,
    /// Keep rustc's incremental state between builds when the persistent worker runs this
    /// (`--//platforms:incremental`, dev builds of first-party crates); a one-shot run compiles
    /// from scratch as before.
    #[arg(long)]
    incremental: bool,
    /// The user's `rustc_flags`, after `--`.
    #[arg(last = true)]
    user_flags: Vec<String>,
}

#[derive(clap::Args)]
struct BuildScriptArgs {
    /// The compiled build script (a host executable).
    #[arg(long)]
    script: PathBuf,
    /// The pinned rustc (the script's RUSTC).
    #[arg(long)]
    rustc: PathBuf,
    /// Directory of the toolchain's shared libraries (LD_LIBRARY_PATH).
    #[arg(long)]
    library_path: PathBuf,
    /// The sysroot for the script's own rustc probes (in CARGO_ENCODED_RUSTFLAGS).
    #[arg(long)]
    sysroot: Option<PathBuf>,
    /// The target the crate is built for (TARGET and CARGO_CFG_*).
    #[arg(long)]
    target: Target,
    #[arg(long)]
    mode: Mode,
    /// The crate's directory (CARGO_MANIFEST_DIR; the script runs there).
    #[arg(long)]
    manifest_dir: PathBuf,
    #[arg(long)]
    pkg_name: String,
    #[arg(long)]
    pkg_version: String,
    /// An enabled cargo feature (CARGO_FEATURE_<NAME>=1).
    #[arg(long = "feature")]
    features: Vec<String>,
    /// The package's `links` key (CARGO_MANIFEST_LINKS).
    #[arg(long)]
    links: Option<String>,
    /// OUT_DIR: emptied, then filled by the script.
    #[arg(long)]
    out_dir: PathBuf,
    /// Where to write the flags file.
    #[arg(long)]
    flags_out: PathBuf,
    /// Appended to errors (e.g. which third-party crate this is, and who needs it).
    #[arg(long)]
    context: Option<String>,
    /// KEY=VALUE added to the script's environment; `${pwd}` becomes the working directory.
    #[arg(long = "env", value_parser = parse_pair)]
    env: Vec<(String, String)>,
}

fn parse_pair(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .ok_or_else(|| format!("expected NAME=VALUE, got `{s}`"))
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::CheckSources(a) => {
            wasmrust::sources::check("wasmrust", wasmrust::sources::WASMRUST, &a)
        }
        Command::Rustc(a) => {
            let cwd = std::env::current_dir().context("failed to read the working directory")?;
            let pwd = cwd.to_string_lossy().into_owned();
            let mut script = build_script::RustcFlags::default();
            if let Some(path) = &a.build_script_flags {
                let text = String::from_utf8(wasmrust::io::read(path)?)
                    .with_context(|| format!("`{}` is not UTF-8", path.display()))?;
                script = build_script::parse_flags_file(&path.display().to_string(), &text, &pwd)?;
            }
            // Later entries win: the build script's env, then --env, then OUT_DIR.
            let mut env = script.env;
            env.extend(a.env.iter().map(|(k, v)| (k.clone(), expand_pwd(v, &pwd))));
            if let Some(dir) = &a.out_dir {
                env.push((
                    "OUT_DIR".into(),
                    cwd.join(dir).to_string_lossy().into_owned(),
                ));
            }
            let mut cfgs = a.cfgs;
            cfgs.extend(script.cfgs);
            let session = match std::env::var_os(worker::INCREMENTAL_ROOT_ENV) {
                Some(root) if a.incremental && a.mode == Mode::Dev => {
                    Some(worker::IncrementalSession::open(root.as_ref(), &a.out)?)
                }
                _ => None,
            };
            if session.as_ref().is_some_and(|s| s.discarded) {
                eprintln!(
                    "wasmrust: the last compile of `{}` did not finish; its incremental state was discarded",
                    a.out
                );
            }
            let inv = Invocation {
                target: a.target,
                mode: a.mode,
                kind: a.kind,
                metadata: a.metadata.unwrap_or_else(|| a.crate_name.clone()),
                crate_name: a.crate_name,
                edition: a.edition,
                src: a.src,
                out: a.out,
                release_opt_level: a.opt_level,
                target_features: a.target_features,
                features: a.features,
                cfgs,
                check_cfgs: script.check_cfgs,
                externs: a.externs,
                forced_externs: a.forced_externs,
                dependency_dirs: a.dependency_dirs,
                sysroot: a.sysroot,
                linker: a.linker,
                library_root: a.library_root,
                cwd: pwd,
                memory: Memory {
                    stack_size: a.stack_size,
                    initial: a.initial_memory,
                    max: a.max_memory,
                },
                panic_messages: a.panic_messages,
                levers_off: a.levers_off,
                incremental: session
                    .as_ref()
                    .map(|s| s.rustc_dir().to_string_lossy().into_owned()),
                user_flags: a.user_flags,
            };
            let result = wasmrust::rustc::run(
                &a.rustc,
                &inv,
                &env,
                a.library_path.as_deref(),
                a.context.as_deref(),
            );
            // A compile error is a finished compile too: its state is consistent.
            if let Some(session) = session {
                session.finish()?;
            }
            result
        }
        Command::BuildScript(a) => build_script::run(&BuildScript {
            script: a.script,
            rustc: a.rustc,
            library_path: a.library_path,
            sysroot: a.sysroot,
            target: a.target,
            mode: a.mode,
            manifest_dir: a.manifest_dir,
            pkg_name: a.pkg_name,
            pkg_version: a.pkg_version,
            features: a.features,
            links: a.links,
            out_dir: a.out_dir,
            flags_out: a.flags_out,
            context: a.context,
            env: a.env,
        }),
        Command::Validate {
            input,
            target,
            features,
            stamp,
        } => {
            let bytes = wasmrust::io::read(&input)?;
            let allowed = target.map(|t| module_features(t, &features));
            validate::validate(&input, &bytes, allowed.as_deref())?;
            if let Some(stamp) = stamp {
                wasmrust::io::ensure_not_input(&stamp, &[&input])?;
                wasmrust::io::write_atomic(&stamp, b"ok\n")?;
            }
            Ok(())
        }
        Command::Opt {
            input,
            o,
            target,
            features,
            mode,
            level,
            converge,
            check_effects,
            label,
            js_host,
        } => {
            let (level, converge) = match mode {
                None => (level, converge),
                Some(Mode::Release) => optimize::RELEASE,
                Some(Mode::Dev) => bail!(
                    "`wasmrust opt --mode dev`: dev builds are not optimized (the dev pipeline \
                     skips this step); pass --mode release, or --level for a one-off run"
                ),
            };
            let host = validate::Host {
                target,
                label: label.as_deref(),
                profile: None,
                js_host,
            };
            optimize::optimize(
                &input,
                &o,
                level,
                &module_features(target, &features),
                converge,
                check_effects.then_some(&host),
            )
        }
        Command::Componentize {
            input,
            o,
            wit,
            world,
        } => {
            let world = wit.as_deref().map(|path| componentize::World {
                path,
                name: world.as_deref(),
            });
            componentize::componentize(&input, &o, world.as_ref())
        }
        Command::Compose { root, plugs, o } => compose::compose(&root, &plugs, &o),
        Command::Bindgen {
            wit,
            world,
            crate_name,
            o,
        } => {
            let world = componentize::World {
                path: &wit,
                name: world.as_deref(),
            };
            wasmrust::bindgen::bindgen(&world, &crate_name, &o)
        }
        Command::Size {
            input,
            new,
            diff,
            format,
            top,
            o,
            json,
            html,
        } => {
            use wasmrust::size::{self, Format};
            let name = |p: &PathBuf| {
                p.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned()
            };
            for out in [&o, &json, &html].into_iter().flatten() {
                wasmrust::io::ensure_not_input(out, &[&input, new.as_deref().unwrap_or(&input)])?;
            }
            let (out, json_bytes) = match (diff, new) {
                (true, Some(new)) => {
                    let (old_bytes, new_bytes) =
                        (wasmrust::io::read(&input)?, wasmrust::io::read(&new)?);
                    let d = size::size_diff(&old_bytes, &new_bytes).with_context(|| {
                        format!(
                            "failed to parse `{}` or `{}`",
                            input.display(),
                            new.display()
                        )
                    })?;
                    let json_bytes = serde_json::to_vec_pretty(&d)?;
                    let out = match format {
                        Format::Text => size::render_diff(
                            &input.display().to_string(),
                            &new.display().to_string(),
                            &d,
                            top,
                        )
                        .into_bytes(),
                        Format::Json => json_bytes.clone(),
                        Format::Html => size::render_diff_html(
                            &input.display().to_string(),
                            &new.display().to_string(),
                            &d,
                            top,
                        )
                        .into_bytes(),
                    };
                    (out, json_bytes)
                }
                (false, Some(new)) => anyhow::bail!(
                    "unexpected second file `{}` (compare two builds with --diff OLD NEW)",
                    new.display()
                ),
                (_, None) => {
                    let bytes = wasmrust::io::read(&input)?;
                    let report = size::size_report(&bytes)
                        .with_context(|| format!("failed to parse `{}`", input.display()))?;
                    let json_bytes = serde_json::to_vec_pretty(&report)?;
                    if let Some(path) = html {
                        wasmrust::io::write_atomic(
                            &path,
                            size::render_html(&name(&input), &report, top).as_bytes(),
                        )?;
                    }
                    let out = match format {
                        Format::Text => size::render(&name(&input), &report, top).into_bytes(),
                        Format::Html => size::render_html(&name(&input), &report, top).into_bytes(),
                        Format::Json => json_bytes.clone(),
                    };
                    (out, json_bytes)
                }
            };
            if let Some(path) = json {
                wasmrust::io::write_atomic(&path, &json_bytes)?;
            }
            match o {
                Some(path) => wasmrust::io::write_atomic(&path, &out)?,
                None => {
                    use std::io::Write;
                    std::io::stdout().write_all(&out)?;
                }
            }
            Ok(())
        }
        Command::Diff { a, b, json } => {
            let (ba, bb) = (wasmrust::io::read(&a)?, wasmrust::io::read(&b)?);
            if let Some(out) = &json {
                wasmrust::io::ensure_not_input(out, &[&a, &b])?;
            }
            let d = wasmrust::diff::diff(&ba, &bb).with_context(|| {
                format!("failed to parse `{}` or `{}`", a.display(), b.display())
            })?;
            if let Some(path) = json {
                wasmrust::io::write_atomic(&path, &serde_json::to_vec_pretty(&d)?)?;
            }
            match d {
                None => println!("{} and {} are identical", a.display(), b.display()),
                Some(d) => {
                    print!(
                        "{}",
                        wasmrust::diff::report(
                            &a.display().to_string(),
                            &b.display().to_string(),
                            &d
                        )
                    );
                    std::process::exit(1);
                }
            }
            Ok(())
        }
        Command::Normalize {
            input,
            o,
            mode,
            target,
            features,
            label,
            profile,
            js_host,
        } => {
            let allowed = target.map(|t| module_features(t, &features));
            let host = target.map(|target| validate::Host {
                target,
                label: label.as_deref(),
                profile: profile.as_deref(),
                js_host,
            });
            normalize::normalize(&input, &o, mode, allowed.as_deref(), host.as_ref())
        }
    }
}

fn main() {
    let result = worker::expand_param_file(std::env::args_os().collect()).and_then(|args| {
        if args.iter().any(|a| a == worker::PERSISTENT_WORKER_FLAG) {
            let startup: Vec<_> = args
                .into_iter()
                .skip(1)
                .filter(|a| a != worker::PERSISTENT_WORKER_FLAG)
                .collect();
            worker::serve(&startup)
        } else {
            run(Cli::parse_from(args))
        }
    });
    if let Err(e) = result {
        eprintln!("error: {e}");
        let mut causes = e.chain().skip(1).peekable();
        if causes.peek().is_some() {
            eprintln!("\nCaused by:");
            for (i, c) in causes.enumerate() {
                eprintln!("    {i}: {c}");
            }
        }
        std::process::exit(1);
    }
}
