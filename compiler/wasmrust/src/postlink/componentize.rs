//! Core module + WIT world → component, with `wit-component`.

use crate::io;
use crate::postlink::validate::{self, Kind};
use anyhow::{Context, Result, bail};
use std::path::Path;
use wasi_preview1_component_adapter_provider as adapters;
use wit_component::{ComponentEncoder, StringEncoding};
use wit_parser::Resolve;

/// The world a component is built for: a WIT file or directory and the
/// world's name in it.
pub struct World<'a> {
    /// A `.wit` file or a directory of them (with `deps/`).
    pub path: &'a Path,
    /// The world to target; `None` when the package has exactly one.
    pub name: Option<&'a str>,
}

/// Parses the WIT at `world.path`. Parse errors carry `file:line:column`
/// and the offending source line, as wit-parser reports them.
pub fn resolve_world(world: &World<'_>) -> Result<(Resolve, wit_parser::WorldId)> {
    let mut resolve = Resolve::default();
    let pkg = match resolve.push_path(world.path) {
        Ok((pkg, _files)) => pkg,
        // `render_error` adds `file:line:column` and the offending source line.
        Err(e) => bail!("failed to parse WIT at `{}`: {}", world.path.display(), resolve.render_error(&e)),
    };
    let id = resolve
        .select_world(&[pkg], world.name)
        .with_context(|| format!("failed to select the world in `{}`", world.path.display()))?;
    Ok((resolve, id))
}

/// Turns the core module at `input` into a component at `output`. With a
/// `world`, its type information is embedded first (the module must export
/// the world's functions under their canonical-ABI names). Imports from
/// `wasi_snapshot_preview1` are satisfied by the pinned WASI adapter, and
/// `wasm::ExternRef`'s slot-table imports become an import of the WIT
/// interface `wasmrust:externref/table` (see [`externref_world`]).
pub fn componentize(input: &Path, output: &Path, world: Option<&World<'_>>) -> Result<()> {
    let mut bytes = io::read(input)?;
    if validate::validate(input, &bytes, None)? != Kind::Module {
        bail!("`{}` is already a component", input.display());
    }
    if let Some(world) = world {
        let (resolve, id) = resolve_world(world)?;
        wit_component::embed_component_metadata(&mut bytes, &resolve, id, StringEncoding::UTF8)
            .context("failed to embed the world's type information")?;
    }
    if imports_module(&bytes, wasm::externref::IMPORT_MODULE)? {
        // A second `component-type` section: wit-component merges it with the user's world.
        let (resolve, id) = externref_world()?;
        wit_component::embed_component_metadata(&mut bytes, &resolve, id, StringEncoding::UTF8)
            .context("failed to embed the `wasmrust:externref/table` interface")?;
    }
    let mut encoder = ComponentEncoder::default().validate(true).module(&bytes).with_context(|| {
        format!("`{}` does not match its WIT world (wit-component could not read its imports and exports)", input.display())
    })?;
    if imports_module(&bytes, adapters::WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME)? {
        let adapter = if exports(&bytes, "_start")? {
            adapters::WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER
        } else {
            adapters::WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER
        };
        encoder = encoder.adapter(adapters::WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME, adapter)?;
    }
    let component = encoder
        .encode()
        .with_context(|| format!("failed to build a component from `{}`", input.display()))?;
    validate::validate(output, &component, None).context("wit-component produced an invalid component")?;
    io::write_atomic(output, &component)
}

/// The world `wasmrust:externref/imports` (`wasm::externref::WIT`): a core
/// module's imports from `wasmrust:externref/table` are already that
/// interface's canonical-ABI lowering, so embedding it is all a module using
/// `ExternRef` needs to become a component whose host provides the table.
pub fn externref_world() -> Result<(Resolve, wit_parser::WorldId)> {
    let mut resolve = Resolve::default();
    let pkg = resolve.push_str("wasm/externref.wit", wasm::externref::WIT).context("the `wasm` crate's externref WIT")?;
    let id = resolve.select_world(&[pkg], Some("imports"))?;
    Ok((resolve, id))
}

fn imports_module(bytes: &[u8], module: &str) -> Result<bool> {
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        if let wasmparser::Payload::ImportSection(reader) = payload? {
            for import in reader.into_imports() {
                if import?.module == module {
                    return Ok(true);
                }
            }
        }
    }
    Ok(false)
}

fn exports(bytes: &[u8], name: &str) -> Result<bool> {
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        if let wasmparser::Payload::ExportSection(reader) = payload? {
            for export in reader {
                if export?.name == name {
                    return Ok(true);
                }
            }
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_externref_interface_is_the_crates_import_module() {
        let (resolve, id) = externref_world().unwrap();
        let world = &resolve.worlds[id];
        let names: Vec<String> = world.imports.keys().map(|k| resolve.name_world_key(k)).collect();
        assert_eq!(names, [wasm::externref::IMPORT_MODULE]);
        let iface = resolve.interfaces.iter().next().unwrap().1;
        let funcs: Vec<&str> = iface.functions.keys().map(String::as_str).collect();
        assert_eq!(funcs, ["drop", "clone", "eq", "is-func"]);
    }
}
