//! Embeds the manifest of the sources `wasmrust-run` is built from
//! (compiler/wasmrust/src/sources.rs): the `wasmrust` library's and its own.

#[allow(dead_code)]
#[path = "../wasmrust/src/sources/manifest.rs"]
mod manifest;

fn main() -> std::io::Result<()> {
    manifest::embed(&[manifest::WASMRUST, manifest::RUNNER])
}
