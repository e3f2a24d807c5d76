//! Where a module's bytes go: per-section and per-function sizes, with
//! demangled names, and how much of the code is panics, formatting and the
//! allocator (the usual reasons a small Rust module is not small).

use crate::diff::layout;
use anyhow::Result;
use serde::Serialize;

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
}

const CATEGORIES: [&str; 4] = ["panics", "formatting", "allocator", "other"];

/// Classifies a demangled function name.
pub fn category(name: &str) -> &'static str {
    let has = |needles: &[&str]| needles.iter().any(|n| name.contains(n));
    if has(&["panic", "core::result::unwrap_failed", "core::option::expect_failed", "slice_index_fail", "slice_end_index", "slice_start_index"]) {
        "panics"
    } else if has(&["core::fmt", "alloc::fmt", "<&T as core::fmt", "core::fmt::num", "Display>::fmt", "Debug>::fmt", "Formatter", "write_fmt", "write_str"]) {
        "formatting"
    } else if has(&["dlmalloc", "__rust_alloc", "__rust_dealloc", "__rust_realloc", "__rdl_", "wasm::alloc", "malloc", "free", "RawVec", "raw_vec", "alloc::alloc"]) {
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
            FunctionSize { index: f.index, name, bytes: f.body.len(), category }
        })
        .collect();
    functions.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(a.index.cmp(&b.index)));
    let categories = CATEGORIES
        .iter()
        .map(|c| (*c, functions.iter().filter(|f| f.category == *c).map(|f| f.bytes).sum()))
        .collect();
    Ok(SizeReport {
        total: bytes.len(),
        sections: l.sections.iter().map(|(name, r)| (name.clone(), r.len())).collect(),
        named: !l.names.is_empty(),
        functions,
        categories,
    })
}

/// The text report: sections, categories and the `top` largest functions.
pub fn render(name: &str, r: &SizeReport, top: usize) -> String {
    let pct = |n: usize| if r.total == 0 { 0.0 } else { 100.0 * n as f64 / r.total as f64 };
    let mut out = format!("{name}: {} bytes\n\nsections\n", r.total);
    for (section, bytes) in &r.sections {
        out += &format!("  {bytes:>9}  {:5.1}%  {section}\n", pct(*bytes));
    }
    let code: usize = r.functions.iter().map(|f| f.bytes).sum();
    out += &format!("\ncode by kind ({} functions, {code} bytes)\n", r.functions.len());
    if r.named {
        for (c, bytes) in &r.categories {
            out += &format!("  {bytes:>9}  {:5.1}%  {c}\n", pct(*bytes));
        }
    } else {
        out += "  (no `name` section: release builds drop it; the `linked` output group keeps names)\n";
    }
    out += &format!("\nlargest functions (top {})\n", top.min(r.functions.len()));
    for f in r.functions.iter().take(top) {
        let name = f.name.as_deref().unwrap_or("?");
        out += &format!("  {:>9}  {:5.1}%  #{:<5} {name}\n", f.bytes, pct(f.bytes), f.index);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_classified() {
        assert_eq!(category("core::panicking::panic_fmt"), "panics");
        assert_eq!(category("<core::fmt::Arguments as core::fmt::Display>::fmt"), "formatting");
        assert_eq!(category("dlmalloc::dlmalloc::Dlmalloc<A>::malloc"), "allocator");
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
        assert_eq!(r.functions[0].name.as_deref(), Some("core::panicking::panic"), "largest first");
        assert_eq!((r.functions[0].bytes, r.functions[1].bytes), (5, 2));
        assert_eq!(r.categories[0], ("panics", 5));
        assert!(r.sections.iter().any(|(s, _)| s == "code"));
        assert!(render("m.wasm", &r, 10).contains("core::panicking::panic"));
    }
}
