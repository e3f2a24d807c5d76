//! `wasm-opt` (binaryen, through the `wasm-opt` crate) on a core module.

use crate::flags::WasmFeature;
use crate::io;
use crate::verify::validate::{self, Kind};
use anyhow::{Context, Result, bail};
use std::path::Path;
use wasm_opt::{Feature, OptimizationOptions};

/// An optimization level, as wasm-opt's `-O` flags name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// `-O1`
    O1,
    /// `-O2`
    O2,
    /// `-O3`
    O3,
    /// `-Os`
    Os,
    /// `-Oz`
    Oz,
}

impl std::str::FromStr for Level {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "O1" => Level::O1,
            "O2" => Level::O2,
            "O3" => Level::O3,
            "Os" => Level::Os,
            "Oz" => Level::Oz,
            _ => bail!("unknown optimization level `{s}`; expected O1, O2, O3, Os or Oz"),
        })
    }
}

/// What the release pipeline asks of binaryen, decided here and nowhere else
/// (`wasmrust opt --mode release`; Starlark passes the mode, not the passes):
/// `-Oz`, repeated while the module keeps shrinking.
pub const RELEASE: (Level, bool) = (Level::Oz, true);

fn binaryen_feature(f: WasmFeature) -> Feature {
    match f {
        WasmFeature::BulkMemory => Feature::BulkMemory,
        WasmFeature::SignExt => Feature::SignExt,
        WasmFeature::NontrappingFloatToInt => Feature::TruncSat,
        WasmFeature::MutableGlobals => Feature::MutableGlobals,
        WasmFeature::ReferenceTypes => Feature::ReferenceTypes,
        WasmFeature::Multivalue => Feature::Multivalue,
        WasmFeature::Simd128 => Feature::Simd,
        WasmFeature::Atomics => Feature::Atomics,
    }
}

/// Exports rustc asks the linker to add to every wasm32 `cdylib` and that no
/// host of the WasmRust profiles reads: the addresses where static data ends
/// and the heap begins (two globals and their exports, 44 bytes in a small
/// module). Code inside the module still uses the linker symbols; only the
/// exports go, and wasm-opt then removes the globals nothing reads.
pub const LINKER_EXPORTS: [&str; 2] = ["__data_end", "__heap_base"];

/// Optimizes the core module at `input` into `output`. `features` must be the
/// set the module was compiled with: binaryen refuses anything else.
///
/// The [`LINKER_EXPORTS`] are dropped first. With `host`, the module's
/// `#[wasm::effect]` declarations are checked before that (failing the build
/// as `normalize` would), and the `wasmrust.fx.*` exports and the records are
/// dropped too, so binaryen removes the code only they kept.
pub fn optimize(
    input: &Path,
    output: &Path,
    level: Level,
    features: &[WasmFeature],
    converge: bool,
    host: Option<&validate::Host<'_>>,
) -> Result<()> {
    let bytes = io::read(input)?;
    // Before binaryen's long run: the output may not be the input.
    io::ensure_not_input(output, &[input])?;
    if validate::validate(input, &bytes, Some(features))? != Kind::Module {
        bail!(
            "`{}` is a component; wasm-opt optimizes core modules (optimize before componentizing)",
            input.display()
        );
    }
    if let Some(u) = crate::postlink::binaryen::unsupported(&bytes)? {
        bail!(
            "`{}`{} uses {u}, which binaryen 116 (wasm-opt) cannot read, so it cannot be optimized. \
             rustc and WasmRust never emit it: remove it from the module, or build without wasm-opt \
             (`--config=dev`); docs/reliability.md lists what a foreign module may contain",
            input.display(),
            host.and_then(|h| h.label)
                .map(|l| format!(" (in {l})"))
                .unwrap_or_default(),
        );
    }
    let bytes = match host {
        Some(host) => {
            crate::verify::effects::enforce(input, &bytes, host)?;
            crate::verify::effects::strip(&bytes)?
        }
        None => bytes,
    };
    let bytes =
        crate::module::edit::drop_exports(&bytes, |name| LINKER_EXPORTS.contains(&name), &[])?;
    let optimized = run_binaryen(input, &bytes, level, features, converge)?;
    io::write_atomic(output, &optimized)
}

/// Runs binaryen on `bytes` (the module read from `input`, which errors
/// name) and returns the optimized module, validated for `features`.
/// [`optimize`] screens the module first (`binaryen::unsupported`); this
/// does not, so the fuzzer can show what binaryen does without the screen.
/// binaryen reads and writes paths: both files live in a private scratch
/// directory that is removed afterwards, never next to the user's files.
pub fn run_binaryen(
    input: &Path,
    bytes: &[u8],
    level: Level,
    features: &[WasmFeature],
    converge: bool,
) -> Result<Vec<u8>> {
    let mut opts = match level {
        Level::O1 => OptimizationOptions::new_opt_level_1(),
        Level::O2 => OptimizationOptions::new_opt_level_2(),
        Level::O3 => OptimizationOptions::new_opt_level_3(),
        Level::Os => OptimizationOptions::new_optimize_for_size(),
        Level::Oz => OptimizationOptions::new_optimize_for_size_aggressively(),
    };
    // Semantics first, stated rather than inherited from defaults: binaryen
    // may not assume traps never happen (a host that catches a trap sees
    // the state before it), nor break IEEE float rules, nor assume low or
    // imported memory unused or zeroed. The differential fuzzer
    // (`wasmrust-fuzz diff`, docs/reliability.md) checks the result.
    opts.passopts.traps_never_happen = false;
    opts.passopts.fast_math = false;
    opts.passopts.low_memory_unused = false;
    opts.passopts.zero_filled_memory = false;
    opts.mvp_features_only();
    for f in features {
        opts.enable_feature(binaryen_feature(*f));
    }
    if converge {
        opts.set_converge();
    }
    let scratch = io::scratch_dir()?;
    let (before, after) = (
        scratch.path().join("input.wasm"),
        scratch.path().join("optimized.wasm"),
    );
    std::fs::write(&before, bytes)
        .with_context(|| format!("failed to write a scratch copy of `{}`", input.display()))?;
    opts.run(&before, &after)
        .with_context(|| format!("wasm-opt failed on `{}`", input.display()))?;
    let optimized = std::fs::read(&after)
        .with_context(|| format!("wasm-opt wrote no module for `{}`", input.display()))?;
    let name = format!("{} (optimized by wasm-opt)", input.display());
    validate::validate(Path::new(&name), &optimized, Some(features)).with_context(|| {
        format!(
            "wasm-opt produced an invalid module (a binaryen bug); keep `{}` to report it",
            input.display()
        )
    })?;
    Ok(optimized)
}
