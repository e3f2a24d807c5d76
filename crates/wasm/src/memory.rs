//! Isolated, bounds-checked arenas: [`Region`].
//!
//! A `Region` is a bump arena over a byte buffer it borrows. Values are addressed by typed
//! [`Handle`]s (an offset, a length, the region's id and its generation), never by pointers, and
//! every access checks the handle against the region: same region, not reset since, in bounds,
//! aligned. The code is entirely safe Rust: byte views go through [`crate::pod`].
//!
//! # Multi-memory placement
//!
//! Regions are designed so that a later toolchain pass can give each its own wasm memory
//! (multi-memory proposal), isolating it from the rest of the module:
//!
//! - a handle is an **offset from the region's base**, so it stays meaningful when the region's
//!   bytes move to address 0 of memory *k*; nothing in this module stores absolute addresses;
//! - [`Region::read`] / [`Region::write`] move values by copy and lower to single
//!   `load`/`store` instructions with `memory = k` after the pass;
//! - [`Region::get`] / [`Region::get_mut`] / [`Region::slice`] / [`Region::shared`] return Rust
//!   references, which are addresses in memory 0, so a region used through them stays in memory 0.
//!   Code that wants its region relocated uses only `read`/`write` (the pass can check this).
//!
//! Today every region lives in memory 0, inside the buffer it was given.

use crate::pod::{self, Pod};
use crate::shared::SharedSlice;
use core::fmt;
use core::marker::PhantomData;
use core::mem::{align_of, size_of};
use core::sync::atomic::{AtomicU32, Ordering};

static NEXT_ID: AtomicU32 = AtomicU32::new(1);

/// An arena over a borrowed byte buffer. See the [module docs](self).
///
/// ```
/// use wasm::memory::Region;
/// let mut buf = [0u8; 64];
/// let mut region = Region::new(&mut buf);
/// let a = region.alloc(7u32).unwrap();
/// let xs = region.alloc_slice(&[1.0f32, 2.0]).unwrap();
/// *region.get_mut(a).unwrap() += 1;
/// assert_eq!(region.read(a), Ok(8));
/// assert_eq!(region.slice(xs).unwrap(), &[1.0, 2.0]);
/// region.reset();
/// assert!(region.get(a).is_err()); // stale handle
/// ```
pub struct Region<'buf> {
    buf: &'buf mut [u8],
    used: usize,
    id: u32,
    generation: u32,
}

/// A typed reference to a value (`Handle<T>`) or slice (`Handle<[T]>`) in a [`Region`].
///
/// `Copy`, `Send` and `Sync`: it is only numbers, checked on every use.
///
/// ```
/// # use wasm::memory::Region;
/// let mut buf = [0u8; 16];
/// let mut region = Region::new(&mut buf);
/// let h = region.alloc(1u16).unwrap();
/// let h2 = h; // Copy
/// assert_eq!((h.offset(), h2.len()), (0, 1));
/// ```
pub struct Handle<T: ?Sized> {
    offset: u32,
    len: u32,
    region: u32,
    generation: u32,
    _type: PhantomData<fn() -> *const T>,
}

impl<T: ?Sized> Clone for Handle<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: ?Sized> Copy for Handle<T> {}
impl<T: ?Sized> PartialEq for Handle<T> {
    fn eq(&self, o: &Self) -> bool {
        (self.offset, self.len, self.region, self.generation)
            == (o.offset, o.len, o.region, o.generation)
    }
}
impl<T: ?Sized> Eq for Handle<T> {}
impl<T: ?Sized> fmt::Debug for Handle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Handle(region {} gen {} @{}+{})",
            self.region, self.generation, self.offset, self.len
        )
    }
}

impl<T: ?Sized> Handle<T> {
    /// Byte offset from the region's base.
    ///
    /// ```
    /// # let mut buf = [0u8; 16];
    /// # let mut region = wasm::memory::Region::new(&mut buf);
    /// assert_eq!(region.alloc(0u8).unwrap().offset(), 0);
    /// ```
    pub fn offset(self) -> u32 {
        self.offset
    }
    /// Element count: 1 for a value handle.
    ///
    /// ```
    /// # let mut buf = [0u8; 16];
    /// # let mut region = wasm::memory::Region::new(&mut buf);
    /// assert_eq!(region.alloc_slice(&[0u8; 3]).unwrap().len(), 3);
    /// ```
    pub fn len(self) -> u32 {
        self.len
    }
    /// Whether the handle covers no elements (an empty slice).
    ///
    /// ```
    /// # let mut buf = [0u8; 16];
    /// # let mut region = wasm::memory::Region::new(&mut buf);
    /// assert!(region.alloc_slice::<u8>(&[]).unwrap().is_empty());
    /// ```
    pub fn is_empty(self) -> bool {
        self.len == 0
    }
}

/// Why a region operation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionError {
    /// Not enough space left (after alignment) for the allocation.
    OutOfSpace {
        /// Bytes the allocation needed, including alignment padding.
        requested: usize,
        /// Bytes left.
        remaining: usize,
    },
    /// The handle belongs to another region.
    WrongRegion,
    /// The region was [reset](Region::reset) after the handle was made.
    Stale,
    /// The handle does not lie within the region's allocated bytes (a forged or corrupted handle).
    OutOfBounds,
    /// Zero-sized types are not allocated in regions.
    ZeroSized,
}

impl fmt::Display for RegionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegionError::OutOfSpace {
                requested,
                remaining,
            } => {
                write!(
                    f,
                    "region out of space: {requested} bytes requested, {remaining} left"
                )
            }
            RegionError::WrongRegion => f.write_str("handle belongs to another region"),
            RegionError::Stale => f.write_str("handle is stale: the region was reset"),
            RegionError::OutOfBounds => {
                f.write_str("handle lies outside the region's allocated bytes")
            }
            RegionError::ZeroSized => f.write_str("zero-sized types are not allocated in regions"),
        }
    }
}

impl core::error::Error for RegionError {}

impl<'buf> Region<'buf> {
    /// A region over `buf`, with a fresh id. Handles are `u32` offsets, so only the first
    /// `u32::MAX` bytes of `buf` are used.
    ///
    /// ```
    /// let mut buf = [0u8; 8];
    /// assert_eq!(wasm::memory::Region::new(&mut buf).capacity(), 8);
    /// ```
    pub fn new(buf: &'buf mut [u8]) -> Self {
        let len = buf.len().min(u32::MAX as usize);
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        Region {
            buf: &mut buf[..len],
            used: 0,
            id,
            generation: 0,
        }
    }

    /// Total bytes.
    ///
    /// ```
    /// # let mut buf = [0u8; 8];
    /// assert_eq!(wasm::memory::Region::new(&mut buf).capacity(), 8);
    /// ```
    pub fn capacity(&self) -> usize {
        self.buf.len()
    }

    /// Bytes handed out so far, including alignment padding.
    ///
    /// ```
    /// # let mut buf = [0u8; 8];
    /// let mut r = wasm::memory::Region::new(&mut buf);
    /// r.alloc(1u16).unwrap();
    /// assert_eq!(r.used(), 2);
    /// ```
    pub fn used(&self) -> usize {
        self.used
    }

    /// Bytes still free (before alignment padding).
    ///
    /// ```
    /// # let mut buf = [0u8; 8];
    /// let mut r = wasm::memory::Region::new(&mut buf);
    /// r.alloc(1u32).unwrap();
    /// assert_eq!(r.remaining(), 4);
    /// ```
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.used
    }

    /// Copies `value` into the region.
    ///
    /// ```
    /// # let mut buf = [0u8; 4];
    /// let mut r = wasm::memory::Region::new(&mut buf);
    /// assert!(r.alloc(1u32).is_ok());
    /// assert!(r.alloc(1u8).is_err());
    /// ```
    pub fn alloc<T: Pod>(&mut self, value: T) -> Result<Handle<T>, RegionError> {
        let h = self.alloc_slice(core::slice::from_ref(&value))?;
        Ok(Handle {
            offset: h.offset,
            len: 1,
            region: h.region,
            generation: h.generation,
            _type: PhantomData,
        })
    }

    /// Copies `values` into the region.
    ///
    /// ```
    /// # let mut buf = [0u8; 16];
    /// let mut r = wasm::memory::Region::new(&mut buf);
    /// let h = r.alloc_slice(&[1u8, 2, 3]).unwrap();
    /// assert_eq!(r.slice(h).unwrap(), &[1, 2, 3]);
    /// ```
    pub fn alloc_slice<T: Pod>(&mut self, values: &[T]) -> Result<Handle<[T]>, RegionError> {
        if size_of::<T>() == 0 {
            return Err(RegionError::ZeroSized);
        }
        let base = self.buf.as_ptr() as usize;
        // Align the absolute address: the buffer never moves while borrowed.
        let start = (base + self.used).next_multiple_of(align_of::<T>()) - base;
        let bytes = size_of_val(values);
        let end = start
            .checked_add(bytes)
            .filter(|&end| end <= self.buf.len())
            .ok_or(RegionError::OutOfSpace {
                requested: start - self.used + bytes,
                remaining: self.remaining(),
            })?;
        self.buf[start..end].copy_from_slice(pod::slice_as_bytes(values));
        self.used = end;
        Ok(Handle {
            // Both fit: `end <= buf.len() <= u32::MAX` and `values.len() <= bytes`.
            offset: start as u32,
            len: values.len() as u32,
            region: self.id,
            generation: self.generation,
            _type: PhantomData,
        })
    }

    /// Checks `h` and returns its byte range.
    fn range<T: ?Sized>(
        &self,
        h: Handle<T>,
        elem: usize,
    ) -> Result<core::ops::Range<usize>, RegionError> {
        if h.region != self.id {
            return Err(RegionError::WrongRegion);
        }
        if h.generation != self.generation {
            return Err(RegionError::Stale);
        }
        let start = h.offset as usize;
        let end = (h.len as usize)
            .checked_mul(elem)
            .and_then(|n| n.checked_add(start));
        match end {
            Some(end) if end <= self.used => Ok(start..end),
            _ => Err(RegionError::OutOfBounds),
        }
    }

    /// Borrows the value behind `h`.
    ///
    /// ```
    /// # let mut buf = [0u8; 8];
    /// let mut r = wasm::memory::Region::new(&mut buf);
    /// let h = r.alloc(5i32).unwrap();
    /// assert_eq!(r.get(h), Ok(&5));
    /// ```
    pub fn get<T: Pod>(&self, h: Handle<T>) -> Result<&T, RegionError> {
        let range = self.range(h, size_of::<T>())?;
        pod::cast_slice::<T>(&self.buf[range])
            .map_err(|_| RegionError::OutOfBounds)?
            .first()
            .ok_or(RegionError::OutOfBounds)
    }

    /// Mutably borrows the value behind `h`.
    ///
    /// ```
    /// # let mut buf = [0u8; 8];
    /// let mut r = wasm::memory::Region::new(&mut buf);
    /// let h = r.alloc(5i32).unwrap();
    /// *r.get_mut(h).unwrap() = 6;
    /// assert_eq!(r.read(h), Ok(6));
    /// ```
    pub fn get_mut<T: Pod>(&mut self, h: Handle<T>) -> Result<&mut T, RegionError> {
        let range = self.range(h, size_of::<T>())?;
        pod::cast_slice_mut::<T>(&mut self.buf[range])
            .map_err(|_| RegionError::OutOfBounds)?
            .first_mut()
            .ok_or(RegionError::OutOfBounds)
    }

    /// Copies the value behind `h` out (the multi-memory-friendly accessor).
    ///
    /// ```
    /// # let mut buf = [0u8; 8];
    /// let mut r = wasm::memory::Region::new(&mut buf);
    /// let h = r.alloc(2u64).unwrap();
    /// assert_eq!(r.read(h), Ok(2));
    /// ```
    pub fn read<T: Pod>(&self, h: Handle<T>) -> Result<T, RegionError> {
        self.get(h).copied()
    }

    /// Overwrites the value behind `h` (the multi-memory-friendly accessor).
    ///
    /// ```
    /// # let mut buf = [0u8; 8];
    /// let mut r = wasm::memory::Region::new(&mut buf);
    /// let h = r.alloc(2u64).unwrap();
    /// r.write(h, 3).unwrap();
    /// assert_eq!(r.read(h), Ok(3));
    /// ```
    pub fn write<T: Pod>(&mut self, h: Handle<T>, value: T) -> Result<(), RegionError> {
        *self.get_mut(h)? = value;
        Ok(())
    }

    /// Borrows the slice behind `h`.
    ///
    /// ```
    /// # let mut buf = [0u8; 8];
    /// let mut r = wasm::memory::Region::new(&mut buf);
    /// let h = r.alloc_slice(&[1u16, 2]).unwrap();
    /// assert_eq!(r.slice(h), Ok(&[1u16, 2][..]));
    /// ```
    pub fn slice<T: Pod>(&self, h: Handle<[T]>) -> Result<&[T], RegionError> {
        let range = self.range(h, size_of::<T>())?;
        pod::cast_slice(&self.buf[range]).map_err(|_| RegionError::OutOfBounds)
    }

    /// Mutably borrows the slice behind `h`.
    ///
    /// ```
    /// # let mut buf = [0u8; 8];
    /// let mut r = wasm::memory::Region::new(&mut buf);
    /// let h = r.alloc_slice(&[1u16, 2]).unwrap();
    /// r.slice_mut(h).unwrap().reverse();
    /// assert_eq!(r.slice(h), Ok(&[2u16, 1][..]));
    /// ```
    pub fn slice_mut<T: Pod>(&mut self, h: Handle<[T]>) -> Result<&mut [T], RegionError> {
        let range = self.range(h, size_of::<T>())?;
        pod::cast_slice_mut(&mut self.buf[range]).map_err(|_| RegionError::OutOfBounds)
    }

    /// Shares the slice behind `h` with the host, zero-copy.
    ///
    /// ```
    /// # let mut buf = [0u8; 8];
    /// let mut r = wasm::memory::Region::new(&mut buf);
    /// let h = r.alloc_slice(&[1u8, 2]).unwrap();
    /// assert_eq!(r.shared(h).unwrap().len(), 2);
    /// ```
    pub fn shared<T: Pod>(&self, h: Handle<[T]>) -> Result<SharedSlice<'_, T>, RegionError> {
        self.slice(h).map(SharedSlice::new)
    }

    /// Frees everything at once; every existing handle becomes [`RegionError::Stale`].
    ///
    /// ```
    /// # let mut buf = [0u8; 8];
    /// let mut r = wasm::memory::Region::new(&mut buf);
    /// r.alloc(1u64).unwrap();
    /// r.reset();
    /// assert_eq!(r.used(), 0);
    /// ```
    pub fn reset(&mut self) {
        self.used = 0;
        self.generation = self.generation.wrapping_add(1);
    }
}

impl fmt::Debug for Region<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Region")
            .field("id", &self.id)
            .field("generation", &self.generation)
            .field("used", &self.used)
            .field("capacity", &self.buf.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_absolute_addresses_and_tracks_space() {
        let mut buf = [0u64; 4]; // 8-aligned storage
        let bytes = pod::slice_as_bytes_mut(&mut buf);
        let mut r = Region::new(&mut bytes[1..]); // base is odd: 31 bytes
        let a = r.alloc(0xabu8).unwrap();
        let b = r.alloc(0x1122_3344u32).unwrap();
        assert_eq!(a.offset(), 0);
        assert_eq!(b.offset(), 3, "the absolute address 1 + 3 is 4-aligned");
        assert_eq!(r.used(), 7);
        assert_eq!(r.alloc(5u64).unwrap().offset(), 7);
        assert_eq!(
            r.alloc([0u64; 3]),
            Err(RegionError::OutOfSpace {
                requested: 24,
                remaining: 16
            })
        );
        assert_eq!(r.alloc(1u8).unwrap().offset(), 15);
        assert_eq!(
            r.alloc(0u64).unwrap().offset(),
            23,
            "7 bytes of padding, then 8"
        );
        assert_eq!(
            r.alloc(0u8),
            Err(RegionError::OutOfSpace {
                requested: 1,
                remaining: 0
            })
        );
        assert_eq!((r.read(a), r.read(b)), (Ok(0xab), Ok(0x1122_3344)));
    }

    #[test]
    fn rejects_foreign_stale_and_forged_handles() {
        let (mut b1, mut b2) = ([0u8; 32], [0u8; 32]);
        let mut r1 = Region::new(&mut b1);
        let mut r2 = Region::new(&mut b2);
        let h1 = r1.alloc(1u32).unwrap();
        r2.alloc(2u32).unwrap();
        assert_eq!(r2.get(h1), Err(RegionError::WrongRegion));
        let forged = Handle::<[u32]> {
            len: 2,
            ..r1.alloc_slice(&[3u32]).unwrap()
        };
        assert_eq!(r1.slice(forged), Err(RegionError::OutOfBounds));
        let huge = Handle::<u32> {
            offset: u32::MAX,
            ..h1
        };
        assert_eq!(r1.get(huge), Err(RegionError::OutOfBounds));
        let misaligned = Handle::<u32> { offset: 1, ..h1 };
        assert_eq!(r1.read(misaligned), Err(RegionError::OutOfBounds));
        r1.reset();
        assert_eq!(r1.write(h1, 9), Err(RegionError::Stale));
        let again = r1.alloc(7u32).unwrap();
        assert_eq!(again.offset(), h1.offset());
        assert_eq!(r1.read(again), Ok(7));
        assert_eq!(r1.alloc_slice::<[u8; 0]>(&[]), Err(RegionError::ZeroSized));
    }

    #[test]
    fn slices_and_shared_views_see_writes() {
        let mut buf = [0u8; 64];
        let mut r = Region::new(&mut buf);
        let h = r.alloc_slice(&[1.0f64, 2.0, 3.0]).unwrap();
        r.slice_mut(h).unwrap()[1] = 20.0;
        let view = r.shared(h).unwrap();
        assert_eq!(view.as_slice(), &[1.0, 20.0, 3.0]);
        assert_eq!(view.to_raw_parts().0 % 8, 0);
    }
}
