//! `wasmrust build-script`: runs a compiled Cargo build script as cargo does
//! (`wasmrust::build_script`, whose `BuildScript` is this command's options).

use anyhow::Result;

/// Run a compiled Cargo build script as cargo does (clean environment, cargo's
/// variables, OUT_DIR), and write the cfgs and env it asks for to a flags file
/// for `wasmrust rustc --build-script-flags`.
#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  wasmrust build-script --script bazel-out/k8-opt-exec/bin/zmij_build_script \\\n    --rustc external/wasm_toolchain/bin/rustc --library-path external/wasm_toolchain/lib \\\n    --sysroot external/wasm_toolchain/host --target wasm32v1-none --mode release \\\n    --manifest-dir external/crates/vendor/zmij-1.0.23 --pkg-name zmij --pkg-version 1.0.23 \\\n    --feature std --out-dir bazel-out/zmij.out_dir --flags-out bazel-out/zmij.flags \\\n    --context 'third-party crate zmij 1.0.23, needed by: third_party -> serde_json -> zmij'\n\nFlags file lines: cfg=VALUE, check-cfg=VALUE, env=NAME=VALUE (${pwd} = working directory)."
)]
pub struct Args {
    #[command(flatten)]
    script: wasmrust::build_script::BuildScript,
}

pub fn run(a: Args) -> Result<()> {
    wasmrust::build_script::run(&a.script)
}
