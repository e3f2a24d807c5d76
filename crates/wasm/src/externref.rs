//! Handles to host values: [`ExternRef`] and [`FuncRef`].
//!
//! Stable Rust cannot name the wasm `externref` / `funcref` value types, so a handle is an `i32`
//! index into a **slot table kept by the host** (the JS helper `js/wasmrust.mjs`, or wasmtime host
//! functions). Index `0` is the null reference and is never a live slot, so
//! `Option<ExternRef<'_, T>>` is also a single `i32` with `0` for `None`.
//!
//! Two kinds of handle tie Rust lifetimes to slots:
//!
//! - [`OwnedExternRef<T>`] owns a slot: dropping it frees the slot, cloning it takes a new one.
//! - [`ExternRef<'a, T>`] borrows a slot for `'a`: it is `Copy` and cannot outlive the owner it was
//!   borrowed from, nor (as an `#[export]` parameter) the call that received it, after which the
//!   host frees the slot. Keep a value longer with [`ExternRef::to_owned`].
//!
//! Both are `!Send` and `!Sync`: slot tables are per instance, i.e. per thread.
//!
//! ```compile_fail
//! # use wasm::externref::{host, Any, OwnedExternRef, ExternRef};
//! let escaped: ExternRef<'_>;
//! {
//!     let owner: OwnedExternRef = host::new_value(false);
//!     escaped = owner.as_ref(); // error: `owner` does not live long enough
//! }
//! let _ = escaped;
//! ```
//!
//! # Imports the host provides
//!
//! Module [`IMPORT_MODULE`] (`"wasmrust:externref/table"`); every index is an `i32` slot number,
//! `0` meaning null.
//!
//! | name | signature | meaning |
//! |---|---|---|
//! | `drop` | `(index: i32)` | free the slot; the module never uses `index` again |
//! | `clone` | `(index: i32) -> i32` | put the same value in a new slot and return it (never 0 for a live slot) |
//! | `eq` | `(a: i32, b: i32) -> i32` | `1` if both slots hold the same value (JS `Object.is`), else `0` |
//! | `is-func` | `(index: i32) -> i32` | `1` if the slot holds a callable value, else `0` |
//!
//! The names are those of the WIT interface [`WIT`], whose canonical-ABI lowering is exactly these
//! core signatures: a JS host passes an import object keyed by them, and for the wasmtime profile
//! the toolchain embeds the interface so the component imports `wasmrust:externref/table`, which
//! the wasmtime host implements (`compiler/wasmrust-run`'s `externref` module).
//!
//! The host maps `null`/`undefined` to index `0` when it passes a value in, and index `0` back to
//! `null`. Slots the host fills for an `#[export]` call (borrowed `ExternRef` parameters) are freed
//! by the host after the call; a slot returned as an `OwnedExternRef` belongs to the receiver.
//!
//! On non-wasm targets these imports are emulated in-process (see [`host`]) so host tests run.

use core::fmt;
use core::marker::PhantomData;

/// The core import module of the slot-table imports: the WIT interface [`WIT`] names.
pub const IMPORT_MODULE: &str = "wasmrust:externref/table";

/// The slot-table imports as a WIT package: world `imports` imports interface `table`. Its
/// canonical-ABI lowering is the core signatures of the module docs, so a core module's imports
/// from [`IMPORT_MODULE`] become a component's import of `wasmrust:externref/table`.
pub const WIT: &str = "package wasmrust:externref;

/// The host's table of values that `wasm::ExternRef` handles index; 0 is null.
interface table {
  /// Frees the slot; the module never uses `index` again.
  drop: func(index: u32);
  /// Puts the same value in a new slot and returns it (never 0 for a live slot).
  clone: func(index: u32) -> u32;
  /// 1 if both slots hold the same value, else 0.
  eq: func(a: u32, b: u32) -> u32;
  /// 1 if the slot holds a callable value, else 0.
  is-func: func(index: u32) -> u32;
}

world imports {
  import table;
}
";
use core::num::NonZeroU32;

/// Marker for "any host value", the default type parameter of the handles.
#[derive(Debug)]
pub enum Any {}

/// Marker for a callable host value (a JS function, a wasm `funcref`).
#[derive(Debug)]
pub enum Func {}

/// A borrowed handle to a callable host value. See [`ExternRef`].
///
/// ```
/// # use wasm::externref::{host, OwnedExternRef};
/// let any: OwnedExternRef = host::new_value(true);
/// let f: wasm::FuncRef<'_> = any.as_ref().as_func().expect("host said it is callable");
/// assert!(f.same_value(any.as_ref()));
/// ```
pub type FuncRef<'a> = ExternRef<'a, Func>;

/// An owned handle to a callable host value. See [`OwnedExternRef`].
///
/// ```
/// # use wasm::externref::host;
/// let f: wasm::OwnedFuncRef = host::new_value(true).as_ref().as_func().unwrap().to_owned();
/// # drop(f);
/// ```
pub type OwnedFuncRef = OwnedExternRef<Func>;

/// A borrowed, `Copy` handle to a host value of type `T`, valid for `'a`.
///
/// ```
/// # use wasm::externref::{host, OwnedExternRef};
/// let owner: OwnedExternRef = host::new_value(false);
/// let a = owner.as_ref();
/// let b = a; // Copy
/// assert!(a.same_value(b));
/// assert_eq!(a.index(), owner.as_ref().index());
/// ```
#[repr(transparent)]
pub struct ExternRef<'a, T: ?Sized = Any> {
    index: NonZeroU32,
    // `&'a ()`: cannot outlive the slot's owner. `*const T`: `!Send`/`!Sync`, typed by `T`.
    _marker: PhantomData<(&'a (), *const T)>,
}

/// An owned handle to a host value of type `T`: the slot is freed when this is dropped.
///
/// ```
/// # use wasm::externref::{host, OwnedExternRef};
/// let a: OwnedExternRef = host::new_value(false);
/// let b = a.clone(); // a new slot holding the same value
/// assert_ne!(a.as_ref().index(), b.as_ref().index());
/// assert!(a.as_ref().same_value(b.as_ref()));
/// ```
#[repr(transparent)]
pub struct OwnedExternRef<T: ?Sized = Any> {
    index: NonZeroU32,
    _marker: PhantomData<*const T>,
}

impl<T: ?Sized> Clone for ExternRef<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: ?Sized> Copy for ExternRef<'_, T> {}

impl<'a, T: ?Sized> ExternRef<'a, T> {
    /// Wraps a slot index received from the host; `None` for the null index `0`.
    ///
    /// ```
    /// # use wasm::externref::{host, Any, OwnedExternRef, ExternRef};
    /// let owner: OwnedExternRef = host::new_value(false);
    /// // SAFETY: `owner` keeps the slot live for as long as the borrow is used.
    /// let r = unsafe { ExternRef::<'_, Any>::from_raw(owner.as_ref().index()) }.unwrap();
    /// assert!(r.same_value(owner.as_ref()));
    /// // SAFETY: index 0 is null and never dereferenced.
    /// assert!(unsafe { ExternRef::<'_, Any>::from_raw(0) }.is_none());
    /// ```
    ///
    /// # Safety
    ///
    /// A non-zero `index` must name a slot of this instance's host table that stays live (is not
    /// dropped by anyone) for all of `'a`, and holds a value of the kind `T` promises.
    /// The handle itself never frees the slot.
    pub unsafe fn from_raw(index: u32) -> Option<Self> {
        NonZeroU32::new(index).map(|index| ExternRef {
            index,
            _marker: PhantomData,
        })
    }

    /// The slot index, to pass to the host.
    ///
    /// ```
    /// # use wasm::externref::{host, OwnedExternRef};
    /// let owner: OwnedExternRef = host::new_value(false);
    /// assert_ne!(owner.as_ref().index(), 0);
    /// ```
    pub fn index(self) -> u32 {
        self.index.get()
    }

    /// Takes a new slot holding the same value, owned by the caller (host import `clone`).
    ///
    /// ```
    /// # use wasm::externref::{host, OwnedExternRef};
    /// let owner: OwnedExternRef = host::new_value(false);
    /// let kept = owner.as_ref().to_owned();
    /// drop(owner);
    /// assert!(kept.as_ref().same_value(kept.as_ref()));
    /// ```
    pub fn to_owned(self) -> OwnedExternRef<T> {
        let index = sys::clone(self.index.get());
        OwnedExternRef {
            index: NonZeroU32::new(index).expect("host `clone` import returned the null slot 0"),
            _marker: PhantomData,
        }
    }

    /// Whether both handles hold the same host value (host import `eq`, JS `Object.is`).
    ///
    /// ```
    /// # use wasm::externref::{host, OwnedExternRef};
    /// let a: OwnedExternRef = host::new_value(false);
    /// let b: OwnedExternRef = host::new_value(false);
    /// assert!(!a.as_ref().same_value(b.as_ref()));
    /// ```
    pub fn same_value<U: ?Sized>(self, other: ExternRef<'_, U>) -> bool {
        sys::eq(self.index.get(), other.index.get()) != 0
    }

    /// Forgets what kind of value the handle holds.
    ///
    /// ```
    /// # use wasm::externref::{host, OwnedExternRef};
    /// let f = host::new_value(true);
    /// let any: wasm::ExternRef<'_> = f.as_ref().as_func().unwrap().erase();
    /// # let _ = any;
    /// ```
    pub fn erase(self) -> ExternRef<'a, Any> {
        ExternRef {
            index: self.index,
            _marker: PhantomData,
        }
    }

    /// This handle as a [`FuncRef`] if the host says the value is callable (host import `is-func`).
    ///
    /// ```
    /// # use wasm::externref::{host, OwnedExternRef};
    /// let v: OwnedExternRef = host::new_value(false);
    /// assert!(v.as_ref().as_func().is_none());
    /// ```
    pub fn as_func(self) -> Option<FuncRef<'a>> {
        (sys::is_func(self.index.get()) != 0).then_some(ExternRef {
            index: self.index,
            _marker: PhantomData,
        })
    }
}

impl<T: ?Sized> OwnedExternRef<T> {
    /// Takes ownership of a slot index received from the host; `None` for the null index `0`.
    ///
    /// ```
    /// # use wasm::externref::{host, OwnedExternRef};
    /// let raw = host::new_value(false).into_raw();
    /// // SAFETY: `into_raw` gave up ownership of `raw`; nobody else frees it.
    /// let owned: OwnedExternRef = unsafe { OwnedExternRef::from_raw(raw) }.unwrap();
    /// # drop(owned);
    /// ```
    ///
    /// # Safety
    ///
    /// A non-zero `index` must name a live slot of this instance's host table that nobody else
    /// owns: the returned handle frees it exactly once, on drop. Like `OwnedFd::from_raw_fd`, this
    /// guards the table's integrity (a double free would release another handle's slot), not
    /// Rust memory.
    pub unsafe fn from_raw(index: u32) -> Option<Self> {
        NonZeroU32::new(index).map(|index| OwnedExternRef {
            index,
            _marker: PhantomData,
        })
    }

    /// Gives the slot to the caller (e.g. as an `#[export]` return value); it is not freed here.
    ///
    /// ```
    /// # use wasm::externref::{host, OwnedExternRef};
    /// let owned: OwnedExternRef = host::new_value(false);
    /// let raw = owned.into_raw();
    /// assert!(host::is_live(raw));
    /// # drop(unsafe { OwnedExternRef::<wasm::externref::Any>::from_raw(raw) });
    /// ```
    pub fn into_raw(self) -> u32 {
        let index = self.index.get();
        core::mem::forget(self);
        index
    }

    /// Borrows the handle; the borrow cannot outlive `self`, hence the slot.
    ///
    /// ```
    /// # use wasm::externref::{host, OwnedExternRef};
    /// let owned: OwnedExternRef = host::new_value(false);
    /// assert!(owned.as_ref().same_value(owned.as_ref()));
    /// ```
    pub fn as_ref(&self) -> ExternRef<'_, T> {
        ExternRef {
            index: self.index,
            _marker: PhantomData,
        }
    }
}

impl<T: ?Sized> Clone for OwnedExternRef<T> {
    fn clone(&self) -> Self {
        self.as_ref().to_owned()
    }
}

impl<T: ?Sized> Drop for OwnedExternRef<T> {
    fn drop(&mut self) {
        sys::drop(self.index.get());
    }
}

impl<T: ?Sized> fmt::Debug for ExternRef<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ExternRef(#{})", self.index)
    }
}

impl<T: ?Sized> fmt::Debug for OwnedExternRef<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OwnedExternRef(#{})", self.index)
    }
}

/// The four host imports, as safe functions.
#[cfg(target_family = "wasm")]
mod sys {
    // Must equal `super::IMPORT_MODULE` (an attribute cannot name a constant).
    #[link(wasm_import_module = "wasmrust:externref/table")]
    unsafe extern "C" {
        #[link_name = "drop"]
        fn host_drop(index: u32);
        #[link_name = "clone"]
        fn host_clone(index: u32) -> u32;
        #[link_name = "eq"]
        fn host_eq(a: u32, b: u32) -> u32;
        #[link_name = "is-func"]
        fn host_is_func(index: u32) -> u32;
    }

    pub fn drop(index: u32) {
        // SAFETY: the import takes and returns plain integers and touches no Rust memory; the host
        // contract (module docs) makes any index acceptable to it.
        unsafe { host_drop(index) }
    }
    pub fn clone(index: u32) -> u32 {
        // SAFETY: as for `drop`: integers only.
        unsafe { host_clone(index) }
    }
    pub fn eq(a: u32, b: u32) -> u32 {
        // SAFETY: as for `drop`: integers only.
        unsafe { host_eq(a, b) }
    }
    pub fn is_func(index: u32) -> u32 {
        // SAFETY: as for `drop`: integers only.
        unsafe { host_is_func(index) }
    }
}

#[cfg(not(target_family = "wasm"))]
use host as sys;

/// In-process emulation of the host table, used on non-wasm targets (host tests, doctests).
///
/// A fixed table of 4096 slots; a "value" is an opaque number, callable when created with
/// `callable = true`. It checks what a real host cannot: freeing a free slot panics.
#[cfg(not(target_family = "wasm"))]
pub mod host {
    use super::{Any, OwnedExternRef};
    use core::sync::atomic::{AtomicU32, Ordering};

    const SLOTS: usize = 4096;
    const CALLABLE: u32 = 1 << 31;
    static TABLE: [AtomicU32; SLOTS] = [const { AtomicU32::new(0) }; SLOTS];
    static NEXT_VALUE: AtomicU32 = AtomicU32::new(1);

    fn slot(index: u32) -> &'static AtomicU32 {
        assert!(index != 0, "externref: use of the null slot 0");
        TABLE
            .get(index as usize)
            .unwrap_or_else(|| panic!("externref: no slot #{index}"))
    }

    fn value(index: u32) -> u32 {
        match slot(index).load(Ordering::Acquire) {
            0 => panic!("externref: slot #{index} is not live"),
            v => v,
        }
    }

    fn insert(value: u32) -> u32 {
        (1..SLOTS)
            .find(|&i| {
                TABLE[i]
                    .compare_exchange(0, value, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok()
            })
            .expect("externref: emulated host table is full") as u32
    }

    /// Puts a fresh host value in a new slot, as a host passing a value in would.
    ///
    /// ```
    /// let v: wasm::OwnedExternRef = wasm::externref::host::new_value(false);
    /// assert!(v.as_ref().as_func().is_none());
    /// ```
    pub fn new_value(callable: bool) -> OwnedExternRef<Any> {
        let id = NEXT_VALUE.fetch_add(1, Ordering::Relaxed) & !CALLABLE;
        let index = insert(if callable { id | CALLABLE } else { id });
        // SAFETY: `insert` just claimed this non-zero slot for us alone.
        unsafe { OwnedExternRef::from_raw(index) }.expect("slot 0 is never handed out")
    }

    /// Whether slot `index` currently holds a value.
    ///
    /// ```
    /// let v = wasm::externref::host::new_value(false);
    /// let i = v.as_ref().index();
    /// drop(v);
    /// assert!(!wasm::externref::host::is_live(i));
    /// ```
    pub fn is_live(index: u32) -> bool {
        index != 0
            && TABLE
                .get(index as usize)
                .is_some_and(|s| s.load(Ordering::Acquire) != 0)
    }

    pub(super) fn drop(index: u32) {
        if slot(index).swap(0, Ordering::AcqRel) == 0 {
            panic!("externref: slot #{index} freed twice");
        }
    }
    pub(super) fn clone(index: u32) -> u32 {
        insert(value(index))
    }
    pub(super) fn eq(a: u32, b: u32) -> u32 {
        (value(a) == value(b)) as u32
    }
    pub(super) fn is_func(index: u32) -> u32 {
        (value(index) & CALLABLE != 0) as u32
    }
}

#[cfg(all(test, not(target_family = "wasm")))]
mod tests {
    use super::*;

    #[test]
    fn null_index_is_none_and_niche_is_used() {
        // SAFETY: index 0 is the null reference; nothing is borrowed.
        assert!(unsafe { ExternRef::<'_, Any>::from_raw(0) }.is_none());
        assert_eq!(size_of::<Option<ExternRef<'_>>>(), 4);
        assert_eq!(size_of::<Option<OwnedExternRef>>(), 4);
    }

    #[test]
    fn owned_handles_free_their_slot_exactly_once() {
        let a = host::new_value(false);
        let b = a.clone();
        let (ia, ib) = (a.as_ref().index(), b.as_ref().index());
        assert_ne!(ia, ib);
        assert!(a.as_ref().same_value(b.as_ref()));
        drop(a);
        assert!(!host::is_live(ia));
        assert!(host::is_live(ib));
        let raw = b.into_raw();
        assert!(host::is_live(raw), "into_raw must not free the slot");
        // SAFETY: `into_raw` released ownership of `raw` to us.
        drop(unsafe { OwnedExternRef::<Any>::from_raw(raw) });
        assert!(!host::is_live(raw));
    }

    #[test]
    fn func_refs_come_only_from_callable_values() {
        let f = host::new_value(true);
        let v = host::new_value(false);
        let fr = f.as_ref().as_func().unwrap();
        assert!(v.as_ref().as_func().is_none());
        let owned: OwnedFuncRef = fr.to_owned();
        assert!(owned.as_ref().same_value(f.as_ref()));
        assert!(!fr.same_value(v.as_ref()));
        assert_eq!(
            std::format!("{:?}", fr.erase()),
            std::format!("ExternRef(#{})", fr.index())
        );
    }

    #[test]
    #[should_panic(expected = "freed twice")]
    fn forged_double_ownership_is_caught_by_the_emulated_host() {
        let a = host::new_value(false);
        // SAFETY: deliberately violated to test the emulator: two owners of one slot.
        let b = unsafe { OwnedExternRef::<Any>::from_raw(a.as_ref().index()) }.unwrap();
        drop(a);
        drop(b);
    }
}
