//! A JSON tokenizer (RFC 8259 lexical grammar): splits a document into tokens,
//! keeps them in a `Vec`, and counts them by kind. It does not check the
//! grammar above tokens (`] 1 :` tokenizes fine); a number ends where its
//! grammar ends, so `01` is two numbers.
//!
//! ABI: the host calls `alloc(len)`, writes the document there, calls
//! `tokenize(ptr, len)`, which returns the number of tokens or -1 on a lexical
//! error, reads `count(kind)` for each kind (0..11, the order of `Kind`), and
//! frees the buffer with `dealloc(ptr, len)`.

use std::sync::atomic::{AtomicU32, Ordering};

mod lexer;
use lexer::*;

static COUNTS: [AtomicU32; KINDS] = [const { AtomicU32::new(0) }; KINDS];

/// A zeroed buffer of `len` bytes that the host owns until `dealloc`.
#[unsafe(no_mangle)]
pub extern "C" fn alloc(len: usize) -> *mut u8 {
    Box::into_raw(vec![0u8; len].into_boxed_slice()).cast()
}

/// Frees a buffer from `alloc`.
///
/// # Safety
/// `ptr` and `len` must describe a buffer returned by `alloc` and not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dealloc(ptr: *mut u8, len: usize) {
    // SAFETY: the caller guarantees the buffer is a leaked `Box<[u8]>` of `len` bytes.
    drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, len)) });
}

/// Tokenizes the document at `ptr`; returns the token count, or -1 on a lexical error.
///
/// # Safety
/// `ptr` must point to `len` initialized bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tokenize(ptr: *const u8, len: usize) -> i32 {
    // SAFETY: guaranteed by the caller.
    let src = unsafe { std::slice::from_raw_parts(ptr, len) };
    for count in &COUNTS {
        count.store(0, Ordering::Relaxed);
    }
    match tokens(src) {
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
#[unsafe(no_mangle)]
pub extern "C" fn count(kind: usize) -> u32 {
    COUNTS.get(kind).map_or(0, |c| c.load(Ordering::Relaxed))
}
