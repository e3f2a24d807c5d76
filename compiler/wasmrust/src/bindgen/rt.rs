// The runtime of the bindings `wasmrust bindgen` generates: what the generated
// code names through its `runtime_path`. `wasmrust bindgen` appends this file to
// every bindings crate as `mod __rt`, so the crate needs no dependency, and
// `cabi_realloc` is exported only by modules that link a bindings crate.
// It is compiled for wasm by the build (//app:bindings and the bindgen tests).

extern crate alloc;

use alloc::alloc::{Layout, alloc, dealloc, handle_alloc_error, realloc};
use core::ptr::NonNull;

/// The canonical ABI's allocator: the host calls it to place arguments (strings,
/// lists) in this module's memory, with the element's alignment, and the
/// generated code frees them with Rust's allocator once they are owned values.
///
/// # Safety
/// Called by the component runtime only: `old_ptr`/`old_len` are 0 or a block
/// this function returned before with the same `align`, a power of two.
#[cfg(target_family = "wasm")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cabi_realloc(
    old_ptr: *mut u8,
    old_len: usize,
    align: usize,
    new_len: usize,
) -> *mut u8 {
    if new_len == 0 {
        // A zero-sized block is never dereferenced: any aligned address does.
        return align as *mut u8;
    }
    let Ok(layout) = Layout::from_size_align(new_len, align) else {
        core::arch::wasm32::unreachable()
    };
    let ptr = if old_len == 0 {
        // SAFETY: `layout` has a non-zero size.
        unsafe { alloc(layout) }
    } else {
        // SAFETY: the caller passes back a block of ours with its size and alignment.
        let old = unsafe { Layout::from_size_align_unchecked(old_len, align) };
        // SAFETY: as above; `new_len` is non-zero.
        unsafe { realloc(old_ptr, old, new_len) }
    };
    if ptr.is_null() {
        handle_alloc_error(layout)
    }
    ptr
}

/// Keeps `cabi_realloc` in the linked module even when nothing else names it.
pub fn maybe_link_cabi_realloc() {
    #[cfg(target_family = "wasm")]
    {
        #[used]
        static KEEP: unsafe extern "C" fn(*mut u8, usize, usize, usize) -> *mut u8 = cabi_realloc;
    }
}

/// Never called: the bindings are generated with the constructors workaround
/// off, since reactor modules run their constructors in `_initialize`.
pub fn run_ctors_once() {}

/// A block the generated code allocates to pass a list to an import, freed
/// when the call is over.
pub struct Cleanup {
    ptr: NonNull<u8>,
    layout: Layout,
}

impl Cleanup {
    /// Allocates `layout`; a zero-sized layout gives a null pointer and no cleanup.
    pub fn new(layout: Layout) -> (*mut u8, Option<Cleanup>) {
        if layout.size() == 0 {
            return (core::ptr::null_mut(), None);
        }
        // SAFETY: `layout` has a non-zero size.
        let Some(ptr) = NonNull::new(unsafe { alloc(layout) }) else {
            handle_alloc_error(layout)
        };
        (ptr.as_ptr(), Some(Cleanup { ptr, layout }))
    }

    /// Hands the block over to the callee instead of freeing it.
    pub fn forget(self) {
        core::mem::forget(self);
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        // SAFETY: allocated in `new` with this layout and not freed since.
        unsafe { dealloc(self.ptr.as_ptr(), self.layout) }
    }
}

/// A type the user exports as a WIT resource, stored behind its handle as `Rep`.
pub trait Resource: Sized + 'static {
    /// How a value sits behind its handle.
    type Rep: ResourceRep<Self>;
}

impl<T: 'static> Resource for T {
    type Rep = Option<T>;
}

/// The storage of an exported resource's value.
///
/// # Safety
/// The pointer methods are called with pointers to a live `Self` made by `rep_new`.
pub unsafe trait ResourceRep<T> {
    /// Stores a new value.
    fn rep_new(inner: T) -> Self;
    /// Borrows the value.
    ///
    /// # Safety
    /// `ptr` points to a live `Self` holding a value.
    unsafe fn rep_as_ref<'a>(ptr: *const Self) -> &'a T;
    /// Borrows the value mutably.
    ///
    /// # Safety
    /// As for `rep_as_ref`, and no other borrow is live.
    unsafe fn rep_as_mut<'a>(ptr: *mut Self) -> &'a mut T;
    /// Moves the value out (the resource is dropped or consumed).
    ///
    /// # Safety
    /// As for `rep_as_mut`.
    unsafe fn rep_take(ptr: *mut Self) -> T;
}

/// A value taken twice is a bug in the generated code: trap rather than go on.
fn taken<T>(value: Option<T>) -> T {
    match value {
        Some(value) => value,
        None => unreachable!("a resource was used after it was moved out"),
    }
}

// SAFETY: every method reads through a pointer the contract says is live.
unsafe impl<T> ResourceRep<T> for Option<T> {
    fn rep_new(inner: T) -> Self {
        Some(inner)
    }
    unsafe fn rep_as_ref<'a>(ptr: *const Self) -> &'a T {
        // SAFETY: `ptr` is live (the trait's contract).
        taken(unsafe { (*ptr).as_ref() })
    }
    unsafe fn rep_as_mut<'a>(ptr: *mut Self) -> &'a mut T {
        // SAFETY: `ptr` is live and not borrowed elsewhere.
        taken(unsafe { (*ptr).as_mut() })
    }
    unsafe fn rep_take(ptr: *mut Self) -> T {
        // SAFETY: `ptr` is live and not borrowed elsewhere.
        taken(unsafe { (*ptr).take() })
    }
}

/// The Rust type of a WIT `map<K, V>`.
pub type Map<K, V> = alloc::collections::BTreeMap<K, V>;

/// What the generated code needs of a map type.
pub trait WitMap<K, V>: Sized {
    /// An empty map for `capacity` entries.
    fn wit_map_new(capacity: usize) -> Self;
    /// Adds an entry.
    fn wit_map_push(&mut self, key: K, value: V);
    /// The number of entries.
    fn wit_map_len(&self) -> usize;
}

impl<K: Ord, V> WitMap<K, V> for Map<K, V> {
    fn wit_map_new(_capacity: usize) -> Self {
        Map::new()
    }
    fn wit_map_push(&mut self, key: K, value: V) {
        self.insert(key, value);
    }
    fn wit_map_len(&self) -> usize {
        self.len()
    }
}

/// The type of a WIT `flags`: a set of named bits, as the `bitflags` crate makes.
pub mod bitflags {
    macro_rules! __wasmrust_bitflags {
        (
            $(#[$attr:meta])*
            $vis:vis struct $name:ident : $repr:ty {
                $($(#[$flag_attr:meta])* const $flag:ident = $value:expr;)*
            }
        ) => {
            $(#[$attr])*
            $vis struct $name {
                bits: $repr,
            }

            impl $name {
                $($(#[$flag_attr])* $vis const $flag: Self = Self { bits: $value };)*

                /// No flag set.
                $vis const fn empty() -> Self {
                    Self { bits: 0 }
                }
                /// Every flag set.
                $vis const fn all() -> Self {
                    Self { bits: 0 $(| $value)* }
                }
                /// The bits as the canonical ABI passes them.
                $vis const fn bits(&self) -> $repr {
                    self.bits
                }
                /// The flags of `bits`, unknown bits kept.
                $vis const fn from_bits_retain(bits: $repr) -> Self {
                    Self { bits }
                }
                /// Whether every flag of `other` is set.
                $vis const fn contains(&self, other: Self) -> bool {
                    self.bits & other.bits == other.bits
                }
                /// Whether no flag is set.
                $vis const fn is_empty(&self) -> bool {
                    self.bits == 0
                }
                /// Sets the flags of `other`.
                $vis fn insert(&mut self, other: Self) {
                    self.bits |= other.bits;
                }
                /// Clears the flags of `other`.
                $vis fn remove(&mut self, other: Self) {
                    self.bits &= !other.bits;
                }
            }

            impl core::ops::BitOr for $name {
                type Output = Self;
                fn bitor(self, rhs: Self) -> Self {
                    Self { bits: self.bits | rhs.bits }
                }
            }
            impl core::ops::BitAnd for $name {
                type Output = Self;
                fn bitand(self, rhs: Self) -> Self {
                    Self { bits: self.bits & rhs.bits }
                }
            }
            impl core::ops::BitXor for $name {
                type Output = Self;
                fn bitxor(self, rhs: Self) -> Self {
                    Self { bits: self.bits ^ rhs.bits }
                }
            }
            impl core::ops::Sub for $name {
                type Output = Self;
                fn sub(self, rhs: Self) -> Self {
                    Self { bits: self.bits & !rhs.bits }
                }
            }
            impl core::ops::BitOrAssign for $name {
                fn bitor_assign(&mut self, rhs: Self) {
                    self.bits |= rhs.bits;
                }
            }
        };
    }
    pub(crate) use __wasmrust_bitflags as bitflags;
}
