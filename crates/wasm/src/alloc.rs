//! `Heap`: a small global allocator for single-threaded wasm32 that fills the initial memory
//! before it grows.
//!
//! Rust's dlmalloc port, std's allocator on `wasm32-unknown-unknown`, takes memory only through
//! `memory.grow`, so the free tail of the memory a module declares, between its data and the end
//! of its initial pages, is never used and the first allocation already adds a page. `Heap`
//! starts at the linker symbol `__heap_base`, uses that tail first, and calls `memory.grow` only
//! for the pages an allocation actually needs. (wasi-libc's dlmalloc does use the tail, and so
//! cannot share a module with `Heap`: see [WASI](#wasi-cs-malloc-from-the-same-heap).)
//!
//! ```ignore
//! // In the final crate (a binary or cdylib) for any wasm32 target:
//! #[global_allocator]
//! static HEAP: wasm::alloc::Heap = wasm::alloc::Heap::new();
//! ```
//!
//! # Design
//!
//! First fit over one free list, with boundary tags so that a freed block merges with free
//! neighbours in constant time. The heap is a run of blocks from the first 8-aligned payload
//! address after `__heap_base` up to `top`; above `top`, up to `end` (the end of the memory the
//! heap owns), lies unused memory. A block is
//!
//! ```text
//!   in use: | size | USED | PREV_USED |  payload ...                                   |
//!   free:   | size |    0 | PREV_USED | next free | prev free |  ...  | size (footer) |
//!            4 bytes                   4 bytes     4 bytes             4 bytes
//! ```
//!
//! Sizes are multiples of 8 and at least 16 bytes; a block costs its payload plus a 4-byte header.
//! The header's `PREV_USED` bit says whether the block before is in use, so only free blocks need
//! a footer. Invariants, kept by every operation and checked by the tests after random workloads:
//!
//! 1. The blocks tile `[start, top)` exactly, and every block address is 4 mod 8, so every
//!    payload is 8-aligned. (`start` is the first block; see below for pages others grew.)
//! 2. A block's `PREV_USED` bit is set iff the block before it is in use (set for the first).
//! 3. Free blocks have a footer equal to their size and are on the free list (doubly linked, 0 =
//!    end). No two free blocks are adjacent and no free block ends at `top`: freeing merges with
//!    both neighbours and with `top`, so memory freed at the end of the heap goes back to `top`.
//! 4. `[top, end)` is unused and `top <= end`, except before the first block when `__heap_base`
//!    is at the end of memory. Memory never shrinks, but freed memory is reused.
//!
//! Allocation takes the first free block where a suitably aligned block fits (the gap before it,
//! if any, is at least 16 bytes and becomes a free block), splits off the rest when 16 bytes or
//! more are left, and otherwise allocates at `top`, growing memory by exactly the missing pages.
//! Alignments beyond 8 (up to any power of two, e.g. 64 KiB) are placed exactly, not by
//! over-allocating. `realloc` shrinks in place, grows in place when the next block is free and
//! large enough or the block ends at `top`, and only otherwise moves.
//!
//! There is one heap per module: every `Heap` value uses it. If other code grows memory too,
//! the pages it took are skipped: the heap notices that `memory.grow` did not return its own
//! `end` and continues in the new pages behind a block that is never freed. It does assume that
//! nothing else uses `[__heap_base, end of memory at its first allocation)`.
//!
//! # WASI: C's `malloc` from the same heap
//!
//! wasi-libc's `malloc` (dlmalloc, which libc itself uses for the environment, preopened
//! directories, `getcwd` and so on) also starts at `__heap_base` and takes the memory up to its
//! end on its first call, so it cannot share a module with `Heap`. On `target_os = "wasi"` this
//! module therefore defines `malloc`, `calloc`, `realloc`, `free`, `aligned_alloc`,
//! `posix_memalign` and `malloc_usable_size` (16-byte aligned, as C's `max_align_t`) over the
//! same heap, and the linker does not pull in wasi-libc's. This holds whenever the crate is
//! linked with its `alloc` feature, whether or not `Heap` is the `#[global_allocator]` (std's
//! default allocator then reaches the heap through `malloc`). rustc exports `#[no_mangle]`
//! functions from a `cdylib`, so a reactor module also exports them.
//!
//! # Threads
//!
//! `Heap` is for **non-shared memory only**: it has no locks. When
//! `cfg(target_feature = "atomics")` is set, `Heap` is a placeholder that is neither `Sync` nor
//! a `GlobalAlloc`, so `#[global_allocator] static A: Heap` fails to compile ("`Cell<()>` cannot
//! be shared between threads safely"). That cfg is set where threaded wasm is built
//! (`-Ctarget-feature=+atomics` under nightly or `RUSTC_BOOTSTRAP=1`, as WasmRust's driver runs
//! rustc); a plain stable rustc leaves the unstable `atomics` feature out of `cfg` (it only
//! warns), so there the guard cannot fire: do not use `Heap` in a module linked with
//! `--shared-memory`.
//!
//! # Testing off wasm
//!
//! The algorithm is written against a small internal trait for the memory it manages (its base,
//! size in pages, and `grow`). On wasm32 that is the module's linear memory; the host unit tests
//! run the same code over a simulated, growable arena. `Heap` itself exists only on wasm32.
// The core only has a user in `Heap` (wasm32 without atomics) and in tests.
#![cfg_attr(
    not(any(test, all(target_arch = "wasm32", not(target_feature = "atomics")))),
    allow(dead_code)
)]

use core::cell::Cell;
use core::ptr;

/// Bytes in a wasm page.
const PAGE: usize = 65536;
/// A header, footer or free-list link: 4 bytes (the wasm32 layout, also in host tests).
const WORD: usize = 4;
/// Block sizes and payload addresses are multiples of this.
const GRAIN: usize = 8;
/// The smallest block: header, two links, footer.
const MIN: usize = 16;
/// Header bit: the block is in use.
const USED: usize = 1;
/// Header bit: the block before this one is in use (so it has no footer).
const PREV_USED: usize = 2;
/// Both header bits; the rest of the header is the block size.
const FLAGS: usize = USED | PREV_USED;

/// The memory a heap manages, as byte addresses from 0: wasm32 linear memory, or a simulated
/// arena in host tests.
///
/// # Safety
///
/// Implementors promise that `at(a)` is valid for reads and writes of the aligned `u32` at `a` for
/// every `a` with `heap_base() <= a` and `a + 4 <= pages() * PAGE`, that nothing outside the heap
/// uses memory from `heap_base()` to the end of the pages present at the heap's first use or to
/// the end of pages its own `grow` calls added, that `grow(n)` either fails with `None` or adds `n`
/// pages after the current ones and returns the old page count, and that `addr(at(a)) == a`.
pub(crate) unsafe trait Pages {
    /// The first address the heap may use (`__heap_base` on wasm32).
    fn heap_base(&self) -> usize;
    /// The current memory size in pages.
    fn pages(&self) -> usize;
    /// Adds `n` pages; returns the previous page count, or `None` if memory cannot grow.
    fn grow(&self, n: usize) -> Option<usize>;
    /// A pointer to address `a`.
    fn at(&self, a: usize) -> *mut u8;
    /// The address of a pointer made by [`Pages::at`].
    fn addr(&self, p: *mut u8) -> usize;
}

/// The allocator over some [`Pages`]: `Heap` on wasm32, a simulated memory in tests.
///
/// Not `Sync`: it has no locks (see the module docs).
pub(crate) struct Core<M> {
    mem: M,
    /// The end of the last block; 0 before the first allocation.
    top: Cell<usize>,
    /// The end of the memory the heap owns.
    end: Cell<usize>,
    /// The first free block, 0 if none.
    free: Cell<usize>,
}

/// The block size that holds `size` payload bytes, or `None` on overflow.
fn block_size(size: usize) -> Option<usize> {
    Some((size.checked_add(WORD + GRAIN - 1)? & !(GRAIN - 1)).max(MIN))
}

/// The address of the first block at or after `at` (4 mod 8) whose payload is `align`-aligned and
/// that leaves before itself either no gap or room for a free block; `None` on overflow.
fn place(at: usize, align: usize) -> Option<usize> {
    let mut p = at.checked_add(WORD + align - 1)? & !(align - 1);
    // The gap is a multiple of 8 and, when it is 8, `align` is at least 16.
    if p - WORD - at != 0 && p - WORD - at < MIN {
        p = p.checked_add(align)?;
    }
    Some(p - WORD)
}

/// The first block address (4 mod 8) at or after `heap_base`.
fn first_block(heap_base: usize) -> usize {
    ((heap_base + WORD + GRAIN - 1) & !(GRAIN - 1)) - WORD
}

impl<M: Pages> Core<M> {
    /// A heap over `mem` that takes its memory on first use.
    pub(crate) const fn new(mem: M) -> Self {
        Self {
            mem,
            top: Cell::new(0),
            end: Cell::new(0),
            free: Cell::new(0),
        }
    }

    /// Reads the word at `a`.
    ///
    /// # Safety
    ///
    /// `a` is 4-aligned and `[a, a + 4)` lies in `[start, end)`.
    unsafe fn word(&self, a: usize) -> usize {
        // SAFETY: in owned memory (caller), which `Pages` makes valid; 4-aligned (caller).
        unsafe { self.mem.at(a).cast::<u32>().read() as usize }
    }

    /// Writes the word at `a`.
    ///
    /// # Safety
    ///
    /// As for [`Core::word`], and the word is not part of a live allocation.
    unsafe fn set_word(&self, a: usize, v: usize) {
        // SAFETY: as for `word`; no live allocation is overwritten (caller).
        unsafe { self.mem.at(a).cast::<u32>().write(v as u32) }
    }

    /// Takes the first allocation's memory: the tail from `__heap_base` to the end of memory.
    fn init(&self) {
        if self.top.get() == 0 {
            self.top.set(first_block(self.mem.heap_base()));
            self.end.set(self.mem.pages().saturating_mul(PAGE));
        }
    }

    /// Allocates `size` bytes aligned to `align` (a power of two); null if memory is exhausted.
    ///
    /// # Safety
    ///
    /// The heap invariants hold (they do between calls of the methods of `Core`).
    pub(crate) unsafe fn alloc(&self, size: usize, align: usize) -> *mut u8 {
        let Some(need) = block_size(size) else {
            return ptr::null_mut();
        };
        let align = align.max(GRAIN);
        self.init();
        let mut b = self.free.get();
        while b != 0 {
            // SAFETY: `b` is a free block (invariant 3), its header in owned memory.
            let h = unsafe { self.word(b) };
            let end = b + (h & !FLAGS);
            if let Some(blk) = place(b, align)
                && end.checked_sub(blk).is_some_and(|room| room >= need)
            {
                // SAFETY: `b` is on the free list.
                unsafe { self.unlink(b) };
                // SAFETY: `[b, end)` was the free block `b`, now off the list; `blk` is placed in
                // it with a gap of 0 or at least MIN; the block before `b` is in use iff
                // `PREV_USED`; the block at `end` is in use (invariant 3).
                unsafe { self.carve(b, end, blk, need, h & PREV_USED) };
                return self.mem.at(blk + WORD);
            }
            // SAFETY: `b` is a free block; word 1 is its next link.
            b = unsafe { self.word(b + WORD) };
        }
        loop {
            let top = self.top.get();
            let Some(blk) = place(top, align) else {
                return ptr::null_mut();
            };
            let Some(new_top) = blk.checked_add(need) else {
                return ptr::null_mut();
            };
            if new_top <= self.end.get() {
                self.top.set(new_top);
                // SAFETY: `[top, new_top)` was unused owned memory (invariant 4); the block
                // before `top` is in use (invariant 3).
                unsafe { self.carve(top, new_top, blk, need, PREV_USED) };
                return self.mem.at(blk + WORD);
            }
            // After growing, `top` may have moved past pages someone else took: place again.
            if !self.grow(new_top) {
                return ptr::null_mut();
            }
        }
    }

    /// Makes `[blk, blk + need)` an allocated block out of the region `[b, end)`, freeing the gap
    /// before it and, if at least MIN bytes, the rest after it.
    ///
    /// # Safety
    ///
    /// `[b, end)` is owned memory holding no block (taken off the free list, or below a `top` just
    /// raised to `end`); `blk - b` is 0 or at least MIN, `blk + need <= end`, all three 4 mod 8;
    /// `prev_used` is `PREV_USED` iff the block before `b` is in use; the block at `end`, unless
    /// `end` is `top`, is in use.
    unsafe fn carve(&self, b: usize, end: usize, blk: usize, need: usize, prev_used: usize) {
        let rest = end - blk - need;
        let size = if rest >= MIN { need } else { end - blk };
        let flags = if blk == b { prev_used } else { PREV_USED };
        // SAFETY: `blk` lies in `[b, end)`, which holds no block.
        unsafe { self.set_word(blk, size | USED | flags) };
        if blk != b {
            // SAFETY: the gap `[b, blk)` holds no block.
            unsafe { self.set_word(b, (blk - b) | USED | prev_used) };
            // SAFETY: the gap is now a block with a correct header; its neighbours are valid.
            unsafe { self.free_block(b) };
        }
        let next = blk + size;
        if next != end {
            // SAFETY: the rest `[next, end)` holds no block.
            unsafe { self.set_word(next, rest | USED | PREV_USED) };
            // SAFETY: the rest is now a block with a correct header; its neighbours are valid.
            unsafe { self.free_block(next) };
        } else if next != self.top.get() {
            // SAFETY: `next` is the in-use block after the region (caller).
            let h = unsafe { self.word(next) };
            // SAFETY: as above; only its flags change.
            unsafe { self.set_word(next, h | PREV_USED) };
        }
    }

    /// Frees the block at `b`, merging it with free neighbours and with `top`.
    ///
    /// # Safety
    ///
    /// `b` is a block in `[start, top)` with a correct size and `PREV_USED` bit, not on the free
    /// list, and not used by anyone after this call; the other blocks satisfy the invariants.
    unsafe fn free_block(&self, mut b: usize) {
        // SAFETY: `b` is a block (caller).
        let h = unsafe { self.word(b) };
        let mut size = h & !FLAGS;
        if h & PREV_USED == 0 {
            // SAFETY: the block before is free (invariant 2), so its footer ends at `b`.
            let prev = unsafe { self.word(b - WORD) };
            b -= prev;
            size += prev;
            // SAFETY: `b` is now the free block before, on the free list (invariant 3).
            unsafe { self.unlink(b) };
        }
        let next = b + size;
        if next == self.top.get() {
            self.top.set(b);
            return;
        }
        // SAFETY: `next` is the block after (invariant 1).
        let nh = unsafe { self.word(next) };
        if nh & USED == 0 {
            // SAFETY: `next` is free, so on the free list; the block after it already has
            // `PREV_USED` clear.
            unsafe { self.unlink(next) };
            size += nh & !FLAGS;
        } else {
            // SAFETY: `next` is in use; only its flags change.
            unsafe { self.set_word(next, nh & !PREV_USED) };
        }
        // SAFETY: `[b, b + size)` is the merged free block, nobody's allocation; the block before
        // it is in use (merged otherwise).
        unsafe { self.set_word(b, size | PREV_USED) };
        // SAFETY: as above; the footer is its last word.
        unsafe { self.set_word(b + size - WORD, size) };
        let head = self.free.get();
        // SAFETY: as above; words 1 and 2 are the links.
        unsafe { self.set_word(b + WORD, head) };
        // SAFETY: as above.
        unsafe { self.set_word(b + 2 * WORD, 0) };
        if head != 0 {
            // SAFETY: `head` is a free block; word 2 is its prev link.
            unsafe { self.set_word(head + 2 * WORD, b) };
        }
        self.free.set(b);
    }

    /// Takes the free block `b` off the free list.
    ///
    /// # Safety
    ///
    /// `b` is on the free list.
    unsafe fn unlink(&self, b: usize) {
        // SAFETY: `b` is a free block: word 1 is its next link.
        let next = unsafe { self.word(b + WORD) };
        // SAFETY: as above: word 2 is its prev link.
        let prev = unsafe { self.word(b + 2 * WORD) };
        if prev == 0 {
            self.free.set(next);
        } else {
            // SAFETY: `prev` is a free block.
            unsafe { self.set_word(prev + WORD, next) };
        }
        if next != 0 {
            // SAFETY: `next` is a free block.
            unsafe { self.set_word(next + 2 * WORD, prev) };
        }
    }

    /// Grows memory so that the heap owns at least up to `upto` (`> end`); false if it cannot.
    /// If someone else grew memory since, continues after their pages (`top` moves).
    fn grow(&self, upto: usize) -> bool {
        let end = self.end.get();
        let n = (upto - end).div_ceil(PAGE);
        let Some(old) = self.mem.grow(n) else {
            return false;
        };
        let start = old * PAGE;
        if start != end {
            let top = self.top.get();
            if top < end {
                // Fence off `[top, start)`, which holds our unused tail and others' pages, with
                // a block that is never freed.
                // SAFETY: `top` is 4 mod 8 and below `end`, a multiple of 8, so its word is
                // owned and unused (invariant 4).
                unsafe { self.set_word(top, (start + WORD - top) | USED | PREV_USED) };
            }
            // Else the heap has no block yet (`__heap_base` was at the end of memory), so
            // nothing needs fencing. Either way it continues at `start`.
            self.top.set(start + WORD);
        }
        self.end.set((old + n).saturating_mul(PAGE));
        true
    }

    /// Frees the allocation at `p`.
    ///
    /// # Safety
    ///
    /// `p` came from `alloc` or `realloc` of this heap and is not used after this call.
    pub(crate) unsafe fn dealloc(&self, p: *mut u8) {
        // SAFETY: `p` is a live allocation (caller), so its header is a block in use.
        unsafe { self.free_block(self.mem.addr(p) - WORD) }
    }

    /// Resizes the allocation at `p` (`old` bytes, aligned to `align`) to `new` bytes, in place
    /// when it can; null if memory is exhausted (then `p` stays valid).
    ///
    /// # Safety
    ///
    /// `p` came from `alloc` or `realloc` of this heap with size `old` and alignment `align`.
    pub(crate) unsafe fn realloc(
        &self,
        p: *mut u8,
        old: usize,
        align: usize,
        new: usize,
    ) -> *mut u8 {
        let Some(need) = block_size(new) else {
            return ptr::null_mut();
        };
        let b = self.mem.addr(p) - WORD;
        // SAFETY: `p` is a live allocation, so `b` is a block in use.
        let h = unsafe { self.word(b) };
        let mut size = h & !FLAGS;
        if need > size {
            let next = b + size;
            if next == self.top.get() {
                // Extend into `[top, end)`, growing memory if needed (which may move `top`).
                if b.checked_add(need)
                    .is_some_and(|e| e <= self.end.get() || self.grow(e))
                    && next == self.top.get()
                {
                    size = need;
                    self.top.set(b + need);
                }
            } else {
                // SAFETY: `next` is the block after `b` (invariant 1).
                let nh = unsafe { self.word(next) };
                if nh & USED == 0 && size + (nh & !FLAGS) >= need {
                    // SAFETY: `next` is free, so on the free list.
                    unsafe { self.unlink(next) };
                    size += nh & !FLAGS;
                    // SAFETY: the block after a free block is in use and not `top` (invariant 3).
                    let after = unsafe { self.word(b + size) };
                    // SAFETY: as above; only its flags change.
                    unsafe { self.set_word(b + size, after | PREV_USED) };
                }
            }
            if need > size {
                // SAFETY: the invariants hold here.
                let q = unsafe { self.alloc(new, align) };
                if !q.is_null() {
                    // SAFETY: `p` holds `old` bytes, `q` at least `new > old`; distinct blocks.
                    unsafe { ptr::copy_nonoverlapping(p, q, old) };
                    // SAFETY: `b` is `p`'s block, no longer used.
                    unsafe { self.free_block(b) };
                }
                return q;
            }
        }
        if size - need >= MIN {
            // SAFETY: `b` is our block; it keeps its flags.
            unsafe { self.set_word(b, need | (h & FLAGS)) };
            // SAFETY: the rest `[b + need, b + size)` is beyond the new size, owned by no one.
            unsafe { self.set_word(b + need, (size - need) | USED | PREV_USED) };
            // SAFETY: the rest is now a block with a correct header.
            unsafe { self.free_block(b + need) };
        } else {
            // SAFETY: `b` is our block; it keeps its flags.
            unsafe { self.set_word(b, size | (h & FLAGS)) };
        }
        p
    }
}

#[cfg(target_arch = "wasm32")]
pub use self::wasm32::Heap;

/// With threads, `Heap` is a placeholder that is neither `Sync` nor a `GlobalAlloc`, so using
/// it fails to compile (see the module docs).
#[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
mod wasm32 {
    use core::cell::Cell;
    use core::marker::PhantomData;

    /// Not available with the `atomics` target feature: `Heap` has no locks (see the module
    /// docs).
    pub struct Heap(PhantomData<Cell<()>>);

    impl Heap {
        /// A placeholder; `static A: Heap` does not compile with `atomics`.
        #[must_use]
        pub const fn new() -> Self {
            Self(PhantomData)
        }
    }
}

#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
mod wasm32 {
    use super::{Core, Pages};
    use core::alloc::{GlobalAlloc, Layout};
    use core::arch::wasm32;

    /// This module's linear memory (memory 0).
    struct Linear;

    // SAFETY: memory 0 is valid from 0 to `memory.size` pages; `__heap_base` is where the linker
    // put the end of the stack and static data, so nothing else uses the memory above it except
    // by growing memory (wasi-libc's `malloc` would, but on WASI `c_malloc` below replaces it);
    // `memory.grow` adds pages at the end and returns the old count or -1; `at`/`addr` convert
    // between addresses and pointers losslessly.
    unsafe impl Pages for Linear {
        fn heap_base(&self) -> usize {
            unsafe extern "C" {
                /// Defined by wasm-ld: the first address after the stack and data.
                static __heap_base: u8;
            }
            (&raw const __heap_base).addr()
        }
        fn pages(&self) -> usize {
            wasm32::memory_size(0)
        }
        fn grow(&self, n: usize) -> Option<usize> {
            let old = wasm32::memory_grow(0, n);
            (old != usize::MAX).then_some(old)
        }
        fn at(&self, a: usize) -> *mut u8 {
            core::ptr::with_exposed_provenance_mut(a)
        }
        fn addr(&self, p: *mut u8) -> usize {
            p.addr()
        }
    }

    /// The module's one heap: every `Heap` value (and, on WASI, C's `malloc`) uses it, since
    /// two heaps would both start at `__heap_base`.
    struct Shared(Core<Linear>);

    // SAFETY: this module exists only without the `atomics` target feature, where a wasm32
    // module's memory is not shared, so one thread uses `HEAP`.
    unsafe impl Sync for Shared {}

    static HEAP: Shared = Shared(Core::new(Linear));

    /// A global allocator over this module's linear memory, for single-threaded wasm32 (see the
    /// [module docs](super)). All values share the module's one heap.
    ///
    /// ```ignore
    /// #[global_allocator]
    /// static HEAP: wasm::alloc::Heap = wasm::alloc::Heap::new();
    /// ```
    pub struct Heap(());

    impl Heap {
        /// The allocator; it takes memory from `__heap_base` on its first allocation.
        #[must_use]
        pub const fn new() -> Self {
            Self(())
        }
    }

    impl Default for Heap {
        fn default() -> Self {
            Self::new()
        }
    }

    // SAFETY: `Core` returns null or a block of at least `size` bytes aligned to `align` that no
    // other live allocation overlaps, and `realloc` keeps the first `min(old, new)` bytes.
    unsafe impl GlobalAlloc for Heap {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: the invariants hold between calls; one thread (no `atomics`).
            unsafe { HEAP.0.alloc(layout.size(), layout.align()) }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
            // SAFETY: `GlobalAlloc::dealloc`'s contract: `ptr` is a live block of this allocator.
            unsafe { HEAP.0.dealloc(ptr) }
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            // SAFETY: `GlobalAlloc::realloc`'s contract: `ptr` is live with `layout`.
            unsafe { HEAP.0.realloc(ptr, layout.size(), layout.align(), new_size) }
        }
    }

    /// C's allocation functions on WASI, from the same heap.
    ///
    /// wasi-libc's own `malloc` (dlmalloc, used by libc itself: environment, preopens, `getcwd`)
    /// takes `[__heap_base, end of memory)` on its first call, which would overlap `Heap`. These
    /// definitions come before libc on the link line, so its `malloc` is not linked at all.
    #[cfg(target_os = "wasi")]
    mod c_malloc {
        use super::super::{FLAGS, WORD};
        use super::HEAP;
        use core::ffi::c_int;
        use core::ptr;

        /// `max_align_t` on wasm32 (`long double` is 16 bytes).
        const C_ALIGN: usize = 16;
        /// wasi-libc's `EINVAL` and `ENOMEM`.
        const EINVAL: c_int = 28;
        const ENOMEM: c_int = 48;

        /// The usable size of a block from this heap; 0 for null.
        ///
        /// # Safety
        ///
        /// `p` is null or a live block of `HEAP`.
        unsafe fn usable(p: *mut u8) -> usize {
            if p.is_null() {
                return 0;
            }
            // SAFETY: a live block's header is the word before it.
            let header = unsafe { p.sub(WORD).cast::<u32>().read() } as usize;
            (header & !FLAGS) - WORD
        }

        #[unsafe(no_mangle)]
        extern "C" fn malloc(size: usize) -> *mut u8 {
            // SAFETY: the invariants hold between calls; one thread (no `atomics`).
            unsafe { HEAP.0.alloc(size, C_ALIGN) }
        }

        #[unsafe(no_mangle)]
        extern "C" fn aligned_alloc(align: usize, size: usize) -> *mut u8 {
            if !align.is_power_of_two() {
                return ptr::null_mut();
            }
            // SAFETY: as for `malloc`.
            unsafe { HEAP.0.alloc(size, align.max(C_ALIGN)) }
        }

        /// # Safety
        ///
        /// C's contract: `out` is valid for a write.
        #[unsafe(no_mangle)]
        unsafe extern "C" fn posix_memalign(out: *mut *mut u8, align: usize, size: usize) -> c_int {
            if !align.is_power_of_two() || align % size_of::<usize>() != 0 {
                return EINVAL;
            }
            let p = aligned_alloc(align, size);
            if p.is_null() {
                return ENOMEM;
            }
            // SAFETY: C's contract.
            unsafe { out.write(p) };
            0
        }

        #[unsafe(no_mangle)]
        extern "C" fn calloc(n: usize, size: usize) -> *mut u8 {
            let Some(bytes) = n.checked_mul(size) else {
                return ptr::null_mut();
            };
            let p = malloc(bytes);
            if !p.is_null() {
                // SAFETY: `p` is a fresh block of at least `bytes` bytes.
                unsafe { p.write_bytes(0, bytes) };
            }
            p
        }

        /// # Safety
        ///
        /// C's contract: `p` is null or a live block of this heap, not used afterwards.
        #[unsafe(no_mangle)]
        unsafe extern "C" fn free(p: *mut u8) {
            if !p.is_null() {
                // SAFETY: C's contract.
                unsafe { HEAP.0.dealloc(p) }
            }
        }

        /// # Safety
        ///
        /// C's contract: `p` is null or a live block of this heap.
        #[unsafe(no_mangle)]
        unsafe extern "C" fn realloc(p: *mut u8, size: usize) -> *mut u8 {
            if p.is_null() {
                return malloc(size);
            }
            // SAFETY: C's contract; `usable` bytes are the block's, aligned to at least 16 if it
            // came from `malloc`/`calloc`/`realloc` (a bigger alignment is kept when in place,
            // and C does not promise it when moved).
            unsafe { HEAP.0.realloc(p, usable(p), C_ALIGN, size) }
        }

        /// # Safety
        ///
        /// `p` is null or a live block of this heap.
        #[unsafe(no_mangle)]
        unsafe extern "C" fn malloc_usable_size(p: *mut u8) -> usize {
            // SAFETY: the caller's contract.
            unsafe { usable(p) }
        }

        // wasi-libc's internal names for the same functions; defined so that nothing pulls its
        // dlmalloc in.
        #[unsafe(no_mangle)]
        extern "C" fn __libc_malloc(size: usize) -> *mut u8 {
            malloc(size)
        }

        #[unsafe(no_mangle)]
        extern "C" fn __libc_calloc(n: usize, size: usize) -> *mut u8 {
            calloc(n, size)
        }

        /// # Safety
        ///
        /// As for `free`.
        #[unsafe(no_mangle)]
        unsafe extern "C" fn __libc_free(p: *mut u8) {
            // SAFETY: the caller's contract.
            unsafe { free(p) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::alloc::{Layout, alloc_zeroed, dealloc};
    use std::collections::BTreeMap;
    use std::vec::Vec;

    /// The simulated memory's alignment: alignments up to this mean the same as on wasm32, where
    /// memory starts at address 0.
    const ARENA_ALIGN: usize = 1 << 20;

    /// A simulated linear memory: `max` pages reserved (zeroed, like fresh wasm pages), `pages` of
    /// them present. `at` checks every access against the heap's contract.
    struct Sim {
        base: *mut u8,
        heap_base: usize,
        pages: Cell<usize>,
        max: usize,
        /// `grow` calls that succeeded.
        grows: Cell<usize>,
    }

    impl Sim {
        fn new(heap_base: usize, pages: usize, max: usize) -> Self {
            let layout = Layout::from_size_align(max * PAGE, ARENA_ALIGN).unwrap();
            // SAFETY: the layout's size is not zero.
            let base = unsafe { alloc_zeroed(layout) };
            assert!(!base.is_null());
            Self {
                base,
                heap_base,
                pages: Cell::new(pages),
                max,
                grows: Cell::new(0),
            }
        }

        /// Someone else (wasi-libc's `malloc`, say) grows memory by `n` pages.
        fn foreign_grow(&self, n: usize) {
            self.pages.set(self.pages.get() + n);
        }
    }

    impl Drop for Sim {
        fn drop(&mut self) {
            let layout = Layout::from_size_align(self.max * PAGE, ARENA_ALIGN).unwrap();
            // SAFETY: allocated in `new` with this layout.
            unsafe { dealloc(self.base, layout) }
        }
    }

    // SAFETY: the arena is valid for `max` pages and `at` panics on addresses outside
    // `[heap_base, pages * PAGE)`; `grow` adds pages at the end and returns the old count.
    unsafe impl Pages for Sim {
        fn heap_base(&self) -> usize {
            self.heap_base
        }
        fn pages(&self) -> usize {
            self.pages.get()
        }
        fn grow(&self, n: usize) -> Option<usize> {
            let old = self.pages.get();
            (old.checked_add(n)? <= self.max).then(|| {
                self.pages.set(old + n);
                self.grows.set(self.grows.get() + 1);
                old
            })
        }
        fn at(&self, a: usize) -> *mut u8 {
            assert!(
                a >= self.heap_base && a < self.pages.get() * PAGE,
                "heap touched {a:#x}"
            );
            self.base.wrapping_add(a)
        }
        fn addr(&self, p: *mut u8) -> usize {
            p.addr() - self.base.addr()
        }
    }

    type TestHeap = Core<Sim>;

    fn heap(heap_base: usize, pages: usize, max: usize) -> TestHeap {
        Core::new(Sim::new(heap_base, pages, max))
    }

    impl TestHeap {
        /// Allocates and returns the address (0 for null).
        fn a(&self, size: usize, align: usize) -> usize {
            // SAFETY: the invariants hold between calls.
            let p = unsafe { self.alloc(size, align) };
            if p.is_null() { 0 } else { self.mem.addr(p) }
        }

        fn free(&self, a: usize) {
            // SAFETY: the tests only free live addresses from `a`/`re`.
            unsafe { self.dealloc(self.mem.at(a)) }
        }

        fn re(&self, a: usize, old: usize, align: usize, new: usize) -> usize {
            // SAFETY: the tests pass live addresses with their size and alignment.
            let p = unsafe { self.realloc(self.mem.at(a), old, align, new) };
            if p.is_null() { 0 } else { self.mem.addr(p) }
        }

        /// Bytes from the first block to `top`.
        fn footprint(&self) -> usize {
            self.top
                .get()
                .saturating_sub(first_block(self.mem.heap_base))
        }

        /// The `len` bytes at `a`, which the caller drops before the next heap call.
        fn bytes(&self, a: usize, len: usize) -> &[u8] {
            assert!(a + len <= self.mem.pages() * PAGE);
            // SAFETY: `at` checked `a`, the line above `a + len`: arena memory, which only `put`
            // and the heap write, never while the slice lives (tests use it at once).
            unsafe { core::slice::from_raw_parts(self.mem.at(a), len) }
        }

        /// Writes `src` at `a` (a live allocation, or memory the heap does not own).
        fn put(&self, a: usize, src: &[u8]) {
            assert!(a + src.len() <= self.mem.pages() * PAGE);
            // SAFETY: as for `bytes`; `src` is test data outside the arena.
            unsafe { ptr::copy_nonoverlapping(src.as_ptr(), self.mem.at(a), src.len()) }
        }
    }

    impl<M: Pages> Core<M> {
        /// Checks invariants 1–4; returns the number of free blocks and their bytes.
        fn check(&self) -> (usize, usize) {
            self.check_from(first_block(self.mem.heap_base()))
        }

        /// `check` for a heap whose first block is at `start`.
        fn check_from(&self, start: usize) -> (usize, usize) {
            let top = self.top.get();
            if top == 0 {
                assert_eq!(self.free.get(), 0);
                return (0, 0);
            }
            let (mut b, mut prev_free, mut free, mut bytes) = (start, false, Vec::new(), 0);
            while b < top {
                // SAFETY: `b` is a block header inside `[start, top)` (checked walk).
                let h = unsafe { self.word(b) };
                let size = h & !FLAGS;
                assert!(
                    size >= MIN && size.is_multiple_of(GRAIN) && b % GRAIN == WORD,
                    "block {b:#x}: header {h:#x}"
                );
                assert_eq!(h & PREV_USED == 0, prev_free, "PREV_USED of block {b:#x}");
                let is_free = h & USED == 0;
                if is_free {
                    assert!(!prev_free, "adjacent free blocks at {b:#x}");
                    // SAFETY: the footer is the last word of the block, below `top`.
                    let footer = unsafe { self.word(b + size - WORD) };
                    assert_eq!(footer, size, "footer of {b:#x}");
                    free.push(b);
                    bytes += size;
                }
                prev_free = is_free;
                b += size;
            }
            assert_eq!(b, top, "blocks overrun top");
            assert!(!prev_free, "a free block ends at top");
            assert!(top <= self.end.get() && self.end.get() <= self.mem.pages() * PAGE);
            let (mut listed, mut prev, mut f) = (Vec::new(), 0, self.free.get());
            while f != 0 {
                // SAFETY: `f` is on the free list, which the walk above found to hold free blocks.
                let back = unsafe { self.word(f + 2 * WORD) };
                assert_eq!(back, prev, "prev link of {f:#x}");
                listed.push(f);
                assert!(
                    listed.len() <= free.len(),
                    "free list longer than the free blocks"
                );
                prev = f;
                // SAFETY: as above.
                f = unsafe { self.word(f + WORD) };
            }
            listed.sort_unstable();
            assert_eq!(listed, free, "free list vs free blocks");
            (free.len(), bytes)
        }
    }

    #[test]
    fn uses_the_initial_tail_before_growing() {
        let h = heap(1000, 2, 16);
        assert_eq!(
            h.a(100, 1),
            1008,
            "first payload: 8-aligned, right after __heap_base"
        );
        // The tail holds 2 * 65536 - 1004 bytes; 104 are used and the last 4 cannot hold a block.
        assert_ne!(h.a(2 * PAGE - 1004 - 104 - 2 * WORD, 8), 0);
        assert_eq!(
            (h.mem.grows.get(), h.mem.pages()),
            (0, 2),
            "the whole tail, no grow"
        );
        assert_ne!(h.a(1, 8), 0);
        assert_eq!(
            (h.mem.grows.get(), h.mem.pages()),
            (1, 3),
            "one more page, not more"
        );
        h.check();
    }

    #[test]
    fn grows_by_the_pages_needed() {
        let h = heap(1000, 1, 64);
        // 1004 + 327 688 bytes end in the sixth page.
        assert_eq!(h.a(5 * PAGE, 8), 1008);
        assert_eq!((h.mem.grows.get(), h.mem.pages()), (1, 6));
        assert_eq!(h.end.get(), 6 * PAGE);
        h.check();
    }

    #[test]
    fn freeing_merges_neighbours_and_top() {
        let h = heap(1000, 2, 16);
        let [a, b, c, d] = [0; 4].map(|_| h.a(100, 8));
        assert_eq!(
            [b - a, c - b, d - c],
            [104; 3],
            "header + 100 bytes rounded to 8"
        );
        h.free(a);
        h.free(c);
        assert_eq!(h.check(), (2, 208));
        h.free(b);
        assert_eq!(h.check(), (1, 312), "a, b and c merged");
        h.free(d);
        assert_eq!(h.check(), (0, 0), "everything merged into the top");
        assert_eq!(h.footprint(), 0);
        assert_eq!(h.a(300, 8), a, "the same memory again");
    }

    #[test]
    fn first_fit_reuses_and_splits() {
        let h = heap(1000, 2, 16);
        let [a, _b] = [0; 2].map(|_| h.a(200, 8));
        h.free(a);
        assert_eq!(h.a(50, 8), a);
        assert_eq!(h.check(), (1, 208 - 56), "the rest of the block stays free");
        assert_eq!(h.a(140, 8), a + 56, "and is used next");
        assert_eq!(h.check(), (0, 0));
    }

    #[test]
    fn alignment_is_exact_up_to_large_powers_of_two() {
        let h = heap(1000, 2, 16);
        let big = h.a(1, 65536);
        assert_eq!(big, 65536, "64 KiB-aligned, placed in the initial tail");
        assert_eq!(h.mem.grows.get(), 0);
        assert_eq!(
            h.check(),
            (1, 65536 - WORD - 1004),
            "the gap before it is a free block"
        );
        assert_eq!(h.a(100, 8), 1008, "which later allocations use");
        let huge = h.a(10, 1 << 17);
        assert_eq!(huge % (1 << 17), 0);
        assert_eq!(h.mem.pages(), 3, "grew one page for it");
        for align in [16, 32, 4096, 8192] {
            let p = h.a(24, align);
            assert_eq!(p % align, 0);
        }
        h.check();
        h.free(huge);
        h.free(big);
        h.check();
    }

    #[test]
    fn realloc_stays_in_place_when_it_can() {
        let h = heap(1000, 2, 16);
        let a = h.a(100, 8);
        h.put(a, &[7; 100]);
        assert_eq!(h.re(a, 100, 8, 1000), a, "at the top: extends it");
        assert_eq!(h.footprint(), block_size(1000).unwrap());
        assert_eq!(h.re(a, 1000, 8, 10), a, "shrinks");
        assert_eq!(h.footprint(), MIN, "and the rest goes back to the top");
        let (b, c) = (h.a(200, 8), h.a(100, 8));
        h.free(b);
        assert_eq!(h.re(a, 10, 8, 110), a, "into the free block after it");
        assert_eq!(h.check(), (1, MIN + 208 - 120), "whose rest stays free");
        assert_eq!(h.bytes(a, 10), &[7; 10], "contents kept");
        // Blocked by `c`: moves and copies.
        let moved = h.re(a, 110, 8, 4000);
        assert!(moved > c);
        assert_eq!(h.bytes(moved, 10), &[7; 10]);
        assert_eq!(
            h.check(),
            (1, MIN + 208),
            "the old block is free again, merged"
        );
    }

    #[test]
    fn realloc_at_the_top_grows_memory_by_the_pages_needed() {
        let h = heap(1000, 1, 16);
        let a = h.a(1000, 8);
        assert_eq!(h.re(a, 1000, 8, 3 * PAGE), a);
        assert_eq!(h.mem.pages(), 4);
        h.check();
    }

    #[test]
    fn skips_pages_that_others_grew() {
        let h = heap(1000, 1, 16);
        let a = h.a(1000, 8);
        h.mem.foreign_grow(1);
        h.put(PAGE, &[0xaa; PAGE]);
        let b = h.a(70_000, 8);
        assert!(b >= 2 * PAGE, "placed after the foreign page, at {b:#x}");
        h.put(b, &[1; 70_000]);
        assert!(h.bytes(PAGE, PAGE).iter().all(|&x| x == 0xaa));
        assert_eq!(h.mem.pages(), 4);
        h.check();
        h.free(b);
        h.free(a);
        assert_eq!(h.check(), (1, 1008));
        let c = h.a(8, 8);
        assert_eq!(c, a, "the memory before the fence is still used");
    }

    #[test]
    fn skips_pages_that_others_grew_before_the_first_block() {
        // `__heap_base` at the end of the only page: the heap owns no memory, and its first
        // request fails (the memory cannot grow that far).
        let h = heap(PAGE, 1, 16);
        assert_eq!(h.a(64 * PAGE, 8), 0);
        h.mem.foreign_grow(1);
        h.put(PAGE, &[0xaa; PAGE]);
        let b = h.a(PAGE, 8);
        assert_eq!(
            b,
            2 * PAGE + 2 * WORD,
            "after the page others grew, no fence written"
        );
        h.put(b, &[1; PAGE]);
        assert!(h.bytes(PAGE, PAGE).iter().all(|&x| x == 0xaa));
        assert_eq!(h.mem.pages(), 4);
        h.check_from(2 * PAGE + WORD);
    }

    #[test]
    fn out_of_memory_is_null_and_recoverable() {
        let h = heap(1000, 1, 2);
        assert_eq!(h.a(200_000, 8), 0);
        assert_eq!(h.a(usize::MAX - 3, 8), 0);
        assert_eq!(h.a(8, 1 << 40), 0);
        let a = h.a(100, 8);
        assert_eq!(h.re(a, 100, 8, 200_000), 0, "null, and the block stays");
        assert_eq!(h.re(a, 100, 8, usize::MAX), 0);
        assert_eq!(h.check(), (0, 0));
        assert_eq!(h.footprint(), 104);
    }

    /// A tiny PRNG (xorshift64), so the property tests need no dependency.
    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.0 = x;
            x
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        /// Mostly small sizes, some of several KiB, a few up to 128 KiB.
        fn size(&mut self) -> usize {
            1 + match self.below(32) {
                0 => self.below(128 * 1024),
                1..=6 => self.below(8 * 1024),
                _ => self.below(256),
            }
        }

        /// Mostly 1 to 8, sometimes up to 64 KiB.
        fn align(&mut self) -> usize {
            1 << if self.below(8) == 0 {
                self.below(17)
            } else {
                self.below(4)
            }
        }
    }

    /// A live allocation of the property test, filled with `pattern(tag, i)`.
    struct Live {
        addr: usize,
        size: usize,
        align: usize,
        tag: u8,
    }

    /// The fill of a block tagged `tag`: `(tag + i) % 251` at offset `i`. A slice of one buffer, so
    /// filling and checking are `memcpy`/`memcmp` (fast even in debug test builds).
    fn pattern(tag: u8, len: usize) -> &'static [u8] {
        static BYTES: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
        let all = BYTES.get_or_init(|| (0..256 + 129 * 1024).map(|i| (i % 251) as u8).collect());
        &all[usize::from(tag)..][..len]
    }

    /// What a live allocation may cost at most: its block, plus the largest gap its alignment can
    /// leave before it (free, but possibly too small for others).
    fn cost(l: &Live) -> usize {
        block_size(l.size).unwrap() + if l.align > GRAIN { l.align + MIN } else { 0 }
    }

    impl TestHeap {
        fn fill(&self, l: &Live) {
            self.put(l.addr, pattern(l.tag, l.size));
        }

        fn verify(&self, l: &Live, len: usize) {
            assert!(
                *self.bytes(l.addr, len) == *pattern(l.tag, len),
                "block {:#x} corrupted",
                l.addr
            );
        }
    }

    /// Records `[l.addr, l.addr + l.size)` as live; panics if it overlaps a live block or is
    /// misaligned.
    fn claim(ranges: &mut BTreeMap<usize, usize>, l: &Live) {
        assert_ne!(l.addr, 0, "out of memory");
        assert_eq!(l.addr % l.align, 0, "misaligned");
        let end = l.addr + l.size;
        if let Some((&s, &e)) = ranges.range(..end).next_back() {
            assert!(
                e <= l.addr,
                "[{:#x}, {end:#x}) overlaps [{s:#x}, {e:#x})",
                l.addr
            );
        }
        ranges.insert(l.addr, end);
    }

    /// Figures of one random run.
    struct Run {
        /// The most bytes the heap spanned (first block to `top`).
        peak: usize,
        /// The most the live allocations could cost at once (`cost`).
        max_cost: usize,
    }

    /// Random alloc/realloc/free, in phases that mostly allocate and phases that mostly free;
    /// checks contents, alignment, overlap and the heap invariants, then frees everything.
    fn random_run(seed: u64, ops: usize) -> Run {
        let mut r = XorShift(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
        let heap_base = r.below(3 * PAGE / 2);
        let h = heap(heap_base, heap_base.div_ceil(PAGE) + r.below(3), 256);
        let (mut live, mut ranges) = (Vec::<Live>::new(), BTreeMap::new());
        let (mut cost_now, mut run) = (
            0,
            Run {
                peak: 0,
                max_cost: 0,
            },
        );
        for step in 0..ops {
            let allocating = (step / 400) % 2 == 0;
            let k = r.below(10);
            if live.is_empty() || k < if allocating { 6 } else { 2 } {
                let (size, align) = (r.size(), r.align());
                let l = Live {
                    addr: h.a(size, align),
                    size,
                    align,
                    tag: r.next() as u8,
                };
                claim(&mut ranges, &l);
                h.fill(&l);
                cost_now += cost(&l);
                live.push(l);
            } else if k < 7 {
                let l = live.swap_remove(r.below(live.len()));
                h.verify(&l, l.size);
                ranges.remove(&l.addr);
                h.free(l.addr);
                cost_now -= cost(&l);
            } else {
                let i = r.below(live.len());
                let new = r.size();
                let l = &mut live[i];
                h.verify(l, l.size);
                ranges.remove(&l.addr);
                cost_now -= cost(l);
                let old = core::mem::replace(&mut l.size, new);
                l.addr = h.re(l.addr, old, l.align, new);
                claim(&mut ranges, l);
                h.verify(l, old.min(new));
                h.fill(l);
                cost_now += cost(l);
            }
            run.max_cost = run.max_cost.max(cost_now);
            run.peak = run.peak.max(h.footprint());
            if step % 200 == 0 {
                h.check();
                live.iter().for_each(|l| h.verify(l, l.size));
            }
        }
        h.check();
        while !live.is_empty() {
            let l = live.swap_remove(r.below(live.len()));
            h.verify(&l, l.size);
            h.free(l.addr);
        }
        assert_eq!(
            h.check(),
            (0, 0),
            "seed {seed}: free blocks left after freeing everything"
        );
        assert_eq!(
            h.footprint(),
            0,
            "seed {seed}: the heap is back to its initial footprint"
        );
        let pages = h.mem.pages();
        assert_eq!(
            pages,
            (first_block(heap_base) + run.peak)
                .div_ceil(PAGE)
                .max(pages),
            "seed {seed}"
        );
        run
    }

    #[test]
    fn random_workloads_keep_contents_and_bounded_footprint() {
        let mut worst = 0.0f64;
        for seed in 0..150 {
            let run = random_run(seed, 2000);
            // First fit with coalescing is not bounded by 2x in the worst case (no non-moving
            // allocator is), but random workloads stay far below it; a heap that did not reuse
            // freed memory or merge it into the top would exceed it within a few phases.
            assert!(
                run.peak <= 2 * run.max_cost + PAGE,
                "seed {seed}: peak {} > 2 * {} + 64 KiB",
                run.peak,
                run.max_cost
            );
            worst = worst.max(run.peak as f64 / run.max_cost as f64);
        }
        std::println!("worst peak / max live cost: {worst:.2}");
    }

    #[test]
    fn repeated_cycles_do_not_grow_memory() {
        let h = heap(3000, 1, 256);
        let mut grows_after_first = None;
        for cycle in 0..100 {
            // The same workload each cycle: strings and vectors built by appending, some freed
            // early, then everything freed.
            let mut r = XorShift(42);
            let mut live: Vec<(usize, usize)> = Vec::new();
            for _ in 0..300 {
                let (mut a, mut len) = (h.a(16, 8), 16);
                while len < 64 + r.below(3000) {
                    a = h.re(a, len, 8, 2 * len);
                    len *= 2;
                }
                live.push((a, len));
                if r.below(3) == 0 {
                    let (a, _) = live.swap_remove(r.below(live.len()));
                    h.free(a);
                }
            }
            live.into_iter().for_each(|(a, _)| h.free(a));
            assert_eq!(h.check(), (0, 0));
            assert_eq!(h.footprint(), 0, "cycle {cycle}");
            let seen = *grows_after_first.get_or_insert((h.mem.grows.get(), h.mem.pages()));
            assert_eq!(
                (h.mem.grows.get(), h.mem.pages()),
                seen,
                "cycle {cycle} grew memory"
            );
        }
        assert!(
            grows_after_first.unwrap().0 > 0,
            "the workload needs more than the initial page"
        );
    }
}
