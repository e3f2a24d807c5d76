use wasm_macros::Pod;

#[derive(Clone, Copy, Pod)]
#[repr(C)]
struct HasRef {
    data: &'static u32,
}

fn main() {}
