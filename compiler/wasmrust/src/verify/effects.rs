//! The effects check: every function with a `wasmrust.effects` record (what
//! `#[wasm::effect(...)]` declares, format in `wasm::effects`) may do only
//! what it declares. Its actual effects come from the call graph of the
//! linked module ([`crate::module::graph`], the graph the size report reads:
//! direct calls, `ref.func`, and indirect calls through the table to every
//! element-segment function): the imports it can reach and the instructions
//! the reached functions contain. A function that does more fails the check, naming the
//! function, the undeclared effect and one call path to its source.

use crate::module::graph::{CallGraph, call_graph_with};
use crate::module::layout::layout;
use anyhow::{Context, Result, bail};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use wasmparser::{Operator, Parser, Payload};

/// Where an effect comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Source {
    /// An imported function, `module::name`.
    Import(String),
    /// An instruction inside a function.
    Instruction(&'static str),
}

/// A function that does more than it declares.
#[derive(Debug, PartialEq, Eq)]
pub struct Violation {
    /// The record's symbol (the function's export name).
    pub symbol: String,
    /// What it declares.
    pub declared: Vec<String>,
    /// An effect it has but does not declare.
    pub effect: &'static str,
    /// Function names from the declared function to the source, then the source.
    pub path: Vec<String>,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let declared = if self.declared.is_empty() {
            "no effects (pure)".to_string()
        } else {
            self.declared.join(", ")
        };
        write!(
            f,
            "`{}` declares {declared} but can `{}`: {}",
            self.symbol,
            self.effect,
            self.path.join(" -> ")
        )
    }
}

/// The effect an imported function has. JS hosts (browser, node) run every
/// non-WASI import in JavaScript.
fn import_effect(module: &str, name: &str, js_host: bool) -> Option<&'static str> {
    if module == "$root" && name == "report-panic" {
        return Some("panic");
    }
    if name == "thread-spawn" || module == "wasmrust:thread" {
        return Some("spawn");
    }
    if module.starts_with("wasi") {
        return Some("io");
    }
    Some(if js_host { "js_call" } else { "io" })
}

/// The effect of one instruction, if any.
fn instruction_effect(op: &Operator<'_>) -> Option<&'static str> {
    match op {
        Operator::Unreachable => return Some("panic"),
        Operator::MemoryGrow { .. } => return Some("alloc"),
        _ => {}
    }
    let name = format!("{op:?}");
    if name.starts_with("MemoryAtomicWait") || (name.contains("Atomic") && name.contains("Load")) {
        Some("atomic_read")
    } else if name.starts_with("MemoryAtomicNotify") || name.contains("Atomic") {
        Some("atomic_write")
    } else {
        None
    }
}

/// What each function's own instructions do: `(effect, instruction)` pairs,
/// first occurrence of each effect only.
type OwnEffects = BTreeMap<u32, Vec<(&'static str, &'static str)>>;

/// The module's call graph ([`crate::module::graph`], the one the size report
/// uses: direct calls, `ref.func`, indirect calls through the table to every
/// element-segment function, exports and start) and each function's own
/// effects, read in one pass.
fn graph(bytes: &[u8]) -> Result<(CallGraph, OwnEffects)> {
    let mut own = OwnEffects::new();
    let g = call_graph_with(bytes, |f, op| {
        if let Some(effect) = instruction_effect(op) {
            let what = match effect {
                "panic" => "unreachable",
                "alloc" => "memory.grow",
                "atomic_read" => "an atomic load or wait",
                _ => "an atomic store, read-modify-write or notify",
            };
            let own = own.entry(f).or_default();
            if !own.iter().any(|(e, _)| *e == effect) {
                own.push((effect, what));
            }
        }
    })?
    .context(
        "a component has no effect records of its own: check its core module before componentizing",
    )?;
    Ok((g, own))
}

/// Checks the declared effects of `bytes` (see [`check`]) and fails with
/// every violation, naming `host.label` (or `path`) and the call paths.
pub fn enforce(
    path: &std::path::Path,
    bytes: &[u8],
    host: &crate::verify::validate::Host<'_>,
) -> Result<()> {
    let violations = check(path, bytes, host.js_host)?;
    if violations.is_empty() {
        return Ok(());
    }
    let who = host
        .label
        .map_or_else(|| format!("`{}`", path.display()), str::to_string);
    let list: Vec<String> = violations.iter().map(|v| format!("  {v}")).collect();
    bail!(
        "{who}: functions do more than their `#[wasm::effect]` declarations allow:\n{}\n\
         Declare the effect, or remove the call path that leads to it.",
        list.join("\n")
    )
}

/// The module without what only the effects check needs: the exports named
/// `wasmrust.fx.*` (which keep functions that are not otherwise exported
/// alive until the check) and the `wasmrust.effects` section. Run after
/// [`enforce`] and before the optimizer, whose dead-code elimination then
/// removes what only those exports kept. Every other byte is copied.
pub fn strip(bytes: &[u8]) -> Result<Vec<u8>> {
    crate::module::edit::drop_exports(bytes, |name| name.starts_with(wasm::effects::EXPORT_PREFIX), &[wasm::effects::SECTION])
        .map_err(|e| e.context("a component has no effect records of its own: strip its core modules before componentizing"))
}

/// A function's name as the user wrote it: `#[effect]` exports functions that
/// are not `#[export]`ed as `wasmrust.fx.<name>`, and that export name is also
/// their symbol.
fn source_name(symbol: &str) -> &str {
    symbol
        .strip_prefix(wasm::effects::EXPORT_PREFIX)
        .unwrap_or(symbol)
}

/// Checks the declared effects of the module `bytes` (read from `path`).
/// Returns the violations; no `wasmrust.effects` section means nothing to check.
pub fn check(path: &std::path::Path, bytes: &[u8], js_host: bool) -> Result<Vec<Violation>> {
    // Most modules declare nothing: find the section before decoding any code.
    let Some(section) = Parser::new(0).parse_all(bytes).find_map(|p| match p {
        Ok(Payload::CustomSection(c)) if c.name() == wasm::effects::SECTION => Some(c.data()),
        _ => None,
    }) else {
        return Ok(Vec::new());
    };
    let (g, own) = graph(bytes).with_context(|| format!("failed to read `{}`", path.display()))?;
    let names = layout(bytes)?.names;
    let export_name = |f: u32| g.exports.get(&f).and_then(|names| names.first());
    let name_of = |node: usize| -> String {
        let Some(f) = g.function(node) else {
            return "(an indirect call through the table)".to_string();
        };
        match g.imports.get(f as usize) {
            Some((m, n)) => format!("{m}::{n}"),
            // Release modules have no names: an export name, else the index.
            None => names
                .get(&f)
                .map(|n| source_name(n).to_string())
                .or_else(|| export_name(f).map(|e| format!("`{}`", source_name(e))))
                .unwrap_or_else(|| format!("function {f}")),
        }
    };
    let mut violations = Vec::new();
    for record in wasm::effects::parse(section) {
        let record = record.map_err(|e| anyhow::anyhow!("`{}`: {e}", path.display()))?;
        let Some((&export, _)) = g
            .exports
            .iter()
            .find(|(_, names)| names.iter().any(|n| n == record.symbol))
        else {
            bail!(
                "`{}`: `{}` declares effects but the module exports no function by that name",
                path.display(),
                record.symbol
            );
        };
        let start = CallGraph::node(export);
        let declared: Vec<String> = record.effects().map(str::to_string).collect();
        // Breadth-first, so each reported path is a shortest one.
        let mut parent: BTreeMap<usize, usize> = BTreeMap::new();
        let mut queue = VecDeque::from([start]);
        let mut seen = BTreeSet::from([start]);
        let mut reported = BTreeSet::new();
        while let Some(node) = queue.pop_front() {
            let sources: Vec<(&'static str, Source)> = match g.function(node) {
                // The table itself does nothing; its functions are its successors.
                None => Vec::new(),
                Some(f) => match g.imports.get(f as usize) {
                    Some((m, n)) => import_effect(m, n, js_host)
                        .map(|e| (e, Source::Import(format!("{m}::{n}"))))
                        .into_iter()
                        .collect(),
                    None => own
                        .get(&f)
                        .into_iter()
                        .flatten()
                        .map(|(e, what)| (*e, Source::Instruction(what)))
                        .collect(),
                },
            };
            for (effect, source) in sources {
                if declared.iter().any(|d| d == effect) || !reported.insert(effect) {
                    continue;
                }
                let mut chain = vec![node];
                while let Some(p) = parent.get(chain.last().expect("non-empty")) {
                    chain.push(*p);
                }
                chain.reverse();
                let mut path: Vec<String> = chain.iter().map(|&c| name_of(c)).collect();
                if let Source::Instruction(what) = source {
                    path.push(format!("`{what}`"));
                }
                violations.push(Violation {
                    symbol: source_name(record.symbol).to_string(),
                    declared: declared.clone(),
                    effect,
                    path,
                });
            }
            for &next in &g.succ[node] {
                if seen.insert(next) {
                    parent.insert(next, node);
                    queue.push_back(next);
                }
            }
        }
    }
    Ok(violations)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_encoder::*;

    /// A module's type (`[] -> []`), import (function 0:
    /// `wasi_snapshot_preview1::fd_write`) and function sections, with
    /// `functions` functions of that type from index 1 on.
    fn with_fd_write(functions: u32) -> Module {
        let mut m = Module::new();
        let mut types = TypeSection::new();
        types.ty().function([], []);
        m.section(&types);
        let mut imports = ImportSection::new();
        imports.import(
            "wasi_snapshot_preview1",
            "fd_write",
            EntityType::Function(0),
        );
        m.section(&imports);
        let mut funcs = FunctionSection::new();
        for _ in 0..functions {
            funcs.function(0);
        }
        m.section(&funcs);
        m
    }

    /// `run` -> `helper` -> import `wasi_snapshot_preview1::fd_write`;
    /// `grow` runs `memory.grow`; `pure` does nothing. Effects declared by `records`.
    fn module(records: &[(&str, &[&str])]) -> Vec<u8> {
        let mut m = with_fd_write(4);
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
        exports.export("run", ExportKind::Func, 1);
        exports.export("grow", ExportKind::Func, 3);
        exports.export("wasmrust.fx.pure", ExportKind::Func, 4);
        m.section(&exports);
        let mut code = CodeSection::new();
        let mut run = Function::new([]);
        run.instructions().call(2).end();
        code.function(&run);
        let mut helper = Function::new([]);
        helper.instructions().call(0).end();
        code.function(&helper);
        let mut grow = Function::new([]);
        grow.instructions().i32_const(1).memory_grow(0).drop().end();
        code.function(&grow);
        let mut pure = Function::new([]);
        pure.instructions().end();
        code.function(&pure);
        m.section(&code);
        let mut names = NameSection::new();
        let mut map = NameMap::new();
        map.append(1, "_ZN3app3run17h0123456789abcdefE");
        map.append(2, "_ZN3app6helper17h0123456789abcdefE");
        names.functions(&map);
        m.section(&names);
        let mut section = Vec::new();
        for (symbol, effects) in records {
            wasm::effects::encode(symbol, effects, &mut section);
        }
        m.section(&CustomSection {
            name: wasm::effects::SECTION.into(),
            data: section.into(),
        });
        m.finish()
    }

    fn run(records: &[(&str, &[&str])]) -> Vec<Violation> {
        check(std::path::Path::new("m.wasm"), &module(records), false).unwrap()
    }

    #[test]
    fn honest_declarations_pass() {
        assert!(
            run(&[
                ("run", &["io"]),
                ("grow", &["alloc"]),
                ("wasmrust.fx.pure", &[])
            ])
            .is_empty()
        );
    }

    #[test]
    fn an_undeclared_import_is_named_with_its_call_path() {
        let v = run(&[("run", &[])]);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].effect, "io");
        assert_eq!(
            v[0].path,
            [
                "app::run",
                "app::helper",
                "wasi_snapshot_preview1::fd_write"
            ]
        );
        assert_eq!(
            v[0].to_string(),
            "`run` declares no effects (pure) but can `io`: app::run -> app::helper -> wasi_snapshot_preview1::fd_write"
        );
    }

    #[test]
    fn effect_exports_are_named_as_written() {
        // `#[effect]` on a function that is not `#[export]`ed exports it as
        // `wasmrust.fx.<name>`, which is also its symbol.
        assert_eq!(source_name("wasmrust.fx.notify"), "notify");
        assert_eq!(source_name("report"), "report");
    }

    #[test]
    fn an_undeclared_instruction_is_named() {
        let v = run(&[("grow", &["io"])]);
        assert_eq!(v.len(), 1);
        assert_eq!(
            (v[0].effect, v[0].path.last().unwrap().as_str()),
            ("alloc", "`memory.grow`")
        );
    }

    #[test]
    fn js_hosts_see_non_wasi_imports_as_js_calls() {
        assert_eq!(import_effect("env", "log", true), Some("js_call"));
        assert_eq!(import_effect("env", "log", false), Some("io"));
        assert_eq!(
            import_effect("wasi_snapshot_preview1", "fd_write", true),
            Some("io")
        );
    }

    #[test]
    fn strip_drops_the_effect_exports_and_records_only() {
        let m = module(&[("run", &["io"]), ("wasmrust.fx.pure", &[])]);
        let out = strip(&m).unwrap();
        wasmparser::Validator::new().validate_all(&out).unwrap();
        let mut exports = Vec::new();
        let mut customs = Vec::new();
        let mut bodies = 0;
        for p in Parser::new(0).parse_all(&out) {
            match p.unwrap() {
                Payload::ExportSection(r) => {
                    exports.extend(r.into_iter().map(|e| e.unwrap().name.to_string()))
                }
                Payload::CustomSection(c) => customs.push(c.name().to_string()),
                Payload::CodeSectionEntry(_) => bodies += 1,
                _ => {}
            }
        }
        assert_eq!(exports, ["run", "grow"]);
        assert_eq!(customs, ["name"]);
        assert_eq!(
            bodies, 4,
            "code is untouched: the optimizer removes what is dead"
        );
        assert!(
            check(std::path::Path::new("m.wasm"), &out, false)
                .unwrap()
                .is_empty(),
            "nothing left to check"
        );
    }

    #[test]
    fn a_record_for_a_missing_export_is_an_error() {
        let e = check(
            std::path::Path::new("m.wasm"),
            &module(&[("gone", &[])]),
            false,
        )
        .unwrap_err();
        assert!(
            e.to_string().contains(
                "`gone` declares effects but the module exports no function by that name"
            ),
            "{e}"
        );
    }

    /// `via_ref` takes `helper`'s reference (`ref.func`), `via_table` calls
    /// through a table whose element segment is written with expressions;
    /// `helper` calls the WASI import. Both declare nothing.
    fn indirect_module() -> Vec<u8> {
        let mut m = with_fd_write(3);
        let mut tables = TableSection::new();
        tables.table(TableType {
            element_type: RefType::FUNCREF,
            minimum: 1,
            maximum: None,
            table64: false,
            shared: false,
        });
        m.section(&tables);
        let mut exports = ExportSection::new();
        exports.export("via_ref", ExportKind::Func, 2);
        exports.export("via_table", ExportKind::Func, 3);
        m.section(&exports);
        let mut elements = ElementSection::new();
        elements.active(
            Some(0),
            &ConstExpr::i32_const(0),
            Elements::Expressions(RefType::FUNCREF, [ConstExpr::ref_func(1)].as_slice().into()),
        );
        m.section(&elements);
        let mut code = CodeSection::new();
        let mut helper = Function::new([]);
        helper.instructions().call(0).end();
        code.function(&helper);
        let mut via_ref = Function::new([]);
        via_ref.instructions().ref_func(1).drop().end();
        code.function(&via_ref);
        let mut via_table = Function::new([]);
        via_table
            .instructions()
            .i32_const(0)
            .call_indirect(0, 0)
            .end();
        code.function(&via_table);
        m.section(&code);
        let mut section = Vec::new();
        wasm::effects::encode("via_ref", &[], &mut section);
        wasm::effects::encode("via_table", &[], &mut section);
        m.section(&CustomSection {
            name: wasm::effects::SECTION.into(),
            data: section.into(),
        });
        let bytes = m.finish();
        wasmparser::Validator::new().validate_all(&bytes).unwrap();
        bytes
    }

    #[test]
    fn paths_through_ref_func_and_the_table_are_caught() {
        // The same graph as the size report: a reference taken with `ref.func`
        // may be called (by the host, or after `table.set`), and the table
        // reaches functions of segments written as expressions too.
        let v = check(std::path::Path::new("m.wasm"), &indirect_module(), false).unwrap();
        let paths: Vec<(&str, &str, Vec<&str>)> = v
            .iter()
            .map(|v| {
                (
                    v.symbol.as_str(),
                    v.effect,
                    v.path.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            paths,
            [
                (
                    "via_ref",
                    "io",
                    vec![
                        "`via_ref`",
                        "function 1",
                        "wasi_snapshot_preview1::fd_write"
                    ]
                ),
                (
                    "via_table",
                    "io",
                    vec![
                        "`via_table`",
                        "(an indirect call through the table)",
                        "function 1",
                        "wasi_snapshot_preview1::fd_write"
                    ]
                ),
            ]
        );
    }

    #[test]
    fn a_module_without_the_section_has_nothing_to_check() {
        let mut m = Module::new();
        m.section(&TypeSection::new());
        assert!(
            check(std::path::Path::new("m.wasm"), &m.finish(), true)
                .unwrap()
                .is_empty()
        );
    }
}
