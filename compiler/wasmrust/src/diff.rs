//! A WebAssembly-aware binary diff, for reproducibility audits: where two
//! builds of the same module first differ, in terms a reader can act on (the
//! section, the function and its demangled name, the offset in its body),
//! and which sections changed size.

use crate::module::layout::{Layout, layout};
use anyhow::{Context, Result};
use serde::Serialize;
use std::collections::BTreeMap;

/// Where a byte offset falls in a module or component.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Location {
    /// Byte offset in the file.
    pub offset: usize,
    /// The section holding it: `code`, `data`, `custom "name"`, ..., or
    /// `... header` for its id and size bytes.
    pub section: String,
    /// For the code section: the function's index (imports included).
    pub function: Option<u32>,
    /// Its name from the `name` section, demangled, when the module has one.
    pub function_name: Option<String>,
    /// Offset from the start of the function's body.
    pub offset_in_function: Option<usize>,
}

/// A section whose size differs, or that only one side has.
#[derive(Debug, Serialize)]
pub struct SectionDelta {
    /// The section, as in [`Location::section`] (with a `#n` suffix for repeats).
    pub section: String,
    /// Its size in the first file (`None`: absent).
    pub size_a: Option<usize>,
    /// Its size in the second file.
    pub size_b: Option<usize>,
}

/// How two binaries differ.
#[derive(Debug, Serialize)]
pub struct Difference {
    /// Size of the first file.
    pub size_a: usize,
    /// Size of the second file.
    pub size_b: usize,
    /// The first differing byte, located in the first file.
    pub first_in_a: Location,
    /// The same offset, located in the second file.
    pub first_in_b: Location,
    /// Sections whose sizes differ.
    pub sections: Vec<SectionDelta>,
}

impl Layout {
    fn locate(&self, offset: usize) -> Location {
        // The innermost section: nested modules contain their own sections.
        let section = self
            .sections
            .iter()
            .filter(|(_, r)| r.contains(&offset))
            .min_by_key(|(_, r)| r.len())
            .map(|(name, _)| name.clone())
            // Not in a section's contents: in the id and size bytes before one.
            .or_else(|| {
                self.sections
                    .iter()
                    .filter(|(_, r)| r.start > offset && r.start - offset <= 6)
                    .min_by_key(|(_, r)| r.start)
                    .map(|(name, _)| format!("{name} header"))
            })
            .unwrap_or_else(|| "module header".to_string());
        let function = self.functions.iter().find(|f| f.body.contains(&offset));
        Location {
            offset,
            section,
            function: function.map(|f| f.index),
            function_name: function.and_then(|f| self.names.get(&f.index).cloned()),
            offset_in_function: function.map(|f| offset - f.body.start),
        }
    }

    fn sizes(&self) -> BTreeMap<&str, usize> {
        self.sections
            .iter()
            .map(|(name, r)| (name.as_str(), r.len()))
            .collect()
    }
}

/// Compares two binaries; `None` when they are byte-identical.
pub fn diff(a: &[u8], b: &[u8]) -> Result<Option<Difference>> {
    let Some(first) = a
        .iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .or_else(|| (a.len() != b.len()).then(|| a.len().min(b.len())))
    else {
        return Ok(None);
    };
    let (la, lb) = (
        layout(a).context("the first file")?,
        layout(b).context("the second file")?,
    );
    let (sa, sb) = (la.sizes(), lb.sizes());
    let mut sections: Vec<SectionDelta> = sa
        .iter()
        .filter(|(name, size)| sb.get(*name) != Some(size))
        .map(|(name, size)| SectionDelta {
            section: name.to_string(),
            size_a: Some(*size),
            size_b: sb.get(name).copied(),
        })
        .collect();
    sections.extend(
        sb.iter()
            .filter(|(name, _)| !sa.contains_key(*name))
            .map(|(name, size)| SectionDelta {
                section: name.to_string(),
                size_a: None,
                size_b: Some(*size),
            }),
    );
    Ok(Some(Difference {
        size_a: a.len(),
        size_b: b.len(),
        first_in_a: la.locate(first),
        first_in_b: lb.locate(first),
        sections,
    }))
}

fn describe(l: &Location) -> String {
    let mut s = format!("{} section", l.section);
    if let (Some(index), Some(at)) = (l.function, l.offset_in_function) {
        s += &format!(", function {index}");
        if let Some(name) = &l.function_name {
            s += &format!(" `{name}`");
        }
        s += &format!(" (+{at:#x} into its body)");
    }
    s
}

/// The human report for `diff`'s result.
pub fn report(a_name: &str, b_name: &str, d: &Difference) -> String {
    let mut out = format!(
        "{a_name} and {b_name} differ: first at byte {:#x} ({})\n  {a_name}: {}\n  {b_name}: {}\n  sizes: {} vs {} bytes\n",
        d.first_in_a.offset,
        d.first_in_a.offset,
        describe(&d.first_in_a),
        describe(&d.first_in_b),
        d.size_a,
        d.size_b
    );
    for s in &d.sections {
        let show = |v: Option<usize>| v.map_or_else(|| "absent".to_string(), |n| format!("{n} B"));
        out += &format!(
            "  section {}: {} vs {}\n",
            s.section,
            show(s.size_a),
            show(s.size_b)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_encoder::*;

    /// Two functions, `$first` and `_ZN3app4main17h0123456789abcdefE`, returning `value`.
    fn module(value: i32, extra_custom: Option<&[u8]>) -> Vec<u8> {
        let mut m = Module::new();
        let mut types = TypeSection::new();
        types.ty().function([], [ValType::I32]);
        m.section(&types);
        let mut funcs = FunctionSection::new();
        funcs.function(0);
        funcs.function(0);
        m.section(&funcs);
        let mut code = CodeSection::new();
        for v in [1, value] {
            let mut f = Function::new([]);
            f.instructions().i32_const(v).end();
            code.function(&f);
        }
        m.section(&code);
        let mut names = NameSection::new();
        let mut map = NameMap::new();
        map.append(0, "first");
        map.append(1, "_ZN3app4main17h0123456789abcdefE");
        names.functions(&map);
        m.section(&names);
        if let Some(data) = extra_custom {
            m.section(&CustomSection {
                name: "stamp".into(),
                data: data.into(),
            });
        }
        m.finish()
    }

    #[test]
    fn identical_modules_have_no_difference() {
        assert!(diff(&module(7, None), &module(7, None)).unwrap().is_none());
    }

    #[test]
    fn a_code_change_names_the_demangled_function() {
        let d = diff(&module(7, None), &module(9, None)).unwrap().unwrap();
        assert_eq!(d.first_in_a.section, "code");
        assert_eq!(d.first_in_a.function, Some(1));
        assert_eq!(d.first_in_a.function_name.as_deref(), Some("app::main"));
        assert_eq!(
            d.first_in_a.offset_in_function,
            Some(2),
            "local count, i32.const, then the immediate"
        );
        assert!(d.sections.is_empty(), "same sizes");
        assert!(
            report("a.wasm", "b.wasm", &d).contains("function 1 `app::main` (+0x2 into its body)")
        );
    }

    #[test]
    fn a_custom_section_change_names_the_section_and_its_sizes() {
        let d = diff(
            &module(7, Some(b"2026-01-01")),
            &module(7, Some(b"2026-11-27T08")),
        )
        .unwrap()
        .unwrap();
        // The first difference is the section's size byte, before its contents.
        assert_eq!(d.first_in_a.section, "custom \"stamp\" header");
        assert_eq!(d.first_in_a.function, None);
        assert_eq!(d.sections.len(), 1);
        assert_eq!(
            (d.sections[0].size_a, d.sections[0].size_b),
            (Some(16), Some(19)),
            "name length, name, data"
        );
    }
}
