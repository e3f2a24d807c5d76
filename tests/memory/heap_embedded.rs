//! `wasm::alloc::Heap` on the embedded profile (wasm32v1-none, no std, 256 KiB maximum memory),
//! for its code size: built with `Heap` (`heap_embedded`) and, as the baseline, with a bump
//! allocator that never frees (`bump_embedded`, feature `bump`).

#![no_std]

extern crate alloc;
// Linked in both variants, so both export `wasmrust_alloc`/`wasmrust_free` and differ only in the
// allocator.
extern crate wasm;

use alloc::vec::Vec;

#[cfg(not(feature = "bump"))]
#[global_allocator]
static HEAP: wasm::alloc::Heap = wasm::alloc::Heap::new();

#[cfg(feature = "bump")]
mod bump {
    use core::alloc::{GlobalAlloc, Layout};
    use core::arch::wasm32;
    use core::cell::Cell;

    /// About the smallest allocator there is: from `__heap_base` up, growing memory when it
    /// must; never frees.
    pub struct Bump(pub Cell<usize>);

    // SAFETY: wasm32v1-none has no threads.
    unsafe impl Sync for Bump {}

    // SAFETY: every block is fresh memory above the stack and data, aligned as asked.
    unsafe impl GlobalAlloc for Bump {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            unsafe extern "C" {
                static __heap_base: u8;
            }
            let next = match self.0.get() {
                0 => (&raw const __heap_base).addr(),
                n => n,
            };
            let at = (next + layout.align() - 1) & !(layout.align() - 1);
            let (new, end) = (at + layout.size(), wasm32::memory_size(0) * 65536);
            if new > end && wasm32::memory_grow(0, (new - end).div_ceil(65536)) == usize::MAX {
                return core::ptr::null_mut();
            }
            self.0.set(new);
            core::ptr::with_exposed_provenance_mut(at)
        }
        unsafe fn dealloc(&self, _: *mut u8, _: Layout) {}
    }
}

#[cfg(feature = "bump")]
#[global_allocator]
static HEAP: bump::Bump = bump::Bump(core::cell::Cell::new(0));

/// Sums `n` squares kept in a vector that grows by pushing (so it reallocates).
#[unsafe(no_mangle)]
extern "C" fn squares(n: u32) -> u32 {
    let mut v = Vec::new();
    for i in 0..n {
        v.push(i.wrapping_mul(i));
    }
    v.iter().fold(0u32, |a, &x| a.wrapping_add(x))
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}
