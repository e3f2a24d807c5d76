//! `wasmrust`: the host tool WasmRust's Bazel actions run.
//!
//! Every subcommand is one action kind, in a file of its own with its options
//! and `run()`: `rustc` compiles one crate with the toolchain's flag policy;
//! `build-script` runs a Cargo build script; `validate`, `opt`,
//! `componentize`, `compose` and `normalize` are the post-link pipeline;
//! `bindgen`, `size` and `diff` serve the rules and the people reading their
//! outputs. Errors print as `error: ...` followed by the chain of causes, and
//! the exit status is 1.

mod bindgen;
mod build_script;
mod check_sources;
mod componentize;
mod compose;
mod diff;
mod normalize;
mod opt;
mod rustc;
mod size;
mod validate;

use anyhow::Result;
use clap::{Parser, Subcommand};
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
    Rustc(rustc::Args),
    BuildScript(build_script::Args),
    Validate(validate::Args),
    Opt(opt::Args),
    Componentize(componentize::Args),
    Compose(compose::Args),
    Bindgen(bindgen::Args),
    Diff(diff::Args),
    Size(size::Args),
    Normalize(normalize::Args),
    CheckSources(check_sources::Args),
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Rustc(a) => rustc::run(a),
        Command::BuildScript(a) => build_script::run(a),
        Command::Validate(a) => validate::run(a),
        Command::Opt(a) => opt::run(a),
        Command::Componentize(a) => componentize::run(a),
        Command::Compose(a) => compose::run(a),
        Command::Bindgen(a) => bindgen::run(a),
        Command::Diff(a) => diff::run(a),
        Command::Size(a) => size::run(a),
        Command::Normalize(a) => normalize::run(a),
        Command::CheckSources(a) => check_sources::run(a),
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
