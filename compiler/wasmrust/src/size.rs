//! Where a module's bytes go: per-section and per-function sizes, with
//! demangled names, and how much of the code is panics, formatting and the
//! allocator (the usual reasons a small Rust module is not small); what
//! retains that code (the dominator tree of the call graph); a diff of two
//! builds; and the report as text (terminals, CI), JSON or one
//! self-contained HTML page with a treemap.

mod compare;
mod html;

pub use compare::{Delta, SizeDiff, render_diff, size_diff};
pub use html::{render_diff_html, render_html};

use crate::module::graph::{self, CallGraph, ROOT};
use crate::module::layout::layout;
use anyhow::{Result, bail};
use serde::Serialize;
use std::collections::BTreeMap;
use std::str::FromStr;

/// What `wasmrust size` writes: `text`, `html` or `json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Html,
    Json,
}

impl FromStr for Format {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "text" => Format::Text,
            "html" => Format::Html,
            "json" => Format::Json,
            _ => bail!("unknown format `{s}` (expected text, html or json)"),
        })
    }
}

/// A node of the call graph, as the report names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Node {
    /// The roots together (exports, start): nothing smaller dominates.
    Roots,
    /// The indirect-call table (what `call_indirect` may reach).
    Table,
    /// A function, by index (imports included).
    Function(u32),
}

/// One function's code size.
#[derive(Debug, Serialize)]
pub struct FunctionSize {
    /// Index, imports included.
    pub index: u32,
    /// Demangled name, when the module has a `name` section.
    pub name: Option<String>,
    /// Bytes of its body.
    pub bytes: usize,
    /// `panics`, `formatting`, `allocator` or `other`, from its name.
    pub category: &'static str,
    /// Its bytes plus those of every function it dominates (that removing it
    /// would remove); `None` when no root reaches it, or for a component.
    pub retained: Option<usize>,
    /// Its immediate dominator.
    pub dominator: Option<Node>,
    /// The names it is exported as.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exports: Vec<String>,
}

/// What retains some of a kind's code.
#[derive(Debug, Serialize)]
pub struct Retainer {
    /// The nearest dominator outside the kind (`roots`: the code is shared
    /// by several entry points, listed in `name`).
    pub node: Node,
    /// Its name.
    pub name: String,
    /// The entry point (export, start, table) it hangs from, when not itself.
    pub under: Option<String>,
    /// Bytes of the kind's code it retains.
    pub bytes: usize,
}

/// What pulled in one kind of code.
#[derive(Debug, Serialize)]
pub struct PulledIn {
    /// `panics`, `formatting` or `allocator`.
    pub kind: &'static str,
    /// Its code bytes reachable from the roots.
    pub bytes: usize,
    /// What retains it, most first.
    pub by: Vec<Retainer>,
}

/// The size report of one binary.
#[derive(Debug, Serialize)]
pub struct SizeReport {
    /// File size.
    pub total: usize,
    /// Every section, in file order: name and content bytes.
    pub sections: Vec<(String, usize)>,
    /// Every function, largest first.
    pub functions: Vec<FunctionSize>,
    /// Code bytes per category, in a fixed order.
    pub categories: Vec<(&'static str, usize)>,
    /// Whether function names were available (release builds drop them).
    pub named: bool,
    /// Whether the call graph was analysed (core modules; not components).
    pub call_graph: bool,
    /// What the indirect-call table retains, when a root reaches it.
    pub table_retained: Option<usize>,
    /// Code bytes no root reaches.
    pub unreachable: usize,
    /// What pulled in panics, formatting and the allocator (named modules).
    pub pulled_in: Vec<PulledIn>,
}

const CATEGORIES: [&str; 4] = ["panics", "formatting", "allocator", "other"];

/// How many retainers of each kind the report keeps.
const RETAINERS: usize = 10;

/// Classifies a demangled function name.
pub fn category(name: &str) -> &'static str {
    let has = |needles: &[&str]| needles.iter().any(|n| name.contains(n));
    if has(&[
        "panic",
        "core::result::unwrap_failed",
        "core::option::expect_failed",
        "slice_index_fail",
        "slice_end_index",
        "slice_start_index",
    ]) {
        "panics"
    } else if has(&[
        "core::fmt",
        "alloc::fmt",
        "<&T as core::fmt",
        "core::fmt::num",
        "Display>::fmt",
        "Debug>::fmt",
        "Formatter",
        "write_fmt",
        "write_str",
    ]) {
        "formatting"
    } else if has(&[
        "dlmalloc",
        "__rust_alloc",
        "__rust_dealloc",
        "__rust_realloc",
        "__rdl_",
        "wasm::alloc",
        "malloc",
        "free",
        "RawVec",
        "raw_vec",
        "alloc::alloc",
    ]) {
        "allocator"
    } else {
        "other"
    }
}

/// Measures `bytes` (a module or component).
pub fn size_report(bytes: &[u8]) -> Result<SizeReport> {
    let l = layout(bytes)?;
    let mut functions: Vec<FunctionSize> = l
        .functions
        .iter()
        .map(|f| {
            let name = l.names.get(&f.index).cloned();
            let category = name.as_deref().map_or("other", category);
            FunctionSize {
                index: f.index,
                name,
                bytes: f.body.len(),
                category,
                retained: None,
                dominator: None,
                exports: Vec::new(),
            }
        })
        .collect();
    let named = !l.names.is_empty();
    let mut report = SizeReport {
        total: bytes.len(),
        sections: l
            .sections
            .iter()
            .map(|(name, r)| (name.clone(), r.len()))
            .collect(),
        named,
        functions: Vec::new(),
        categories: Vec::new(),
        call_graph: false,
        table_retained: None,
        unreachable: 0,
        pulled_in: Vec::new(),
    };
    if let Some(g) = graph::call_graph(bytes)? {
        analyse(&g, &l.names, &mut functions, &mut report);
    }
    functions.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(a.index.cmp(&b.index)));
    report.categories = CATEGORIES
        .iter()
        .map(|c| {
            (
                *c,
                functions
                    .iter()
                    .filter(|f| f.category == *c)
                    .map(|f| f.bytes)
                    .sum(),
            )
        })
        .collect();
    report.functions = functions;
    Ok(report)
}

/// Retained sizes, dominators and what pulled in each kind.
fn analyse(
    g: &CallGraph,
    names: &BTreeMap<u32, String>,
    functions: &mut [FunctionSize],
    report: &mut SizeReport,
) {
    let doms = graph::dominators(&g.succ);
    let n = g.succ.len();
    let table = g.table();
    let mut size = vec![0; n];
    let mut category = vec!["other"; n];
    for f in functions.iter() {
        let v = CallGraph::node(f.index);
        if v < table {
            size[v] = f.bytes;
            category[v] = f.category;
        }
    }
    let retained = doms.retained(&size);
    let to_node = |v: usize| match g.function(v) {
        _ if v == ROOT => Node::Roots,
        Some(f) => Node::Function(f),
        None => Node::Table,
    };
    for f in functions.iter_mut() {
        let v = CallGraph::node(f.index);
        if v < table && doms.idom[v].is_some() {
            f.retained = Some(retained[v]);
            f.dominator = doms.idom[v].map(to_node);
        }
        f.exports = g.exports.get(&f.index).cloned().unwrap_or_default();
    }
    report.call_graph = true;
    report.table_retained = doms.idom[table].map(|_| retained[table]);
    report.unreachable = functions
        .iter()
        .filter(|f| f.retained.is_none())
        .map(|f| f.bytes)
        .sum();
    if !report.named {
        return;
    }

    // Names of nodes and of the entry points they hang from.
    let label = |v: usize| match g.function(v) {
        _ if v == ROOT => "the roots".to_string(),
        None => "the indirect-call table".to_string(),
        Some(f) => match (names.get(&f), g.exports.get(&f)) {
            (Some(name), _) => name.clone(),
            (None, Some(e)) => format!("export \"{}\"", e[0]),
            (None, None) => format!("function #{f}"),
        },
    };
    let entry_label = |v: usize| match g.function(v) {
        Some(f) if g.exports.contains_key(&f) => format!("export \"{}\"", g.exports[&f][0]),
        Some(f) if g.start == Some(f) => "start".to_string(),
        _ => label(v),
    };
    let entry_of = |mut v: usize| {
        while let Some(d) = doms.idom[v].filter(|d| *d != ROOT) {
            v = d;
        }
        v
    };
    let entries = &g.succ[ROOT];
    let mut reach: Option<Vec<Vec<bool>>> = None;
    for kind in &CATEGORIES[..3] {
        let mut by: BTreeMap<usize, usize> = BTreeMap::new();
        let mut shared: BTreeMap<Vec<usize>, usize> = BTreeMap::new();
        let mut total = 0;
        for v in 1..table {
            if category[v] != *kind || doms.idom[v].is_none() {
                continue;
            }
            total += size[v];
            let mut d = doms.idom[v].expect("reachable");
            while d != ROOT && category[d] == *kind {
                d = doms.idom[d].expect("reachable");
            }
            if d != ROOT {
                *by.entry(d).or_default() += size[v];
            } else {
                // No single function dominates it: the entry points that reach it.
                let masks = reach.get_or_insert_with(|| {
                    entries
                        .iter()
                        .map(|e| graph::reachable(&g.succ, *e))
                        .collect()
                });
                let key: Vec<usize> = entries
                    .iter()
                    .zip(masks.iter())
                    .filter(|(_, m)| m[v])
                    .map(|(e, _)| *e)
                    .collect();
                *shared.entry(key).or_default() += size[v];
            }
        }
        let mut retainers: Vec<Retainer> = by
            .into_iter()
            .map(|(d, bytes)| {
                let entry = entry_of(d);
                Retainer {
                    node: to_node(d),
                    name: label(d),
                    under: (entry != d).then(|| entry_label(entry)),
                    bytes,
                }
            })
            .collect();
        retainers.extend(shared.into_iter().map(|(key, bytes)| {
            let mut names: Vec<String> = key.iter().take(4).map(|e| entry_label(*e)).collect();
            if key.len() > 4 {
                names.push(format!("{} more", key.len() - 4));
            }
            Retainer {
                node: Node::Roots,
                name: format!("shared by {}", names.join(", ")),
                under: None,
                bytes,
            }
        }));
        retainers.sort_by(|a, b| {
            b.bytes
                .cmp(&a.bytes)
                .then_with(|| a.name.cmp(&b.name))
                .then(a.node.cmp(&b.node))
        });
        retainers.truncate(RETAINERS);
        report.pulled_in.push(PulledIn {
            kind,
            bytes: total,
            by: retainers,
        });
    }
}

/// The text report: sections, categories, the `top` largest functions, the
/// `top` largest retained sizes and what pulled in each kind.
pub fn render(name: &str, r: &SizeReport, top: usize) -> String {
    let pct = |n: usize| {
        if r.total == 0 {
            0.0
        } else {
            100.0 * n as f64 / r.total as f64
        }
    };
    let mut out = format!("{name}: {} bytes\n\nsections\n", r.total);
    for (section, bytes) in &r.sections {
        out += &format!("  {bytes:>9}  {:5.1}%  {section}\n", pct(*bytes));
    }
    let code: usize = r.functions.iter().map(|f| f.bytes).sum();
    out += &format!(
        "\ncode by kind ({} functions, {code} bytes)\n",
        r.functions.len()
    );
    if r.named {
        for (c, bytes) in &r.categories {
            out += &format!("  {bytes:>9}  {:5.1}%  {c}\n", pct(*bytes));
        }
    } else {
        out += "  (no `name` section: release builds drop it; the `linked` output group keeps names)\n";
    }
    out += &format!("\nlargest functions (top {})\n", top.min(r.functions.len()));
    for f in r.functions.iter().take(top) {
        out += &format!(
            "  {:>9}  {:5.1}%  #{:<5} {}\n",
            f.bytes,
            pct(f.bytes),
            f.index,
            display_name(f)
        );
    }
    if !r.call_graph {
        out += "\nretained sizes: not computed (a component; measure its core module)\n";
        return out;
    }
    let mut retained: Vec<&FunctionSize> = r
        .functions
        .iter()
        .filter(|f| f.retained.is_some())
        .collect();
    retained.sort_by(|a, b| b.retained.cmp(&a.retained).then(a.index.cmp(&b.index)));
    out += &format!(
        "\nretained sizes (top {}; a function's own bytes plus all it dominates: what removing it would remove)\n",
        top.min(retained.len())
    );
    out += &format!("  {:>9}  {:>6}  {:>9}  function\n", "retained", "", "self");
    for f in retained.iter().take(top) {
        let bytes = f.retained.unwrap_or(0);
        out += &format!(
            "  {bytes:>9}  {:5.1}%  {:>9}  #{:<5} {}\n",
            pct(bytes),
            f.bytes,
            f.index,
            display_name(f)
        );
    }
    if let Some(bytes) = r.table_retained {
        out += &format!(
            "  {bytes:>9}  {:5.1}%  {:>9}  the indirect-call table (what call_indirect may reach)\n",
            pct(bytes),
            ""
        );
    }
    if r.unreachable > 0 {
        out += &format!(
            "  {:>9}  {:5.1}%  {:>9}  unreachable from the exports and start\n",
            r.unreachable,
            pct(r.unreachable),
            ""
        );
    }
    if r.named {
        out += "\nwhat pulled in each kind (the nearest caller outside the kind that dominates its code: removing it removes that code)\n";
        for p in &r.pulled_in {
            out += &format!("  {} ({} bytes)\n", p.kind, p.bytes);
            if p.by.is_empty() {
                out += "    (none)\n";
            }
            for b in p.by.iter().take(5) {
                let under = b
                    .under
                    .as_deref()
                    .map(|u| format!("  (under {u})"))
                    .unwrap_or_default();
                out += &format!(
                    "  {:>9}  {:5.1}%  {}{under}\n",
                    b.bytes,
                    pct(b.bytes),
                    b.name
                );
            }
        }
    }
    out
}

/// A function's name for reports: demangled, else its export, else `?`.
pub(crate) fn display_name(f: &FunctionSize) -> String {
    match (&f.name, f.exports.first()) {
        (Some(name), _) => name.clone(),
        (None, Some(e)) => format!("export \"{e}\""),
        (None, None) => "?".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_classified() {
        assert_eq!(category("core::panicking::panic_fmt"), "panics");
        assert_eq!(
            category("<core::fmt::Arguments as core::fmt::Display>::fmt"),
            "formatting"
        );
        assert_eq!(
            category("dlmalloc::dlmalloc::Dlmalloc<A>::malloc"),
            "allocator"
        );
        assert_eq!(category("app::text::reverse_words"), "other");
    }

    #[test]
    fn a_module_is_measured_by_section_and_function() {
        use wasm_encoder::*;
        let mut m = Module::new();
        let mut types = TypeSection::new();
        types.ty().function([], []);
        m.section(&types);
        let mut funcs = FunctionSection::new();
        funcs.function(0);
        funcs.function(0);
        m.section(&funcs);
        let mut code = CodeSection::new();
        let mut small = Function::new([]);
        small.instructions().end();
        code.function(&small);
        let mut big = Function::new([]);
        big.instructions().nop().nop().nop().end();
        code.function(&big);
        m.section(&code);
        let mut names = NameSection::new();
        let mut map = NameMap::new();
        map.append(0, "tiny");
        map.append(1, "_ZN4core9panicking5panic17h0123456789abcdefE");
        names.functions(&map);
        m.section(&names);
        let r = size_report(&m.finish()).unwrap();
        assert_eq!(
            r.functions[0].name.as_deref(),
            Some("core::panicking::panic"),
            "largest first"
        );
        assert_eq!((r.functions[0].bytes, r.functions[1].bytes), (5, 2));
        assert_eq!(r.categories[0], ("panics", 5));
        assert!(r.sections.iter().any(|(s, _)| s == "code"));
        assert!(render("m.wasm", &r, 10).contains("core::panicking::panic"));
    }

    /// A module importing f0, defining f1, f2... (one per `bodies` entry: the
    /// functions it calls, whether it uses `call_indirect`, how many `nop`s
    /// follow), exporting f1 as `a` and f2 as `b`, with f6 in the table.
    fn hand_built(names: &[&str], bodies: &[(&[u32], bool, usize)]) -> Vec<u8> {
        use std::borrow::Cow;
        use wasm_encoder::*;
        let mut m = Module::new();
        let mut types = TypeSection::new();
        types.ty().function([], []);
        m.section(&types);
        let mut imports = ImportSection::new();
        imports.import("env", "imp", EntityType::Function(0));
        m.section(&imports);
        let mut funcs = FunctionSection::new();
        for _ in bodies {
            funcs.function(0);
        }
        m.section(&funcs);
        let mut tables = TableSection::new();
        tables.table(TableType {
            element_type: RefType::FUNCREF,
            table64: false,
            minimum: 1,
            maximum: None,
            shared: false,
        });
        m.section(&tables);
        let mut exports = ExportSection::new();
        exports.export("a", ExportKind::Func, 1);
        exports.export("b", ExportKind::Func, 2);
        m.section(&exports);
        let mut elements = ElementSection::new();
        elements.active(
            Some(0),
            &ConstExpr::i32_const(0),
            Elements::Functions(Cow::Borrowed(&[6])),
        );
        m.section(&elements);
        let mut code = CodeSection::new();
        for (calls, indirect, padding) in bodies {
            let mut f = Function::new([]);
            let mut ins = f.instructions();
            for c in *calls {
                ins.call(*c);
            }
            if *indirect {
                ins.i32_const(0).call_indirect(0, 0);
            }
            for _ in 0..*padding {
                ins.nop();
            }
            ins.end();
            code.function(&f);
        }
        m.section(&code);
        let mut section = NameSection::new();
        let mut map = NameMap::new();
        for (i, name) in names.iter().enumerate() {
            map.append(i as u32, name);
        }
        section.functions(&map);
        m.section(&section);
        m.finish()
    }

    const NAMES: [&str; 8] = [
        "imp",
        "app::a",
        "app::b",
        "core::panicking::panic_fmt",
        "core::panicking::panic_nounwind",
        "core::fmt::write",
        "app::callback",
        "app::dead",
    ];

    /// f1 (export a) calls f3 and f5 and calls indirectly (the table holds
    /// f6); f2 (export b) calls f3 and the import; f3 calls f4; f7 is dead.
    fn graph_module() -> Vec<u8> {
        hand_built(
            &NAMES,
            &[
                (&[3, 5], true, 10),
                (&[3, 0], false, 20),
                (&[4], false, 30),
                (&[], false, 40),
                (&[], false, 50),
                (&[], false, 60),
                (&[], false, 70),
            ],
        )
    }

    #[test]
    fn dominators_of_a_small_graph() {
        // 0 -> 1, 2; 1 -> 3; 2 -> 3; 3 -> 4 -> 3 (a loop); 5 unreachable.
        let succ = vec![vec![1, 2], vec![3], vec![3], vec![4], vec![3], vec![1]];
        let d = graph::dominators(&succ);
        assert_eq!(
            d.idom,
            vec![Some(0), Some(0), Some(0), Some(0), Some(3), None]
        );
        assert_eq!(d.retained(&[0, 1, 2, 4, 8, 16]), vec![15, 1, 2, 12, 8, 16]);
    }

    #[test]
    fn retained_sizes_and_what_pulled_each_kind_in() {
        let r = size_report(&graph_module()).unwrap();
        assert!(r.call_graph);
        let f = |i: u32| r.functions.iter().find(|f| f.index == i).unwrap();
        // Bodies: locals count (1 byte), the calls, the padding, `end`.
        let size = |i: u32| f(i).bytes;
        assert_eq!(f(4).dominator, Some(Node::Function(3)));
        assert_eq!(
            f(3).dominator,
            Some(Node::Roots),
            "f3 is shared by both exports"
        );
        assert_eq!(f(5).dominator, Some(Node::Function(1)));
        assert_eq!(f(6).dominator, Some(Node::Table));
        assert_eq!(f(7).dominator, None);
        assert_eq!(f(7).retained, None);
        assert_eq!(r.unreachable, size(7));
        assert_eq!(f(3).retained, Some(size(3) + size(4)));
        assert_eq!(
            f(1).retained,
            Some(size(1) + size(5) + size(6)),
            "f1 alone reaches the table"
        );
        assert_eq!(r.table_retained, Some(size(6)));
        assert_eq!(f(1).exports, vec!["a".to_string()]);

        let kind = |k: &str| r.pulled_in.iter().find(|p| p.kind == k).unwrap();
        let panics = kind("panics");
        assert_eq!(panics.bytes, size(3) + size(4));
        assert_eq!(panics.by.len(), 1);
        assert_eq!(panics.by[0].node, Node::Roots);
        assert_eq!(panics.by[0].name, "shared by export \"a\", export \"b\"");
        let formatting = kind("formatting");
        assert_eq!(formatting.by[0].node, Node::Function(1));
        assert_eq!(formatting.by[0].name, "app::a");
        assert_eq!(formatting.by[0].bytes, size(5));

        let text = render("m.wasm", &r, 10);
        assert!(text.contains("retained sizes"), "{text}");
        assert!(
            text.contains("shared by export \"a\", export \"b\""),
            "{text}"
        );
        assert!(
            text.contains("unreachable from the exports and start"),
            "{text}"
        );
    }

    #[test]
    fn two_builds_are_compared_by_section_and_function() {
        let old = graph_module();
        // f3 grows by 5 nops, f7 shrinks by 70, f6 is renamed (so it is removed and added).
        let mut names = NAMES;
        names[6] = "app::callback2";
        let new = hand_built(
            &names,
            &[
                (&[3, 5], true, 10),
                (&[3, 0], false, 20),
                (&[4], false, 35),
                (&[], false, 40),
                (&[], false, 50),
                (&[], false, 60),
                (&[], false, 0),
            ],
        );
        let d = size_diff(&old, &new).unwrap();
        assert!(d.by_name);
        let section = |name: &str| d.sections.iter().find(|s| s.name == name).map(|s| s.delta);
        assert_eq!(section("code"), Some(-65));
        assert!(
            section("custom \"name\"").is_some_and(|d| d > 0),
            "a longer name"
        );
        assert_eq!(section("type"), None, "unchanged sections are not listed");
        assert_eq!(
            d.functions[0],
            Delta {
                name: "app::dead".into(),
                old: Some(72),
                new: Some(2),
                delta: -70
            }
        );
        assert_eq!(
            d.functions[1],
            Delta {
                name: "app::callback".into(),
                old: Some(62),
                new: None,
                delta: -62
            }
        );
        assert_eq!(
            d.functions[2],
            Delta {
                name: "app::callback2".into(),
                old: None,
                new: Some(62),
                delta: 62
            }
        );
        assert_eq!(
            d.functions[3],
            Delta {
                name: "core::panicking::panic_fmt".into(),
                old: Some(34),
                new: Some(39),
                delta: 5
            }
        );
        assert_eq!(d.functions.len(), 4);
        assert_eq!(d.unchanged_functions, 4);
        let text = render_diff("old.wasm", "new.wasm", &d, 10);
        assert!(
            text.contains("4 changed: 1 added, 1 removed; 4 unchanged"),
            "{text}"
        );
        assert!(
            text.lines().any(|l| l
                .trim_start()
                .starts_with("72          2        -70  app::dead")),
            "{text}"
        );
        assert!(
            text.lines().any(|l| l.ends_with("-65  code (-21.0%)")),
            "{text}"
        );

        let page = render_diff_html("old.wasm", "new.wasm", &d, 10);
        assert_eq!(page, render_diff_html("old.wasm", "new.wasm", &d, 10));
        assert!(
            !page.contains(" src=") && !page.contains(" href="),
            "no external resources"
        );
        // Every changed function has a row with a bar as long as its share of the largest change.
        assert_eq!(
            page.matches("<td class=\"bar\">").count(),
            d.sections.len() + d.functions.len()
        );
        assert!(page.contains("<td>app::dead</td><td class=\"n\" data-v=\"72\">72</td><td class=\"n\" data-v=\"2\">2</td><td class=\"n\" data-v=\"-70\">-70</td><td class=\"bar\"><span style=\"width:100.0%;background:#6aa84f\">"), "{page}");
        assert!(
            page.contains("<td>app::callback2</td><td class=\"n\" data-v=\"0\">-</td>"),
            "{page}"
        );
        assert!(
            page.contains("<pre>size diff: old.wasm -&gt; new.wasm"),
            "the text form is embedded"
        );
    }

    #[test]
    fn the_html_page_is_self_contained_and_deterministic() {
        let bytes = graph_module();
        let page = render_html("m.wasm", &size_report(&bytes).unwrap(), 10);
        assert_eq!(
            page,
            render_html("m.wasm", &size_report(&bytes).unwrap(), 10)
        );
        assert!(
            !page.contains("http://") && !page.contains("https://"),
            "{page}"
        );
        assert!(
            !page.contains(" src=") && !page.contains(" href="),
            "no external resources"
        );
        assert!(
            page.contains("<svg")
                && page.contains("class=\"sortable\"")
                && page.contains("<script>")
        );
        assert!(page.contains("core::panicking::panic_fmt"));
    }
}
