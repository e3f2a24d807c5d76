//! SHA-256 (FIPS 180-4), written out by hand.
//!
//! ABI: the host calls `alloc(len)`, fills the buffer, calls `sha256(ptr, len)`,
//! which returns the address of the 32-byte digest (valid until the next call),
//! and frees the buffer with `dealloc(ptr, len)`.

mod kernel;
use kernel::*;

static mut DIGEST: [u8; 32] = [0; 32];

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

/// # Safety
/// `ptr` must point to `len` initialized bytes; the module is single-threaded.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sha256(ptr: *const u8, len: usize) -> *const u8 {
    // SAFETY: guaranteed by the caller.
    let data = unsafe { std::slice::from_raw_parts(ptr, len) };
    let out = digest(data);
    // SAFETY: wasm32 without threads: nothing else touches DIGEST during this call.
    unsafe {
        DIGEST = out;
        (&raw const DIGEST).cast()
    }
}
