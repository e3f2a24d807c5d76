//! A module with its own global allocator (forwarding to std's).

use std::alloc::{GlobalAlloc, Layout, System};

struct Counting;

// SAFETY: every call is forwarded to `System` unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is `System`'s.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract is `System`'s.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static A: Counting = Counting;

#[unsafe(no_mangle)]
pub extern "C" fn len(n: u32) -> u32 {
    vec![0u8; n as usize].len() as u32
}
