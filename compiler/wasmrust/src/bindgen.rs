//! WIT world → Rust bindings crate (`wasmrust bindgen`), with `wit-bindgen-rust`
//! used as a library.
//!
//! The output is the whole source of one crate: wit-bindgen's types, traits and
//! canonical-ABI glue for the world, followed by the small runtime those name
//! ([`RUNTIME`], as `mod __rt`). The user's crate depends on it, implements the
//! generated `Guest` traits with owned Rust types and calls
//! `<crate>::export!(Type)`. Being a crate of its own, the bindings compile
//! once and stay cached while the user's code changes.

use crate::io;
use crate::postlink::componentize::{World, resolve_world};
use anyhow::{Context, Result, bail};
use std::fmt::Write as _;
use std::path::Path;
use wit_bindgen_core::{Files, WorldGenerator};

/// The runtime the generated code calls (`cabi_realloc`, the list `Cleanup`,
/// resource storage, maps and flags): `bindgen/rt.rs`.
pub const RUNTIME: &str = include_str!("bindgen/rt.rs");

/// The Rust source of the bindings crate `crate_name` for `world`.
pub fn generate(world: &World<'_>, crate_name: &str) -> Result<String> {
    if crate_name.is_empty()
        || !crate_name
            .chars()
            .all(|c| c == '_' || c.is_ascii_alphanumeric())
    {
        bail!("`{crate_name}` is not a crate name (letters, digits and `_`)");
    }
    let (mut resolve, id) = resolve_world(world)?;
    let opts = wit_bindgen_rust::Opts {
        format: true,
        runtime_path: Some("crate::__rt".to_owned()),
        bitflags_path: Some("crate::__rt::bitflags".to_owned()),
        // `export!` is used from the user's crate, so it is exported and names this one.
        pub_export_macro: true,
        default_bindings_module: Some(format!("::{crate_name}")),
        // Reactor modules run their constructors in `_initialize`.
        disable_run_ctors_once_workaround: true,
        // Every imported interface, WASI's included: nothing comes from another crate.
        generate_all: true,
        ..Default::default()
    };
    let mut files = Files::default();
    opts.build()
        .generate(&mut resolve, id, &mut files)
        .with_context(|| {
            format!(
                "failed to generate Rust bindings for the WIT at `{}`",
                world.path.display()
            )
        })?;
    // wit-bindgen writes for a module, not a crate root: at the root, its
    // `pub use` of a `#[macro_export]`ed macro (a world's own functions) would
    // define the macro twice. So the code sits in `mod bindings`, re-exported.
    // A world's own functions leave their `pub use` of the export macro unused.
    let mut out = String::from("#[allow(unused_imports)]\nmod bindings {\n");
    for (name, contents) in files.iter() {
        let text = std::str::from_utf8(contents)
            .with_context(|| format!("wit-bindgen wrote `{name}` that is not UTF-8"))?;
        out.push_str(text);
    }
    out.push_str("}\npub use bindings::*;\n");
    writeln!(
        out,
        "\n/// The runtime of the bindings above (`wasmrust bindgen`)."
    )?;
    writeln!(
        out,
        "#[doc(hidden)]\n#[allow(dead_code, unused_imports)]\npub mod __rt {{"
    )?;
    out.push_str(RUNTIME);
    out.push_str("}\n");
    Ok(out)
}

/// Writes [`generate`]'s crate source to `out`.
pub fn bindgen(world: &World<'_>, crate_name: &str, out: &Path) -> Result<()> {
    io::ensure_not_input(out, &[world.path])?;
    let source = generate(world, crate_name)?;
    io::write_atomic(out, source.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bindings(wit: &str, world: Option<&str>) -> Result<String> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("world.wit");
        std::fs::write(&path, wit)?;
        generate(
            &World {
                path: &path,
                name: world,
            },
            "demo_bindings",
        )
    }

    const WIT: &str = "package t:t;
interface api {
    record point { x: s32, y: s32 }
    flags mode { read, write }
    variant shape { circle(f32), poly(list<point>), none }
    enum color { red, green }
    area: func(s: shape, m: mode) -> result<option<f64>, string>;
}
interface log { record entry { tag: string, at: u64 } write: func(entries: list<entry>); }
world w { export api; import log; import wasi:cli/stdout@0.2.0; export version: func() -> string; }
package wasi:io@0.2.0 { interface streams { resource output-stream { blocking-write-and-flush: func(contents: list<u8>) -> result; } } }
package wasi:cli@0.2.0 { interface stdout { use wasi:io/streams@0.2.0.{output-stream}; get-stdout: func() -> output-stream; } }
";

    #[test]
    fn the_crate_exports_its_macro_and_carries_its_runtime() {
        let src = bindings(WIT, Some("w")).unwrap();
        assert!(src.contains("macro_rules! __export_w_impl"), "{src}");
        assert!(
            src.contains("::demo_bindings::export!"),
            "the macro names the bindings crate"
        );
        assert!(
            src.contains("crate::__rt::Cleanup"),
            "lists of records passed to imports use the runtime"
        );
        assert!(
            src.contains("crate::__rt::bitflags::bitflags!"),
            "flags use the runtime's macro"
        );
        assert!(src.contains("pub mod __rt {"));
        assert!(src.contains("fn cabi_realloc("));
        let code = src.lines().filter(|l| !l.trim_start().starts_with("//"));
        assert!(
            !code.clone().any(|l| l.contains("wit_bindgen::")),
            "no path into wit-bindgen is left"
        );
    }

    #[test]
    fn the_same_world_gives_the_same_bytes() {
        assert_eq!(
            bindings(WIT, Some("w")).unwrap(),
            bindings(WIT, Some("w")).unwrap()
        );
    }

    #[test]
    fn a_missing_world_and_a_bad_crate_name_are_named() {
        let err = format!("{:#}", bindings(WIT, Some("nope")).unwrap_err());
        assert!(
            err.contains("the worlds of package `t:t` are: `w`"),
            "{err}"
        );
        assert!(err.contains("`nope` not found"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.wit");
        std::fs::write(&path, WIT).unwrap();
        let err = generate(
            &World {
                path: &path,
                name: Some("w"),
            },
            "a-b",
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("`a-b` is not a crate name"),
            "{err}"
        );
    }
}
