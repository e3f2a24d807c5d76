//! The component reference program: the `words` interface of wit/words.wit.
//! WasmRust has no wit-bindgen, so the canonical-ABI exports are written by
//! hand, as in //app:component; `component.wit_bindgen.rs` is the same program
//! with wit-bindgen.
//!
//! Strings arrive in blocks the host allocated with `cabi_realloc` (align 1,
//! exactly their length) and become owned `String`s. Results are leaked boxed
//! slices whose address and length go to a static return area; each
//! function's `cabi_post_*` hook frees them after the host has copied them out.

use std::alloc::{Layout, alloc, realloc};
use std::cell::UnsafeCell;

/// The allocator the host calls to place arguments in our memory.
///
/// # Safety
/// Called by the component runtime only: `old_ptr`/`old_size` describe a block
/// this function returned before (or are 0), `align` is a power of two.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cabi_realloc(
    old_ptr: *mut u8,
    old_size: usize,
    align: usize,
    new_size: usize,
) -> *mut u8 {
    if new_size == 0 {
        return align as *mut u8;
    }
    let Ok(layout) = Layout::from_size_align(new_size, align) else {
        std::process::abort()
    };
    // SAFETY: non-zero size; for a reallocation the runtime passes back our own block and its layout.
    let ptr = unsafe {
        if old_size == 0 {
            alloc(layout)
        } else {
            realloc(
                old_ptr,
                Layout::from_size_align_unchecked(old_size, align),
                new_size,
            )
        }
    };
    if ptr.is_null() {
        std::process::abort();
    }
    ptr
}

/// Takes ownership of a string argument.
///
/// # Safety
/// `ptr`/`len` must be a UTF-8 string the runtime placed with `cabi_realloc(0, 0, 1, len)`.
unsafe fn take_string(ptr: *mut u8, len: usize) -> String {
    if len == 0 {
        return String::new();
    }
    // SAFETY: a block of exactly `len` bytes, align 1, from our allocator; the runtime checked UTF-8.
    unsafe { String::from_raw_parts(ptr, len, len) }
}

/// Gives up a boxed slice: its address and length, for the host to read.
fn leak<T>(v: Vec<T>) -> [usize; 2] {
    let v = v.into_boxed_slice();
    let len = v.len();
    [Box::into_raw(v) as *mut T as usize, len]
}

/// Frees what `leak` gave away.
///
/// # Safety
/// `ptr`/`len` must come from `leak::<T>` and not have been freed.
unsafe fn free<T>(ptr: usize, len: usize) {
    // SAFETY: rebuilds the exact boxed slice `leak` leaked (a zero-length one owns no memory).
    drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr as *mut T, len)) });
}

/// The return area: `(ptr, len)` of a string or a list.
struct RetArea(UnsafeCell<[usize; 2]>);

// SAFETY: the module never runs two calls at once (no threads on this target).
unsafe impl Sync for RetArea {}

static RET: RetArea = RetArea(UnsafeCell::new([0; 2]));

fn ret(value: [usize; 2]) -> *mut u8 {
    // SAFETY: single-threaded; the host reads the area before the next call.
    unsafe { RET.0.get().write(value) };
    RET.0.get().cast()
}

/// Reads the `(ptr, len)` pair at `at`, which the host hands back to a post-return hook.
fn pair(at: *const u8) -> [usize; 2] {
    // SAFETY: `at` is our return area or an element of a list of pairs we leaked.
    unsafe { at.cast::<[usize; 2]>().read() }
}

#[unsafe(export_name = "wasmrust:bench/words@0.1.0#reverse-words")]
unsafe extern "C" fn reverse_words(ptr: *mut u8, len: usize) -> *mut u8 {
    // SAFETY: canonical ABI string argument.
    let input = unsafe { take_string(ptr, len) };
    let words: Vec<&str> = input.split_whitespace().rev().collect();
    ret(leak(words.join(" ").into_bytes()))
}

#[unsafe(export_name = "cabi_post_wasmrust:bench/words@0.1.0#reverse-words")]
unsafe extern "C" fn reverse_words_post(at: *const u8) {
    let [p, l] = pair(at);
    // SAFETY: the string `reverse_words` leaked.
    unsafe { free::<u8>(p, l) }
}

#[unsafe(export_name = "wasmrust:bench/words@0.1.0#split-words")]
unsafe extern "C" fn split_words(ptr: *mut u8, len: usize) -> *mut u8 {
    // SAFETY: canonical ABI string argument.
    let input = unsafe { take_string(ptr, len) };
    // list<string>: an array of (ptr, len) pairs.
    let pairs: Vec<[usize; 2]> = input
        .split_whitespace()
        .map(|w| leak(w.as_bytes().to_vec()))
        .collect();
    ret(leak(pairs))
}

#[unsafe(export_name = "cabi_post_wasmrust:bench/words@0.1.0#split-words")]
unsafe extern "C" fn split_words_post(at: *const u8) {
    let [p, l] = pair(at);
    for i in 0..l {
        let [wp, wl] = pair((p + i * size_of::<[usize; 2]>()) as *const u8);
        // SAFETY: a word `split_words` leaked.
        unsafe { free::<u8>(wp, wl) }
    }
    // SAFETY: the pair array `split_words` leaked.
    unsafe { free::<[usize; 2]>(p, l) }
}
