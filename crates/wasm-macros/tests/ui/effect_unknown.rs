#[wasm_macros::effect(io, teleport)]
fn jump() {}

fn main() {}
