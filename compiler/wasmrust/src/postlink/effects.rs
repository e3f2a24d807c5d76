//! The effects check: every function with a `wasmrust.effects` record (what
//! `#[wasm::effect(...)]` declares, format in `wasm::effects`) may do only
//! what it declares. Its actual effects come from the call graph of the
//! linked module: the imports it can reach and the instructions the reached
//! functions contain. A function that does more fails the check, naming the
//! function, the undeclared effect and one call path to its source.

use crate::diff::layout;
use anyhow::{Context, Result, bail};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use wasmparser::{ExternalKind, Operator, Parser, Payload, TypeRef};

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

struct Graph {
    imports: Vec<(String, String)>,
    /// Callees of each function (index includes imports); call_indirect adds every table entry.
    calls: BTreeMap<u32, BTreeSet<u32>>,
    /// Effects from each function's own instructions, with the instruction.
    own: BTreeMap<u32, Vec<(&'static str, &'static str)>>,
    exports: BTreeMap<String, u32>,
    section: Option<Vec<u8>>,
}

fn graph(bytes: &[u8]) -> Result<Graph> {
    let mut g = Graph {
        imports: Vec::new(),
        calls: BTreeMap::new(),
        own: BTreeMap::new(),
        exports: BTreeMap::new(),
        section: None,
    };
    let mut table_funcs = BTreeSet::new();
    let mut indirect = Vec::new();
    let mut next = 0u32;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload? {
            Payload::ImportSection(r) => {
                for import in r.into_imports() {
                    let import = import?;
                    if matches!(import.ty, TypeRef::Func(_)) {
                        g.imports
                            .push((import.module.to_string(), import.name.to_string()));
                    }
                }
            }
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e?;
                    if e.kind == ExternalKind::Func {
                        g.exports.insert(e.name.to_string(), e.index);
                    }
                }
            }
            Payload::ElementSection(r) => {
                for element in r {
                    if let wasmparser::ElementItems::Functions(funcs) = element?.items {
                        for f in funcs {
                            table_funcs.insert(f?);
                        }
                    }
                }
            }
            Payload::CodeSectionEntry(body) => {
                let index = g.imports.len() as u32 + next;
                next += 1;
                let mut callees = BTreeSet::new();
                let mut own = Vec::new();
                let mut ops = body.get_operators_reader()?;
                while !ops.eof() {
                    let op = ops.read()?;
                    match op {
                        Operator::Call { function_index }
                        | Operator::ReturnCall { function_index } => {
                            callees.insert(function_index);
                        }
                        Operator::CallIndirect { .. } | Operator::ReturnCallIndirect { .. } => {
                            indirect.push(index)
                        }
                        _ => {}
                    }
                    if let Some(effect) = instruction_effect(&op) {
                        let what = match effect {
                            "panic" => "unreachable",
                            "alloc" => "memory.grow",
                            "atomic_read" => "an atomic load or wait",
                            _ => "an atomic store, read-modify-write or notify",
                        };
                        if !own.iter().any(|(e, _)| *e == effect) {
                            own.push((effect, what));
                        }
                    }
                }
                g.calls.insert(index, callees);
                g.own.insert(index, own);
            }
            Payload::CustomSection(c) if c.name() == wasm::effects::SECTION => {
                g.section = Some(c.data().to_vec())
            }
            _ => {}
        }
    }
    for f in indirect {
        g.calls
            .entry(f)
            .or_default()
            .extend(table_funcs.iter().copied());
    }
    Ok(g)
}

/// Checks the declared effects of `bytes` (see [`check`]) and fails with
/// every violation, naming `host.label` (or `path`) and the call paths.
pub fn enforce(
    path: &std::path::Path,
    bytes: &[u8],
    host: &crate::postlink::validate::Host<'_>,
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
    crate::postlink::normalize::drop_exports(bytes, |name| name.starts_with(wasm::effects::EXPORT_PREFIX), &[wasm::effects::SECTION])
        .map_err(|e| e.context("a component has no effect records of its own: strip its core modules before componentizing"))
}

/// Checks the declared effects of the module `bytes` (read from `path`).
/// Returns the violations; no `wasmrust.effects` section means nothing to check.
/// A function's name as the user wrote it: `#[effect]` exports functions that
/// are not `#[export]`ed as `wasmrust.fx.<name>`, and that export name is also
/// their symbol.
fn source_name(symbol: &str) -> &str {
    symbol
        .strip_prefix(wasm::effects::EXPORT_PREFIX)
        .unwrap_or(symbol)
}

pub fn check(path: &std::path::Path, bytes: &[u8], js_host: bool) -> Result<Vec<Violation>> {
    // Most modules declare nothing: find the section before decoding any code.
    let declares = Parser::new(0)
        .parse_all(bytes)
        .any(|p| matches!(p, Ok(Payload::CustomSection(c)) if c.name() == wasm::effects::SECTION));
    if !declares {
        return Ok(Vec::new());
    }
    let g = graph(bytes).with_context(|| format!("failed to read `{}`", path.display()))?;
    let Some(section) = &g.section else {
        return Ok(Vec::new());
    };
    let names = layout(bytes)?.names;
    let name_of = |f: u32| -> String {
        match g.imports.get(f as usize) {
            Some((m, n)) => format!("{m}::{n}"),
            // Release modules have no names: an export name, else the index.
            None => names
                .get(&f)
                .map(|n| source_name(n).to_string())
                .unwrap_or_else(|| {
                    g.exports.iter().find(|(_, i)| **i == f).map_or_else(
                        || format!("function {f}"),
                        |(e, _)| format!("`{}`", source_name(e)),
                    )
                }),
        }
    };
    let mut violations = Vec::new();
    for record in wasm::effects::parse(section) {
        let record = record.map_err(|e| anyhow::anyhow!("`{}`: {e}", path.display()))?;
        let Some(&start) = g.exports.get(record.symbol) else {
            bail!(
                "`{}`: `{}` declares effects but the module exports no function by that name",
                path.display(),
                record.symbol
            );
        };
        let declared: Vec<String> = record.effects().map(str::to_string).collect();
        // Breadth-first, so each reported path is a shortest one.
        let mut parent: BTreeMap<u32, u32> = BTreeMap::new();
        let mut queue = VecDeque::from([start]);
        let mut seen = BTreeSet::from([start]);
        let mut reported = BTreeSet::new();
        while let Some(f) = queue.pop_front() {
            let sources: Vec<(&'static str, Source)> = match g.imports.get(f as usize) {
                Some((m, n)) => import_effect(m, n, js_host)
                    .map(|e| (e, Source::Import(format!("{m}::{n}"))))
                    .into_iter()
                    .collect(),
                None => g
                    .own
                    .get(&f)
                    .into_iter()
                    .flatten()
                    .map(|(e, what)| (*e, Source::Instruction(what)))
                    .collect(),
            };
            for (effect, source) in sources {
                if declared.iter().any(|d| d == effect) || !reported.insert(effect) {
                    continue;
                }
                let mut chain = vec![f];
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
            for &callee in g.calls.get(&f).into_iter().flatten() {
                if seen.insert(callee) {
                    parent.insert(callee, f);
                    queue.push_back(callee);
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

    /// `run` -> `helper` -> import `wasi_snapshot_preview1::fd_write`;
    /// `grow` runs `memory.grow`; `pure` does nothing. Effects declared by `records`.
    fn module(records: &[(&str, &[&str])]) -> Vec<u8> {
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
        for _ in 0..4 {
            funcs.function(0);
        }
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
