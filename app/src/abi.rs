//! The canonical ABI by hand, for the few shapes the demo's world uses.
//!
//! Strings and lists arrive in memory the host allocated through
//! `cabi_realloc` (so with Rust's global allocator, with the element's
//! alignment) and become owned `String`/`Vec`s here. Results that do not fit
//! in one core value are written to a static return area; anything they own
//! is freed by the function's post-return hook.

use std::alloc::{Layout, alloc, realloc};

/// The allocator the host calls to place arguments in our memory.
///
/// # Safety
/// Called by the component runtime only, with the canonical ABI's contract:
/// `old_ptr`/`old_size` describe a block this function returned before (or
/// are 0), `align` is a power of two.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cabi_realloc(
    old_ptr: *mut u8,
    old_size: usize,
    align: usize,
    new_size: usize,
) -> *mut u8 {
    let Ok(layout) = Layout::from_size_align(new_size, align) else {
        std::process::abort()
    };
    if new_size == 0 {
        return align as *mut u8;
    }
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
pub unsafe fn take_string(ptr: *mut u8, len: usize) -> String {
    if len == 0 {
        return String::new();
    }
    // SAFETY: the block was allocated with size `len`, align 1, and the runtime checked UTF-8.
    unsafe { String::from_raw_parts(ptr, len, len) }
}

/// Takes ownership of a `list<T>` argument of plain values.
///
/// # Safety
/// `ptr`/`len` must be a list the runtime placed with `cabi_realloc(0, 0, align_of::<T>(), len * size_of::<T>())`.
pub unsafe fn take_list<T: Copy>(ptr: *mut T, len: usize) -> Vec<T> {
    if len == 0 {
        return Vec::new();
    }
    // SAFETY: as documented: our allocator, exactly `len` elements of T's layout.
    unsafe { Vec::from_raw_parts(ptr, len, len) }
}

/// Gives up ownership of a vector so the host can read it; `free_list` takes it back.
pub fn leak_list<T>(v: Vec<T>) -> (usize, usize) {
    let v = v.into_boxed_slice();
    let len = v.len();
    (Box::into_raw(v) as *mut T as usize, len)
}

/// Frees what `leak_list` gave away.
///
/// # Safety
/// `ptr`/`len` must come from `leak_list::<T>` and not have been freed.
pub unsafe fn free_list<T>(ptr: usize, len: usize) {
    if len == 0 {
        return;
    }
    // SAFETY: reconstructs the exact boxed slice `leak_list` leaked.
    drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr as *mut T, len)) });
}

/// Static storage for results that do not fit in a core value (one call at a time:
/// the module is single-threaded and the host reads it before the next call).
#[repr(C, align(8))]
pub struct RetArea(pub std::cell::UnsafeCell<[u8; 48]>);

// SAFETY: the module never runs two calls at once (no threads on this target).
unsafe impl Sync for RetArea {}

/// The one return area.
pub static RET: RetArea = RetArea(std::cell::UnsafeCell::new([0; 48]));

impl RetArea {
    /// Address of the return area, returned to the host.
    pub fn ptr(&self) -> *mut u8 {
        self.0.get().cast()
    }

    /// Writes `value` at byte `offset`.
    pub fn write<T: Copy>(&self, offset: usize, value: T) {
        assert!(offset + size_of::<T>() <= 48 && offset % align_of::<T>() == 0);
        // SAFETY: in bounds and aligned (checked above; the area is 8-aligned); single-threaded.
        unsafe { self.ptr().add(offset).cast::<T>().write(value) }
    }

    /// Reads a `T` at byte `offset` (for post-return hooks).
    pub fn read<T: Copy>(ptr: *const u8, offset: usize) -> T {
        // SAFETY: the runtime passes back the pointer we returned; offsets are the ones we wrote.
        unsafe { ptr.add(offset).cast::<T>().read() }
    }
}
