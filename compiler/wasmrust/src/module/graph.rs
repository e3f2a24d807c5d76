//! The call graph of a core module and its dominator tree.
//!
//! Nodes: a virtual root (node 0), every function, imports included
//! (function `f` is node `f + 1`), and the indirect-call table (the last
//! node). The root calls the exported functions, the start function and any
//! function a global's initializer references; it also reaches the table when
//! the table is exported or imported (the host may call through it). A
//! function calls what it names in `call`, `return_call` and `ref.func`, and
//! reaches the table when it uses `call_indirect`, `return_call_indirect` or
//! `table.get`; the table reaches every function of the active and passive
//! element segments.
//!
//! A node dominates another when every path from the root to the other goes
//! through it: removing it would remove the other. A function's retained size
//! is its own size plus that of everything it dominates.
//!
//! This one graph serves the size report (retained sizes, what keeps a
//! function alive) and the effects check (what a function can reach), so the
//! two never disagree about an edge.

use anyhow::Result;
use std::collections::{BTreeMap, BTreeSet};
use wasmparser::{ElementItems, ElementKind, ExternalKind, Operator, Parser, Payload, TypeRef};

pub(crate) const ROOT: usize = 0;

/// A module's call graph.
pub(crate) struct CallGraph {
    /// Successors of every node, sorted.
    pub(crate) succ: Vec<Vec<usize>>,
    /// The imported functions' `(module, name)`, in index order.
    pub(crate) imports: Vec<(String, String)>,
    /// Export names of each function, in file order.
    pub(crate) exports: BTreeMap<u32, Vec<String>>,
    /// The start function.
    pub(crate) start: Option<u32>,
}

impl CallGraph {
    /// The table's node.
    pub(crate) fn table(&self) -> usize {
        self.succ.len() - 1
    }

    /// The node of function `f`.
    pub(crate) fn node(f: u32) -> usize {
        f as usize + 1
    }

    /// The function of `node`, if it is one.
    pub(crate) fn function(&self, node: usize) -> Option<u32> {
        (node != ROOT && node != self.table()).then(|| (node - 1) as u32)
    }
}

/// Reads the call graph of a core module; `None` for a component.
pub(crate) fn call_graph(bytes: &[u8]) -> Result<Option<CallGraph>> {
    call_graph_with(bytes, |_, _| {})
}

/// [`call_graph`], also handing every instruction of every function body to
/// `visit` with the function's index (imports included), in one pass over the
/// code.
pub(crate) fn call_graph_with(
    bytes: &[u8],
    mut visit: impl FnMut(u32, &Operator<'_>),
) -> Result<Option<CallGraph>> {
    if Parser::is_component(bytes) {
        return Ok(None);
    }
    let mut imports = Vec::new();
    let mut defined = 0u32;
    let mut bodies: Vec<(BTreeSet<u32>, bool)> = Vec::new();
    let mut table_funcs = BTreeSet::new();
    let mut roots = BTreeSet::new();
    let mut table_is_root = false;
    let mut exports: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    let mut start = None;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload? {
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import?;
                    match import.ty {
                        TypeRef::Func(_) => {
                            imports.push((import.module.to_string(), import.name.to_string()))
                        }
                        TypeRef::Table(_) => table_is_root = true,
                        _ => {}
                    }
                }
            }
            Payload::FunctionSection(reader) => defined = reader.count(),
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export?;
                    match export.kind {
                        ExternalKind::Func => {
                            roots.insert(export.index);
                            exports
                                .entry(export.index)
                                .or_default()
                                .push(export.name.to_string());
                        }
                        ExternalKind::Table => table_is_root = true,
                        _ => {}
                    }
                }
            }
            Payload::StartSection { func, .. } => {
                roots.insert(func);
                start = Some(func);
            }
            Payload::GlobalSection(reader) => {
                for global in reader {
                    for op in global?.init_expr.get_operators_reader() {
                        if let Operator::RefFunc { function_index } = op? {
                            roots.insert(function_index);
                        }
                    }
                }
            }
            Payload::ElementSection(reader) => {
                for element in reader {
                    let element = element?;
                    if matches!(element.kind, ElementKind::Declared) {
                        continue;
                    }
                    match element.items {
                        ElementItems::Functions(funcs) => {
                            for f in funcs {
                                table_funcs.insert(f?);
                            }
                        }
                        ElementItems::Expressions(_, exprs) => {
                            for expr in exprs {
                                for op in expr?.get_operators_reader() {
                                    if let Operator::RefFunc { function_index } = op? {
                                        table_funcs.insert(function_index);
                                    }
                                }
                            }
                        }
                    }
                }
            }
            Payload::CodeSectionEntry(body) => {
                let index = imports.len() as u32 + bodies.len() as u32;
                let mut calls = BTreeSet::new();
                let mut indirect = false;
                for op in body.get_operators_reader()? {
                    let op = op?;
                    visit(index, &op);
                    match op {
                        Operator::Call { function_index }
                        | Operator::ReturnCall { function_index }
                        | Operator::RefFunc { function_index } => {
                            calls.insert(function_index);
                        }
                        Operator::CallIndirect { .. }
                        | Operator::ReturnCallIndirect { .. }
                        | Operator::TableGet { .. } => indirect = true,
                        _ => {}
                    }
                }
                bodies.push((calls, indirect));
            }
            _ => {}
        }
    }
    let imported = imports.len() as u32;
    let functions = imported + defined.max(bodies.len() as u32);
    let table = functions as usize + 1;
    let valid = |f: &u32| *f < functions;
    let mut succ = vec![Vec::new(); table + 1];
    succ[ROOT] = roots
        .iter()
        .filter(|f| valid(f))
        .map(|f| CallGraph::node(*f))
        .collect();
    if table_is_root {
        succ[ROOT].push(table);
    }
    for (i, (calls, indirect)) in bodies.into_iter().enumerate() {
        let node = CallGraph::node(imported + i as u32);
        succ[node] = calls
            .iter()
            .filter(|f| valid(f))
            .map(|f| CallGraph::node(*f))
            .collect();
        if indirect {
            succ[node].push(table);
        }
    }
    succ[table] = table_funcs
        .iter()
        .filter(|f| valid(f))
        .map(|f| CallGraph::node(*f))
        .collect();
    Ok(Some(CallGraph {
        succ,
        imports,
        exports,
        start,
    }))
}

/// The dominator tree of a graph rooted at node 0.
pub(crate) struct Dominators {
    /// Each node's immediate dominator (the root's is itself); `None`: unreachable.
    pub(crate) idom: Vec<Option<usize>>,
    /// Reachable nodes in postorder (a node after everything it dominates).
    pub(crate) postorder: Vec<usize>,
}

/// Cooper, Harvey and Kennedy, "A Simple, Fast Dominance Algorithm" (2001):
/// iterate `idom(n) = intersect(processed predecessors)` in reverse postorder
/// until nothing changes.
pub(crate) fn dominators(succ: &[Vec<usize>]) -> Dominators {
    let n = succ.len();
    // Iterative depth-first search for the postorder.
    let mut postorder = Vec::with_capacity(n);
    let mut visited = vec![false; n];
    let mut stack = vec![(ROOT, 0usize)];
    visited[ROOT] = true;
    while let Some((v, i)) = stack.last_mut() {
        if let Some(&w) = succ[*v].get(*i) {
            *i += 1;
            if !visited[w] {
                visited[w] = true;
                stack.push((w, 0));
            }
        } else {
            postorder.push(*v);
            stack.pop();
        }
    }
    let mut number = vec![usize::MAX; n];
    for (i, v) in postorder.iter().enumerate() {
        number[*v] = i;
    }
    let mut preds = vec![Vec::new(); n];
    for &v in &postorder {
        for &w in &succ[v] {
            preds[w].push(v);
        }
    }
    let mut idom: Vec<Option<usize>> = vec![None; n];
    idom[ROOT] = Some(ROOT);
    let intersect = |idom: &[Option<usize>], mut a: usize, mut b: usize| {
        while a != b {
            while number[a] < number[b] {
                a = idom[a].expect("processed");
            }
            while number[b] < number[a] {
                b = idom[b].expect("processed");
            }
        }
        a
    };
    let mut changed = true;
    while changed {
        changed = false;
        for &v in postorder.iter().rev().skip(1) {
            let mut new = None;
            for &p in &preds[v] {
                if idom[p].is_some() {
                    new = Some(match new {
                        None => p,
                        Some(q) => intersect(&idom, p, q),
                    });
                }
            }
            if new.is_some() && idom[v] != new {
                idom[v] = new;
                changed = true;
            }
        }
    }
    Dominators { idom, postorder }
}

impl Dominators {
    /// Each node's retained size: its own `size` plus what it dominates.
    pub(crate) fn retained(&self, size: &[usize]) -> Vec<usize> {
        let mut retained = size.to_vec();
        for &v in &self.postorder {
            if v != ROOT {
                let d = self.idom[v].expect("reachable");
                retained[d] += retained[v];
            }
        }
        retained
    }
}

/// The nodes reachable from `from` (a mask).
pub(crate) fn reachable(succ: &[Vec<usize>], from: usize) -> Vec<bool> {
    let mut seen = vec![false; succ.len()];
    let mut stack = vec![from];
    seen[from] = true;
    while let Some(v) = stack.pop() {
        for &w in &succ[v] {
            if !seen[w] {
                seen[w] = true;
                stack.push(w);
            }
        }
    }
    seen
}
