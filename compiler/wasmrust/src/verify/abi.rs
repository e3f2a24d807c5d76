//! The canonical-ABI check: before a core module becomes a component, every
//! function the world makes it export, and every function it imports from the
//! world, must have the core name and signature the canonical ABI lowers the
//! WIT function to.
//!
//! The expected lowering is wit-component's own: the module
//! `wit_component::dummy_module` makes for the world (legacy names, the
//! synchronous ABI, as wit-bindgen and the rules' bindings use). A mismatch
//! names the WIT function (`file:line:column`), the expected and the found
//! core signature, and the module's own name for the function when it has a
//! name section (the Rust symbol, demangled).

use anyhow::{Result, bail};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use wasmparser::{ExternalKind, FuncType, Payload, TypeRef};
use wit_parser::{LiftLowerAbi, ManglingAndAbi, Resolve, WorldId, WorldItem};

/// The functions a core module imports and exports, with their types and names.
#[derive(Default)]
struct Functions {
    /// `(module, name)` → type.
    imports: BTreeMap<(String, String), FuncType>,
    /// Export name → (type, the function's name in the name section, if any).
    exports: BTreeMap<String, (FuncType, Option<String>)>,
}

fn functions(bytes: &[u8]) -> Result<Functions> {
    let mut types: Vec<Option<FuncType>> = Vec::new();
    let mut func_types: Vec<u32> = Vec::new();
    let mut exported: Vec<(String, u32)> = Vec::new();
    let mut names: BTreeMap<u32, String> = BTreeMap::new();
    let mut out = Functions::default();
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        match payload? {
            Payload::TypeSection(reader) => {
                for ty in reader.into_iter_err_on_gc_types() {
                    types.push(Some(ty?));
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import?;
                    if let TypeRef::Func(ty) = import.ty {
                        func_types.push(ty);
                        if let Some(Some(ty)) = types.get(ty as usize) {
                            out.imports.insert(
                                (import.module.to_owned(), import.name.to_owned()),
                                ty.clone(),
                            );
                        }
                    }
                }
            }
            Payload::FunctionSection(reader) => {
                for ty in reader {
                    func_types.push(ty?);
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export?;
                    if export.kind == ExternalKind::Func {
                        exported.push((export.name.to_owned(), export.index));
                    }
                }
            }
            Payload::CustomSection(section) => {
                if let wasmparser::KnownCustom::Name(reader) = section.as_known() {
                    for name in reader {
                        if let Ok(wasmparser::Name::Function(map)) = name {
                            for naming in map.into_iter().flatten() {
                                names.insert(naming.index, naming.name.to_owned());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    for (name, index) in exported {
        let ty = func_types
            .get(index as usize)
            .and_then(|&t| types.get(t as usize))
            .cloned()
            .flatten();
        if let Some(ty) = ty {
            let symbol = names
                .get(&index)
                .map(|n| rustc_demangle::demangle(n).to_string());
            out.exports.insert(name, (ty, symbol));
        }
    }
    Ok(out)
}

/// `(i32, i32) -> i32`, as a core signature reads.
fn signature(ty: &FuncType) -> String {
    let list = |v: &[wasmparser::ValType]| {
        v.iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match ty.results() {
        [] => format!("({})", list(ty.params())),
        [one] => format!("({}) -> {one}", list(ty.params())),
        many => format!("({}) -> ({})", list(ty.params()), list(many)),
    }
}

/// Where each world function's core names come from: core name → (WIT
/// location, `interface#function` as the user wrote it).
fn wit_functions(
    resolve: &Resolve,
    world: WorldId,
    exports: bool,
) -> BTreeMap<String, (String, String)> {
    let mut out = BTreeMap::new();
    let items = if exports {
        &resolve.worlds[world].exports
    } else {
        &resolve.worlds[world].imports
    };
    for (key, item) in items {
        let funcs: Vec<(Option<String>, &wit_parser::Function)> = match item {
            WorldItem::Function(f) => vec![(None, f)],
            WorldItem::Interface { id, .. } => {
                let name = resolve.name_world_key(key);
                resolve.interfaces[*id]
                    .functions
                    .values()
                    .map(|f| (Some(name.clone()), f))
                    .collect()
            }
            WorldItem::Type { .. } => Vec::new(),
        };
        for (interface, f) in funcs {
            let location = resolve.source_map.render_location(f.span);
            let shown = match &interface {
                Some(i) => format!("{i}#{}", f.name),
                None => f.name.clone(),
            };
            let core = match (&interface, exports) {
                (Some(i), true) => format!("{i}#{}", f.name),
                (None, true) => f.name.clone(),
                (Some(i), false) => format!("{i}\0{}", f.name),
                (None, false) => format!("$root\0{}", f.name),
            };
            out.insert(core, (location, shown));
        }
    }
    out
}

/// Checks the core module `bytes` (read from `input`) against the canonical-ABI
/// lowering of `world`: every export the world requires is there with its
/// signature, `cabi_realloc`, `_initialize` and each present post-return hook have theirs,
/// and each import from a world interface matches. All mismatches are listed.
pub fn check(input: &Path, bytes: &[u8], resolve: &Resolve, world: WorldId) -> Result<()> {
    let expected = functions(&wit_component::dummy_module(
        resolve,
        world,
        ManglingAndAbi::Legacy(LiftLowerAbi::Sync),
    ))?;
    let found = functions(bytes)?;
    let exported = wit_functions(resolve, world, true);
    let imported = wit_functions(resolve, world, false);
    let describe = |name: &str, table: &BTreeMap<String, (String, String)>| match table.get(name) {
        Some((location, shown)) => format!("the WIT function `{shown}` ({location})"),
        None => format!("`{name}`"),
    };
    let mut problems = Vec::new();
    for (name, (want, _)) in &expected.exports {
        // The world's functions are required; the rest (`cabi_realloc`,
        // post-return hooks, `_initialize`, destructors) only checked when there.
        let required = exported.contains_key(name);
        match found.exports.get(name) {
            None if required => problems.push(format!(
                "{} must be exported as `{name}` with the core signature {}, but the module exports no such function",
                describe(name, &exported),
                signature(want)
            )),
            Some((got, symbol)) if got != want => problems.push(format!(
                "{} is exported as `{name}` with the core signature {}, but the canonical ABI lowers it to {}{}",
                describe(name.strip_prefix(crate::postlink::componentize::POST_RETURN).unwrap_or(name), &exported),
                signature(got),
                signature(want),
                symbol.as_ref().map(|s| format!(" (Rust symbol `{s}`)")).unwrap_or_default()
            )),
            _ => {}
        }
    }
    for ((module, name), got) in &found.imports {
        if let Some(want) = expected.imports.get(&(module.clone(), name.clone()))
            && got != want
        {
            problems.push(format!(
                "{} is imported as `{module}`/`{name}` with the core signature {}, but the canonical ABI lowers it to {}",
                describe(&format!("{module}\0{name}"), &imported),
                signature(got),
                signature(want)
            ));
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    let mut message = format!(
        "`{}` does not implement its WIT world's canonical ABI ({} problem{}):",
        input.display(),
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    );
    for p in &problems {
        write!(message, "\n  - {p}")?;
    }
    message.push_str(
        "\nGenerate the exports with `wasm_rust_wit_bindings` (docs/components.md), or fix the hand-written ones to match.",
    );
    bail!(message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::postlink::componentize::{World, resolve_world};

    const WIT: &str = "package t:t;
interface api {
    add: func(a: u32, b: u32) -> u32;
    greet: func(name: string) -> string;
}
world w { export api; }
";

    /// A module with a memory, `cabi_realloc`, and each `(name, params, results)` export.
    fn module(funcs: &[(&str, &[wasm_encoder::ValType], &[wasm_encoder::ValType])]) -> Vec<u8> {
        use wasm_encoder::*;
        let mut all: Vec<(&str, &[ValType], &[ValType])> = funcs.to_vec();
        all.push(("cabi_realloc", &[ValType::I32; 4], &[ValType::I32]));
        let (mut m, mut types, mut functions, mut code, mut exports) = (
            Module::new(),
            TypeSection::new(),
            FunctionSection::new(),
            CodeSection::new(),
            ExportSection::new(),
        );
        for (i, (name, params, results)) in all.iter().enumerate() {
            types
                .ty()
                .function(params.iter().copied(), results.iter().copied());
            functions.function(i as u32);
            let mut f = Function::new([]);
            f.instructions().unreachable().end();
            code.function(&f);
            exports.export(name, ExportKind::Func, i as u32);
        }
        exports.export("memory", ExportKind::Memory, 0);
        let mut memory = MemorySection::new();
        memory.memory(MemoryType {
            minimum: 1,
            maximum: None,
            memory64: false,
            shared: false,
            page_size_log2: None,
        });
        m.section(&types)
            .section(&functions)
            .section(&memory)
            .section(&exports)
            .section(&code);
        m.finish()
    }

    fn run(bytes: &[u8]) -> Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("w.wit");
        std::fs::write(&path, WIT)?;
        let (resolve, world) = resolve_world(&World {
            path: &path,
            name: Some("w"),
        })?;
        check(Path::new("app.wasm"), bytes, &resolve, world)
    }

    use wasm_encoder::ValType::I32;

    #[test]
    fn the_right_lowering_passes() {
        run(&module(&[
            ("t:t/api#add", &[I32, I32], &[I32]),
            ("t:t/api#greet", &[I32, I32], &[I32]),
        ]))
        .unwrap();
    }

    #[test]
    fn a_wrong_signature_and_a_missing_export_are_named_with_their_wit_lines() {
        let err = run(&module(&[("t:t/api#add", &[I32], &[I32])]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("2 problems"), "{err}");
        assert!(
            err.contains("the WIT function `t:t/api#add` (") && err.contains("w.wit:3:5)"),
            "the WIT line: {err}"
        );
        assert!(
            err.contains(
                "core signature (i32) -> i32, but the canonical ABI lowers it to (i32, i32) -> i32"
            ),
            "{err}"
        );
        assert!(err.contains("must be exported as `t:t/api#greet` with the core signature (i32, i32) -> i32, but the module exports no such function"), "{err}");
        assert!(err.contains("wasm_rust_wit_bindings"), "{err}");
    }
}
