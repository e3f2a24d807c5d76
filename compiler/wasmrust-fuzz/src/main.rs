//! `wasmrust-fuzz`: fuzzing and differential testing of the `wasmrust` host tool.
//!
//! Every finding is reproduced by the seed it prints:
//! `wasmrust-fuzz diff --seeds 1234..1235 --level Oz`.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use std::ops::Range;
use std::path::PathBuf;
use std::process::ExitCode;
use wasmrust::postlink::optimize::Level;
use wasmrust_fuzz::{cli, diff};

#[derive(Parser)]
#[command(
    name = "wasmrust-fuzz",
    about = "Fuzz the wasmrust subcommands and test optimization differentially, from seeds"
)]
struct Args {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Optimize generated modules and run original and optimized side by side in wasmtime.
    #[command(after_help = "Example:\n  wasmrust-fuzz diff --seeds 0..2000 --level Oz --level O3")]
    Diff {
        /// Seeds to run, START..END.
        #[arg(long, value_parser = seeds, default_value = "0..200")]
        seeds: Range<u64>,
        /// Optimization levels (default: Oz and O3, the release and speed levels).
        #[arg(long = "level")]
        levels: Vec<Level>,
    },
    /// Write the module of one seed (to add it to the corpus, or to read a finding).
    #[command(
        after_help = "Example:\n  wasmrust-fuzz gen --seed 70 -o compiler/wasmrust-fuzz/corpus/seed-70.wasm"
    )]
    Gen {
        /// The seed.
        #[arg(long)]
        seed: u64,
        /// Output path (`.wasm`); with --wat, the text format is printed instead.
        #[arg(short, required_unless_present = "wat")]
        o: Option<PathBuf>,
        /// Print the module as WebAssembly text.
        #[arg(long)]
        wat: bool,
    },
    /// Run every subcommand, as a process, on generated modules, their byte
    /// mutations and the regression corpus.
    #[command(
        after_help = "Example:\n  wasmrust-fuzz cli --seeds 0..500 --mutations 8 --corpus compiler/wasmrust-fuzz/corpus"
    )]
    Cli {
        /// Seeds to run, START..END.
        #[arg(long, value_parser = seeds, default_value = "0..50")]
        seeds: Range<u64>,
        /// Byte mutations per generated module.
        #[arg(long, default_value_t = 4)]
        mutations: usize,
        /// Also run every `.wasm` file in this directory.
        #[arg(long)]
        corpus: Option<PathBuf>,
        /// The `wasmrust` binary (default: beside this one).
        #[arg(long)]
        wasmrust: Option<PathBuf>,
    },
}

fn seeds(s: &str) -> Result<Range<u64>, String> {
    let (a, b) = s
        .split_once("..")
        .ok_or_else(|| format!("`{s}` is not START..END"))?;
    let a = a.parse::<u64>().map_err(|e| format!("`{a}`: {e}"))?;
    let b = b.parse::<u64>().map_err(|e| format!("`{b}`: {e}"))?;
    if a >= b {
        return Err(format!("`{s}` is empty"));
    }
    Ok(a..b)
}

fn beside_me(name: &str) -> Result<PathBuf> {
    let me = std::env::current_exe().context("cannot find this executable")?;
    let path = me.with_file_name(name);
    anyhow::ensure!(
        path.exists(),
        "no `{name}` beside `{}`; build it (cargo build --release -p wasmrust) or pass --wasmrust",
        me.display()
    );
    Ok(path)
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(args: Args) -> Result<bool> {
    match args.command {
        Cmd::Diff { seeds, mut levels } => {
            if levels.is_empty() {
                levels = vec![Level::Oz, Level::O3];
            }
            let mut clean = true;
            for level in levels {
                let report = diff::run(seeds.clone(), level)?;
                print!("{}", report.text(level));
                clean &= report.clean();
            }
            Ok(clean)
        }
        Cmd::Gen { seed, o, wat } => {
            let bytes = wasmrust_fuzz::generate(seed)
                .with_context(|| format!("wasm-smith made no module from seed {seed}"))?;
            if wat {
                print!("{}", wasmprinter::print_bytes(&bytes)?);
            }
            if let Some(o) = o {
                wasmrust::io::write_atomic(&o, &bytes)?;
            }
            Ok(true)
        }
        Cmd::Cli {
            seeds,
            mutations,
            corpus,
            wasmrust,
        } => {
            let wasmrust = match wasmrust {
                Some(p) => p,
                None => beside_me("wasmrust")?,
            };
            let mut report = cli::run(&wasmrust, seeds, mutations)?;
            if let Some(dir) = corpus {
                cli::check_corpus(&wasmrust, &dir, &mut report)?;
            }
            print!("{}", report.text());
            Ok(report.clean())
        }
    }
}
