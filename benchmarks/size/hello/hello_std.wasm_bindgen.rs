//! `hello_std.rs` the wasm-bindgen way: the greeting is a `String` built by `format!`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The host's `log(text)` (a global function in JS).
    fn log(text: &str);
}

fn greeting(who: &str) -> String {
    format!("Hello, {who}!")
}

#[wasm_bindgen]
pub fn run() {
    let who = String::from("world");
    log(&greeting(&who));
}
