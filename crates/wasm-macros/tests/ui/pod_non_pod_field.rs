use wasm_macros::Pod;

#[derive(Clone, Copy, Pod)]
#[repr(C)]
struct HasBool {
    flag: bool,
    pad: [u8; 3],
}

fn main() {}
