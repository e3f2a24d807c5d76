//! Core module + WIT world → component, with `wit-component`.

use crate::io;
use crate::verify::validate::{self, Kind};
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
        Err(e) => bail!(
            "failed to parse WIT at `{}`: {}",
            world.path.display(),
            resolve.render_error(&e)
        ),
    };
    let id = resolve.select_world(&[pkg], world.name).map_err(|e| {
        let worlds: Vec<String> = resolve.packages[pkg]
            .worlds
            .keys()
            .map(|w| format!("`{w}`"))
            .collect();
        let worlds = if worlds.is_empty() {
            "none".to_owned()
        } else {
            worlds.join(", ")
        };
        e.context(format!(
            "failed to select the world in `{}`; the worlds of package `{}` are: {worlds}",
            world.path.display(),
            resolve.packages[pkg].name
        ))
    })?;
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
    io::ensure_not_input(output, &[input, world.map_or(input, |w| w.path)])?;
    if validate::validate(input, &bytes, None)? != Kind::Module {
        bail!("`{}` is already a component", input.display());
    }
    check_post_returns(input, &bytes)?;
    if let Some(world) = world {
        let (resolve, id) = resolve_world(world)?;
        crate::verify::abi::check(input, &bytes, &resolve, id)?;
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
    validate::validate(output, &component, None)
        .context("wit-component produced an invalid component")?;
    io::write_atomic(output, &component)
}

/// The world `wasmrust:externref/imports` (`wasm::externref::WIT`): a core
/// module's imports from `wasmrust:externref/table` are already that
/// interface's canonical-ABI lowering, so embedding it is all a module using
/// `ExternRef` needs to become a component whose host provides the table.
pub fn externref_world() -> Result<(Resolve, wit_parser::WorldId)> {
    let mut resolve = Resolve::default();
    let pkg = resolve
        .push_str("wasm/externref.wit", wasm::externref::WIT)
        .context("the `wasm` crate's externref WIT")?;
    let id = resolve.select_world(&[pkg], Some("imports"))?;
    Ok((resolve, id))
}

/// The prefix of a canonical-ABI post-return export: `cabi_post_NAME` frees
/// what the export `NAME` returned, after the host has copied it out.
pub(crate) const POST_RETURN: &str = "cabi_post_";

/// Fails when the module exports a post-return function `cabi_post_NAME`
/// but no function `NAME`: wit-component ignores exports it cannot place, so
/// a misspelt name would be accepted silently and the export it was meant
/// for would never free what it returns. The error names the export and the
/// closest function export, the likely intended one.
pub fn check_post_returns(input: &Path, bytes: &[u8]) -> Result<()> {
    let mut funcs = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        if let wasmparser::Payload::ExportSection(reader) = payload? {
            for export in reader {
                let export = export?;
                if matches!(
                    export.kind,
                    wasmparser::ExternalKind::Func | wasmparser::ExternalKind::FuncExact
                ) {
                    funcs.push(export.name);
                }
            }
        }
    }
    let lifted: Vec<&str> = funcs
        .iter()
        .copied()
        .filter(|n| !n.starts_with(POST_RETURN))
        .collect();
    for post in funcs.iter().filter(|n| n.starts_with(POST_RETURN)) {
        let target = &post[POST_RETURN.len()..];
        if lifted.contains(&target) {
            continue;
        }
        let hint = match lifted.iter().min_by_key(|n| edit_distance(target, n)) {
            Some(closest) => format!(
                "did you mean `{POST_RETURN}{closest}` (the post-return of the export `{closest}`)?"
            ),
            None => "the module exports no other function.".to_string(),
        };
        bail!(
            "`{}` exports the canonical-ABI post-return function `{post}`, but no function `{target}`, \
             so nothing calls it and whatever the intended export returns is never freed; {hint} \
             A post-return function is exported as `{POST_RETURN}` followed by the exact export name of the function it follows.",
            input.display()
        );
    }
    Ok(())
}

/// Levenshtein distance between `a` and `b`, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
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

    /// A module exporting, besides its memory, a function returning a
    /// pointer under each of `funcs` and a `cabi_post_` hook for each of `posts`.
    fn module(funcs: &[&str], posts: &[&str]) -> Vec<u8> {
        use wasm_encoder::*;
        let mut m = Module::new();
        let mut types = TypeSection::new();
        types.ty().function([], [ValType::I32]);
        types.ty().function([ValType::I32], []);
        m.section(&types);
        let mut functions = FunctionSection::new();
        let mut code = CodeSection::new();
        let mut exports = ExportSection::new();
        let mut index = 0;
        for (ty, names) in [(0, funcs), (1, posts)] {
            for name in names {
                functions.function(ty);
                let mut f = Function::new([]);
                if ty == 0 {
                    f.instructions().i32_const(8);
                }
                f.instructions().end();
                code.function(&f);
                let export = if ty == 0 {
                    name.to_string()
                } else {
                    format!("{POST_RETURN}{name}")
                };
                exports.export(&export, ExportKind::Func, index);
                index += 1;
            }
        }
        m.section(&functions);
        let mut memory = MemorySection::new();
        memory.memory(MemoryType {
            minimum: 1,
            maximum: None,
            memory64: false,
            shared: false,
            page_size_log2: None,
        });
        m.section(&memory);
        exports.export("memory", ExportKind::Memory, 0);
        m.section(&exports);
        m.section(&code);
        m.finish()
    }

    #[test]
    fn a_post_return_for_an_existing_export_is_accepted() {
        let m = module(
            &[
                "wasmrust:demo/text@0.1.0#reverse-words",
                "wasmrust:demo/text@0.1.0#count",
            ],
            &["wasmrust:demo/text@0.1.0#reverse-words"],
        );
        check_post_returns(Path::new("app.wasm"), &m).unwrap();
    }

    #[test]
    fn a_misnamed_post_return_names_the_export_and_the_likely_intended_one() {
        let m = module(
            &[
                "wasmrust:demo/text@0.1.0#reverse-words",
                "wasmrust:demo/text@0.1.0#count",
            ],
            &["wasmrust:demo/text@0.1.0#reverse-word"],
        );
        let e = check_post_returns(Path::new("app.wasm"), &m)
            .unwrap_err()
            .to_string();
        assert!(e.contains("`app.wasm` exports the canonical-ABI post-return function `cabi_post_wasmrust:demo/text@0.1.0#reverse-word`"), "{e}");
        assert!(
            e.contains("but no function `wasmrust:demo/text@0.1.0#reverse-word`"),
            "{e}"
        );
        assert!(
            e.contains("did you mean `cabi_post_wasmrust:demo/text@0.1.0#reverse-words`"),
            "{e}"
        );
        let alone = module(&[], &["f"]);
        let e = check_post_returns(Path::new("app.wasm"), &alone)
            .unwrap_err()
            .to_string();
        assert!(e.contains("exports no other function"), "{e}");
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("pkg:iface/fn", "pkg:iface/fn"), 0);
        assert_eq!(edit_distance("pkg:iface/fm", "pkg:iface/fn"), 1);
    }

    #[test]
    fn the_externref_interface_is_the_crates_import_module() {
        let (resolve, id) = externref_world().unwrap();
        let world = &resolve.worlds[id];
        let names: Vec<String> = world
            .imports
            .keys()
            .map(|k| resolve.name_world_key(k))
            .collect();
        assert_eq!(names, [wasm::externref::IMPORT_MODULE]);
        let iface = resolve.interfaces.iter().next().unwrap().1;
        let funcs: Vec<&str> = iface.functions.keys().map(String::as_str).collect();
        assert_eq!(funcs, ["drop", "clone", "eq", "is-func"]);
    }
}
