//! Embeds the manifest of the sources `wasmrust` is built from (src/sources.rs).

#[allow(dead_code)]
#[path = "src/sources/manifest.rs"]
mod manifest;

fn main() -> std::io::Result<()> {
    manifest::embed(&[manifest::WASMRUST])
}
