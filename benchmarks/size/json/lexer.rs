//! The JSON tokenizer shared by `json.rs` and `json.wasm_bindgen.rs`.

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

pub const KINDS: usize = 11;

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
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                            self.pos += 1
                        }
                        Some(b'u') => {
                            self.pos += 1;
                            let hex = self
                                .src
                                .get(self.pos..self.pos + 4)
                                .ok_or(Error::BadEscape(self.pos))?;
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
        Some(kind.map(|kind| Token {
            kind,
            start,
            end: self.pos,
        }))
    }
}

/// All tokens of `src`, or the first error.
pub fn tokens(src: &[u8]) -> Result<Vec<Token>, Error> {
    Lexer::new(src).collect()
}
