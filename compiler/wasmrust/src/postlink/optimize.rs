//! `wasm-opt` (binaryen, through the `wasm-opt` crate) on a core module.

use crate::flags::WasmFeature;
use crate::io;
use crate::postlink::validate::{self, Kind};
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
    if validate::validate(input, &bytes, Some(features))? != Kind::Module {
        bail!("`{}` is a component; wasm-opt optimizes core modules (optimize before componentizing)", input.display());
    }
    let bytes = match host {
        Some(host) => {
            crate::postlink::effects::enforce(input, &bytes, host)?;
            crate::postlink::effects::strip(&bytes)?
        }
        None => bytes,
    };
    let bytes = crate::postlink::normalize::drop_exports(&bytes, |name| LINKER_EXPORTS.contains(&name), &[])?;
    let trimmed = output.with_extension("pre-opt.wasm");
    io::write_atomic(&trimmed, &bytes)?;
    let result = run_binaryen(&trimmed, output, level, features, converge);
    let _ = std::fs::remove_file(&trimmed);
    result
}

fn run_binaryen(input: &Path, output: &Path, level: Level, features: &[WasmFeature], converge: bool) -> Result<()> {
    let mut opts = match level {
        Level::O1 => OptimizationOptions::new_opt_level_1(),
        Level::O2 => OptimizationOptions::new_opt_level_2(),
        Level::O3 => OptimizationOptions::new_opt_level_3(),
        Level::Os => OptimizationOptions::new_optimize_for_size(),
        Level::Oz => OptimizationOptions::new_optimize_for_size_aggressively(),
    };
    opts.mvp_features_only();
    for f in features {
        opts.enable_feature(binaryen_feature(*f));
    }
    if converge {
        opts.set_converge();
    }
    // binaryen writes to a path; write next to the output and move into place
    // only after the result validates.
    let tmp = output.with_extension(format!("opt-tmp-{}", std::process::id()));
    let result = (|| -> Result<()> {
        opts.run(input, &tmp)
            .with_context(|| format!("wasm-opt failed on `{}`", input.display()))?;
        let optimized = io::read(&tmp)?;
        validate::validate(&tmp, &optimized, Some(features))
            .context("wasm-opt produced an invalid module (a binaryen bug); keep this input to report it")?;
        io::write_atomic(output, &optimized)
    })();
    let _ = std::fs::remove_file(&tmp);
    result
}
