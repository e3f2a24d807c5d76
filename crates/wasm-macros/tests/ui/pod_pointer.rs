use wasm_macros::Pod;

#[derive(Clone, Copy, Pod)]
#[repr(C)]
struct HasPointer {
    data: *const u8,
    len: u32,
}

fn main() {}
