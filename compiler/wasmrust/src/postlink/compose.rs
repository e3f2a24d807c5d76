//! Components plugged into a root component's imports, with `wasm-compose`.
//!
//! The root component's imports that a plug exports under the same name (an
//! interface such as `wasmrust:test-host/host@0.1.0`) are satisfied by an
//! instance of that plug inside the composed component; the imports nothing
//! satisfies, the root's and the plugs' own, stay imports of the result.
//! The composed component exports what the root exports.

use crate::io;
use crate::verify::validate::{self, Kind};
use anyhow::{Context, Result, bail};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use wasm_compose::composer::ComponentComposer;
use wasm_compose::config::Config;
use wit_component::DecodedWasm;

/// A component's top-level import and export names, as WIT names them
/// (`wasi:cli/stdout@0.2.0`, `wasmrust:test-host/host@0.1.0`, `run`).
struct Names {
    imports: BTreeSet<String>,
    exports: BTreeSet<String>,
}

/// The import and export names of the component `bytes` read from `path`
/// (failing, with the fix, on a core module).
fn component_names(path: &Path, bytes: &[u8]) -> Result<Names> {
    if validate::validate(path, bytes, None)? != Kind::Component {
        bail!(
            "`{}` is a core module, but composition takes components: make it one with `wasm_component` (or `wasmrust componentize`) first",
            path.display()
        );
    }
    let DecodedWasm::Component(resolve, world) =
        wit_component::decode(bytes).with_context(|| {
            format!(
                "failed to read the imports and exports of `{}`",
                path.display()
            )
        })?
    else {
        bail!("`{}` is a WIT package, not a component", path.display());
    };
    let world = &resolve.worlds[world];
    let names = |items: &mut dyn Iterator<Item = &wit_parser::WorldKey>| {
        items.map(|k| resolve.name_world_key(k)).collect()
    };
    Ok(Names {
        imports: names(&mut world.imports.keys()),
        exports: names(&mut world.exports.keys()),
    })
}

fn list(names: &BTreeSet<String>) -> String {
    if names.is_empty() {
        return "none".to_owned();
    }
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    quoted.join(", ")
}

/// Composes `root` with `plugs` into `output`: each plug must satisfy at
/// least one import of the root or of another plug, else it would be dead
/// weight and the build fails naming what the plug exports and what is
/// imported. Only the given components take part: nothing is looked up on
/// disk by import name.
pub fn compose(root: &Path, plugs: &[PathBuf], output: &Path) -> Result<()> {
    let mut inputs: Vec<&Path> = vec![root];
    inputs.extend(plugs.iter().map(PathBuf::as_path));
    io::ensure_not_input(output, &inputs)?;
    if plugs.is_empty() {
        bail!(
            "nothing to plug into `{}`: pass at least one `--plug COMPONENT`",
            root.display()
        );
    }
    let root_names = component_names(root, &io::read(root)?)?;
    let plug_bytes = plugs
        .iter()
        .map(|p| io::read(p))
        .collect::<Result<Vec<_>>>()?;
    let plug_names = plugs
        .iter()
        .zip(&plug_bytes)
        .map(|(p, b)| component_names(p, b))
        .collect::<Result<Vec<_>>>()?;
    for (i, (plug, names)) in plugs.iter().zip(&plug_names).enumerate() {
        let mut imported = root_names.imports.clone();
        for (j, other) in plug_names.iter().enumerate() {
            if j != i {
                imported.extend(other.imports.iter().cloned());
            }
        }
        if names.exports.is_disjoint(&imported) {
            bail!(
                "`{}` satisfies no import of `{}`: it exports {}, and the components being composed import {}; \
                 a plug must export an interface under the name the root imports it (same package, interface and version)",
                plug.display(),
                root.display(),
                list(&names.exports),
                list(&imported)
            );
        }
    }
    // wasm-compose also looks for components named after each import in its
    // config directory, and names each plug's instance after its file: the
    // plugs are copied into a private directory as `plugs/plug-N.wasm`, so
    // that search finds nothing, the names are valid WIT names whatever the
    // targets are called, and the result depends on the given bytes only.
    let scratch = io::scratch_dir()?;
    std::fs::create_dir(scratch.path().join("plugs"))
        .context("failed to create the plugs' scratch directory")?;
    let mut definitions = Vec::new();
    for (i, (plug, bytes)) in plugs.iter().zip(&plug_bytes).enumerate() {
        let name = PathBuf::from(format!("plugs/plug-{}.wasm", i + 1));
        std::fs::write(scratch.path().join(&name), bytes)
            .with_context(|| format!("failed to copy `{}`", plug.display()))?;
        definitions.push(name);
    }
    let config = Config {
        dir: scratch.path().to_owned(),
        definitions,
        ..Config::default()
    };
    let composed = ComponentComposer::new(root, &config)
        .compose()
        .with_context(|| format!("failed to compose `{}`", root.display()))?;
    validate::validate(output, &composed, None)
        .context("wasm-compose produced an invalid component")?;
    io::write_atomic(output, &composed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wit_component::{ComponentEncoder, StringEncoding};
    use wit_parser::{LiftLowerAbi, ManglingAndAbi, Resolve};

    const WIT: &str = "package t:c@0.1.0;
        interface clock { now: func() -> u64; }
        interface app { run: func() -> string; }
        interface other { ping: func(); }
        world root { import clock; export app; }
        world clock-impl { export clock; }
        world unrelated { export other; }";

    /// The component of `world` in [`WIT`], on wit-component's dummy core module.
    fn component(dir: &Path, world: &str) -> PathBuf {
        let mut resolve = Resolve::default();
        let pkg = resolve.push_str("t.wit", WIT).unwrap();
        let id = resolve.select_world(&[pkg], Some(world)).unwrap();
        let mut module =
            wit_component::dummy_module(&resolve, id, ManglingAndAbi::Legacy(LiftLowerAbi::Sync));
        wit_component::embed_component_metadata(&mut module, &resolve, id, StringEncoding::UTF8)
            .unwrap();
        let bytes = ComponentEncoder::default()
            .module(&module)
            .unwrap()
            .encode()
            .unwrap();
        let path = dir.join(format!("{world}.wasm"));
        std::fs::write(&path, bytes).unwrap();
        path
    }

    #[test]
    fn a_plug_satisfies_the_import_it_exports_and_the_result_is_reproducible() {
        let dir = tempfile::tempdir().unwrap();
        let (root, plug) = (
            component(dir.path(), "root"),
            component(dir.path(), "clock-impl"),
        );
        // A target's name, not a WIT name: the plug's instance is named apart from it.
        let plug_file = dir.path().join("clock_impl.wasm");
        std::fs::rename(&plug, &plug_file).unwrap();
        let plug = plug_file;
        let (a, b) = (dir.path().join("a.wasm"), dir.path().join("b.wasm"));
        compose(&root, std::slice::from_ref(&plug), &a).unwrap();
        compose(&root, &[plug], &b).unwrap();
        let names = component_names(&a, &std::fs::read(&a).unwrap()).unwrap();
        assert_eq!(names.imports, BTreeSet::new(), "the plug satisfies `clock`");
        assert_eq!(names.exports, BTreeSet::from(["t:c/app@0.1.0".to_owned()]));
        assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    }

    #[test]
    fn a_plug_that_satisfies_nothing_is_refused_with_what_it_exports() {
        let dir = tempfile::tempdir().unwrap();
        let (root, plug) = (
            component(dir.path(), "root"),
            component(dir.path(), "unrelated"),
        );
        let out = dir.path().join("out.wasm");
        let err = format!("{:#}", compose(&root, &[plug], &out).unwrap_err());
        assert!(
            err.contains("unrelated.wasm` satisfies no import of"),
            "{err}"
        );
        assert!(err.contains("it exports `t:c/other@0.1.0`"), "{err}");
        assert!(err.contains("import `t:c/clock@0.1.0`"), "{err}");
        assert!(!out.exists());
    }

    #[test]
    fn a_core_module_is_refused_with_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let root = component(dir.path(), "root");
        let core = dir.path().join("core.wasm");
        std::fs::write(&core, wasm_encoder::Module::new().finish()).unwrap();
        let err = format!(
            "{:#}",
            compose(&root, &[core], &dir.path().join("o.wasm")).unwrap_err()
        );
        assert!(err.contains("core.wasm` is a core module"), "{err}");
        assert!(err.contains("`wasm_component`"), "{err}");
    }
}
