//! A JSON tokenizer (RFC 8259 lexical grammar): splits a document into tokens,
//! keeps them in a `Vec`, and counts them by kind. It does not check the
//! grammar above tokens (`] 1 :` tokenizes fine); a number ends where its
//! grammar ends, so `01` is two numbers.
//!
//! ABI: the host calls `alloc(len)`, writes the document there, calls
//! `tokenize(ptr, len)`, which returns the number of tokens or -1 on a lexical
//! error, reads `count(kind)` for each kind (0..11, the order of `Kind`), and
//! frees the buffer with `dealloc(ptr, len)`.

use std::sync::atomic::{AtomicU32, Ordering};

/// Token kinds, in the order `count(kind)` numbers them.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Colon,
    Comma,
    String,
    Number,
    True,
    False,
    Null,
}

const KINDS: usize = 11;

/// One token: its kind and byte span in the input.
#[derive(Clone, Copy)]
pub struct Token {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

/// What went wrong, and at which byte offset.
pub enum Error {
    UnexpectedByte(usize),
    UnterminatedString(usize),
    BadEscape(usize),
    ControlInString(usize),
    BadNumber(usize),
    BadLiteral(usize),
}

/// Yields the tokens of a JSON document, stopping at the first error.
pub struct Lexer<'a> {
    src: &'a [u8],
    pos: usize,
}

impl<'a> Lexer<'a> {
    pub fn new(src: &'a [u8]) -> Self {
        Lexer { src, pos: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    fn string(&mut self) -> Result<Kind, Error> {
        let start = self.pos;
        self.pos += 1; // opening quote
        loop {
            match self.peek() {
                None => return Err(Error::UnterminatedString(start)),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Kind::String);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    match self.peek() {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => self.pos += 1,
                        Some(b'u') => {
                            self.pos += 1;
                            let hex = self.src.get(self.pos..self.pos + 4).ok_or(Error::BadEscape(self.pos))?;
                            if !hex.iter().all(u8::is_ascii_hexdigit) {
                                return Err(Error::BadEscape(self.pos));
                            }
                            self.pos += 4;
                        }
                        _ => return Err(Error::BadEscape(self.pos)),
                    }
                }
                Some(0..=0x1f) => return Err(Error::ControlInString(self.pos)),
                Some(_) => self.pos += 1,
            }
        }
    }

    fn number(&mut self) -> Result<Kind, Error> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(Error::BadNumber(start)),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(Error::BadNumber(start));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(Error::BadNumber(start));
            }
        }
        Ok(Kind::Number)
    }

    fn literal(&mut self, word: &[u8], kind: Kind) -> Result<Kind, Error> {
        if self.src[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(kind)
        } else {
            Err(Error::BadLiteral(self.pos))
        }
    }
}

impl Iterator for Lexer<'_> {
    type Item = Result<Token, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.skip_whitespace();
        let start = self.pos;
        let byte = self.peek()?;
        let punct = |lexer: &mut Self, kind| {
            lexer.pos += 1;
            Ok(kind)
        };
        let kind = match byte {
            b'{' => punct(self, Kind::LBrace),
            b'}' => punct(self, Kind::RBrace),
            b'[' => punct(self, Kind::LBracket),
            b']' => punct(self, Kind::RBracket),
            b':' => punct(self, Kind::Colon),
            b',' => punct(self, Kind::Comma),
            b'"' => self.string(),
            b'-' | b'0'..=b'9' => self.number(),
            b't' => self.literal(b"true", Kind::True),
            b'f' => self.literal(b"false", Kind::False),
            b'n' => self.literal(b"null", Kind::Null),
            _ => Err(Error::UnexpectedByte(start)),
        };
        Some(kind.map(|kind| Token { kind, start, end: self.pos }))
    }
}

/// All tokens of `src`, or the first error.
pub fn tokens(src: &[u8]) -> Result<Vec<Token>, Error> {
    Lexer::new(src).collect()
}

static COUNTS: [AtomicU32; KINDS] = [const { AtomicU32::new(0) }; KINDS];

/// A zeroed buffer of `len` bytes that the host owns until `dealloc`.
#[unsafe(no_mangle)]
pub extern "C" fn alloc(len: usize) -> *mut u8 {
    Box::into_raw(vec![0u8; len].into_boxed_slice()).cast()
}

/// Frees a buffer from `alloc`.
///
/// # Safety
/// `ptr` and `len` must describe a buffer returned by `alloc` and not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dealloc(ptr: *mut u8, len: usize) {
    // SAFETY: the caller guarantees the buffer is a leaked `Box<[u8]>` of `len` bytes.
    drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, len)) });
}

/// Tokenizes the document at `ptr`; returns the token count, or -1 on a lexical error.
///
/// # Safety
/// `ptr` must point to `len` initialized bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tokenize(ptr: *const u8, len: usize) -> i32 {
    // SAFETY: guaranteed by the caller.
    let src = unsafe { std::slice::from_raw_parts(ptr, len) };
    for count in &COUNTS {
        count.store(0, Ordering::Relaxed);
    }
    match tokens(src) {
        Ok(tokens) => {
            for token in &tokens {
                COUNTS[token.kind as usize].fetch_add(1, Ordering::Relaxed);
            }
            tokens.len() as i32
        }
        Err(_) => -1,
    }
}

/// How many tokens of `kind` the last successful `tokenize` found.
#[unsafe(no_mangle)]
pub extern "C" fn count(kind: usize) -> u32 {
    COUNTS.get(kind).map_or(0, |c| c.load(Ordering::Relaxed))
}
