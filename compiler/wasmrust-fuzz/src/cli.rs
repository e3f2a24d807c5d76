//! Fuzzing of the `wasmrust` subcommands as processes, the way Bazel's actions
//! run them.
//!
//! Each input runs through every subcommand that reads a module, each in a
//! fresh directory holding only its inputs. A run must:
//! * end (no hang) with status 0 or 1 (no panic, no signal);
//! * leave every input byte for byte as it was, and write no file but the
//!   outputs it was asked for (no scratch file beside the user's files);
//! * on success, write outputs that are valid WebAssembly;
//! * on failure, write no output at all, and print the error once, first
//!   (no tool dump before it), naming the input file.
//!
//! `opt` reads `app.pre-opt.wasm` and writes `app.wasm`: the names with which
//! an older `opt` deleted its own input.

use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A subcommand run longer than this is a hang (the largest generated
/// module optimizes in well under a second).
const TIMEOUT: Duration = Duration::from_secs(60);

/// The file every run reads.
const INPUT: &str = "app.pre-opt.wasm";

/// A second, valid module for the two-input subcommands.
const OTHER: &str = "other.wasm";

/// The WIT world `componentize` gets: empty, so a module with exports of its
/// own must be refused with a clear error, never turned into a component.
const WORLD: &str = "package fuzz:app;\n\nworld empty {}\n";

/// One subcommand as the harness runs it.
struct Case {
    name: &'static str,
    args: Vec<String>,
    /// Files the run may write.
    outputs: Vec<&'static str>,
    /// Status 1 is a verdict (`diff`: the files differ), not an error.
    one_is_verdict: bool,
}

/// One case: `name`, its command line (`IN` is the input, `OTHER` the second
/// module), and the files it may write.
fn case(name: &'static str, line: &str, outputs: &[&'static str]) -> Case {
    let args = line
        .split_whitespace()
        .map(|a| match a {
            "IN" => INPUT,
            "OTHER" => OTHER,
            a => a,
        })
        .map(String::from)
        .collect();
    Case {
        name,
        args,
        outputs: outputs.to_vec(),
        one_is_verdict: name == "diff",
    }
}

fn cases() -> Vec<Case> {
    let wasm = &["app.wasm"][..];
    vec![
        case(
            "validate",
            "validate IN --target wasm32-wasip1 --stamp app.valid",
            &["app.valid"],
        ),
        case(
            "opt",
            "opt --target wasm32-wasip1 --level Oz IN -o app.wasm",
            wasm,
        ),
        case(
            "normalize",
            "normalize --mode release --target wasm32-wasip1 IN -o app.wasm",
            wasm,
        ),
        case(
            "componentize",
            "componentize IN --wit world.wit -o app.wasm",
            wasm,
        ),
        case(
            "size",
            "size IN --top 5 -o size.txt --json size.json --html size.html",
            &["size.txt", "size.json", "size.html"],
        ),
        case(
            "size --diff",
            "size --diff OTHER IN --format json -o diff.json",
            &["diff.json"],
        ),
        case("diff", "diff OTHER IN --json diff.json", &["diff.json"]),
    ]
}

/// Counts per subcommand, and every finding.
#[derive(Debug, Default)]
pub struct Report {
    pub inputs: usize,
    /// Per subcommand: (runs, successes, clear errors).
    pub runs: BTreeMap<&'static str, (usize, usize, usize)>,
    pub findings: Vec<String>,
}

impl Report {
    pub fn clean(&self) -> bool {
        self.findings.is_empty()
    }

    pub fn text(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "cli fuzz: {} inputs", self.inputs);
        for (name, (runs, ok, errors)) in &self.runs {
            let _ = writeln!(
                s,
                "  {name:<13} {runs} runs: {ok} succeeded, {errors} clear errors"
            );
        }
        for f in &self.findings {
            let _ = writeln!(s, "  FINDING {f}");
        }
        s
    }
}

/// Runs every subcommand of `wasmrust` on `input` (described as `what` in
/// findings), with `other` as the second module.
pub fn check_input(
    wasmrust: &Path,
    what: &str,
    input: &[u8],
    other: &[u8],
    report: &mut Report,
) -> Result<()> {
    report.inputs += 1;
    for case in cases() {
        let dir = tempfile::tempdir()?;
        let inputs: Vec<(&str, &[u8])> = vec![
            (INPUT, input),
            (OTHER, other),
            ("world.wit", WORLD.as_bytes()),
        ];
        for (name, bytes) in &inputs {
            std::fs::write(dir.path().join(name), bytes)?;
        }
        let entry = report.runs.entry(case.name).or_default();
        entry.0 += 1;
        match run_case(wasmrust, dir.path(), &case, &inputs)? {
            Ok(true) => entry.1 += 1,
            Ok(false) => entry.2 += 1,
            Err(finding) => report.findings.push(format!(
                "{what}: `wasmrust {}`: {finding}",
                case.args.join(" ")
            )),
        }
    }
    Ok(())
}

/// `Ok(Ok(succeeded))` when the run kept every rule, `Ok(Err(finding))` when not.
fn run_case(
    wasmrust: &Path,
    dir: &Path,
    case: &Case,
    inputs: &[(&str, &[u8])],
) -> Result<std::result::Result<bool, String>> {
    let mut child = Command::new(wasmrust)
        .args(&case.args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("failed to run `{}`", wasmrust.display()))?;
    let stderr = child.stderr.take().expect("piped");
    let reader = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if start.elapsed() > TIMEOUT {
            child.kill()?;
            child.wait()?;
            return Ok(Err(format!("still running after {TIMEOUT:?}: a hang")));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let stderr = reader.join().unwrap_or_default();
    let first = stderr.lines().next().unwrap_or("").to_string();
    let code = match status.code() {
        Some(code @ (0 | 1)) => code,
        Some(code) => return Ok(Err(format!("exit status {code}: {first}"))),
        None => return Ok(Err(format!("killed by a signal: {status}"))),
    };
    for (name, bytes) in inputs {
        match std::fs::read(dir.join(name)) {
            Ok(now) if now == *bytes => {}
            Ok(_) => return Ok(Err(format!("input `{name}` was modified"))),
            Err(_) => return Ok(Err(format!("input `{name}` was removed"))),
        }
    }
    let mut written = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if inputs.iter().any(|(i, _)| *i == name) {
            continue;
        }
        if !case.outputs.contains(&name.as_str()) {
            return Ok(Err(format!("wrote `{name}`, a file it was not asked for")));
        }
        written.push(name);
    }
    // `diff`'s status 1 without an error is its verdict, not a failure.
    let failed = code == 1 && (!case.one_is_verdict || stderr.contains("error:"));
    if failed {
        if let Some(name) = written.first() {
            return Ok(Err(format!("failed, yet left output `{name}`: {first}")));
        }
        if !first.starts_with("error: ") {
            return Ok(Err(format!(
                "the error is not the first thing printed; stderr begins `{first}`"
            )));
        }
        let errors = stderr.lines().filter(|l| l.starts_with("error:")).count();
        if errors != 1 {
            return Ok(Err(format!("{errors} `error:` lines; the first: {first}")));
        }
        if !stderr.contains(INPUT) && !stderr.contains(OTHER) {
            return Ok(Err(format!("the error names no input file: {first}")));
        }
        return Ok(Ok(false));
    }
    for name in &written {
        if name.ends_with(".wasm") {
            let bytes = std::fs::read(dir.join(name))?;
            if let Err(e) =
                wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
                    .validate_all(&bytes)
            {
                return Ok(Err(format!("succeeded with an invalid `{name}`: {e}")));
            }
        }
    }
    for name in &case.outputs {
        if code == 0 && !written.iter().any(|w| w == name) {
            return Ok(Err(format!("succeeded without writing `{name}`")));
        }
    }
    Ok(Ok(true))
}

/// The inputs of `seed`: its generated module, and byte mutations of it.
pub fn inputs_of(seed: u64, mutations: usize) -> Vec<(String, Vec<u8>)> {
    let Some(module) = crate::generate(seed) else {
        return Vec::new();
    };
    let mut rng = crate::Rng::new(seed ^ 0x6d75_7461_7465);
    let mut v = vec![(format!("seed {seed}"), module.clone())];
    for m in 0..mutations {
        v.push((
            format!("seed {seed} mutation {m}"),
            crate::mutate(&module, &mut rng),
        ));
    }
    v
}

/// Runs seeds `seeds` (each module and `mutations` mutations of it).
pub fn run(wasmrust: &Path, seeds: std::ops::Range<u64>, mutations: usize) -> Result<Report> {
    let other = crate::generate(u64::MAX).context("the reference module of seed 2^64-1")?;
    let mut report = Report::default();
    for seed in seeds {
        for (what, bytes) in inputs_of(seed, mutations) {
            check_input(wasmrust, &what, &bytes, &other, &mut report)?;
        }
    }
    Ok(report)
}

/// The files of the regression corpus (`*.wasm` under `dir`), sorted.
pub fn corpus(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("no corpus at `{}`", dir.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()?;
    files.retain(|p| p.extension().is_some_and(|e| e == "wasm"));
    files.sort();
    if files.is_empty() {
        bail!("the corpus `{}` holds no .wasm file", dir.display());
    }
    Ok(files)
}

/// Runs every `.wasm` file of the corpus at `dir` through every subcommand,
/// into `report`.
pub fn check_corpus(wasmrust: &Path, dir: &Path, report: &mut Report) -> Result<()> {
    let other = crate::generate(u64::MAX).context("the reference module")?;
    for file in corpus(dir)? {
        let bytes = std::fs::read(&file)?;
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        check_input(wasmrust, &format!("corpus {name}"), &bytes, &other, report)?;
    }
    Ok(())
}
