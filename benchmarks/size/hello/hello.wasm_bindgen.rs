//! `hello.rs` the wasm-bindgen way: `run()` passes "Hello, world!" to the host's `log`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The host's `log(text)` (a global function in JS).
    fn log(text: &str);
}

#[wasm_bindgen]
pub fn run() {
    log("Hello, world!");
}
