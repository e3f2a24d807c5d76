//! `wasmrust size --diff`: how the sizes of two builds differ, per section
//! and per function (by demangled name when the modules have names, else by
//! index).

use crate::module::layout::layout;
use anyhow::{Context, Result};
use serde::Serialize;
use std::collections::BTreeMap;

/// One section's or function's sizes in both builds.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Delta {
    /// The section, or the function's demangled name without LLVM's `.123`
    /// suffix (`#index` when unnamed; repeated names get ` (2)`, ` (3)`... in
    /// index order).
    pub name: String,
    /// Bytes in the old build (`None`: absent).
    pub old: Option<usize>,
    /// Bytes in the new build.
    pub new: Option<usize>,
    /// `new - old`.
    pub delta: i64,
}

/// The size difference of two builds.
#[derive(Debug, Serialize)]
pub struct SizeDiff {
    /// File sizes.
    pub old_total: usize,
    pub new_total: usize,
    /// Code bytes (function bodies).
    pub old_code: usize,
    pub new_code: usize,
    /// Function counts.
    pub old_functions: usize,
    pub new_functions: usize,
    /// Whether functions are matched by name (both builds have names).
    pub by_name: bool,
    /// Sections whose size changed, largest change first.
    pub sections: Vec<Delta>,
    /// Functions whose size changed (or that only one build has), largest change first.
    pub functions: Vec<Delta>,
    /// Functions of the same size in both.
    pub unchanged_functions: usize,
}

/// A name without the `.123` LLVM appends to tell apart local symbols of
/// the same name: it changes from build to build.
fn strip_suffix(name: &str) -> &str {
    match name.rsplit_once('.') {
        Some((base, n))
            if !base.is_empty() && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) =>
        {
            base
        }
        _ => name,
    }
}

/// Sizes keyed by name; repeats get a ` (n)` suffix.
fn keyed(items: impl Iterator<Item = (String, usize)>) -> BTreeMap<String, usize> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for (name, size) in items {
        let n = seen.entry(name.clone()).or_default();
        *n += 1;
        let key = if *n > 1 {
            format!("{name} ({n})")
        } else {
            name
        };
        out.insert(key, size);
    }
    out
}

fn deltas(old: &BTreeMap<String, usize>, new: &BTreeMap<String, usize>) -> (Vec<Delta>, usize) {
    let mut out = Vec::new();
    let mut unchanged = 0;
    let names: std::collections::BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for name in names {
        let (o, n) = (old.get(name).copied(), new.get(name).copied());
        if o == n {
            unchanged += 1;
            continue;
        }
        let delta = n.unwrap_or(0) as i64 - o.unwrap_or(0) as i64;
        out.push(Delta {
            name: name.clone(),
            old: o,
            new: n,
            delta,
        });
    }
    out.sort_by(|a, b| {
        b.delta
            .unsigned_abs()
            .cmp(&a.delta.unsigned_abs())
            .then_with(|| a.name.cmp(&b.name))
    });
    (out, unchanged)
}

/// Compares the sizes of two builds of a module or component.
pub fn size_diff(old: &[u8], new: &[u8]) -> Result<SizeDiff> {
    let lo = layout(old).context("the old file")?;
    let ln = layout(new).context("the new file")?;
    let by_name = !lo.names.is_empty() && !ln.names.is_empty();
    let functions = |l: &crate::module::layout::Layout| {
        keyed(l.functions.iter().map(|f| {
            let name = if by_name {
                l.names.get(&f.index).map(|n| strip_suffix(n).to_string())
            } else {
                None
            };
            (
                name.unwrap_or_else(|| format!("#{}", f.index)),
                f.body.len(),
            )
        }))
    };
    let sections = |l: &crate::module::layout::Layout| {
        keyed(l.sections.iter().map(|(name, r)| (name.clone(), r.len())))
    };
    let (section_deltas, _) = deltas(&sections(&lo), &sections(&ln));
    let (function_deltas, unchanged) = deltas(&functions(&lo), &functions(&ln));
    let code = |l: &crate::module::layout::Layout| l.functions.iter().map(|f| f.body.len()).sum();
    Ok(SizeDiff {
        old_total: old.len(),
        new_total: new.len(),
        old_code: code(&lo),
        new_code: code(&ln),
        old_functions: lo.functions.len(),
        new_functions: ln.functions.len(),
        by_name,
        sections: section_deltas,
        functions: function_deltas,
        unchanged_functions: unchanged,
    })
}

fn cell(n: Option<usize>) -> String {
    n.map_or_else(|| "-".to_string(), |n| n.to_string())
}

pub(super) fn signed(n: i64) -> String {
    if n > 0 {
        format!("+{n}")
    } else {
        n.to_string()
    }
}

fn row(old: Option<usize>, new: Option<usize>, delta: i64, name: &str) -> String {
    format!(
        "  {:>9}  {:>9}  {:>9}  {name}\n",
        cell(old),
        cell(new),
        signed(delta)
    )
}

/// The three summary rows (file, code, function count) as `(label, old, new)`.
pub(super) fn totals(d: &SizeDiff) -> [(&'static str, usize, usize); 3] {
    [
        ("total", d.old_total, d.new_total),
        ("code", d.old_code, d.new_code),
        ("functions", d.old_functions, d.new_functions),
    ]
}

/// `new` against `old` in percent (`None` when `old` is 0).
pub(super) fn percent(old: usize, new: usize) -> Option<f64> {
    (old != 0).then(|| 100.0 * (new as f64 - old as f64) / old as f64)
}

/// The heading of the function list.
pub(super) fn functions_heading(d: &SizeDiff, top: usize) -> String {
    let added = d.functions.iter().filter(|f| f.old.is_none()).count();
    let removed = d.functions.iter().filter(|f| f.new.is_none()).count();
    format!(
        "functions by {} ({} changed: {added} added, {removed} removed; {} unchanged; top {} by |delta|)",
        if d.by_name {
            "demangled name"
        } else {
            "index, as a build has no `name` section"
        },
        d.functions.len(),
        d.unchanged_functions,
        top.min(d.functions.len())
    )
}

/// The text table: totals, then sections and the `top` functions by absolute change.
pub fn render_diff(old_name: &str, new_name: &str, d: &SizeDiff, top: usize) -> String {
    let mut out = format!("size diff: {old_name} -> {new_name}\n\n");
    out += "        old        new      delta\n";
    for (label, old, new) in totals(d) {
        // Percentages for bytes, not for the function count.
        let pct = percent(old, new)
            .filter(|_| label != "functions")
            .map(|p| format!(" ({p:+.1}%)"))
            .unwrap_or_default();
        out += &row(
            Some(old),
            Some(new),
            new as i64 - old as i64,
            &format!("{label}{pct}"),
        );
    }
    out += &format!("\nsections ({} changed)\n", d.sections.len());
    for s in &d.sections {
        out += &row(s.old, s.new, s.delta, &s.name);
    }
    out += &format!("\n{}\n", functions_heading(d, top));
    for f in d.functions.iter().take(top) {
        out += &row(f.old, f.new, f.delta, &f.name);
    }
    if d.functions.len() > top {
        let rest: i64 = d.functions[top..].iter().map(|f| f.delta).sum();
        out += &format!(
            "  {:>9}  {:>9}  {:>9}  ({} more)\n",
            "",
            "",
            signed(rest),
            d.functions.len() - top
        );
    }
    out
}
