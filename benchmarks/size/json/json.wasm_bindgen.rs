//! `json.rs` the wasm-bindgen way: the same tokenizer; `tokenize(text)` takes
//! a string (UTF-8-encoded into linear memory by the JS glue) and returns the
//! number of tokens or -1 on a lexical error; `count(kind)` reads the counts.

use std::sync::atomic::{AtomicU32, Ordering};
use wasm_bindgen::prelude::*;

mod lexer;
use lexer::*;
static COUNTS: [AtomicU32; KINDS] = [const { AtomicU32::new(0) }; KINDS];

/// Tokenizes `text`; returns the token count, or -1 on a lexical error.
#[wasm_bindgen]
pub fn tokenize(text: &str) -> i32 {
    for count in &COUNTS {
        count.store(0, Ordering::Relaxed);
    }
    match tokens(text.as_bytes()) {
        Ok(tokens) => {
            for token in &tokens {
                COUNTS[token.kind as usize].fetch_add(1, Ordering::Relaxed);
            }
            tokens.len() as i32
        }
        Err(_) => -1,
    }
}

/// How many tokens of `kind` the last successful `tokenize` found.
#[wasm_bindgen]
pub fn count(kind: usize) -> u32 {
    COUNTS.get(kind).map_or(0, |c| c.load(Ordering::Relaxed))
}
