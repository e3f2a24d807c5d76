use wasm_macros::Pod;

#[derive(Clone, Copy, Pod)]
struct NoRepr {
    a: u32,
}

fn main() {}
