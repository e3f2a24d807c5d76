//! The section and function layout of a module or component: where each
//! section and function body lies, and the functions' demangled names.

use anyhow::Result;
use std::collections::BTreeMap;
use std::ops::Range;
use wasmparser::{KnownCustom, Name, Parser, Payload, TypeRef};

/// A function body: its index (imports included) and its bytes' range.
pub(crate) struct Body {
    pub(crate) index: u32,
    pub(crate) body: Range<usize>,
}

/// The section and function layout of one binary.
pub(crate) struct Layout {
    /// Every section's name and content range, in file order.
    pub(crate) sections: Vec<(String, Range<usize>)>,
    /// Every function body, in order.
    pub(crate) functions: Vec<Body>,
    /// Function names from the `name` section, demangled.
    pub(crate) names: BTreeMap<u32, String>,
}

fn section_name(payload: &Payload<'_>, id: u8) -> String {
    match payload {
        Payload::CustomSection(c) => format!("custom \"{}\"", c.name()),
        Payload::TypeSection(_) => "type".into(),
        Payload::ImportSection(_) => "import".into(),
        Payload::FunctionSection(_) => "function".into(),
        Payload::TableSection(_) => "table".into(),
        Payload::MemorySection(_) => "memory".into(),
        Payload::TagSection(_) => "tag".into(),
        Payload::GlobalSection(_) => "global".into(),
        Payload::ExportSection(_) => "export".into(),
        Payload::StartSection { .. } => "start".into(),
        Payload::ElementSection(_) => "element".into(),
        Payload::DataCountSection { .. } => "data count".into(),
        Payload::DataSection(_) => "data".into(),
        Payload::CodeSectionStart { .. } => "code".into(),
        Payload::ModuleSection { .. } => "nested module".into(),
        Payload::ComponentSection { .. } => "nested component".into(),
        _ => format!("component section {id}"),
    }
}

/// Reads the section and function layout of a module or component.
pub(crate) fn layout(bytes: &[u8]) -> Result<Layout> {
    let mut l = Layout {
        sections: Vec::new(),
        functions: Vec::new(),
        names: BTreeMap::new(),
    };
    let mut imported = 0u32;
    let mut next = 0u32;
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload?;
        if let Payload::ImportSection(reader) = &payload {
            for import in reader.clone().into_imports() {
                if matches!(import?.ty, TypeRef::Func(_)) {
                    imported += 1;
                }
            }
        }
        if let Payload::CodeSectionEntry(body) = &payload {
            l.functions.push(Body {
                index: imported + next,
                body: body.range(),
            });
            next += 1;
        }
        if let Payload::CustomSection(c) = &payload
            && let KnownCustom::Name(reader) = c.as_known()
        {
            for name in reader.into_iter().flatten() {
                if let Name::Function(map) = name {
                    for naming in map.into_iter().flatten() {
                        l.names.insert(
                            naming.index,
                            format!("{:#}", rustc_demangle::demangle(naming.name)),
                        );
                    }
                }
            }
        }
        if let Some((id, range)) = payload.as_section() {
            let mut name = section_name(&payload, id);
            let n = seen.entry(name.clone()).or_default();
            *n += 1;
            if *n > 1 {
                name = format!("{name} #{n}");
            }
            l.sections.push((name, range));
        }
    }
    Ok(l)
}
