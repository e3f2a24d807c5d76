//! The demo component behind `//app:component`: the `wasmrust:demo/demo`
//! world (wit/demo.wit), exported through the canonical ABI by hand.
//!
//! `text` holds the string functions, the `numbers` crate the arithmetic,
//! `abi` the lifting and lowering; this file only binds them to the world's
//! export names (made by the `demo_macros` proc macro).

mod abi;
mod text;

use abi::{RET, RetArea, free_list, leak_list, take_list, take_string};
use demo_macros::{wit_export, wit_post_return};

/// Frees a returned `(ptr, len)` string at offset 0 of the return area.
fn free_string_at(ret: *const u8, offset: usize) {
    // SAFETY: the host hands back the return area we filled with a leaked string.
    unsafe {
        free_list::<u8>(
            RetArea::read::<u32>(ret, offset) as usize,
            RetArea::read::<u32>(ret, offset + 4) as usize,
        )
    }
}

fn return_string(s: String, offset: usize) {
    let (ptr, len) = leak_list(s.into_bytes());
    RET.write(offset, ptr as u32);
    RET.write(offset + 4, len as u32);
}

#[wit_export("wasmrust:demo/text@0.1.0", "reverse-words")]
extern "C" fn reverse_words(ptr: *mut u8, len: usize) -> *mut u8 {
    // SAFETY: canonical ABI string argument.
    let input = unsafe { take_string(ptr, len) };
    return_string(text::reverse_words(&input), 0);
    RET.ptr()
}

#[wit_post_return("wasmrust:demo/text@0.1.0", "reverse-words")]
extern "C" fn reverse_words_post(ret: *const u8) {
    free_string_at(ret, 0);
}

#[wit_export("wasmrust:demo/text@0.1.0", "stats")]
extern "C" fn stats(ptr: *mut u8, len: usize) -> *mut u8 {
    // SAFETY: canonical ABI string argument.
    let input = unsafe { take_string(ptr, len) };
    let (words, longest, mean) = text::stats(&input);
    // record word-stats { words: u32 @0, longest: string @4, average-length: f32 @12 }
    RET.write(0, words);
    return_string(longest, 4);
    RET.write(12, mean);
    RET.ptr()
}

#[wit_post_return("wasmrust:demo/text@0.1.0", "stats")]
extern "C" fn stats_post(ret: *const u8) {
    free_string_at(ret, 4);
}

#[wit_export("wasmrust:demo/text@0.1.0", "top-words")]
extern "C" fn top_words(ptr: *mut u8, len: usize, n: u32) -> *mut u8 {
    // SAFETY: canonical ABI string argument.
    let input = unsafe { take_string(ptr, len) };
    // list<string>: an array of (ptr, len) pairs.
    let pairs: Vec<[u32; 2]> = text::top_words(&input, n)
        .into_iter()
        .map(|w| {
            let (p, l) = leak_list(w.into_bytes());
            [p as u32, l as u32]
        })
        .collect();
    let (p, l) = leak_list(pairs);
    RET.write(0, p as u32);
    RET.write(4, l as u32);
    RET.ptr()
}

#[wit_post_return("wasmrust:demo/text@0.1.0", "top-words")]
extern "C" fn top_words_post(ret: *const u8) {
    let (p, l) = (
        RetArea::read::<u32>(ret, 0) as usize,
        RetArea::read::<u32>(ret, 4) as usize,
    );
    for i in 0..l {
        free_string_at((p + i * 8) as *const u8, 0);
    }
    // SAFETY: the pair array leaked by `top_words`.
    unsafe { free_list::<[u32; 2]>(p, l) };
}

#[wit_export("wasmrust:demo/numbers@0.1.0", "summarize")]
extern "C" fn summarize(ptr: *mut i64, len: usize) -> *mut u8 {
    // SAFETY: canonical ABI list<s64> argument.
    let values = unsafe { take_list(ptr, len) };
    // option<summary>: tag u8 @0, payload @8 { count u32 @0, sum @8, min @16, max @24, mean f64 @32 }
    match numbers::summarize(&values) {
        None => RET.write(0, 0u8),
        Some(s) => {
            RET.write(0, 1u8);
            RET.write(8, s.count);
            RET.write(16, s.sum);
            RET.write(24, s.min);
            RET.write(32, s.max);
            RET.write(40, s.mean);
        }
    }
    RET.ptr()
}

#[wit_export("wasmrust:demo/numbers@0.1.0", "primes-below")]
extern "C" fn primes_below(limit: u32) -> *mut u8 {
    let (p, l) = leak_list(numbers::primes_below(limit));
    RET.write(0, p as u32);
    RET.write(4, l as u32);
    RET.ptr()
}

#[wit_post_return("wasmrust:demo/numbers@0.1.0", "primes-below")]
extern "C" fn primes_below_post(ret: *const u8) {
    // SAFETY: the list leaked by `primes_below`.
    unsafe {
        free_list::<u32>(
            RetArea::read::<u32>(ret, 0) as usize,
            RetArea::read::<u32>(ret, 4) as usize,
        )
    };
}
