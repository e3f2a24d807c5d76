//! Rust calling JS: imports from `env` (tests/js/imports.mjs), numbers and a
//! string through linear memory, in node and in Chromium.
#![no_std]

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    /// JS adds two numbers.
    fn js_add(a: f64, b: f64) -> f64;
    /// JS upper-cases the UTF-8 text at `ptr..ptr+len` in place; returns its new length.
    fn js_upper(ptr: *mut u8, len: usize) -> usize;
}

/// Adds in JS.
pub fn add(a: f64, b: f64) -> f64 {
    // SAFETY: a pure JS function of two numbers.
    unsafe { js_add(a, b) }
}

/// Upper-cases ASCII `text` in JS, in place.
pub fn upper(text: &mut [u8]) -> &str {
    // SAFETY: JS writes at most `text.len()` bytes into `text`.
    let n = unsafe { js_upper(text.as_mut_ptr(), text.len()) };
    core::str::from_utf8(&text[..n]).unwrap_or("<not UTF-8>")
}

#[cfg(test)]
mod tests {
    use super::*;

    wasm_test::tests! {
        fn js_adds() {
            assert_eq!(add(0.5, 2.25), 2.75);
        }

        fn js_sees_and_writes_linear_memory() {
            let mut buf = *b"hello, wasm";
            assert_eq!(upper(&mut buf), "HELLO, WASM");
        }
    }
}
