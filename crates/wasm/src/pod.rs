//! Plain old data: types whose bytes can be shared with the host as they are.
//!
//! [`Pod`] is the bound of every zero-copy API in this crate ([`SharedSlice`](crate::SharedSlice),
//! [`memory::Region`](crate::memory::Region), slices in the [`abi`](crate::abi)). Implement it with
//! `#[derive(Pod)]` from `wasm-macros`, which proves the conditions below at compile time.
//!
//! The free functions here are the only ways this crate turns values into bytes and back.

use core::fmt;
use core::mem::{align_of, size_of};

/// A type whose every byte is initialized data and whose every bit pattern is a valid value.
///
/// ```
/// let words = [0x0403_0201u32, 0x0807_0605];
/// assert_eq!(wasm::pod::slice_as_bytes(&words).len(), 8);
/// assert_eq!(wasm::pod::zeroed::<[u16; 3]>(), [0; 3]);
/// ```
///
/// # Safety
///
/// Implementing `Pod` for `T` promises all of:
///
/// 1. **No padding**: `size_of::<T>()` equals the sum of the sizes of its fields, so a `&T` can be
///    read as `size_of::<T>()` initialized bytes ([`bytes_of`]).
/// 2. **Every bit pattern is valid**: any `size_of::<T>()` initialized bytes, suitably aligned, are
///    a valid `T` ([`cast_slice`], [`read`]). This rules out `bool`, `char`, enums, `NonZero*`,
///    references and function pointers.
/// 3. **No interior mutability**: `T` contains no `UnsafeCell`, so bytes seen through `&T` do not
///    change while borrowed.
/// 4. **No pointers and no lifetimes** (`T: 'static`): raw pointers are bit-valid but their bytes
///    carry no provenance and mean nothing to the host, so they are excluded by policy.
///
/// `#[derive(Pod)]` checks 1 with a compile-time size assertion, requires `#[repr(C)]` or
/// `#[repr(transparent)]` so the layout is defined, requires every field to be `Pod` (2, 3, 4),
/// and rejects enums, unions and generic types.
pub unsafe trait Pod: Copy + 'static {}

macro_rules! impl_pod {
    ($($t:ty),*) => {$(
        // SAFETY: primitive integers and floats have no padding, no invalid bit patterns,
        // no interior mutability and no pointers.
        unsafe impl Pod for $t {}
    )*};
}
impl_pod!(
    u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize, f32, f64
);

// SAFETY: an array is `N` consecutive `T`s with no padding between or after them (its size is
// exactly `N * size_of::<T>()`), so it inherits conditions 1-4 from `T: Pod`.
unsafe impl<T: Pod, const N: usize> Pod for [T; N] {}

/// Why a byte slice could not be viewed as `[T]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CastError {
    /// The start address is not a multiple of `align_of::<T>()`.
    Misaligned {
        /// The address of the first byte.
        addr: usize,
        /// The alignment `T` needs.
        align: usize,
    },
    /// The byte length is not a multiple of `size_of::<T>()` (or not exactly it, for [`read`]).
    Length {
        /// The byte length given.
        len: usize,
        /// The size of `T`.
        size: usize,
    },
    /// `T` is zero-sized, so a byte length says nothing about the element count.
    ZeroSized,
}

impl fmt::Display for CastError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            CastError::Misaligned { addr, align } => {
                write!(f, "address {addr:#x} is not aligned to {align} bytes")
            }
            CastError::Length { len, size } => {
                write!(
                    f,
                    "{len} bytes is not a whole number of {size}-byte elements"
                )
            }
            CastError::ZeroSized => f.write_str("cannot cast bytes to a zero-sized type"),
        }
    }
}

impl core::error::Error for CastError {}

/// Checks that `bytes` can be viewed as `[T]` and returns the element count.
fn check<T: Pod>(bytes: &[u8]) -> Result<usize, CastError> {
    let size = size_of::<T>();
    if size == 0 {
        return Err(CastError::ZeroSized);
    }
    let addr = bytes.as_ptr() as usize;
    if !addr.is_multiple_of(align_of::<T>()) {
        return Err(CastError::Misaligned {
            addr,
            align: align_of::<T>(),
        });
    }
    if !bytes.len().is_multiple_of(size) {
        return Err(CastError::Length {
            len: bytes.len(),
            size,
        });
    }
    Ok(bytes.len() / size)
}

/// Returns the `T` filled with zero bytes.
///
/// ```
/// assert_eq!(wasm::pod::zeroed::<f64>(), 0.0);
/// ```
pub fn zeroed<T: Pod>() -> T {
    // SAFETY: all-zero bytes are a bit pattern, and every bit pattern is a valid `T` (`Pod` #2).
    unsafe { core::mem::zeroed() }
}

/// Views a value as its bytes.
///
/// ```
/// assert_eq!(wasm::pod::bytes_of(&0x0201u16), &0x0201u16.to_ne_bytes());
/// ```
pub fn bytes_of<T: Pod>(value: &T) -> &[u8] {
    slice_as_bytes(core::slice::from_ref(value))
}

/// Views a slice of `Pod` values as its bytes.
///
/// ```
/// assert_eq!(wasm::pod::slice_as_bytes(&[1u8, 2, 3]), &[1, 2, 3]);
/// ```
pub fn slice_as_bytes<T: Pod>(values: &[T]) -> &[u8] {
    // SAFETY: `values` covers `size_of_val(values)` bytes of one live allocation, borrowed for the
    // returned lifetime; they are all initialized because `T` has no padding (`Pod` #1) and they
    // cannot change while shared because `T` has no interior mutability (`Pod` #3). `u8` has
    // alignment 1, and the length fits `isize` because `values` already does.
    unsafe { core::slice::from_raw_parts(values.as_ptr().cast::<u8>(), size_of_val(values)) }
}

/// Views a mutable slice of `Pod` values as its bytes; writes through it change the values.
///
/// ```
/// let mut v = [0u16; 2];
/// wasm::pod::slice_as_bytes_mut(&mut v)[0] = 0xff;
/// assert_eq!(v[0], u16::from_ne_bytes([0xff, 0]));
/// ```
pub fn slice_as_bytes_mut<T: Pod>(values: &mut [T]) -> &mut [u8] {
    let len = size_of_val(values);
    // SAFETY: as in `slice_as_bytes`, and the unique borrow of `values` becomes the unique borrow of
    // the bytes; any bytes written form a valid `T` because every bit pattern is one (`Pod` #2).
    unsafe { core::slice::from_raw_parts_mut(values.as_mut_ptr().cast::<u8>(), len) }
}

/// Views bytes as a slice of `T`, checking alignment and length.
///
/// ```
/// use wasm::pod::{cast_slice, CastError};
/// let words = [7u32, 9];
/// let bytes = wasm::pod::slice_as_bytes(&words);
/// assert_eq!(cast_slice::<u32>(bytes), Ok(&words[..]));
/// assert!(matches!(cast_slice::<u32>(&bytes[1..5]), Err(CastError::Misaligned { .. })));
/// assert_eq!(cast_slice::<u32>(&bytes[..6]), Err(CastError::Length { len: 6, size: 4 }));
/// ```
pub fn cast_slice<T: Pod>(bytes: &[u8]) -> Result<&[T], CastError> {
    let len = check::<T>(bytes)?;
    // SAFETY: `check` proved the start is aligned for `T` and the bytes are exactly `len` whole
    // `T`s; the bytes are initialized (they are a `&[u8]`) and every bit pattern is a valid `T`
    // (`Pod` #2). The shared borrow of `bytes` is carried over to the result.
    Ok(unsafe { core::slice::from_raw_parts(bytes.as_ptr().cast::<T>(), len) })
}

/// Views mutable bytes as a mutable slice of `T`, checking alignment and length.
///
/// ```
/// let mut buf = [0u64; 1];
/// let bytes = wasm::pod::slice_as_bytes_mut(&mut buf);
/// wasm::pod::cast_slice_mut::<u32>(bytes).unwrap()[1] = 5;
/// assert_ne!(buf[0], 0);
/// ```
pub fn cast_slice_mut<T: Pod>(bytes: &mut [u8]) -> Result<&mut [T], CastError> {
    let len = check::<T>(bytes)?;
    // SAFETY: as in `cast_slice`; the unique borrow of `bytes` becomes the unique borrow of the
    // result, and any `T` written leaves initialized bytes behind (`Pod` #1).
    Ok(unsafe { core::slice::from_raw_parts_mut(bytes.as_mut_ptr().cast::<T>(), len) })
}

/// Reads a `T` from exactly `size_of::<T>()` bytes at any alignment.
///
/// ```
/// assert_eq!(wasm::pod::read::<u16>(&[1, 0]), Ok(u16::from_ne_bytes([1, 0])));
/// assert!(wasm::pod::read::<u16>(&[1, 0, 0]).is_err());
/// ```
pub fn read<T: Pod>(bytes: &[u8]) -> Result<T, CastError> {
    if bytes.len() != size_of::<T>() {
        return Err(CastError::Length {
            len: bytes.len(),
            size: size_of::<T>(),
        });
    }
    // SAFETY: `bytes` holds exactly `size_of::<T>()` initialized bytes, `read_unaligned` needs no
    // alignment, and every bit pattern is a valid `T` (`Pod` #2).
    Ok(unsafe { bytes.as_ptr().cast::<T>().read_unaligned() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_bytes() {
        let v: [i32; 3] = [-1, 0, i32::MAX];
        let b = slice_as_bytes(&v);
        assert_eq!(b.len(), 12);
        assert_eq!(cast_slice::<i32>(b).unwrap(), &v);
        assert_eq!(read::<[i32; 3]>(b).unwrap(), v);
        assert_eq!(read::<i32>(&b[4..8]).unwrap(), 0);
    }

    #[test]
    fn rejects_misalignment_and_bad_length() {
        let v = [0u64; 2];
        let b = slice_as_bytes(&v);
        assert_eq!(
            cast_slice::<u64>(&b[4..12]),
            Err(CastError::Misaligned {
                addr: b.as_ptr() as usize + 4,
                align: 8
            })
        );
        assert_eq!(
            cast_slice::<u32>(&b[..7]),
            Err(CastError::Length { len: 7, size: 4 })
        );
        assert_eq!(cast_slice::<[u8; 0]>(b), Err(CastError::ZeroSized));
        assert_eq!(cast_slice::<u32>(&b[..0]).unwrap().len(), 0);
    }

    #[test]
    fn mutable_views_write_through() {
        let mut v = [0u32; 2];
        cast_slice_mut::<u16>(slice_as_bytes_mut(&mut v)).unwrap()[3] = 0xabcd;
        assert_eq!(v[1].to_ne_bytes()[2..], 0xabcdu16.to_ne_bytes());
        assert_eq!(zeroed::<[f64; 2]>(), [0.0; 2]);
    }

    #[test]
    fn errors_display() {
        use std::string::ToString;
        assert_eq!(
            CastError::Misaligned { addr: 3, align: 4 }.to_string(),
            "address 0x3 is not aligned to 4 bytes"
        );
        assert_eq!(
            CastError::Length { len: 5, size: 4 }.to_string(),
            "5 bytes is not a whole number of 4-byte elements"
        );
    }
}
