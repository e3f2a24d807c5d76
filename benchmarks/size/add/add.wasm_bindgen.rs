//! `add.rs` the wasm-bindgen way: `add(i32, i32) -> i32`, wrapping on overflow.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
pub fn add(a: i32, b: i32) -> i32 {
    a.wrapping_add(b)
}
