//! The `wasmrust.effects` custom section written by `#[effect(...)]`.
//!
//! `#[effect(io, alloc)] fn load() {}` declares what a function may do. The attribute emits one
//! *record* into a `#[link_section = "wasmrust.effects"]` static; the linker concatenates all
//! records of a module into one custom section, which a post-link checker reads and compares with
//! the call graph. This module documents the format and parses it (usable from host tools: this
//! crate has no dependencies).
//!
//! # Format, version 1
//!
//! The section is a concatenation of records, each self-delimiting, using wasm's own encodings
//! (`u32` = unsigned LEB128, `string` = `u32` byte length then UTF-8 bytes):
//!
//! ```text
//! record  := 0x01            ; format version
//!            symbol: string  ; the function's wasm export name (see below)
//!            n: u32          ; number of effects
//!            n × string      ; effect names from `KNOWN`, sorted, no duplicates; n = 0 is "pure"
//! ```
//!
//! # Symbol names
//!
//! The symbol is a wasm **export name**, so it survives linking and optimisation:
//!
//! - on a function that is also `#[export]`ed, it is the export's name (the attribute combines
//!   with `#[export]` in either order);
//! - otherwise `#[effect]` gives the function `#[export_name = "wasmrust.fx.<fn name>"]`, or
//!   `wasmrust.fx.<symbol>` with `#[effect(io, symbol = "name")]`. The post-link pass strips exports
//!   starting with [`EXPORT_PREFIX`] after checking, and dead code elimination can then run.
//!
//! On non-wasm targets the static is emitted without a link section (hosts ignore the effects).

use core::fmt;

// The format's constants and encoder live in `effects/format.rs`, which
// `wasm-macros` compiles too (`#[effect]` writes what this module parses).
mod format;
pub use format::{EXPORT_PREFIX, KNOWN, SECTION, VERSION, encode_with};

/// A malformed section, with the byte offset where parsing stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseError {
    /// Offset into the section.
    pub offset: usize,
    /// What was wrong there.
    pub message: &'static str,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (at offset {:#x} of `{SECTION}`)",
            self.message, self.offset
        )
    }
}

impl core::error::Error for ParseError {}

/// One function's declared effects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    /// The function's export name.
    pub symbol: &'a str,
    effects: &'a [u8],
    count: u32,
}

impl<'a> Record<'a> {
    /// The declared effect names, in section order.
    ///
    /// ```
    /// let bytes = [1, 1, b'f', 2, 2, b'i', b'o', 5, b'a', b'l', b'l', b'o', b'c'];
    /// let r = wasm::effects::parse(&bytes).next().unwrap().unwrap();
    /// assert_eq!(r.symbol, "f");
    /// assert!(r.effects().eq(["io", "alloc"]));
    /// ```
    pub fn effects(&self) -> impl Iterator<Item = &'a str> + 'a {
        let mut r = Reader {
            bytes: self.effects,
            pos: 0,
        };
        // Validated by `parse` already, so `ok()` never drops anything.
        (0..self.count).map_while(move |_| r.string().ok())
    }

    /// Whether `effect` is declared.
    ///
    /// ```
    /// let r = wasm::effects::parse(&[1, 1, b'f', 0]).next().unwrap().unwrap();
    /// assert!(!r.has("io"));
    /// ```
    pub fn has(&self, effect: &str) -> bool {
        self.effects().any(|e| e == effect)
    }
}

/// Iterates over the records of a `wasmrust.effects` section.
///
/// Stops after the first error.
///
/// ```
/// let mut it = wasm::effects::parse(&[2, 0]);
/// assert_eq!(it.next().unwrap().unwrap_err().message, "unsupported record version");
/// assert!(it.next().is_none());
/// ```
pub fn parse(section: &[u8]) -> impl Iterator<Item = Result<Record<'_>, ParseError>> {
    let mut r = Reader {
        bytes: section,
        pos: 0,
    };
    let mut failed = false;
    core::iter::from_fn(move || {
        if failed || r.pos == r.bytes.len() {
            return None;
        }
        let rec = r.record();
        failed = rec.is_err();
        Some(rec)
    })
}

/// Encodes one record (what `#[effect]` emits), appending to `out`.
///
/// ```
/// let mut out = Vec::new();
/// wasm::effects::encode("f", &["io"], &mut out);
/// assert_eq!(out, [1, 1, b'f', 1, 2, b'i', b'o']);
/// ```
#[cfg(feature = "alloc")]
pub fn encode(symbol: &str, effects: &[&str], out: &mut alloc_crate::vec::Vec<u8>) {
    encode_with(symbol, effects, |bytes| out.extend_from_slice(bytes));
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn err<T>(&self, message: &'static str) -> Result<T, ParseError> {
        Err(ParseError {
            offset: self.pos,
            message,
        })
    }

    fn byte(&mut self) -> Result<u8, ParseError> {
        let b = *self
            .bytes
            .get(self.pos)
            .map_or_else(|| self.err("unexpected end of section"), Ok)?;
        self.pos += 1;
        Ok(b)
    }

    fn u32(&mut self) -> Result<u32, ParseError> {
        let mut value = 0u32;
        for shift in (0..35).step_by(7) {
            let b = self.byte()?;
            if shift == 28 && b > 0x0f {
                return self.err("LEB128 u32 out of range");
            }
            value |= u32::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        unreachable!("the shift == 28 check ends the loop")
    }

    fn string(&mut self) -> Result<&'a str, ParseError> {
        let len = self.u32()? as usize;
        let start = self.pos;
        let Some(bytes) = self.bytes.get(start..start.saturating_add(len)) else {
            return self.err("string runs past the end of the section");
        };
        self.pos += len;
        core::str::from_utf8(bytes).map_err(|_| ParseError {
            offset: start,
            message: "string is not UTF-8",
        })
    }

    fn record(&mut self) -> Result<Record<'a>, ParseError> {
        if self.byte()? != VERSION {
            self.pos -= 1;
            return self.err("unsupported record version");
        }
        let symbol = self.string()?;
        let count = self.u32()?;
        let start = self.pos;
        for _ in 0..count {
            let at = self.pos;
            let name = self.string()?;
            if !KNOWN.contains(&name) {
                return Err(ParseError {
                    offset: at,
                    message: "unknown effect name",
                });
            }
        }
        Ok(Record {
            symbol,
            effects: &self.bytes[start..self.pos],
            count,
        })
    }
}

#[cfg(all(test, feature = "alloc"))]
mod tests {
    use super::*;
    use std::vec::Vec;

    #[test]
    fn concatenated_records_round_trip() {
        let mut s = Vec::new();
        encode("wasmrust.fx.load", &["alloc", "io"], &mut s);
        encode("pure_fn", &[], &mut s);
        let long = "x".repeat(200); // two-byte LEB128 length
        encode(&long, &["spawn"], &mut s);
        let recs: Vec<_> = parse(&s).collect::<Result<_, _>>().unwrap();
        assert_eq!(recs.len(), 3);
        assert_eq!(recs[0].symbol, "wasmrust.fx.load");
        assert!(recs[0].effects().eq(["alloc", "io"]));
        assert!(recs[0].has("io") && !recs[0].has("spawn"));
        assert_eq!(recs[1].effects().count(), 0);
        assert_eq!(recs[2].symbol, long);
        assert!(recs[2].effects().eq(["spawn"]));
    }

    #[test]
    fn errors_carry_offsets() {
        let mut s = Vec::new();
        encode("f", &["io"], &mut s);
        let good = s.len();
        encode("g", &["teleport"], &mut s);
        let errs: Vec<_> = parse(&s).filter_map(Result::err).collect();
        assert_eq!(
            errs,
            [ParseError {
                offset: good + 4,
                message: "unknown effect name"
            }]
        );
        assert_eq!(
            parse(&s[..good - 1]).next().unwrap().unwrap_err().message,
            "string runs past the end of the section"
        );
        assert_eq!(
            parse(&[1, 0xff, 0xff, 0xff, 0xff, 0x7f])
                .next()
                .unwrap()
                .unwrap_err()
                .message,
            "LEB128 u32 out of range"
        );
        assert_eq!(
            parse(&[1, 1, 0xc3, 0]).next().unwrap().unwrap_err().message,
            "string is not UTF-8"
        );
    }
}
