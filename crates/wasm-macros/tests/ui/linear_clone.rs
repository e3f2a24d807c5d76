#[wasm_macros::linear]
#[derive(Clone)]
enum Session {
    Open(u32),
}

fn main() {}
