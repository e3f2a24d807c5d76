//! The WasmRust core-wasm ABI (version 1) used by `#[export]` and `#[import]`.
//!
//! A stable, documented lowering of Rust signatures to core wasm functions, so a host needs no
//! generated glue: `js/wasmrust.mjs` calls any export given a signature description.
//! `PTR` below is the pointer size, 4 on wasm32 (every address and length is an `i32`).
//!
//! # Parameters
//!
//! | Rust type | core params | notes |
//! |---|---|---|
//! | `i8` `u8` `i16` `u16` `i32` `u32` `char` | `i32` | sign/zero-extended; `char` must be a scalar value |
//! | `bool` | `i32` | `0` false, any other value true |
//! | `i64` `u64` / `f32` / `f64` | `i64` / `f32` / `f64` | |
//! | [`ExternRef`] / [`OwnedExternRef`] | `i32` | slot index, see [`crate::externref`] |
//! | `&str` `&[T]` [`SharedSlice<T>`] | `ptr: i32, len: i32` | borrowed; `len` in elements (bytes for `str`) |
//! | `String` `Vec<T>` | `ptr: i32, len: i32` | owned: the buffer moves to the callee (see *Ownership*) |
//! | `Option<_>` `Result<_, _>` | `ptr: i32` | address of the value in the *memory encoding*, owned by the caller |
//!
//! Slice elements are any `T: Pod`; strings are UTF-8 (checked; invalid UTF-8 traps).
//!
//! # Results
//!
//! A scalar result (first five rows above) is the core result. `()` has none. Any other result is
//! written, in the memory encoding, to a **return area** whose address the caller passes as an
//! extra last `i32` parameter; the core function then returns nothing. The caller owns the area
//! (size and alignment from [`Value::SIZE`] / [`Value::ALIGN`]); it reads the result before freeing
//! its argument buffers, since a borrowed result may point into them.
//!
//! # Memory encoding ([`Value`])
//!
//! Little-endian, fields at their natural alignment:
//!
//! | type | size | align | layout |
//! |---|---|---|---|
//! | `()` | 0 | 1 | nothing |
//! | 32-bit class (`i32`-param types above) and `f32` | 4 | 4 | the core value |
//! | `i64` `u64` `f64` | 8 | 8 | the core value |
//! | string / slice / vec | 2·PTR | PTR | `ptr` at 0, `len` at PTR |
//! | `Option<T>` | see below | `max(4, align T)` | `u32` tag at 0 (0 `None`, 1 `Some`), `T` at `off` |
//! | `Result<T, E>` | see below | `max(4, align T, align E)` | `u32` tag at 0 (0 `Ok`, 1 `Err`), payload at `off` |
//!
//! `off = round_up(4, align)` where `align` is the payload's (for `Result`, the larger of both);
//! `size = round_up(off + payload size, align of the whole)` (for `Result`, the larger payload).
//! Padding bytes are unspecified. An invalid tag traps.
//!
//! # Ownership and the allocator
//!
//! With the `alloc` feature the module exports (on wasm targets):
//!
//! - `wasmrust_alloc(size: i32, align: i32) -> i32`: a block for the module's global allocator;
//!   `size == 0` returns `align` (a dangling, aligned address) and allocates nothing;
//! - `wasmrust_free(ptr: i32, size: i32, align: i32)`: frees such a block; `size == 0` is a no-op.
//!
//! An owned `String`/`Vec<T>` is a block of exactly `len * size_of::<T>()` bytes aligned to
//! `align_of::<T>()`, from `wasmrust_alloc`. Passed *to* Rust, the callee takes the block (the
//! caller must not free it); returned *from* Rust (or passed by Rust to an import), the receiver
//! gets the block and frees it with `wasmrust_free(ptr, len * size_of::<T>(), align_of::<T>())`.
//! Borrowed `&str`/`&[T]` arguments stay the caller's. Imports may not return borrowed types.
//!
//! # Layering
//!
//! The macros only classify a type syntactically as *scalar* ([`Scalar`]), *pair* ([`Pair`]) or
//! *indirect* (`Option`/`Result`, [`Value`]) and call these traits, so every lowering rule lives
//! here and is unit-tested on the host (where `PTR` is 8).

use crate::externref::{ExternRef, OwnedExternRef};
use crate::pod::Pod;
use crate::shared::SharedSlice;
#[cfg(feature = "alloc")]
use alloc_crate::{boxed::Box, string::String, vec::Vec};
use core::mem::{MaybeUninit, align_of, size_of};

const PTR: usize = size_of::<usize>();

const fn round_up(n: usize, align: usize) -> usize {
    n.div_ceil(align) * align
}

const fn max(a: usize, b: usize) -> usize {
    if a > b { a } else { b }
}

/// A type passed as one core value (`i32`, `i64`, `f32` or `f64`).
///
/// ```
/// use wasm::abi::Scalar;
/// assert_eq!(true.into_core(), 1i32);
/// // SAFETY: any `i32` is a valid core value for `bool`.
/// assert!(unsafe { <bool as Scalar>::from_core(7) });
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot cross the wasm ABI",
    note = "supported: integers up to 64 bits, f32, f64, bool, char, ExternRef, OwnedExternRef, \
            &str, &[T: Pod], SharedSlice<T>, String, Vec<T: Pod>, and Option/Result of those"
)]
pub trait Scalar: Sized {
    /// The core wasm value type: `i32`, `u32` (an `i32` in wasm), `i64`, `f32` or `f64`.
    type Core: Copy;
    /// Lowers to the core value.
    fn into_core(self) -> Self::Core;
    /// Lifts from the core value.
    ///
    /// # Safety
    ///
    /// `core` came across the ABI for a `Self` as the module docs specify: for handles, a slot
    /// index the sender lends (`ExternRef`) or gives up (`OwnedExternRef`). For plain numbers
    /// every value is accepted (invalid `char`s trap).
    unsafe fn from_core(core: Self::Core) -> Self;
}

macro_rules! scalar {
    ($($t:ty => $core:ty, $size:literal;)*) => {$(
        impl Scalar for $t {
            type Core = $core;
            #[inline]
            fn into_core(self) -> $core { self as $core }
            #[inline]
            unsafe fn from_core(core: $core) -> Self { core as $t }
        }
        scalar_value!($t, $core, $size);
    )*};
}

macro_rules! scalar_value {
    ($t:ty, $core:ty, $size:literal) => {
        impl Value for $t {
            const SIZE: usize = $size;
            const ALIGN: usize = $size;
            #[inline]
            unsafe fn load(src: *const u8) -> Self {
                // SAFETY: the caller guarantees `SIZE` readable, initialized bytes at `src`, and
                // every bit pattern is a valid `$core`; `read_unaligned` needs no alignment.
                let core = unsafe { src.cast::<$core>().read_unaligned() };
                // SAFETY: the caller guarantees the bytes encode a `Self` per the ABI.
                unsafe { <$t as Scalar>::from_core(core) }
            }
            #[inline]
            unsafe fn store(self, dst: *mut u8) {
                // SAFETY: the caller guarantees `SIZE` writable bytes at `dst`; `write_unaligned`
                // needs no alignment.
                unsafe { dst.cast::<$core>().write_unaligned(Scalar::into_core(self)) }
            }
        }
    };
}

scalar! {
    i8 => i32, 4; u8 => i32, 4; i16 => i32, 4; u16 => i32, 4; i32 => i32, 4; u32 => i32, 4;
    i64 => i64, 8; u64 => i64, 8; f32 => f32, 4; f64 => f64, 8;
}

impl Scalar for bool {
    type Core = i32;
    fn into_core(self) -> i32 {
        self as i32
    }
    unsafe fn from_core(core: i32) -> bool {
        core != 0
    }
}
scalar_value!(bool, i32, 4);

impl Scalar for char {
    type Core = i32;
    fn into_core(self) -> i32 {
        self as i32
    }
    unsafe fn from_core(core: i32) -> char {
        char::from_u32(core as u32).expect("wasm ABI: invalid `char`")
    }
}
scalar_value!(char, i32, 4);

impl<'a, T: ?Sized> Scalar for ExternRef<'a, T> {
    type Core = u32;
    fn into_core(self) -> u32 {
        self.index()
    }
    unsafe fn from_core(core: u32) -> Self {
        // SAFETY: the sender lends slot `core` for the duration of the call (`'a` is bounded by
        // the generated shim's body), as the caller of `from_core` guarantees.
        unsafe { ExternRef::from_raw(core) }.expect("wasm ABI: null `ExternRef`; use Option")
    }
}
impl<'a, T: ?Sized> Value for ExternRef<'a, T> {
    const SIZE: usize = 4;
    const ALIGN: usize = 4;
    unsafe fn load(src: *const u8) -> Self {
        // SAFETY: the caller guarantees 4 readable bytes at `src`.
        let core = unsafe { src.cast::<u32>().read_unaligned() };
        // SAFETY: the caller guarantees they encode a lent slot (see `from_core`).
        unsafe { Scalar::from_core(core) }
    }
    unsafe fn store(self, dst: *mut u8) {
        // SAFETY: the caller guarantees 4 writable bytes at `dst`.
        unsafe { dst.cast::<u32>().write_unaligned(self.index()) }
    }
}

impl<T: ?Sized> Scalar for OwnedExternRef<T> {
    type Core = u32;
    fn into_core(self) -> u32 {
        self.into_raw()
    }
    unsafe fn from_core(core: u32) -> Self {
        // SAFETY: the sender gives up slot `core`, as the caller of `from_core` guarantees.
        unsafe { OwnedExternRef::from_raw(core) }
            .expect("wasm ABI: null `OwnedExternRef`; use Option")
    }
}
impl<T: ?Sized> Value for OwnedExternRef<T> {
    const SIZE: usize = 4;
    const ALIGN: usize = 4;
    unsafe fn load(src: *const u8) -> Self {
        // SAFETY: the caller guarantees 4 readable bytes at `src`.
        let core = unsafe { src.cast::<u32>().read_unaligned() };
        // SAFETY: the caller guarantees they encode a slot given to us (see `from_core`).
        unsafe { Scalar::from_core(core) }
    }
    unsafe fn store(self, dst: *mut u8) {
        // SAFETY: the caller guarantees 4 writable bytes at `dst`; ownership moves to the receiver.
        unsafe { dst.cast::<u32>().write_unaligned(self.into_raw()) }
    }
}

/// A type passed as a `(ptr, len)` pair: strings, slices, vectors.
///
/// ```
/// use wasm::abi::Pair;
/// let (ptr, len) = "héllo".into_pair();
/// assert_eq!(len, 6);
/// // SAFETY: `ptr`/`len` describe a live, valid UTF-8 `&'static str`.
/// let back: &str = unsafe { Pair::from_pair(ptr.cast_mut(), len) };
/// assert_eq!(back, "héllo");
/// ```
pub trait Pair: Sized {
    /// Lowers to `(address, element count)`. Owned types give up their buffer (see module docs).
    fn into_pair(self) -> (*const u8, usize);
    /// Lifts from `(address, element count)`.
    ///
    /// # Safety
    ///
    /// If `len > 0`: `ptr` addresses `len` elements of initialized memory that stay valid and
    /// unmodified for the lifetime of `Self` (borrowed types) or that form a block from
    /// `wasmrust_alloc(len * size_of::<T>(), align_of::<T>())` which the caller gives up (owned
    /// types). If `len == 0`, `ptr` is ignored. Misaligned pointers and invalid UTF-8 trap.
    unsafe fn from_pair(ptr: *mut u8, len: usize) -> Self;
}

/// Checks the pointer of a non-empty pair for `T` and views the bytes as `&[T]`.
///
/// # Safety
///
/// As [`Pair::from_pair`] for a borrowed `&'a [T]`, with `len > 0`.
unsafe fn raw_slice<'a, T: Pod>(ptr: *mut u8, len: usize) -> &'a [T] {
    assert!(
        !ptr.is_null() && (ptr as usize).is_multiple_of(align_of::<T>()),
        "wasm ABI: slice pointer {ptr:p} is null or not aligned to {}",
        align_of::<T>()
    );
    // SAFETY: non-null and aligned (checked above); the caller guarantees `len` initialized `T`s
    // that outlive `'a` unmodified, and any bytes are a valid `T` (`Pod`).
    unsafe { core::slice::from_raw_parts(ptr.cast::<T>(), len) }
}

impl<T: Pod> Pair for &[T] {
    fn into_pair(self) -> (*const u8, usize) {
        (self.as_ptr().cast(), self.len())
    }
    unsafe fn from_pair(ptr: *mut u8, len: usize) -> Self {
        if len == 0 {
            return &[];
        }
        // SAFETY: forwarded from this function's contract; `len > 0`.
        unsafe { raw_slice(ptr, len) }
    }
}

impl Pair for &str {
    fn into_pair(self) -> (*const u8, usize) {
        (self.as_ptr(), self.len())
    }
    unsafe fn from_pair(ptr: *mut u8, len: usize) -> Self {
        // SAFETY: forwarded from this function's contract.
        let bytes: &[u8] = unsafe { Pair::from_pair(ptr, len) };
        core::str::from_utf8(bytes).expect("wasm ABI: string is not UTF-8")
    }
}

impl<'a, T: Pod> Pair for SharedSlice<'a, T> {
    fn into_pair(self) -> (*const u8, usize) {
        self.as_slice().into_pair()
    }
    unsafe fn from_pair(ptr: *mut u8, len: usize) -> Self {
        // SAFETY: forwarded from this function's contract.
        SharedSlice::new(unsafe { Pair::from_pair(ptr, len) })
    }
}

#[cfg(feature = "alloc")]
impl<T: Pod> Pair for Vec<T> {
    fn into_pair(self) -> (*const u8, usize) {
        let len = self.len();
        // `into_boxed_slice` drops spare capacity, so the block is exactly `len` elements, as the
        // receiver's `wasmrust_free` call will describe it.
        (
            Box::into_raw(self.into_boxed_slice())
                .cast::<u8>()
                .cast_const(),
            len,
        )
    }
    unsafe fn from_pair(ptr: *mut u8, len: usize) -> Self {
        if len == 0 {
            return Vec::new();
        }
        // SAFETY: `raw_slice` checks null and alignment; the caller guarantees `len` initialized
        // `T`s (any bytes are valid: `Pod`). We only use it for those checks.
        let checked: &[T] = unsafe { raw_slice(ptr, len) };
        // SAFETY: the caller gives up a block from `wasmrust_alloc(len * size_of::<T>(),
        // align_of::<T>())`, i.e. the global allocator with `Layout::array::<T>(len)`, holding
        // `len` initialized `T`s: exactly `Vec::from_raw_parts`'s contract with capacity `len`.
        unsafe { Vec::from_raw_parts(checked.as_ptr().cast_mut(), len, len) }
    }
}

#[cfg(feature = "alloc")]
impl Pair for String {
    fn into_pair(self) -> (*const u8, usize) {
        self.into_bytes().into_pair()
    }
    unsafe fn from_pair(ptr: *mut u8, len: usize) -> Self {
        // SAFETY: forwarded from this function's contract (`T = u8`).
        let bytes: Vec<u8> = unsafe { Pair::from_pair(ptr, len) };
        String::from_utf8(bytes).expect("wasm ABI: string is not UTF-8")
    }
}

/// A type with a memory encoding: return areas, `Option`/`Result` payloads.
///
/// ```
/// use wasm::abi::Value;
/// type R = Result<u64, bool>;
/// assert_eq!((R::SIZE, R::ALIGN), (16, 8));
/// let mut area = wasm::abi::RetArea::<{ R::SIZE }>::new();
/// // SAFETY: the area has `R::SIZE` bytes, and we read back what we wrote.
/// let back = unsafe {
///     Value::store(R::Err(true), area.as_mut_ptr());
///     R::load(area.as_ptr())
/// };
/// assert_eq!(back, Err(true));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot cross the wasm ABI",
    note = "supported: integers up to 64 bits, f32, f64, bool, char, ExternRef, OwnedExternRef, \
            &str, &[T: Pod], SharedSlice<T>, String, Vec<T: Pod>, (), and Option/Result of those"
)]
pub trait Value: Sized {
    /// Size of the encoding in bytes.
    const SIZE: usize;
    /// Alignment of the encoding (a power of two, at most 8).
    const ALIGN: usize;
    /// Reads a value.
    ///
    /// # Safety
    ///
    /// `src` points to `SIZE` readable bytes (any alignment) holding a `Self` encoded as the
    /// module docs specify, whose pointers and handles satisfy [`Pair::from_pair`] and
    /// [`Scalar::from_core`]. Ownership of owned buffers and handles passes to the result.
    unsafe fn load(src: *const u8) -> Self;
    /// Writes the value; owned buffers and handles pass to whoever reads it.
    ///
    /// # Safety
    ///
    /// `dst` points to `SIZE` writable bytes (any alignment).
    unsafe fn store(self, dst: *mut u8);
}

impl Value for () {
    const SIZE: usize = 0;
    const ALIGN: usize = 1;
    unsafe fn load(_: *const u8) {}
    unsafe fn store(self, _: *mut u8) {}
}

macro_rules! pair_value {
    ($([$($g:tt)*] $t:ty),*) => {$(
        impl<$($g)*> Value for $t {
            const SIZE: usize = 2 * PTR;
            const ALIGN: usize = PTR;
            unsafe fn load(src: *const u8) -> Self {
                // SAFETY: the caller guarantees `2 * PTR` readable bytes at `src`.
                let ptr = unsafe { src.cast::<*mut u8>().read_unaligned() };
                // SAFETY: as above; the length follows the pointer.
                let len = unsafe { src.wrapping_add(PTR).cast::<usize>().read_unaligned() };
                // SAFETY: the caller guarantees the pair satisfies `from_pair`.
                unsafe { Pair::from_pair(ptr, len) }
            }
            unsafe fn store(self, dst: *mut u8) {
                let (ptr, len) = self.into_pair();
                // SAFETY: the caller guarantees `2 * PTR` writable bytes at `dst`.
                unsafe { dst.cast::<*const u8>().write_unaligned(ptr) };
                // SAFETY: as above; the length follows the pointer.
                unsafe { dst.wrapping_add(PTR).cast::<usize>().write_unaligned(len) };
            }
        }
    )*};
}
pair_value!(['a] &'a str, ['a, T: Pod] &'a [T], ['a, T: Pod] SharedSlice<'a, T>);
#[cfg(feature = "alloc")]
pair_value!([] String, [T: Pod] Vec<T>);

/// Offset of a variant payload of alignment `align` after the `u32` tag.
const fn payload_offset(align: usize) -> usize {
    round_up(4, align)
}

/// Reads a variant tag, trapping on values above `max`.
///
/// # Safety
///
/// `src` points to 4 readable bytes.
unsafe fn tag(src: *const u8, max: u32) -> u32 {
    // SAFETY: the caller guarantees 4 readable bytes.
    let tag = unsafe { src.cast::<u32>().read_unaligned() };
    assert!(tag <= max, "wasm ABI: invalid variant tag {tag}");
    tag
}

impl<T: Value> Value for Option<T> {
    const ALIGN: usize = max(4, T::ALIGN);
    const SIZE: usize = round_up(payload_offset(T::ALIGN) + T::SIZE, Self::ALIGN);
    unsafe fn load(src: *const u8) -> Self {
        // SAFETY: the caller guarantees `SIZE >= 4` readable bytes.
        match unsafe { tag(src, 1) } {
            0 => None,
            // SAFETY: `Some`'s payload is encoded at its offset, within `SIZE` bytes.
            _ => Some(unsafe { T::load(src.wrapping_add(payload_offset(T::ALIGN))) }),
        }
    }
    unsafe fn store(self, dst: *mut u8) {
        // SAFETY: the caller guarantees `SIZE >= 4` writable bytes.
        unsafe { dst.cast::<u32>().write_unaligned(self.is_some() as u32) };
        if let Some(v) = self {
            // SAFETY: the payload fits at its offset within `SIZE` bytes.
            unsafe { v.store(dst.wrapping_add(payload_offset(T::ALIGN))) }
        }
    }
}

impl<T: Value, E: Value> Value for Result<T, E> {
    const ALIGN: usize = max(4, max(T::ALIGN, E::ALIGN));
    const SIZE: usize = round_up(
        payload_offset(max(T::ALIGN, E::ALIGN)) + max(T::SIZE, E::SIZE),
        Self::ALIGN,
    );
    unsafe fn load(src: *const u8) -> Self {
        let off = payload_offset(max(T::ALIGN, E::ALIGN));
        // SAFETY: the caller guarantees `SIZE >= 4` readable bytes.
        match unsafe { tag(src, 1) } {
            // SAFETY: the `Ok` payload is encoded at `off`, within `SIZE` bytes.
            0 => Ok(unsafe { T::load(src.wrapping_add(off)) }),
            // SAFETY: the `Err` payload is encoded at `off`, within `SIZE` bytes.
            _ => Err(unsafe { E::load(src.wrapping_add(off)) }),
        }
    }
    unsafe fn store(self, dst: *mut u8) {
        let off = payload_offset(max(T::ALIGN, E::ALIGN));
        // SAFETY: the caller guarantees `SIZE >= 4` writable bytes.
        unsafe { dst.cast::<u32>().write_unaligned(self.is_err() as u32) };
        match self {
            // SAFETY: either payload fits at `off` within `SIZE` bytes.
            Ok(v) => unsafe { v.store(dst.wrapping_add(off)) },
            // SAFETY: as above.
            Err(e) => unsafe { e.store(dst.wrapping_add(off)) },
        }
    }
}

/// A stack buffer of `N` bytes aligned to 8, used as the return area of `#[import]` calls.
///
/// ```
/// let mut area = wasm::abi::RetArea::<12>::new();
/// assert_eq!(area.as_mut_ptr() as usize % 8, 0);
/// ```
#[repr(C, align(8))]
pub struct RetArea<const N: usize>([MaybeUninit<u8>; N]);

impl<const N: usize> RetArea<N> {
    /// An uninitialized area.
    ///
    /// ```
    /// let _ = wasm::abi::RetArea::<4>::new();
    /// ```
    pub const fn new() -> Self {
        RetArea([MaybeUninit::uninit(); N])
    }
    /// The area's address, for reading.
    ///
    /// ```
    /// let area = wasm::abi::RetArea::<4>::new();
    /// assert!(!area.as_ptr().is_null());
    /// ```
    pub const fn as_ptr(&self) -> *const u8 {
        self.0.as_ptr().cast()
    }
    /// The area's address, for writing (what the import receives).
    ///
    /// ```
    /// let mut area = wasm::abi::RetArea::<4>::new();
    /// assert!(!area.as_mut_ptr().is_null());
    /// ```
    pub const fn as_mut_ptr(&mut self) -> *mut u8 {
        self.0.as_mut_ptr().cast()
    }
}

impl<const N: usize> Default for RetArea<N> {
    fn default() -> Self {
        Self::new()
    }
}

/// `wasmrust_alloc`: a block of `size` bytes aligned to `align` from the global allocator.
///
/// `size == 0` returns `align` as a dangling address. Traps if `align` is not a power of two or
/// the allocation fails. Exported under this name on wasm targets.
///
/// ```
/// let p = wasm::abi::alloc(16, 8);
/// assert_eq!(p as usize % 8, 0);
/// // SAFETY: `p` came from `alloc(16, 8)` and is freed once.
/// unsafe { wasm::abi::free(p, 16, 8) };
/// assert_eq!(wasm::abi::alloc(0, 4) as usize, 4);
/// ```
#[cfg(feature = "alloc")]
pub fn alloc(size: usize, align: usize) -> *mut u8 {
    let layout = core::alloc::Layout::from_size_align(size, align)
        .expect("wasmrust_alloc: invalid size or alignment");
    if size == 0 {
        return core::ptr::without_provenance_mut(align);
    }
    // SAFETY: `layout` has a non-zero size (checked above).
    let ptr = unsafe { alloc_crate::alloc::alloc(layout) };
    if ptr.is_null() {
        alloc_crate::alloc::handle_alloc_error(layout);
    }
    ptr
}

/// `wasmrust_free`: frees a block from [`alloc`]. Exported under this name on wasm targets.
///
/// ```
/// // SAFETY: a zero-size "block" is never allocated, so freeing it does nothing.
/// unsafe { wasm::abi::free(wasm::abi::alloc(0, 1), 0, 1) };
/// ```
///
/// # Safety
///
/// Unless `size == 0`, `ptr` came from `alloc(size, align)` with these exact arguments (which is
/// how owned strings and vectors are described) and is freed only once.
#[cfg(feature = "alloc")]
pub unsafe fn free(ptr: *mut u8, size: usize, align: usize) {
    if size == 0 {
        return;
    }
    // SAFETY: the caller guarantees `alloc(size, align)` succeeded with these arguments, so the
    // layout is valid and describes the block.
    let layout = unsafe { core::alloc::Layout::from_size_align_unchecked(size, align) };
    // SAFETY: the caller guarantees `ptr` was allocated with `layout` and is freed once.
    unsafe { alloc_crate::alloc::dealloc(ptr, layout) }
}

#[cfg(all(feature = "alloc", target_family = "wasm"))]
mod exports {
    /// # Safety
    ///
    /// None beyond `alloc`'s: misuse traps.
    #[unsafe(no_mangle)]
    extern "C" fn wasmrust_alloc(size: usize, align: usize) -> *mut u8 {
        super::alloc(size, align)
    }

    /// # Safety
    ///
    /// As [`super::free`]; the host promises it by the ABI contract.
    #[unsafe(no_mangle)]
    unsafe extern "C" fn wasmrust_free(ptr: *mut u8, size: usize, align: usize) {
        // SAFETY: the host passes back exactly what `wasmrust_alloc` returned and was asked for
        // (the ABI's ownership rules), once.
        unsafe { super::free(ptr, size, align) }
    }
}

#[cfg(all(test, feature = "alloc"))]
mod tests {
    use super::*;
    use crate::externref::host;
    use alloc_crate::{string::ToString, vec};

    /// Stores `v` in a fresh area and loads it back.
    fn round_trip<T: Value>(v: T) -> T {
        let mut area = [0u64; 8];
        assert!(T::SIZE <= 64 && T::ALIGN <= 8 && T::ALIGN.is_power_of_two());
        let p = area.as_mut_ptr().cast::<u8>();
        // SAFETY: 64 writable, readable bytes; we load exactly what we stored.
        unsafe {
            v.store(p);
        }
        // SAFETY: as above.
        unsafe { T::load(p) }
    }

    #[test]
    fn layouts_follow_the_documented_rules() {
        assert_eq!((<Option<u8>>::SIZE, <Option<u8>>::ALIGN), (8, 4));
        assert_eq!((<Option<f64>>::SIZE, <Option<f64>>::ALIGN), (16, 8));
        assert_eq!((<Option<()>>::SIZE, <Option<()>>::ALIGN), (4, 4));
        assert_eq!((<Result<(), u32>>::SIZE, <Result<(), u32>>::ALIGN), (8, 4));
        assert_eq!((<Result<u64, u8>>::SIZE, <Result<u64, u8>>::ALIGN), (16, 8));
        assert_eq!(<Option<Option<u32>>>::SIZE, 12);
        // Pair types: 2·PTR, aligned to PTR; on wasm32 this is 8/4, here (64-bit host) 16/8.
        assert_eq!((<&str>::SIZE, <&str>::ALIGN), (2 * PTR, PTR));
        assert_eq!(<Option<String>>::SIZE, round_up(4, PTR) + 2 * PTR);
        assert_eq!(<Result<String, u32>>::SIZE, round_up(4, PTR) + 2 * PTR);
    }

    #[test]
    fn scalars_and_variants_round_trip() {
        assert_eq!(round_trip(-5i8), -5);
        assert_eq!(round_trip(u16::MAX), u16::MAX);
        assert_eq!(round_trip(u64::MAX), u64::MAX);
        assert_eq!(round_trip(-0.5f32), -0.5);
        assert_eq!(round_trip(core::f64::consts::PI), core::f64::consts::PI);
        assert!(round_trip(true));
        assert_eq!(round_trip('é'), 'é');
        assert_eq!(round_trip(Some(Some(3u32))), Some(Some(3)));
        assert_eq!(round_trip(None::<u64>), None);
        assert_eq!(round_trip(Ok::<_, ()>(9i64)), Ok(9));
        assert_eq!(round_trip(Err::<u8, _>(Some(2.5f64))), Err(Some(2.5)));
        // Sign extension is part of the ABI: an `i8` travels as an `i32`.
        assert_eq!((-1i8).into_core(), -1i32);
        assert_eq!(200u8.into_core(), 200i32);
    }

    #[test]
    fn borrowed_pairs_round_trip_and_allow_empty_null() {
        let words = [1u32, 2, 3];
        assert_eq!(round_trip(&words[..]), &words);
        assert_eq!(round_trip("héllo"), "héllo");
        assert_eq!(
            round_trip(SharedSlice::new(&words[1..])).as_slice(),
            &[2, 3]
        );
        // SAFETY: `len == 0`, so the (null) pointer is ignored.
        let empty: &[u64] = unsafe { Pair::from_pair(core::ptr::null_mut(), 0) };
        assert!(empty.is_empty());
    }

    #[test]
    fn owned_pairs_transfer_their_block() {
        // Host side: allocate exactly as the ABI says and hand the block over.
        let text = "owned ✓";
        let p = alloc(text.len(), 1);
        // SAFETY: `p` has `text.len()` fresh bytes.
        unsafe { p.copy_from_nonoverlapping(text.as_ptr(), text.len()) };
        // SAFETY: the block comes from `alloc(len, 1)` and we give it up.
        let s: String = unsafe { Pair::from_pair(p, text.len()) };
        assert_eq!(s, text);
        // Back to the host: the receiver frees with (len * size, align).
        let v = vec![1.5f64, 2.5];
        let (ptr, len) = v.into_pair();
        // SAFETY: `into_pair` handed us a block of exactly `len` f64s.
        let back = unsafe { core::slice::from_raw_parts(ptr.cast::<f64>(), len) }.to_vec();
        assert_eq!(back, [1.5, 2.5]);
        // SAFETY: as the module docs say for a returned `Vec<f64>` of length `len`.
        unsafe { free(ptr.cast_mut(), len * 8, 8) };
        assert_eq!(round_trip(Some("x".to_string())), Some("x".to_string()));
        assert_eq!(
            round_trip(Err::<Vec<u8>, String>("e".into())),
            Err("e".into())
        );
        assert_eq!(round_trip(Ok::<Vec<u16>, ()>(vec![])), Ok(vec![]));
    }

    #[test]
    #[should_panic(expected = "not UTF-8")]
    fn invalid_utf8_traps() {
        let bytes = [0xffu8, 0xfe];
        // SAFETY: two live, initialized bytes, borrowed for the call.
        let _: &str = unsafe { Pair::from_pair(bytes.as_ptr().cast_mut(), 2) };
    }

    #[test]
    #[should_panic(expected = "not aligned")]
    fn misaligned_slices_trap() {
        let words = [0u32; 2];
        let p = words.as_ptr().cast::<u8>().cast_mut().wrapping_add(1);
        // SAFETY: four live bytes follow `p`; the misalignment is what is tested.
        let _: &[u16] = unsafe { Pair::from_pair(p, 1) };
    }

    #[test]
    #[should_panic(expected = "invalid variant tag 2")]
    fn invalid_tags_trap() {
        let area = [2u32, 0];
        // SAFETY: 8 readable bytes, the size of `Option<u32>`.
        let _ = unsafe { <Option<u32>>::load(area.as_ptr().cast()) };
    }

    #[test]
    fn handles_travel_as_slot_indices() {
        let owned = host::new_value(false);
        let index = owned.as_ref().index();
        let back: OwnedExternRef = round_trip(owned);
        assert_eq!(back.as_ref().index(), index);
        let borrowed = round_trip(Some(back.as_ref()));
        assert_eq!(borrowed.map(ExternRef::index), Some(index));
        // SAFETY: `0` is the null index; `from_core` rejects it for a non-`Option` handle.
        let null = std::panic::catch_unwind(|| unsafe { <ExternRef<'_> as Scalar>::from_core(0) });
        assert!(null.is_err());
    }
}
