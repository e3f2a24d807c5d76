//! The macros through the runtime crate's `macros` feature: `#[wasm::export]`,
//! `#[wasm::linear]`, `#[wasm::effect]`, `#[wasm::import]` and `#[derive(wasm::Pod)]`, with no
//! `wasm_macros` in sight, as users of the one crate write them.
#![allow(unsafe_code)]

use wasm::abi::{RetArea, Value};

#[derive(Clone, Copy, Debug, PartialEq, wasm::Pod)]
#[repr(C)]
struct Pair {
    a: u32,
    b: u32,
}

#[wasm::linear]
struct Token(u32);

impl Token {
    fn redeem(self) -> u32 {
        self.into_fields().0
    }
}

#[wasm::import(module = "paths_host")]
extern "C" {
    #[link_name = "wr_paths_double"]
    fn double(x: u32) -> u32;
}

// The host side of the import, as a wasm host would provide it.
#[unsafe(no_mangle)]
extern "C" fn wr_paths_double(x: u32) -> u32 {
    2 * x
}

#[wasm::effect(io)]
#[wasm::export(name = "wr_paths_swap")]
fn swap(pairs: &[Pair]) -> Vec<Pair> {
    pairs.iter().map(|p| Pair { a: p.b, b: p.a }).collect()
}

#[test]
fn macros_work_through_the_runtime_crate() {
    let pairs = [Pair { a: 1, b: 2 }, Pair { a: 3, b: 4 }];
    let mut area = RetArea::<16>::new();
    // SAFETY: a live `&[Pair]` and a return area, as the host would pass them.
    unsafe {
        __wasmrust_export_swap(
            pairs.as_ptr().cast::<u8>().cast_mut(),
            pairs.len(),
            area.as_mut_ptr(),
        )
    };
    // SAFETY: the shim wrote a `Vec<Pair>` into the area, per the ABI.
    let swapped: Vec<Pair> = unsafe { Value::load(area.as_ptr()) };
    assert_eq!(swapped, [Pair { a: 2, b: 1 }, Pair { a: 4, b: 3 }]);
    assert_eq!(Token(7).redeem(), 7);
    assert_eq!(double(21), 42);
}
