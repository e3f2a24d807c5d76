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
    Command::new(env!("CARGO_BIN_EXE_wasmrust")).args(args).output().unwrap()
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
    mem.memory(MemoryType { minimum: 1, maximum: None, memory64: false, shared: false, page_size_log2: None });
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
        (&truncated, &["truncated.wasm", "is not a valid WebAssembly module", "offset", "truncated"][..]),
        (&garbage, &["garbage.wasm", "is not a WebAssembly binary", "23 21 2f 62"][..]),
    ] {
        let i = input.to_str().unwrap();
        assert_clean_failure(&wasmrust(&["validate", i]), &out, needles);
        assert_clean_failure(&wasmrust(&["normalize", "--mode", "release", i, "-o", o]), &out, needles);
        assert_clean_failure(&wasmrust(&["opt", "--target", "wasm32-wasip2", i, "-o", o]), &out, needles);
        assert_clean_failure(&wasmrust(&["componentize", i, "-o", o]), &out, needles);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn missing_input_names_the_file() {
    let dir = scratch("missing");
    let out = dir.join("out.wasm");
    let o = wasmrust(&["normalize", "--mode", "dev", "no/such/file.wasm", "-o", out.to_str().unwrap()]);
    assert_clean_failure(&o, &out, &["failed to read `no/such/file.wasm`"]);
}

#[test]
fn malformed_wit_gives_file_line_and_parser_message() {
    let dir = scratch("wit");
    let input = dir.join("m.wasm");
    std::fs::write(&input, module()).unwrap();
    let wit = dir.join("world.wit");
    std::fs::write(&wit, "package a:b;\n\nworld w {\n    export f: func() -> s32\n}\n").unwrap();
    let out = dir.join("out.wasm");
    let o = wasmrust(&["componentize", input.to_str().unwrap(), "--wit", wit.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_clean_failure(&o, &out, &["failed to parse WIT", "world.wit:5:1", "expected ';', found '}'"]);
}

#[test]
fn normalize_and_componentize_succeed_on_good_input() {
    let dir = scratch("good");
    let input = dir.join("m.wasm");
    std::fs::write(&input, module()).unwrap();
    let norm = dir.join("norm.wasm");
    let o = wasmrust(&["normalize", "--mode", "release", input.to_str().unwrap(), "-o", norm.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let bytes = std::fs::read(&norm).unwrap();
    assert!(bytes.len() < module().len(), "the name section was not dropped");
    let wit = dir.join("world.wit");
    std::fs::write(&wit, "package a:b;\n\nworld w {\n    export f: func() -> s32;\n}\n").unwrap();
    let comp = dir.join("c.wasm");
    let o = wasmrust(&["componentize", norm.to_str().unwrap(), "--wit", wit.to_str().unwrap(), "-o", comp.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(wasmparser::Parser::is_component(&std::fs::read(&comp).unwrap()));
    let o = wasmrust(&["opt", "--target", "wasm32-unknown-unknown", input.to_str().unwrap(), "-o", dir.join("o.wasm").to_str().unwrap()]);
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
    let ok = wasmrust(&["normalize", "--mode", "release", "--target", "wasm32-wasip2", i, "-o", o]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    std::fs::remove_file(&out).unwrap();
    let mvp = wasmrust(&["normalize", "--mode", "release", "--target", "wasm32v1-none", i, "-o", o]);
    assert_clean_failure(&mvp, &out, &["signext.wasm", "sign extension", "does not enable"]);
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
    imports.import("wasi_snapshot_preview1", "sched_yield", EntityType::Function(0));
    m.section(&imports);
    let dir = scratch("wasi");
    let input = dir.join("yield.wasm");
    std::fs::write(&input, m.finish()).unwrap();
    let out = dir.join("out.wasm");
    let (i, o) = (input.to_str().unwrap(), out.to_str().unwrap());
    let wasi = wasmrust(&["normalize", "--mode", "dev", "--target", "wasm32-wasip1", i, "-o", o]);
    assert!(wasi.status.success(), "{}", stderr(&wasi));
    std::fs::remove_file(&out).unwrap();
    let browser = wasmrust(&[
        "normalize", "--mode", "dev", "--target", "wasm32-unknown-unknown", "--label", "//app:web", "--profile", "browser", i, "-o", o,
    ]);
    assert_clean_failure(
        &browser,
        &out,
        &["//app:web (`browser` profile, wasm32-unknown-unknown)", "`wasi_snapshot_preview1::sched_yield`", "Build the target for a WASI profile"],
    );
    let embedded = wasmrust(&["normalize", "--mode", "dev", "--target", "wasm32v1-none", i, "-o", o]);
    assert_clean_failure(&embedded, &out, &["yield.wasm", "(wasm32v1-none)", "provide no WASI"]);
    std::fs::remove_dir_all(&dir).unwrap();
}
