//! `sha256.rs` the wasm-bindgen way: the same kernel; `sha256(data)` takes a
//! `Uint8Array` (copied in by the JS glue) and returns the digest as a new one.

use wasm_bindgen::prelude::*;

mod kernel;
use kernel::*;
#[wasm_bindgen]
pub fn sha256(data: &[u8]) -> Vec<u8> {
    digest(data).to_vec()
}
