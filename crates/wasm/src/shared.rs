//! Zero-copy views over linear memory for the host.
//!
//! A [`SharedSlice`] is what a wasm function hands to JavaScript (or any host) so the host can
//! build a `TypedArray` over the module's memory without copying:
//! `new Float32Array(memory.buffer, addr, len)` with `(addr, len)` from [`SharedSlice::to_raw_parts`].
//! The `T: Pod` bound is what makes that sound: the host may read the bytes in any way.

use crate::pod::{self, CastError, Pod};

/// A shared, zero-copy view of `len` `T`s in linear memory, borrowed for `'a`.
///
/// It is a `&'a [T]` with a host-facing API: the raw parts are a byte address and an element
/// count, which is exactly what a `TypedArray` constructor takes. It is `Copy`, and `Send`/`Sync`
/// like `&[T]` (a `Pod` type has no interior mutability).
///
/// ```
/// use wasm::SharedSlice;
/// let samples = [0.5f32, -1.0, 2.0];
/// let view = SharedSlice::new(&samples);
/// let (addr, len) = view.to_raw_parts();
/// assert_eq!((addr, len), (samples.as_ptr() as usize, 3));
/// assert_eq!(view.get(1), Some(-1.0));
/// assert_eq!(view.byte_len(), 12);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(transparent)]
pub struct SharedSlice<'a, T: Pod> {
    slice: &'a [T],
}

impl<'a, T: Pod> SharedSlice<'a, T> {
    /// Shares `slice` for as long as it is borrowed.
    ///
    /// ```
    /// assert_eq!(wasm::SharedSlice::new(&[1u8, 2]).len(), 2);
    /// ```
    pub const fn new(slice: &'a [T]) -> Self {
        SharedSlice { slice }
    }

    /// Views bytes as `T`s, checking alignment and length (see [`pod::cast_slice`]).
    ///
    /// ```
    /// let words = [1u32, 2];
    /// let bytes = wasm::pod::slice_as_bytes(&words);
    /// let view = wasm::SharedSlice::<u32>::from_bytes(bytes).unwrap();
    /// assert_eq!(view.as_slice(), &[1, 2]);
    /// assert!(wasm::SharedSlice::<u32>::from_bytes(&bytes[1..]).is_err());
    /// ```
    pub fn from_bytes(bytes: &'a [u8]) -> Result<Self, CastError> {
        pod::cast_slice(bytes).map(Self::new)
    }

    /// Rebuilds a view from raw parts received from the host (the inverse of [`to_raw_parts`]).
    ///
    /// [`to_raw_parts`]: SharedSlice::to_raw_parts
    ///
    /// ```
    /// let data = [3u16, 4, 5];
    /// let (addr, len) = wasm::SharedSlice::new(&data).to_raw_parts();
    /// // SAFETY: `addr`/`len` describe `data`, which outlives `view` and is not mutated.
    /// let view = unsafe { wasm::SharedSlice::<u16>::from_raw_parts(addr as *const u16, len) };
    /// assert_eq!(view.as_slice(), &data);
    /// ```
    ///
    /// # Safety
    ///
    /// - `ptr` is non-null and aligned for `T` (it may dangle when `len == 0`), and
    /// - `ptr..ptr + len * size_of::<T>()` lies in one allocation (on wasm: inside linear memory),
    ///   holds initialized bytes, and is not written to (by Rust or the host) for `'a`, and
    /// - `len * size_of::<T>()` is at most `isize::MAX`.
    ///
    /// Every bit pattern is a valid `T` (`Pod`), so the bytes may come from anywhere.
    pub unsafe fn from_raw_parts(ptr: *const T, len: usize) -> Self {
        // SAFETY: forwarded: the caller upholds exactly `slice::from_raw_parts`'s contract above,
        // and any initialized bytes are valid `T`s because `T: Pod`.
        Self::new(unsafe { core::slice::from_raw_parts(ptr, len) })
    }

    /// The byte address of the first element and the element count, for a host `TypedArray`.
    ///
    /// ```
    /// let data = [1i32; 4];
    /// assert_eq!(wasm::SharedSlice::new(&data).to_raw_parts().1, 4);
    /// ```
    pub fn to_raw_parts(self) -> (usize, usize) {
        (self.slice.as_ptr() as usize, self.slice.len())
    }

    /// A raw pointer to the first element.
    ///
    /// ```
    /// let data = [1u8];
    /// assert_eq!(wasm::SharedSlice::new(&data).as_ptr(), data.as_ptr());
    /// ```
    pub const fn as_ptr(self) -> *const T {
        self.slice.as_ptr()
    }

    /// The number of elements.
    ///
    /// ```
    /// assert_eq!(wasm::SharedSlice::<u64>::new(&[]).len(), 0);
    /// ```
    pub const fn len(self) -> usize {
        self.slice.len()
    }

    /// Whether the view has no elements.
    ///
    /// ```
    /// assert!(wasm::SharedSlice::<u64>::new(&[]).is_empty());
    /// ```
    pub const fn is_empty(self) -> bool {
        self.slice.is_empty()
    }

    /// The length in bytes (`len() * size_of::<T>()`).
    ///
    /// ```
    /// assert_eq!(wasm::SharedSlice::new(&[0u16; 5]).byte_len(), 10);
    /// ```
    pub const fn byte_len(self) -> usize {
        size_of_val(self.slice)
    }

    /// A copy of element `index`, or `None` when out of bounds.
    ///
    /// ```
    /// let view = wasm::SharedSlice::new(&[9u8]);
    /// assert_eq!((view.get(0), view.get(1)), (Some(9), None));
    /// ```
    pub fn get(self, index: usize) -> Option<T> {
        self.slice.get(index).copied()
    }

    /// The sub-view `range`, or `None` when out of bounds.
    ///
    /// ```
    /// let view = wasm::SharedSlice::new(&[1u8, 2, 3]);
    /// assert_eq!(view.slice(1..3).unwrap().as_slice(), &[2, 3]);
    /// assert!(view.slice(2..4).is_none());
    /// ```
    pub fn slice(self, range: core::ops::Range<usize>) -> Option<Self> {
        self.slice.get(range).map(Self::new)
    }

    /// The elements as an ordinary slice.
    ///
    /// ```
    /// assert_eq!(wasm::SharedSlice::new(&[1u8]).as_slice(), &[1]);
    /// ```
    pub const fn as_slice(self) -> &'a [T] {
        self.slice
    }

    /// The elements as bytes.
    ///
    /// ```
    /// assert_eq!(wasm::SharedSlice::new(&[0x0102u16]).as_bytes(), &0x0102u16.to_ne_bytes());
    /// ```
    pub fn as_bytes(self) -> &'a [u8] {
        pod::slice_as_bytes(self.slice)
    }

    /// Iterates over copies of the elements.
    ///
    /// ```
    /// let sum: u32 = wasm::SharedSlice::new(&[1u32, 2, 3]).iter().sum();
    /// assert_eq!(sum, 6);
    /// ```
    pub fn iter(self) -> core::iter::Copied<core::slice::Iter<'a, T>> {
        self.slice.iter().copied()
    }
}

impl<'a, T: Pod> From<&'a [T]> for SharedSlice<'a, T> {
    fn from(slice: &'a [T]) -> Self {
        Self::new(slice)
    }
}

impl<'a, T: Pod> IntoIterator for SharedSlice<'a, T> {
    type Item = T;
    type IntoIter = core::iter::Copied<core::slice::Iter<'a, T>>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_parts_round_trip_and_accessors() {
        let data = [1.0f64, 2.0, 3.0, 4.0];
        let view = SharedSlice::new(&data[1..]);
        let (addr, len) = view.to_raw_parts();
        assert_eq!(addr, data.as_ptr() as usize + 8);
        assert_eq!(len, 3);
        // SAFETY: the parts come from `view`, which borrows `data` for this whole test.
        let back = unsafe { SharedSlice::<f64>::from_raw_parts(addr as *const f64, len) };
        assert_eq!(back, view);
        assert_eq!(back.iter().collect::<std::vec::Vec<_>>(), [2.0, 3.0, 4.0]);
        assert_eq!(back.get(3), None);
        assert_eq!(back.slice(1..1).map(SharedSlice::len), Some(0));
        assert_eq!(back.as_bytes().len(), 24);
    }

    #[test]
    fn from_bytes_checks() {
        let data = [0u32; 2];
        let bytes = pod::slice_as_bytes(&data);
        assert_eq!(SharedSlice::<u32>::from_bytes(bytes).unwrap().len(), 2);
        assert!(SharedSlice::<u32>::from_bytes(&bytes[..3]).is_err());
        assert!(SharedSlice::<u16>::from_bytes(&bytes[2..]).is_ok());
    }
}
