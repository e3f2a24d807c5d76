//! The demo component behind `//app:component`: the `wasmrust:demo/demo`
//! world (wit/demo.wit) in plain Rust.
//!
//! The canonical ABI is generated: `demo_bindings` (`wasm_rust_wit_bindings`
//! in BUILD.bazel) holds the world's types and one `Guest` trait per exported
//! interface; this file implements them with owned Rust values and
//! `export!`s the implementation. `text` holds the string functions, the
//! `numbers` crate the arithmetic.

mod text;

use demo_bindings::exports::wasmrust::demo::numbers::{self, Summary};
use demo_bindings::exports::wasmrust::demo::text::{self as text_api, WordStats};

/// The world's implementation.
struct Demo;

impl text_api::Guest for Demo {
    fn reverse_words(input: String) -> String {
        text::reverse_words(&input)
    }

    fn stats(input: String) -> WordStats {
        let (words, longest, average_length) = text::stats(&input);
        WordStats {
            words,
            longest,
            average_length,
        }
    }

    fn top_words(input: String, n: u32) -> Vec<String> {
        text::top_words(&input, n)
    }
}

impl numbers::Guest for Demo {
    fn summarize(values: Vec<i64>) -> Option<Summary> {
        ::numbers::summarize(&values).map(|s| Summary {
            count: s.count,
            sum: s.sum,
            min: s.min,
            max: s.max,
            mean: s.mean,
        })
    }

    fn primes_below(limit: u32) -> Vec<u32> {
        ::numbers::primes_below(limit)
    }
}

demo_bindings::export!(Demo);
