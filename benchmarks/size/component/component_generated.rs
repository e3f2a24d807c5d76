//! `component.rs` with the bindings WasmRust generates from wit/words.wit
//! (`wasm_rust_wit_bindings`): the same `words` interface, no hand-written ABI.

use words_bindings::exports::wasmrust::bench::words::Guest;

struct Words;

impl Guest for Words {
    fn reverse_words(input: String) -> String {
        let words: Vec<&str> = input.split_whitespace().rev().collect();
        words.join(" ")
    }

    fn split_words(input: String) -> Vec<String> {
        input.split_whitespace().map(String::from).collect()
    }
}

words_bindings::export!(Words);
