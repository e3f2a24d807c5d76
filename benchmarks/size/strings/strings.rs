//! Reverses the order of the words (runs of non-ASCII-whitespace) of a UTF-8
//! string, joining them with single spaces.
//!
//! ABI: the host calls `alloc(len)`, writes the input there, calls
//! `reverse_words(ptr, len)`, which returns the output's address (0 if the
//! input is not UTF-8) and leaves its length in `result_len()`, then frees
//! both buffers with `dealloc(ptr, len)`.

use std::sync::atomic::{AtomicUsize, Ordering};

static RESULT_LEN: AtomicUsize = AtomicUsize::new(0);

/// A zeroed buffer of `len` bytes that the host owns until `dealloc`.
#[unsafe(no_mangle)]
pub extern "C" fn alloc(len: usize) -> *mut u8 {
    Box::into_raw(vec![0u8; len].into_boxed_slice()).cast()
}

/// Frees a buffer from `alloc` or `reverse_words`.
///
/// # Safety
/// `ptr` and `len` must describe a buffer returned by this module and not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dealloc(ptr: *mut u8, len: usize) {
    // SAFETY: the caller guarantees the buffer is a leaked `Box<[u8]>` of `len` bytes.
    drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, len)) });
}

fn reverse(text: &str) -> String {
    let words: Vec<&str> = text.split_ascii_whitespace().rev().collect();
    words.join(" ")
}

/// # Safety
/// `ptr` must point to `len` initialized bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn reverse_words(ptr: *const u8, len: usize) -> *mut u8 {
    // SAFETY: guaranteed by the caller.
    let bytes = unsafe { std::slice::from_raw_parts(ptr, len) };
    let Ok(text) = std::str::from_utf8(bytes) else {
        RESULT_LEN.store(0, Ordering::Relaxed);
        return std::ptr::null_mut();
    };
    let out = reverse(text).into_bytes().into_boxed_slice();
    RESULT_LEN.store(out.len(), Ordering::Relaxed);
    Box::into_raw(out).cast()
}

#[unsafe(no_mangle)]
pub extern "C" fn result_len() -> usize {
    RESULT_LEN.load(Ordering::Relaxed)
}
