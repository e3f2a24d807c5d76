//! The boundary benchmark's functions (kernels.rs) exported with the `wasm`
//! crate's `#[wasm::export]`: a core module that `crates/wasm/js/wasmrust.mjs`
//! calls from a signature description, with no generated glue.

#[path = "kernels.rs"]
mod kernels;

#[wasm::export]
fn nop() {
    kernels::nop()
}

#[wasm::export]
fn add(a: i32, b: i32) -> i32 {
    kernels::add(a, b)
}

#[wasm::export]
fn checked_div(a: i32, b: i32) -> Option<i32> {
    kernels::checked_div(a, b)
}

#[wasm::export]
fn str_len(s: &str) -> u32 {
    kernels::str_len(s)
}

#[wasm::export]
fn greet(name: &str) -> String {
    kernels::greet(name)
}

#[wasm::export]
fn bytes_probe(b: &[u8]) -> u32 {
    kernels::bytes_probe(b)
}

#[wasm::export]
fn bytes_sum(b: &[u8]) -> u32 {
    kernels::bytes_sum(b)
}

#[wasm::export]
fn scale(xs: &[f64], k: f64) -> Vec<f64> {
    kernels::scale(xs, k)
}
