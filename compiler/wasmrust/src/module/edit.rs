//! Byte-level edits of a module: everything not edited is copied unchanged,
//! so an edit moves no other byte. The post-link passes and the effects check
//! share them.

use anyhow::{Result, bail};
use wasmparser::{Chunk, Parser, Payload};

/// Rewrites a module or component section by section: `edit` gets each
/// top-level payload and its raw bytes, appends what to keep to `out`, and
/// returns `Some(end)` when it consumed the payload's contents up to `end`
/// itself (a nested module or component, which the parser steps over). The
/// end of the binary is copied. Everything `edit` copies stays byte-identical.
pub(crate) fn rewrite(
    bytes: &[u8],
    mut edit: impl FnMut(Payload<'_>, &[u8], &mut Vec<u8>) -> Result<Option<usize>>,
) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut parser = Parser::new(0);
    let mut offset = 0;
    loop {
        let (payload, consumed) = match parser.parse(&bytes[offset..], true)? {
            Chunk::NeedMoreData(_) => bail!("unexpected end of input at offset {offset:#x}"),
            Chunk::Parsed { payload, consumed } => (payload, consumed),
        };
        let raw = &bytes[offset..offset + consumed];
        offset += consumed;
        if let Payload::End(_) = payload {
            out.extend_from_slice(raw);
            return Ok(out);
        }
        if let Some(end) = edit(payload, raw, &mut out)? {
            offset = end;
        }
    }
}

/// Rewrites the core module `bytes` without the exports `drop` names and the
/// custom sections named in `sections`; every other byte is copied. The
/// functions and globals behind dropped exports stay: the optimizer removes
/// what nothing else uses. Components are refused (their core modules are
/// edited before componentizing).
pub(crate) fn drop_exports(
    bytes: &[u8],
    drop: impl Fn(&str) -> bool,
    sections: &[&str],
) -> Result<Vec<u8>> {
    use wasm_encoder::{ExportKind, ExportSection, Section};
    use wasmparser::ExternalKind;
    rewrite(bytes, |payload, raw, out| {
        match payload {
            Payload::CustomSection(c) if sections.contains(&c.name()) => {}
            Payload::ExportSection(reader) => {
                let mut kept = ExportSection::new();
                for export in reader {
                    let export = export?;
                    if drop(export.name) {
                        continue;
                    }
                    let kind = match export.kind {
                        ExternalKind::Func | ExternalKind::FuncExact => ExportKind::Func,
                        ExternalKind::Table => ExportKind::Table,
                        ExternalKind::Memory => ExportKind::Memory,
                        ExternalKind::Global => ExportKind::Global,
                        ExternalKind::Tag => ExportKind::Tag,
                    };
                    kept.export(export.name, kind, export.index);
                }
                kept.append_to(out);
            }
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => {
                bail!("expected a core module, found a component")
            }
            _ => out.extend_from_slice(raw),
        }
        Ok(None)
    })
}
