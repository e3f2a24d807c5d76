//! Heap workload for `heap_test`: builds, grows, shrinks and drops strings and vectors.
//!
//! Built twice for each of the node and browser profiles: `heap_wasm_*` (feature `wasm_heap`)
//! allocates with `wasm::alloc::Heap`; `heap_dlmalloc_*` has no `#[global_allocator]`, so std's
//! default is used (Rust's dlmalloc port on wasm32-unknown-unknown, wasi-libc's dlmalloc on
//! wasm32-wasip1). `heap_test.mjs` runs all four in node.

/// `wasm::alloc::Heap`, counting the bytes live so the test knows what the workload needs.
#[cfg(feature = "wasm_heap")]
mod counted {
    use std::alloc::{GlobalAlloc, Layout};
    use std::cell::Cell;

    pub struct Counted {
        heap: wasm::alloc::Heap,
        live: Cell<usize>,
        /// The most bytes live at once.
        pub peak: Cell<usize>,
        /// The highest address any allocation reached.
        pub high: Cell<usize>,
    }

    // SAFETY: wasm32-wasip1 without the atomics feature runs one thread (as for `Heap` itself).
    unsafe impl Sync for Counted {}

    impl Counted {
        pub const fn new() -> Self {
            let heap = wasm::alloc::Heap::new();
            Self {
                heap,
                live: Cell::new(0),
                peak: Cell::new(0),
                high: Cell::new(0),
            }
        }

        fn add(&self, plus: usize, minus: usize) {
            self.live.set(self.live.get() + plus - minus);
            self.peak.set(self.peak.get().max(self.live.get()));
        }

        fn got(&self, p: *mut u8, size: usize) -> *mut u8 {
            self.high.set(self.high.get().max(p.addr() + size));
            p
        }
    }

    // SAFETY: forwards to `Heap` unchanged.
    unsafe impl GlobalAlloc for Counted {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            self.add(layout.size(), 0);
            // SAFETY: the caller's contract, forwarded.
            self.got(unsafe { self.heap.alloc(layout) }, layout.size())
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            self.add(0, layout.size());
            // SAFETY: the caller's contract, forwarded.
            unsafe { self.heap.dealloc(ptr, layout) }
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            self.add(new_size, layout.size());
            // SAFETY: the caller's contract, forwarded.
            self.got(
                unsafe { self.heap.realloc(ptr, layout, new_size) },
                new_size,
            )
        }
    }
}

#[cfg(feature = "wasm_heap")]
#[global_allocator]
static HEAP: counted::Counted = counted::Counted::new();

/// One cycle: `items` strings and `u32` vectors of about `len` bytes each, built by appending
/// (so they reallocate), a third dropped at once, some shrunk, the rest dropped at the end.
/// Returns a checksum.
#[unsafe(no_mangle)]
extern "C" fn cycle(items: u32, len: u32) -> u32 {
    let len = len as usize;
    let (mut strings, mut vectors) = (Vec::new(), Vec::new());
    let mut sum = 0u32;
    for i in 0..items {
        let mut s = String::new();
        while s.len() < len {
            s.push_str("heap");
        }
        let mut v: Vec<u32> = Vec::new();
        v.extend((0..len / 4).map(|x| x as u32 ^ i));
        sum = sum
            .wrapping_add(s.len() as u32)
            .wrapping_add(v.iter().fold(0, |a, &x| a ^ x));
        if i % 3 == 0 {
            continue; // dropped at once
        }
        if i % 3 == 1 {
            s.truncate(len / 2);
            s.shrink_to_fit();
        }
        strings.push(s);
        vectors.push(v);
    }
    sum
}

/// Peak of the bytes the workload had allocated at once (`heap_wasm` only; 0 otherwise).
#[unsafe(no_mangle)]
extern "C" fn peak_live() -> u32 {
    #[cfg(feature = "wasm_heap")]
    return HEAP.peak.get() as u32;
    #[cfg(not(feature = "wasm_heap"))]
    0
}

/// The highest address an allocation reached (`heap_wasm` only; 0 otherwise).
#[unsafe(no_mangle)]
extern "C" fn high_water() -> u32 {
    #[cfg(feature = "wasm_heap")]
    return HEAP.high.get() as u32;
    #[cfg(not(feature = "wasm_heap"))]
    0
}

/// Makes wasi-libc allocate (its environment table) and returns how many variables it saw.
#[cfg(target_os = "wasi")]
#[unsafe(no_mangle)]
extern "C" fn env_len() -> u32 {
    std::env::vars().count() as u32
}

/// `__heap_base`: where the heap starts.
#[unsafe(no_mangle)]
extern "C" fn heap_base() -> u32 {
    unsafe extern "C" {
        static __heap_base: u8;
    }
    (&raw const __heap_base).addr() as u32
}
