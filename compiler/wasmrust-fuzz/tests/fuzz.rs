//! The short fuzz run CI makes (`cargo test -p wasmrust-fuzz`), and the
//! regression corpus. `tools/fuzz.sh` runs the same checks over many more
//! seeds.

use std::path::{Path, PathBuf};
use wasmrust::postlink::binaryen;
use wasmrust::postlink::optimize::Level;
use wasmrust_fuzz::cli;
use wasmrust_fuzz::diff::{self, Outcome};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// The `wasmrust` binary `cargo test` built beside this test's directory.
fn wasmrust_bin() -> PathBuf {
    let me = std::env::current_exe().unwrap();
    let bin = me
        .parent()
        .and_then(Path::parent)
        .unwrap()
        .join(format!("wasmrust{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "no `{}`: run `cargo test --workspace` (it builds the wasmrust binary)",
        bin.display()
    );
    bin
}

/// Each corpus file, and what `opt` must refuse in it (`None`: it must
/// optimize, behaving the same).
const CORPUS: &[(&str, Option<&str>)] = &[
    (
        "binaryen-block-params-seed368.wasm",
        Some("a block, loop or if with"),
    ),
    (
        "binaryen-data-segment-beyond-memory-seed851.wasm",
        Some("an active data segment that ends beyond the initial memory"),
    ),
    (
        "binaryen-declarative-expressions-seed2248.wasm",
        Some("a declarative element segment written with expressions"),
    ),
    (
        "binaryen-elem-drop-seed1416.wasm",
        Some("the `elem.drop` instruction"),
    ),
    (
        "binaryen-element-segment-beyond-table-seed273.wasm",
        Some("an active element segment that ends beyond its table's initial size"),
    ),
    (
        "binaryen-table-copy-seed1433.wasm",
        Some("the `table.copy` instruction"),
    ),
    (
        "binaryen-table-fill-seed2167.wasm",
        Some("the `table.fill` instruction"),
    ),
    ("diff-other-trap-seed4152.wasm", None),
];

#[test]
fn the_corpus_is_listed() {
    let files: Vec<String> = cli::corpus(&corpus_dir())
        .unwrap()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let listed: Vec<&str> = CORPUS.iter().map(|(f, _)| *f).collect();
    assert_eq!(files, listed, "list every corpus file in CORPUS, sorted");
}

#[test]
fn corpus_modules_are_refused_before_binaryen_or_optimize_faithfully() {
    let engine = diff::engine().unwrap();
    for (file, refused) in CORPUS {
        let bytes = std::fs::read(corpus_dir().join(file)).unwrap();
        let found = binaryen::unsupported(&bytes).unwrap();
        match (refused, &found) {
            (Some(what), Some(u)) => assert!(
                u.construct.starts_with(what),
                "{file}: expected {what}, found {u}"
            ),
            (None, None) => {}
            _ => panic!("{file}: expected {refused:?}, the pre-screen found {found:?}"),
        }
        for level in [Level::Oz, Level::O3] {
            let outcome = diff::compare_module(&engine, &bytes, level);
            let ok = match outcome {
                Outcome::Unsupported { .. } => refused.is_some(),
                Outcome::Same { .. } | Outcome::Inconclusive { .. } => refused.is_none(),
                _ => false,
            };
            assert!(ok, "{file} at {level:?}: {outcome:?}");
        }
    }
}

#[test]
fn optimization_preserves_behaviour_on_generated_modules() {
    // 400 seeds, about a second: the CI-sized run of `wasmrust-fuzz diff`.
    for level in [Level::Oz, Level::O3] {
        let report = diff::run(0..400, level).unwrap();
        println!("{}", report.text(level));
        assert!(report.clean(), "{}", report.text(level));
        assert!(
            report.compared > 150 && report.calls > 150,
            "too few modules ran to mean anything:\n{}",
            report.text(level)
        );
    }
}

#[test]
fn every_subcommand_keeps_its_rules_on_generated_mutated_and_corpus_modules() {
    let wasmrust = wasmrust_bin();
    let mut report = cli::run(&wasmrust, 0..12, 3).unwrap();
    cli::check_corpus(&wasmrust, &corpus_dir(), &mut report).unwrap();
    println!("{}", report.text());
    assert!(report.clean(), "{}", report.text());
    // Both verdicts must occur, or the run did not test much.
    for (name, (runs, ok, errors)) in &report.runs {
        assert!(
            *ok > 0 && *errors > 0,
            "`{name}`: {runs} runs, {ok} ok, {errors} errors"
        );
    }
}
