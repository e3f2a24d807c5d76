//! The same functions (kernels.rs) exported with `#[wasm_bindgen]`, for the
//! wasm-bindgen side of the boundary benchmark (built by benchmarks/boundary.sh
//! with cargo, then `wasm-bindgen --target nodejs`).

use wasm_bindgen::prelude::wasm_bindgen;

#[path = "kernels.rs"]
mod kernels;

#[wasm_bindgen]
pub fn nop() {
    kernels::nop()
}

#[wasm_bindgen]
pub fn add(a: i32, b: i32) -> i32 {
    kernels::add(a, b)
}

#[wasm_bindgen]
pub fn checked_div(a: i32, b: i32) -> Option<i32> {
    kernels::checked_div(a, b)
}

#[wasm_bindgen]
pub fn str_len(s: &str) -> u32 {
    kernels::str_len(s)
}

#[wasm_bindgen]
pub fn greet(name: &str) -> String {
    kernels::greet(name)
}

#[wasm_bindgen]
pub fn bytes_probe(b: &[u8]) -> u32 {
    kernels::bytes_probe(b)
}

#[wasm_bindgen]
pub fn bytes_sum(b: &[u8]) -> u32 {
    kernels::bytes_sum(b)
}

#[wasm_bindgen]
pub fn scale(xs: &[f64], k: f64) -> Vec<f64> {
    kernels::scale(xs, k)
}
