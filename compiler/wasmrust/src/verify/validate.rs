//! Validation with wasmparser, restricted to the features a profile enables.

use crate::flags::{Target, WasmFeature};
use anyhow::{Result, bail};
use std::path::Path;
use wasmparser::{Parser, Validator, WasmFeatures};

/// What a validated binary turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A core WebAssembly module.
    Module,
    /// A component (component model).
    Component,
}

/// The wasmparser feature set for a core module allowed `features`
/// (components additionally need the component model).
pub fn wasmparser_features(features: Option<&[WasmFeature]>) -> WasmFeatures {
    let Some(features) = features else {
        return WasmFeatures::all();
    };
    // Floats and the MVP are always on; everything else only when enabled.
    let mut f = WasmFeatures::FLOATS | WasmFeatures::GC_TYPES;
    for feature in features {
        f |= match feature {
            WasmFeature::BulkMemory => WasmFeatures::BULK_MEMORY,
            WasmFeature::SignExt => WasmFeatures::SIGN_EXTENSION,
            WasmFeature::NontrappingFloatToInt => WasmFeatures::SATURATING_FLOAT_TO_INT,
            WasmFeature::MutableGlobals => WasmFeatures::MUTABLE_GLOBAL,
            WasmFeature::ReferenceTypes => WasmFeatures::REFERENCE_TYPES,
            WasmFeature::Multivalue => WasmFeatures::MULTI_VALUE,
            WasmFeature::Simd128 => WasmFeatures::SIMD,
            WasmFeature::Atomics => WasmFeatures::THREADS,
        };
    }
    f
}

/// Validates `bytes` (read from `path`, named in errors). With `features`,
/// a core module may use only those proposals; components are validated
/// with everything the component model needs.
pub fn validate(path: &Path, bytes: &[u8], features: Option<&[WasmFeature]>) -> Result<Kind> {
    if bytes.len() < 8 || &bytes[..4] != b"\0asm" {
        let head: Vec<String> = bytes.iter().take(4).map(|b| format!("{b:02x}")).collect();
        bail!(
            "`{}` is not a WebAssembly binary: it is {} bytes long and starts with [{}], not the magic `00 61 73 6d`",
            path.display(),
            bytes.len(),
            head.join(" ")
        );
    }
    let kind = if Parser::is_component(bytes) {
        Kind::Component
    } else {
        Kind::Module
    };
    let wf = match kind {
        Kind::Module => wasmparser_features(features),
        Kind::Component => WasmFeatures::all(),
    };
    if let Err(e) = Validator::new_with_features(wf).validate_all(bytes) {
        let what = if kind == Kind::Component {
            "component"
        } else {
            "module"
        };
        let hint = if e.message().contains("end-of-file") || e.message().contains("unexpected end")
        {
            " (the file looks truncated)"
        } else if e.message().contains("support")
            || e.message().contains("proposal")
            || e.message().contains("not enabled")
        {
            " (it uses a WebAssembly feature this profile does not enable)"
        } else {
            ""
        };
        bail!(
            "`{}` is not a valid WebAssembly {what}: {e}{hint}",
            path.display()
        );
    }
    Ok(kind)
}

/// Where a module is built: its target and, for messages, the Bazel target
/// and host profile it belongs to.
pub struct Host<'a> {
    /// The target triple the module was compiled for.
    pub target: Target,
    /// The Bazel label of the target that built it, if known.
    pub label: Option<&'a str>,
    /// The host profile, if known.
    pub profile: Option<&'a str>,
    /// Whether the hosts run non-WASI imports in JavaScript (browser, node).
    pub js_host: bool,
}

/// Fails when a core module imports WASI functions its target's hosts do not
/// have (a browser or an embedded runtime provides no WASI), naming the
/// import, the target, the profile and the fix. Components are not checked:
/// only WASI targets build them.
pub fn check_imports(path: &Path, bytes: &[u8], host: &Host<'_>) -> Result<()> {
    if host.target.is_wasi() || Parser::is_component(bytes) {
        return Ok(());
    }
    for payload in Parser::new(0).parse_all(bytes) {
        let wasmparser::Payload::ImportSection(reader) = payload? else {
            continue;
        };
        for import in reader.into_imports() {
            let import = import?;
            if import.module.starts_with("wasi") {
                let who = match (host.label, host.profile) {
                    (Some(label), Some(profile)) => {
                        format!("{label} (`{profile}` profile, {})", host.target)
                    }
                    _ => format!("`{}` ({})", path.display(), host.target),
                };
                bail!(
                    "{who} imports `{}::{}`, a WASI function, but the hosts of this profile provide no WASI. \
                     Build the target for a WASI profile (--config=node or --config=wasmtime, or `profile` on the target), \
                     or remove the code that calls WASI (an `extern` block with `#[link(wasm_import_module = \"{}\")]`, \
                     or a dependency built for WASI).",
                    import.module,
                    import.name,
                    import.module
                );
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(module (func (export "f") (result i32) i32.const 7))`, assembled by hand.
    fn tiny_module() -> Vec<u8> {
        vec![
            0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
            0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, // type: () -> i32
            0x03, 0x02, 0x01, 0x00, // func 0: type 0
            0x07, 0x05, 0x01, 0x01, b'f', 0x00, 0x00, // export "f" func 0
            0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x07, 0x0b, // code: i32.const 7
        ]
    }

    #[test]
    fn accepts_a_valid_module() {
        let m = tiny_module();
        assert_eq!(
            validate(Path::new("m.wasm"), &m, Some(&[])).unwrap(),
            Kind::Module
        );
    }

    #[test]
    fn truncated_module_names_file_offset_and_cause() {
        let m = tiny_module();
        let e = validate(Path::new("app/m.wasm"), &m[..m.len() - 3], None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("`app/m.wasm` is not a valid WebAssembly module"),
            "{e}"
        );
        assert!(e.contains("offset"), "{e}");
        assert!(e.contains("truncated"), "{e}");
    }

    #[test]
    fn garbage_is_not_wasm() {
        let e = validate(Path::new("x.wasm"), b"hello world", None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("not a WebAssembly binary") && e.contains("68 65 6c 6c"),
            "{e}"
        );
    }

    #[test]
    fn sign_ext_is_rejected_under_mvp() {
        // (func (param i32) (result i32) local.get 0 i32.extend8_s)
        let m = vec![
            0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x06, 0x01, 0x60, 0x01, 0x7f,
            0x01, 0x7f, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x07, 0x01, 0x05, 0x00, 0x20, 0x00, 0xc0,
            0x0b,
        ];
        assert!(validate(Path::new("m.wasm"), &m, Some(&[WasmFeature::SignExt])).is_ok());
        let e = validate(
            Path::new("m.wasm"),
            &m,
            Some(&[WasmFeature::MutableGlobals]),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("sign"), "{e}");
    }
}
