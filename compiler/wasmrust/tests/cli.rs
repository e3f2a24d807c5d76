//! The `wasmrust` binary on bad input: a clear error naming the file, exit
//! status 1, and no output file written.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wasmrust-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn wasmrust(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasmrust"))
        .args(args)
        .output()
        .unwrap()
}

/// `(module (memory 1) (func (export "f") (result i32) i32.const 7))` plus a `name` section.
fn module() -> Vec<u8> {
    use wasm_encoder::*;
    let mut m = Module::new();
    let mut types = TypeSection::new();
    types.ty().function([], [ValType::I32]);
    m.section(&types);
    let mut funcs = FunctionSection::new();
    funcs.function(0);
    m.section(&funcs);
    let mut mem = MemorySection::new();
    mem.memory(MemoryType {
        minimum: 1,
        maximum: None,
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    m.section(&mem);
    let mut exports = ExportSection::new();
    exports.export("f", ExportKind::Func, 0);
    exports.export("memory", ExportKind::Memory, 0);
    m.section(&exports);
    let mut code = CodeSection::new();
    let mut f = Function::new([]);
    f.instructions().i32_const(7).end();
    code.function(&f);
    m.section(&code);
    let mut names = NameSection::new();
    let mut fnames = NameMap::new();
    fnames.append(0, "seven");
    names.functions(&fnames);
    m.section(&names);
    m.finish()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn assert_clean_failure(o: &Output, out: &Path, needles: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(1), "stderr: {err}");
    assert!(err.starts_with("error: "), "{err}");
    for n in needles {
        assert!(err.contains(n), "missing `{n}` in: {err}");
    }
    assert!(!out.exists(), "an output was written despite the error");
    let leftovers: Vec<_> = std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn every_postlink_subcommand_rejects_truncated_and_garbage_input() {
    let dir = scratch("bad");
    let good = module();
    let truncated = dir.join("truncated.wasm");
    std::fs::write(&truncated, &good[..good.len() - 5]).unwrap();
    let garbage = dir.join("garbage.wasm");
    std::fs::write(&garbage, b"#!/bin/sh\necho not wasm\n").unwrap();
    let out = dir.join("out.wasm");
    let o = out.to_str().unwrap();
    for (input, needles) in [
        (
            &truncated,
            &[
                "truncated.wasm",
                "is not a valid WebAssembly module",
                "offset",
                "truncated",
            ][..],
        ),
        (
            &garbage,
            &["garbage.wasm", "is not a WebAssembly binary", "23 21 2f 62"][..],
        ),
    ] {
        let i = input.to_str().unwrap();
        assert_clean_failure(&wasmrust(&["validate", i]), &out, needles);
        assert_clean_failure(
            &wasmrust(&["normalize", "--mode", "release", i, "-o", o]),
            &out,
            needles,
        );
        assert_clean_failure(
            &wasmrust(&["opt", "--target", "wasm32-wasip2", i, "-o", o]),
            &out,
            needles,
        );
        assert_clean_failure(&wasmrust(&["componentize", i, "-o", o]), &out, needles);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn missing_input_names_the_file() {
    let dir = scratch("missing");
    let out = dir.join("out.wasm");
    let o = wasmrust(&[
        "normalize",
        "--mode",
        "dev",
        "no/such/file.wasm",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_clean_failure(&o, &out, &["failed to read `no/such/file.wasm`"]);
}

#[test]
fn malformed_wit_gives_file_line_and_parser_message() {
    let dir = scratch("wit");
    let input = dir.join("m.wasm");
    std::fs::write(&input, module()).unwrap();
    let wit = dir.join("world.wit");
    std::fs::write(
        &wit,
        "package a:b;\n\nworld w {\n    export f: func() -> s32\n}\n",
    )
    .unwrap();
    let out = dir.join("out.wasm");
    let o = wasmrust(&[
        "componentize",
        input.to_str().unwrap(),
        "--wit",
        wit.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_clean_failure(
        &o,
        &out,
        &[
            "failed to parse WIT",
            "world.wit:5:1",
            "expected ';', found '}'",
        ],
    );
}

#[test]
fn normalize_and_componentize_succeed_on_good_input() {
    let dir = scratch("good");
    let input = dir.join("m.wasm");
    std::fs::write(&input, module()).unwrap();
    let norm = dir.join("norm.wasm");
    let o = wasmrust(&[
        "normalize",
        "--mode",
        "release",
        input.to_str().unwrap(),
        "-o",
        norm.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let bytes = std::fs::read(&norm).unwrap();
    assert!(
        bytes.len() < module().len(),
        "the name section was not dropped"
    );
    let wit = dir.join("world.wit");
    std::fs::write(
        &wit,
        "package a:b;\n\nworld w {\n    export f: func() -> s32;\n}\n",
    )
    .unwrap();
    let comp = dir.join("c.wasm");
    let o = wasmrust(&[
        "componentize",
        norm.to_str().unwrap(),
        "--wit",
        wit.to_str().unwrap(),
        "-o",
        comp.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(wasmparser::Parser::is_component(
        &std::fs::read(&comp).unwrap()
    ));
    let o = wasmrust(&[
        "opt",
        "--target",
        "wasm32-unknown-unknown",
        input.to_str().unwrap(),
        "-o",
        dir.join("o.wasm").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn embedded_profile_rejects_post_mvp_instructions() {
    use wasm_encoder::*;
    let mut m = Module::new();
    let mut types = TypeSection::new();
    types.ty().function([ValType::I32], [ValType::I32]);
    m.section(&types);
    let mut funcs = FunctionSection::new();
    funcs.function(0);
    m.section(&funcs);
    let mut code = CodeSection::new();
    let mut f = Function::new([]);
    f.instructions().local_get(0).i32_extend8_s().end();
    code.function(&f);
    m.section(&code);
    let dir = scratch("mvp");
    let input = dir.join("signext.wasm");
    std::fs::write(&input, m.finish()).unwrap();
    let out = dir.join("out.wasm");
    let (i, o) = (input.to_str().unwrap(), out.to_str().unwrap());
    let ok = wasmrust(&[
        "normalize",
        "--mode",
        "release",
        "--target",
        "wasm32-wasip2",
        i,
        "-o",
        o,
    ]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    std::fs::remove_file(&out).unwrap();
    let mvp = wasmrust(&[
        "normalize",
        "--mode",
        "release",
        "--target",
        "wasm32v1-none",
        i,
        "-o",
        o,
    ]);
    assert_clean_failure(
        &mvp,
        &out,
        &["signext.wasm", "sign extension", "does not enable"],
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn profiles_without_wasi_reject_wasi_imports() {
    use wasm_encoder::*;
    let mut m = Module::new();
    let mut types = TypeSection::new();
    types.ty().function([], [ValType::I32]);
    m.section(&types);
    let mut imports = ImportSection::new();
    imports.import(
        "wasi_snapshot_preview1",
        "sched_yield",
        EntityType::Function(0),
    );
    m.section(&imports);
    let dir = scratch("wasi");
    let input = dir.join("yield.wasm");
    std::fs::write(&input, m.finish()).unwrap();
    let out = dir.join("out.wasm");
    let (i, o) = (input.to_str().unwrap(), out.to_str().unwrap());
    let wasi = wasmrust(&[
        "normalize",
        "--mode",
        "dev",
        "--target",
        "wasm32-wasip1",
        i,
        "-o",
        o,
    ]);
    assert!(wasi.status.success(), "{}", stderr(&wasi));
    std::fs::remove_file(&out).unwrap();
    let browser = wasmrust(&[
        "normalize",
        "--mode",
        "dev",
        "--target",
        "wasm32-unknown-unknown",
        "--label",
        "//app:web",
        "--profile",
        "browser",
        i,
        "-o",
        o,
    ]);
    assert_clean_failure(
        &browser,
        &out,
        &[
            "//app:web (`browser` profile, wasm32-unknown-unknown)",
            "`wasi_snapshot_preview1::sched_yield`",
            "Build the target for a WASI profile",
        ],
    );
    let embedded = wasmrust(&[
        "normalize",
        "--mode",
        "dev",
        "--target",
        "wasm32v1-none",
        i,
        "-o",
        o,
    ]);
    assert_clean_failure(
        &embedded,
        &out,
        &["yield.wasm", "(wasm32v1-none)", "provide no WASI"],
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---- No tool touches a file it was not asked to write (issue 21, part 1).

/// The names of the files in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn ok(o: &Output) {
    assert!(
        o.status.success(),
        "status {:?}, stderr: {}",
        o.status,
        stderr(o)
    );
}

/// Paths as the strings the command line takes.
fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A module whose one function runs `table.fill`: valid for wasmparser with
/// the reference types every WASI target enables, but binaryen 116 cannot
/// read it ("invalid code after misc prefix").
fn module_binaryen_rejects() -> Vec<u8> {
    use wasm_encoder::*;
    let mut m = Module::new();
    let mut types = TypeSection::new();
    types.ty().function([], []);
    m.section(&types);
    let mut funcs = FunctionSection::new();
    funcs.function(0);
    m.section(&funcs);
    let mut tables = TableSection::new();
    tables.table(TableType {
        element_type: RefType::FUNCREF,
        minimum: 2,
        maximum: None,
        table64: false,
        shared: false,
    });
    m.section(&tables);
    let mut exports = ExportSection::new();
    exports.export("fill", ExportKind::Func, 0);
    m.section(&exports);
    let mut code = CodeSection::new();
    let mut f = Function::new([]);
    f.instructions()
        .i32_const(0)
        .ref_null(HeapType::FUNC)
        .i32_const(1)
        .table_fill(0)
        .end();
    code.function(&f);
    m.section(&code);
    m.finish()
}

#[test]
fn opt_keeps_an_input_named_like_its_old_scratch_file() {
    // `opt` used to write `<output stem>.pre-opt.wasm` next to the output and
    // delete it afterwards: this very input.
    let dir = scratch("pre-opt");
    let input = dir.join("app.pre-opt.wasm");
    std::fs::write(&input, module()).unwrap();
    let out = dir.join("app.wasm");
    ok(&wasmrust(&[
        "opt",
        "--target",
        "wasm32-wasip1",
        s(&input),
        "-o",
        s(&out),
    ]));
    assert_eq!(
        std::fs::read(&input).unwrap(),
        module(),
        "the input changed"
    );
    assert!(
        wasmparser::Validator::new()
            .validate_all(&std::fs::read(&out).unwrap())
            .is_ok()
    );
    assert_eq!(listing(&dir), ["app.pre-opt.wasm", "app.wasm"]);
    // With the effects check, converging, at every level: still only the output.
    for level in ["O1", "Os", "Oz"] {
        std::fs::remove_file(&out).unwrap();
        ok(&wasmrust(&[
            "opt",
            "--target",
            "wasm32-wasip1",
            "--level",
            level,
            "--converge",
            "--check-effects",
            s(&input),
            "-o",
            s(&out),
        ]));
        assert_eq!(std::fs::read(&input).unwrap(), module());
        assert_eq!(listing(&dir), ["app.pre-opt.wasm", "app.wasm"]);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_failing_optimization_keeps_the_input_and_writes_nothing() {
    let dir = scratch("opt-fails");
    let input = dir.join("app.pre-opt.wasm");
    std::fs::write(&input, module_binaryen_rejects()).unwrap();
    let out = dir.join("app.wasm");
    // wasmparser accepts the module for the target ...
    ok(&wasmrust(&[
        "validate",
        "--target",
        "wasm32-wasip1",
        s(&input),
    ]));
    // ... binaryen could not: `opt` refuses it before binaryen runs, naming
    // the user's file (not a scratch copy), the construct and where it is.
    let o = wasmrust(&["opt", "--target", "wasm32-wasip1", s(&input), "-o", s(&out)]);
    assert_clean_failure(
        &o,
        &out,
        &[
            &format!(
                "`{}` uses the `table.fill` instruction (function 0, offset 0x",
                input.display()
            ),
            "binaryen 116 (wasm-opt) cannot read",
            "docs/reliability.md",
        ],
    );
    assert!(
        !stderr(&o).contains("/input.wasm"),
        "a scratch path in: {}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read(&input).unwrap(),
        module_binaryen_rejects(),
        "the input changed"
    );
    assert_eq!(listing(&dir), ["app.pre-opt.wasm"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// An existing output is replaced only when the tool succeeds.
#[test]
fn a_failing_step_leaves_an_existing_output_as_it_was() {
    let dir = scratch("keep-old");
    let input = dir.join("bad.wasm");
    std::fs::write(&input, module_binaryen_rejects()).unwrap();
    let out = dir.join("app.wasm");
    std::fs::write(&out, b"previous build").unwrap();
    let o = wasmrust(&["opt", "--target", "wasm32-wasip1", s(&input), "-o", s(&out)]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(std::fs::read(&out).unwrap(), b"previous build");
    assert_eq!(listing(&dir), ["app.wasm", "bad.wasm"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The output path equal to the input path is refused, before anything is
/// written, by every subcommand that writes files; so is another name for the
/// same file (a symlink). The input is unchanged and nothing else appears.
#[test]
fn every_subcommand_refuses_to_write_over_its_input() {
    let dir = scratch("same");
    let input = dir.join("app.wasm");
    std::fs::write(&input, module()).unwrap();
    let link = dir.join("link.wasm");
    std::os::unix::fs::symlink(&input, &link).unwrap();
    let other = dir.join("other.wasm");
    std::fs::write(&other, module()).unwrap();
    let wit = dir.join("world.wit");
    std::fs::write(
        &wit,
        "package a:b;\n\nworld w {\n    export f: func() -> s32;\n}\n",
    )
    .unwrap();
    let i = s(&input);
    for out in [&input, &link] {
        let o = s(out);
        let runs: [&[&str]; 9] = [
            &["opt", "--target", "wasm32-wasip1", i, "-o", o],
            &["normalize", "--mode", "release", i, "-o", o],
            &["componentize", i, "--wit", s(&wit), "-o", o],
            &["validate", i, "--stamp", o],
            &["size", i, "-o", o],
            &["size", i, "--json", o],
            &["size", i, "--html", o],
            &["size", "--diff", s(&other), i, "-o", o],
            &["diff", s(&other), i, "--json", o],
        ];
        for args in runs {
            let r = wasmrust(args);
            let err = stderr(&r);
            assert_eq!(r.status.code(), Some(1), "{args:?} succeeded: {err}");
            assert!(
                err.contains(&format!("refusing to write `{o}`"))
                    && err.contains("never modifies its inputs"),
                "{args:?}: {err}"
            );
            assert_eq!(
                std::fs::read(&input).unwrap(),
                module(),
                "{args:?} changed the input"
            );
            assert_eq!(
                listing(&dir),
                ["app.wasm", "link.wasm", "other.wasm", "world.wit"],
                "{args:?}"
            );
        }
    }
    // The WIT file is an input of componentize too.
    let r = wasmrust(&["componentize", i, "--wit", s(&wit), "-o", s(&wit)]);
    assert!(stderr(&r).contains("refusing to write"), "{}", stderr(&r));
    assert!(
        std::fs::read_to_string(&wit)
            .unwrap()
            .starts_with("package a:b;")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Each file-writing subcommand, on success, writes exactly the files it was
/// asked to (no temporary or scratch file left next to them) and leaves its
/// inputs byte-identical.
#[test]
fn every_subcommand_writes_only_its_outputs() {
    let dir = scratch("only");
    let input = dir.join("m.wasm");
    std::fs::write(&input, module()).unwrap();
    let other = dir.join("n.wasm");
    let mut changed = module();
    *changed.last_mut().unwrap() ^= 1; // a different last byte of the name section
    std::fs::write(&other, &changed).unwrap();
    let wit = dir.join("world.wit");
    std::fs::write(
        &wit,
        "package a:b;\n\nworld w {\n    export f: func() -> s32;\n}\n",
    )
    .unwrap();
    let inputs = ["m.wasm", "n.wasm", "world.wit"];
    let out = |name: &str| dir.join(name);
    let cases: Vec<(Vec<String>, Vec<&str>)> = vec![
        (
            vec![
                "validate".into(),
                s(&input).into(),
                "--stamp".into(),
                s(&out("m.valid")).into(),
            ],
            vec!["m.valid"],
        ),
        (
            vec![
                "opt".into(),
                "--target".into(),
                "wasm32-wasip1".into(),
                s(&input).into(),
                "-o".into(),
                s(&out("o.wasm")).into(),
            ],
            vec!["o.wasm"],
        ),
        (
            vec![
                "normalize".into(),
                "--mode".into(),
                "dev".into(),
                s(&input).into(),
                "-o".into(),
                s(&out("d.wasm")).into(),
            ],
            vec!["d.wasm"],
        ),
        (
            vec![
                "componentize".into(),
                s(&input).into(),
                "--wit".into(),
                s(&wit).into(),
                "-o".into(),
                s(&out("c.wasm")).into(),
            ],
            vec!["c.wasm"],
        ),
        (
            vec![
                "size".into(),
                s(&input).into(),
                "-o".into(),
                s(&out("s.txt")).into(),
                "--json".into(),
                s(&out("s.json")).into(),
                "--html".into(),
                s(&out("s.html")).into(),
            ],
            vec!["s.html", "s.json", "s.txt"],
        ),
        (
            vec![
                "size".into(),
                "--diff".into(),
                s(&input).into(),
                s(&other).into(),
                "-o".into(),
                s(&out("sd.txt")).into(),
            ],
            vec!["sd.txt"],
        ),
        (
            vec![
                "diff".into(),
                s(&input).into(),
                s(&other).into(),
                "--json".into(),
                s(&out("diff.json")).into(),
            ],
            vec!["diff.json"],
        ),
    ];
    for (args, outputs) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = wasmrust(&args);
        // `diff` exits 1 when the files differ, as they do here.
        let want = if args[0] == "diff" { Some(1) } else { Some(0) };
        assert_eq!(r.status.code(), want, "{args:?}: {}", stderr(&r));
        let mut want: Vec<&str> = inputs.iter().chain(&outputs).copied().collect();
        want.sort();
        assert_eq!(listing(&dir), want, "{args:?}");
        assert_eq!(
            std::fs::read(&input).unwrap(),
            module(),
            "{args:?} changed its input"
        );
        assert_eq!(
            std::fs::read(&other).unwrap(),
            changed,
            "{args:?} changed its input"
        );
        for o in outputs {
            assert!(
                std::fs::metadata(out(o)).unwrap().len() > 0,
                "{args:?}: {o} is empty"
            );
            std::fs::remove_file(out(o)).unwrap();
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `build-script` empties its OUT_DIR first: one that holds the crate's
/// sources (or the script, or the working directory) is refused and nothing
/// is removed; a proper OUT_DIR is emptied and the flags file written.
#[test]
fn build_script_empties_only_its_own_out_dir() {
    let dir = scratch("build-script");
    let manifest = dir.join("crate");
    std::fs::create_dir_all(manifest.join("src")).unwrap();
    std::fs::write(manifest.join("Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
    std::fs::write(manifest.join("src/lib.rs"), "").unwrap();
    let flags = dir.join("x.flags");
    let run = |out_dir: &Path| {
        wasmrust(&[
            "build-script",
            "--script",
            "/bin/true",
            "--rustc",
            "/usr/bin/rustc",
            "--library-path",
            "/usr/lib",
            "--target",
            "wasm32-wasip1",
            "--mode",
            "dev",
            "--manifest-dir",
            s(&manifest),
            "--pkg-name",
            "x",
            "--pkg-version",
            "1.0.0",
            "--out-dir",
            s(out_dir),
            "--flags-out",
            s(&flags),
        ])
    };
    for bad in [&manifest, &dir] {
        let r = run(bad);
        assert_eq!(r.status.code(), Some(1), "{}", stderr(&r));
        assert!(
            stderr(&r).contains("refusing to empty the build script's OUT_DIR"),
            "{}",
            stderr(&r)
        );
        assert!(
            manifest.join("src/lib.rs").exists() && manifest.join("Cargo.toml").exists(),
            "the crate's files were removed"
        );
        assert!(!flags.exists());
    }
    let out_dir = dir.join("out");
    std::fs::create_dir_all(&out_dir).unwrap();
    std::fs::write(out_dir.join("stale.rs"), "").unwrap();
    ok(&run(&out_dir));
    assert!(listing(&out_dir).is_empty(), "OUT_DIR was not emptied");
    assert!(flags.exists());
    assert_eq!(listing(&dir), ["crate", "out", "x.flags"]);
    assert_eq!(listing(&manifest), ["Cargo.toml", "src"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `rustc` writes its output itself; an output path equal to the source is
/// refused (by rustc) and the source is left as it was.
#[test]
fn rustc_never_overwrites_its_source() {
    let dir = scratch("rustc");
    let src = dir.join("x.rs");
    std::fs::write(&src, "pub fn f() {}\n").unwrap();
    let args = [
        "--target",
        "x86_64-unknown-linux-gnu",
        "--mode",
        "dev",
        "--kind",
        "lib",
        "--crate-name",
        "x",
        "--edition",
        "2021",
    ];
    let r = wasmrust(
        &[
            &["rustc", "--rustc", "/usr/bin/rustc"][..],
            &args,
            &["--src", s(&src), "--out", s(&src)],
        ]
        .concat(),
    );
    assert_eq!(r.status.code(), Some(1), "{}", stderr(&r));
    assert!(
        stderr(&r).contains("would be overwritten"),
        "{}",
        stderr(&r)
    );
    assert_eq!(std::fs::read_to_string(&src).unwrap(), "pub fn f() {}\n");
    assert_eq!(listing(&dir), ["x.rs"]);
    std::fs::remove_dir_all(&dir).unwrap();
}
