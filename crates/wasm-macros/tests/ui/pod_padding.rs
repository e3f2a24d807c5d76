use wasm_macros::Pod;

#[derive(Clone, Copy, Pod)]
#[repr(C)]
struct Padded {
    tag: u8,
    value: u32,
}

fn main() {}
