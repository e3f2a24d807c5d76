//! `strings.rs` the wasm-bindgen way: reverses the order of the words (runs of
//! non-ASCII-whitespace) of a string, joining them with single spaces. The JS
//! glue copies the string in and the result out.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
pub fn reverse_words(text: &str) -> String {
    let words: Vec<&str> = text.split_ascii_whitespace().rev().collect();
    words.join(" ")
}
