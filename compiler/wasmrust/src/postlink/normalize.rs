//! The custom-section policy: what metadata a shipped module keeps.
//!
//! Release builds drop everything that is not needed to run: the `name`
//! section, `producers`, DWARF, source maps and linker leftovers. Dev builds
//! keep names (readable traps and profiles) and drop only linker leftovers.
//! Sections the toolchain itself reads later (`component-type*`, WasmRust's
//! own `wasmrust.*` markers) are kept, except that release drops
//! `wasmrust.effects` once this step has checked it. Components are rewritten
//! recursively, so nested core modules follow the same policy.

use crate::flags::{Mode, WasmFeature};
use crate::io;
use crate::module::edit::rewrite;
use crate::verify::validate;
use anyhow::Result;
use std::path::Path;
use wasm_encoder::Encode;
use wasmparser::{Parser, Payload};

/// Whether a custom section called `name` survives in `mode`.
pub fn keeps(mode: Mode, name: &str) -> bool {
    let linker_leftover =
        name == "linking" || name.starts_with("reloc.") || name == "target_features";
    let debug =
        name.starts_with(".debug") || name == "sourceMappingURL" || name == "external_debug_info";
    match mode {
        Mode::Dev => !linker_leftover,
        // `wasmrust.effects` is checked before it goes: in release by `opt`
        // (which also strips the `wasmrust.fx.*` exports), otherwise here.
        Mode::Release => {
            !(linker_leftover
                || debug
                || name == "name"
                || name == "producers"
                || name == "wasmrust.effects")
        }
    }
}

/// Rewrites `bytes`, dropping the custom sections `mode` does not keep.
/// All other bytes are copied unchanged.
pub fn strip_custom_sections(bytes: &[u8], mode: Mode) -> Result<Vec<u8>> {
    rewrite(bytes, |payload, raw, out| {
        match payload {
            Payload::CustomSection(reader) if !keeps(mode, reader.name()) => {}
            Payload::ModuleSection {
                unchecked_range, ..
            }
            | Payload::ComponentSection {
                unchecked_range, ..
            } => {
                // Rewrite the nested binary and give it a header with its new length.
                let inner = strip_custom_sections(&bytes[unchecked_range.clone()], mode)?;
                out.push(raw[0]);
                u32::try_from(inner.len())?.encode(out);
                out.extend_from_slice(&inner);
                return Ok(Some(unchecked_range.end));
            }
            _ => out.extend_from_slice(raw),
        }
        Ok(None)
    })
}

/// Applies the custom-section policy of `mode` to the module or component at
/// `input`, writing `output`. With `features`, a core module must use only
/// those WebAssembly features (the profile's), and with `host` only imports
/// its hosts provide and only the effects its functions declare
/// (`wasmrust.effects`, see `verify::effects`), or normalizing fails.
pub fn normalize(
    input: &Path,
    output: &Path,
    mode: Mode,
    features: Option<&[WasmFeature]>,
    host: Option<&validate::Host<'_>>,
) -> Result<()> {
    let bytes = io::read(input)?;
    io::ensure_not_input(output, &[input])?;
    validate::validate(input, &bytes, features)?;
    if let Some(host) = host {
        validate::check_imports(input, &bytes, host)?;
        crate::verify::effects::enforce(input, &bytes, host)?;
    }
    let out = strip_custom_sections(&bytes, mode)?;
    validate::validate(output, &out, features)?;
    io::write_atomic(output, &out)
}

/// The names of the custom sections in `bytes`, nested ones included, in order.
pub fn custom_section_names(bytes: &[u8]) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for payload in Parser::new(0).parse_all(bytes) {
        if let Payload::CustomSection(r) = payload? {
            names.push(r.name().to_string());
        }
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_encoder::{CustomSection, Module};

    fn module(sections: &[&str]) -> Module {
        let mut m = Module::new();
        for name in sections {
            m.section(&CustomSection {
                name: (*name).into(),
                data: b"xyz".as_slice().into(),
            });
        }
        m
    }

    fn module_with(sections: &[&str]) -> Vec<u8> {
        module(sections).finish()
    }

    #[test]
    fn release_drops_names_producers_and_checked_effects() {
        let m = module_with(&[
            "name",
            "producers",
            "component-type:x",
            "wasmrust.effects",
            ".debug_info",
            "linking",
        ]);
        let out = strip_custom_sections(&m, Mode::Release).unwrap();
        assert_eq!(custom_section_names(&out).unwrap(), ["component-type:x"]);
    }

    #[test]
    fn dev_keeps_names() {
        let m = module_with(&["name", "producers", "reloc.CODE"]);
        let out = strip_custom_sections(&m, Mode::Dev).unwrap();
        assert_eq!(custom_section_names(&out).unwrap(), ["name", "producers"]);
    }

    #[test]
    fn nested_modules_in_components_are_rewritten() {
        let inner = module(&["name", "keep-me"]);
        let mut c = wasm_encoder::Component::new();
        c.section(&wasm_encoder::ModuleSection(&inner));
        c.section(&CustomSection {
            name: "producers".into(),
            data: b"p".as_slice().into(),
        });
        let bytes = c.finish();
        wasmparser::Validator::new().validate_all(&bytes).unwrap();
        let out = strip_custom_sections(&bytes, Mode::Release).unwrap();
        wasmparser::Validator::new().validate_all(&out).unwrap();
        assert_eq!(custom_section_names(&out).unwrap(), ["keep-me"]);
    }

    #[test]
    fn unchanged_when_nothing_to_drop() {
        let m = module_with(&["keep-me"]);
        assert_eq!(strip_custom_sections(&m, Mode::Release).unwrap(), m);
    }
}
