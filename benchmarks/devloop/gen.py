#!/usr/bin/env python3
"""Generates the dev-loop benchmark crate (issue 22): an ordinary ~10,000-line
Rust library, the same program in Zig for the Zig peer, and the build files.

The crate is what a real one looks like, not one function repeated: a
tokenizer, a recursive-descent parser and an evaluator for integer
expressions; a xorshift RNG that is also an Iterator; and ~20 modules built
from seven kinds of unit (an enum with `match`es and `format!`, a trait with
a default method, impls for structs and a generic struct, static and `dyn`
dispatch; word counts in a `BTreeMap`, groups in a `HashMap`, sorting,
dedup, binary search; iterators and closures; a generic ring buffer and a
matrix; a small state-machine record parser with `Result` and `?`; and units
that feed generated expressions to the evaluator). Every item is used, so
rustc prints no warnings, in dev or release.

`cdylib` exports (all return plain integers):
  run(n: u32) -> u64   every module's workload of size n, one checksum
  stamp() -> u64       the edited constant times STAMP_MUL
  modules() -> u32     how many modules `run` visits
`run(n)` is `base(n) + stamp()` (wrapping), where `base` does not depend on the
edited constant, so after the benchmark sets `pub const EDIT: u64 = V;` in
src/leaf.rs a fresh module must answer exactly `base(n) + V * STAMP_MUL`;
devloop.json gives the multiplier, the file and the line.

The Zig program (`--zig DIR`) has the same modules, the same units and the
same exports, and `run(n)` returns the same checksum (the benchmark checks
that every toolchain's `base` agrees).

Usage: gen.py [OUT_DIR] [--lines N] [--zig ZIG_DIR]
  OUT_DIR  default: benchmarks/devloop/crate (the Bazel package
           //benchmarks/devloop/crate, git-ignored)
  --lines  total Rust lines to aim for (default 10000)
Writes OUT_DIR/{src/*.rs,BUILD.bazel,Cargo.toml,devloop.json} (and ZIG_DIR/*.zig)
and prints the line counts. The output depends only on the arguments.
"""

import argparse
import json
import os
import sys

STAMP_MUL = 0x9E3779B97F4A7C15  # odd: every edit gives a different stamp
EDIT_DEFAULT = 1
RUN_N = 20  # the workload size the benchmark calls run() with

# Module names, in order; a module past the list's end gets a numbered name.
MODULE_NAMES = [
    "inventory", "geometry", "ledger", "routing", "catalog", "metrics",
    "schedule", "billing", "telemetry", "search", "render", "storage",
    "session", "payments", "network", "config", "reports", "pricing",
    "audit", "graph", "shipping", "forecast", "alerts", "profiles",
]
UNITS_PER_MODULE = 6
KINDS = ["shapes", "metric", "collections", "exprs", "iterators", "containers", "records"]

# Expressions the `exprs` units evaluate; a, b and c are set per iteration.
# Some fail on purpose (lexing, parsing, unknown names, division by zero) so the
# error paths run too; each error has a code that goes into the checksum.
EXPR_POOL = [
    "(a + @A@) * b - c / @B@",
    "max(a, b, c + @C@) % (b + 1)",
    "-(a - b) * (c + @D@) + min(a, @A@)",
    "abs(a - @E@ * c) / (a - a)",
    "a * a - b * b + c",
    "(a + b + c) % @B@ - -@C@",
    "a + $",
    "min(a b)",
    "scale(a) + @D@",
    "x + @A@",
    "((a))) + 1",
    "abs(a, b)",
    "max(a * @C@, b * @D@, c) - min(c, -a) * 2",
    "(a % 7 + b % 5) * (c / 3 + 1)",
    "a - (b - (c - (@A@ - a)))",
    "min() + 1",
    "1 + (2 * ",
    "99999999999999999999 + a",
]


def params(k):
    """Small constants of unit k: different per unit, fixed per k."""
    return {
        "K": str(k),
        "SEED": str(0x1000 + k * 7919),
        "A": str(2 + k % 5),
        "B": str(3 + k % 7),
        "C": str(1 + k % 4),
        "D": str(4 + k % 6),
        "E": str(2 + k % 3),
    }


def subst(text, p):
    for key, value in p.items():
        text = text.replace("@" + key + "@", value)
    return text


def exprs_of(k):
    """The expressions unit k evaluates: 6 from the pool, rotated by k."""
    p = params(k)
    return [subst(EXPR_POOL[(k * 5 + i * 3) % len(EXPR_POOL)], p) for i in range(6)]


def rust_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ---------------------------------------------------------------- Rust: fixed modules

RUST_UTIL = r'''//! Shared helpers: a deterministic RNG, hashing and the word list.

/// Words the generated text is made of (ASCII, so case mapping is simple).
pub const WORDS: [&str; 16] = [
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
    "india", "juliet", "kilo", "lima", "mike", "november", "oscar", "papa",
];

/// xorshift64: small, fast, and the same on every platform.
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
}

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng { state: seed | 1 }
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.state = x;
        x
    }

    /// A number in `0..bound` (`bound` > 0).
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound
    }
}

impl Iterator for Rng {
    type Item = u64;

    fn next(&mut self) -> Option<u64> {
        Some(self.next_u64())
    }
}

/// Folds `value` into the running hash `h`.
pub fn mix(h: u64, value: u64) -> u64 {
    (h ^ value).wrapping_mul(0x0000_0100_0000_01b3).rotate_left(5)
}

/// FNV-1a over bytes.
pub fn fnv(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3))
}
'''

RUST_LEXER = r'''//! The tokenizer of the expression language: integers, names, + - * / %,
//! parentheses and commas.

use std::iter::Peekable;
use std::str::CharIndices;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    Num(i64),
    Ident(String),
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    LParen,
    RParen,
    Comma,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LexError {
    /// A character that starts no token, and its byte offset.
    UnexpectedChar(char, usize),
    /// An integer literal that does not fit in i64, at this byte offset.
    NumberTooLarge(usize),
}

impl LexError {
    pub fn code(&self) -> u64 {
        match self {
            LexError::UnexpectedChar(c, at) => 100 + (*at as u64) * 256 + u64::from(*c),
            LexError::NumberTooLarge(at) => 150 + *at as u64,
        }
    }
}

/// Yields tokens (or the first error) from a source string.
pub struct Lexer<'a> {
    src: &'a str,
    chars: Peekable<CharIndices<'a>>,
    failed: bool,
}

impl<'a> Lexer<'a> {
    pub fn new(src: &'a str) -> Self {
        Lexer { src, chars: src.char_indices().peekable(), failed: false }
    }

    fn number(&mut self, start: usize) -> Result<Token, LexError> {
        let mut end = start;
        while let Some(&(i, c)) = self.chars.peek() {
            if !c.is_ascii_digit() {
                break;
            }
            end = i + c.len_utf8();
            self.chars.next();
        }
        let mut value: i64 = 0;
        for d in self.src[start..end].bytes() {
            value = value
                .checked_mul(10)
                .and_then(|v| v.checked_add(i64::from(d - b'0')))
                .ok_or(LexError::NumberTooLarge(start))?;
        }
        Ok(Token::Num(value))
    }

    fn ident(&mut self, start: usize) -> Token {
        let mut end = start;
        while let Some(&(i, c)) = self.chars.peek() {
            if !(c.is_ascii_alphanumeric() || c == '_') {
                break;
            }
            end = i + c.len_utf8();
            self.chars.next();
        }
        Token::Ident(self.src[start..end].to_string())
    }
}

impl Iterator for Lexer<'_> {
    type Item = Result<Token, LexError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        while let Some(&(_, c)) = self.chars.peek() {
            if !c.is_whitespace() {
                break;
            }
            self.chars.next();
        }
        let &(at, c) = self.chars.peek()?;
        let token = match c {
            '0'..='9' => return Some(self.number(at).inspect_err(|_| self.failed = true)),
            'a'..='z' | 'A'..='Z' | '_' => return Some(Ok(self.ident(at))),
            '+' => Token::Plus,
            '-' => Token::Minus,
            '*' => Token::Star,
            '/' => Token::Slash,
            '%' => Token::Percent,
            '(' => Token::LParen,
            ')' => Token::RParen,
            ',' => Token::Comma,
            other => {
                self.failed = true;
                return Some(Err(LexError::UnexpectedChar(other, at)));
            }
        };
        self.chars.next();
        Some(Ok(token))
    }
}

/// All tokens of `src`, or the first error.
pub fn tokenize(src: &str) -> Result<Vec<Token>, LexError> {
    Lexer::new(src).collect()
}
'''

RUST_PARSER = r'''//! A recursive-descent parser from tokens to an expression tree.
//!
//!   expr  := term (('+' | '-') term)*
//!   term  := unary (('*' | '/' | '%') unary)*
//!   unary := '-' unary | atom
//!   atom  := NUM | NAME | NAME '(' [expr (',' expr)*] ')' | '(' expr ')'

use crate::lexer::{tokenize, LexError, Token};
use crate::util::fnv;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    Min,
    Max,
    Abs,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    Num(i64),
    Var(String),
    Neg(Box<Expr>),
    Bin(Op, Box<Expr>, Box<Expr>),
    Call(Func, Vec<Expr>),
}

impl Expr {
    /// How many nodes the tree has.
    pub fn size(&self) -> usize {
        match self {
            Expr::Num(_) | Expr::Var(_) => 1,
            Expr::Neg(e) => 1 + e.size(),
            Expr::Bin(_, l, r) => 1 + l.size() + r.size(),
            Expr::Call(_, args) => 1 + args.iter().map(Expr::size).sum::<usize>(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    Lex(LexError),
    /// An unexpected token, by index.
    Unexpected(usize),
    UnknownFunc(String),
    Eof,
    /// Tokens left after a complete expression, from this index.
    Trailing(usize),
}

impl From<LexError> for ParseError {
    fn from(e: LexError) -> Self {
        ParseError::Lex(e)
    }
}

impl ParseError {
    pub fn code(&self) -> u64 {
        match self {
            ParseError::Lex(e) => e.code(),
            ParseError::Unexpected(at) => 200 + *at as u64,
            ParseError::UnknownFunc(name) => 300 + fnv(name.as_bytes()) % 1000,
            ParseError::Eof => 400,
            ParseError::Trailing(at) => 500 + *at as u64,
        }
    }
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    fn expr(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.term()?;
        loop {
            let op = match self.peek() {
                Some(Token::Plus) => Op::Add,
                Some(Token::Minus) => Op::Sub,
                _ => return Ok(left),
            };
            self.pos += 1;
            let right = self.term()?;
            left = Expr::Bin(op, Box::new(left), Box::new(right));
        }
    }

    fn term(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.unary()?;
        loop {
            let op = match self.peek() {
                Some(Token::Star) => Op::Mul,
                Some(Token::Slash) => Op::Div,
                Some(Token::Percent) => Op::Rem,
                _ => return Ok(left),
            };
            self.pos += 1;
            let right = self.unary()?;
            left = Expr::Bin(op, Box::new(left), Box::new(right));
        }
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        if self.peek() == Some(&Token::Minus) {
            self.pos += 1;
            return Ok(Expr::Neg(Box::new(self.unary()?)));
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Expr, ParseError> {
        match self.next() {
            Some(Token::Num(v)) => Ok(Expr::Num(v)),
            Some(Token::Ident(name)) => {
                if self.peek() != Some(&Token::LParen) {
                    return Ok(Expr::Var(name));
                }
                self.pos += 1;
                let mut args = Vec::new();
                if self.peek() == Some(&Token::RParen) {
                    self.pos += 1;
                } else {
                    loop {
                        args.push(self.expr()?);
                        match self.next() {
                            Some(Token::Comma) => continue,
                            Some(Token::RParen) => break,
                            Some(_) => return Err(ParseError::Unexpected(self.pos - 1)),
                            None => return Err(ParseError::Eof),
                        }
                    }
                }
                let func = match name.as_str() {
                    "min" => Func::Min,
                    "max" => Func::Max,
                    "abs" => Func::Abs,
                    _ => return Err(ParseError::UnknownFunc(name)),
                };
                Ok(Expr::Call(func, args))
            }
            Some(Token::LParen) => {
                let inner = self.expr()?;
                match self.next() {
                    Some(Token::RParen) => Ok(inner),
                    Some(_) => Err(ParseError::Unexpected(self.pos - 1)),
                    None => Err(ParseError::Eof),
                }
            }
            Some(_) => Err(ParseError::Unexpected(self.pos - 1)),
            None => Err(ParseError::Eof),
        }
    }
}

/// Parses a whole expression.
pub fn parse(src: &str) -> Result<Expr, ParseError> {
    let mut parser = Parser { tokens: tokenize(src)?, pos: 0 };
    let expr = parser.expr()?;
    if parser.pos != parser.tokens.len() {
        return Err(ParseError::Trailing(parser.pos));
    }
    Ok(expr)
}
'''

RUST_EVAL = r'''//! Evaluates expression trees over named i64 variables (wrapping arithmetic).

use std::collections::HashMap;

use crate::parser::{parse, Expr, Func, Op, ParseError};
use crate::util::fnv;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvalError {
    DivZero,
    Unbound(String),
    BadArity(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    Parse(ParseError),
    Eval(EvalError),
}

impl Error {
    pub fn code(&self) -> u64 {
        match self {
            Error::Parse(e) => e.code(),
            Error::Eval(EvalError::DivZero) => 600,
            Error::Eval(EvalError::Unbound(name)) => 700 + fnv(name.as_bytes()) % 1000,
            Error::Eval(EvalError::BadArity(n)) => 800 + *n as u64,
        }
    }
}

/// Variables by name.
#[derive(Debug, Default)]
pub struct Env {
    vars: HashMap<String, i64>,
}

impl Env {
    pub fn new() -> Self {
        Env::default()
    }

    pub fn set(&mut self, name: &str, value: i64) {
        self.vars.insert(name.to_string(), value);
    }

    pub fn eval(&self, e: &Expr) -> Result<i64, EvalError> {
        Ok(match e {
            Expr::Num(v) => *v,
            Expr::Var(name) => *self.vars.get(name).ok_or_else(|| EvalError::Unbound(name.clone()))?,
            Expr::Neg(inner) => self.eval(inner)?.wrapping_neg(),
            Expr::Bin(op, l, r) => {
                let (a, b) = (self.eval(l)?, self.eval(r)?);
                match op {
                    Op::Add => a.wrapping_add(b),
                    Op::Sub => a.wrapping_sub(b),
                    Op::Mul => a.wrapping_mul(b),
                    Op::Div if b == 0 => return Err(EvalError::DivZero),
                    Op::Div => a.wrapping_div(b),
                    Op::Rem if b == 0 => return Err(EvalError::DivZero),
                    Op::Rem => a.wrapping_rem(b),
                }
            }
            Expr::Call(func, args) => {
                let values = args.iter().map(|a| self.eval(a)).collect::<Result<Vec<i64>, _>>()?;
                match (func, values.as_slice()) {
                    (Func::Abs, [v]) => v.wrapping_abs(),
                    (Func::Abs, vs) => return Err(EvalError::BadArity(vs.len())),
                    (_, []) => return Err(EvalError::BadArity(0)),
                    (Func::Min, vs) => *vs.iter().min().unwrap_or(&0),
                    (Func::Max, vs) => *vs.iter().max().unwrap_or(&0),
                }
            }
        })
    }
}

/// Parses and evaluates `src`; on success also returns the tree's size.
pub fn eval_str(src: &str, env: &Env) -> Result<(i64, usize), Error> {
    let expr = parse(src).map_err(Error::Parse)?;
    let value = env.eval(&expr).map_err(Error::Eval)?;
    Ok((value, expr.size()))
}
'''

RUST_LEAF = r'''//! The module the dev-loop benchmark edits: it changes the one line below
//! (`pub const EDIT`), and `stamp()` carries the new value into `run`.

pub const EDIT: u64 = @EDIT@;

/// Multiplies the edited value by an odd constant, so every edit changes
/// `run`'s answer (and the module's code).
pub fn stamp() -> u64 {
    EDIT.wrapping_mul(@MUL@)
}
'''

# ---------------------------------------------------------------- Rust: unit kinds
# Each needs: uses (imports from crate::util / std), text, entry function name.

RUST_UNITS = {}

RUST_UNITS["shapes"] = ({"mix", "fnv", "Rng", "BTreeMap"}, "shapes_@K@", r'''
/// A shape of unit @K@, sized from a seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape@K@ {
    Circle { r: u32 },
    Rect { w: u32, h: u32 },
    Tri { a: u32, b: u32, c: u32 },
    Empty,
}

impl Shape@K@ {
    pub fn from_seed(seed: u64) -> Self {
        let s = (seed >> 8) as u32;
        match seed % 4 {
            0 => Shape@K@::Circle { r: s % 17 + @A@ },
            1 => Shape@K@::Rect { w: s % 13 + 1, h: s % 11 + @B@ },
            2 => {
                let a = s % 9 + 2;
                let b = s % 7 + a;
                Shape@K@::Tri { a, b, c: a + b - 1 }
            }
            _ => Shape@K@::Empty,
        }
    }

    /// Twice the area, rounded down (pi as 355/113).
    pub fn area_x2(&self) -> u64 {
        match *self {
            Shape@K@::Circle { r } => 2 * 355 * u64::from(r) * u64::from(r) / 113,
            Shape@K@::Rect { w, h } => 2 * u64::from(w) * u64::from(h),
            Shape@K@::Tri { a, b, c } => (u64::from(a) * u64::from(b) + u64::from(c)) / 2,
            Shape@K@::Empty => 0,
        }
    }

    pub fn perimeter(&self) -> u64 {
        match *self {
            Shape@K@::Circle { r } => 2 * 355 * u64::from(r) / 113,
            Shape@K@::Rect { w, h } => 2 * u64::from(w + h),
            Shape@K@::Tri { a, b, c } => u64::from(a + b + c),
            Shape@K@::Empty => 0,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Shape@K@::Circle { .. } => "circle",
            Shape@K@::Rect { .. } => "rect",
            Shape@K@::Tri { .. } => "tri",
            Shape@K@::Empty => "empty",
        }
    }

    pub fn scaled(self, f: u32) -> Self {
        match self {
            Shape@K@::Circle { r } => Shape@K@::Circle { r: r * f },
            Shape@K@::Rect { w, h } => Shape@K@::Rect { w: w * f, h: h * f },
            Shape@K@::Tri { a, b, c } => Shape@K@::Tri { a: a * f, b: b * f, c: c * f },
            Shape@K@::Empty => Shape@K@::Empty,
        }
    }

    pub fn describe(&self) -> String {
        format!("{}:{}:{}", self.name(), self.area_x2(), self.perimeter())
    }
}

pub fn shapes_@K@(n: u32) -> u64 {
    let mut rng = Rng::new(@SEED@);
    let shapes: Vec<Shape@K@> = (0..n).map(|_| Shape@K@::from_seed(rng.next_u64())).collect();
    let area: u64 = shapes.iter().map(Shape@K@::area_x2).sum();
    let perimeter: u64 = shapes
        .iter()
        .filter(|s| **s != Shape@K@::Empty)
        .map(|s| s.scaled(@C@).perimeter())
        .sum();
    let longest = shapes.iter().map(|s| s.describe().len() as u64).max().unwrap_or(0);
    let mut counts: BTreeMap<&'static str, u64> = BTreeMap::new();
    for s in &shapes {
        *counts.entry(s.name()).or_insert(0) += 1;
    }
    let mut h = mix(area, perimeter);
    for (name, count) in &counts {
        h = mix(h, fnv(name.as_bytes()).wrapping_add(*count));
    }
    mix(h, longest)
}
''')

RUST_UNITS["metric"] = ({"mix", "Rng", "WORDS"}, "metrics_@K@", r'''
/// Something of unit @K@ that can be measured and weighed.
pub trait Metric@K@ {
    fn value(&self) -> u64;

    fn weight(&self) -> u64 {
        1
    }

    fn weighted(&self) -> u64 {
        self.value() * self.weight()
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Point@K@ {
    pub x: i64,
    pub y: i64,
}

#[derive(Debug, Clone)]
pub struct Label@K@ {
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct Pair@K@<T> {
    pub left: T,
    pub right: T,
}

impl Metric@K@ for Point@K@ {
    fn value(&self) -> u64 {
        self.x.unsigned_abs() + self.y.unsigned_abs()
    }
}

impl Metric@K@ for Label@K@ {
    fn value(&self) -> u64 {
        self.text.bytes().map(u64::from).sum()
    }

    fn weight(&self) -> u64 {
        self.text.len() as u64 % @A@ + 1
    }
}

impl<T: Metric@K@> Metric@K@ for Pair@K@<T> {
    fn value(&self) -> u64 {
        self.left.value().max(self.right.value())
    }

    fn weight(&self) -> u64 {
        self.left.weight() + self.right.weight()
    }
}

pub fn total_@K@<T: Metric@K@>(items: &[T]) -> u64 {
    items.iter().map(Metric@K@::weighted).sum()
}

/// The heaviest item (the last of equals), if any.
pub fn heaviest_@K@<T: Metric@K@>(items: &[T]) -> Option<&T> {
    items.iter().max_by_key(|m| m.weighted())
}

pub fn metrics_@K@(n: u32) -> u64 {
    let mut rng = Rng::new(@SEED@);
    let points: Vec<Point@K@> = (0..n)
        .map(|_| {
            let x = rng.below(200) as i64 - 100;
            let y = rng.below(@B@ * 10) as i64 - @B@ * 5;
            Point@K@ { x, y }
        })
        .collect();
    let labels: Vec<Label@K@> = (0..n as usize / 2 + 1)
        .map(|i| Label@K@ { text: format!("{}-{}", WORDS[(i + @K@) % WORDS.len()], i * @C@) })
        .collect();
    let pairs: Vec<Pair@K@<Point@K@>> = points
        .chunks(2)
        .filter(|c| c.len() == 2)
        .map(|c| Pair@K@ { left: c[0], right: c[1] })
        .collect();
    let dynamic: Vec<Box<dyn Metric@K@>> = points
        .iter()
        .take(@D@)
        .map(|p| Box::new(*p) as Box<dyn Metric@K@>)
        .chain(labels.iter().take(@D@).map(|l| Box::new(l.clone()) as Box<dyn Metric@K@>))
        .collect();
    let dyn_total: u64 = dynamic.iter().map(|m| m.weighted()).sum();
    let heavy_label = heaviest_@K@(&labels).map(|l| l.text.len() as u64).unwrap_or(0);
    let heavy_pair = heaviest_@K@(&pairs).map(|p| p.weighted()).unwrap_or(0);
    let h = mix(total_@K@(&points), total_@K@(&labels));
    mix(mix(h, total_@K@(&pairs)), dyn_total ^ (heavy_label << 32) ^ heavy_pair)
}
''')

RUST_UNITS["collections"] = ({"mix", "fnv", "Rng", "WORDS", "BTreeMap", "HashMap"}, "collections_@K@", r'''
/// A sentence of unit @K@: words from WORDS, some upper-case, some joined by commas.
pub fn sentence_@K@(rng: &mut Rng, words: usize) -> String {
    let mut s = String::new();
    for i in 0..words {
        if i > 0 {
            s.push(if rng.below(@A@) == 0 { ',' } else { ' ' });
        }
        let w = WORDS[rng.below(WORDS.len() as u64) as usize];
        if rng.below(5) == 0 {
            s.push_str(&w.to_uppercase());
        } else {
            s.push_str(w);
        }
    }
    s
}

/// How often each word occurs, case-folded, in word order.
pub fn frequencies_@K@(text: &str) -> BTreeMap<String, u64> {
    let mut freq = BTreeMap::new();
    for word in text.split([' ', ',']).filter(|w| !w.is_empty()) {
        *freq.entry(word.to_lowercase()).or_insert(0) += 1;
    }
    freq
}

/// Values grouped by their remainder.
pub fn groups_@K@(values: &[u64]) -> HashMap<u64, Vec<u64>> {
    let mut groups: HashMap<u64, Vec<u64>> = HashMap::new();
    for &v in values {
        groups.entry(v % @B@).or_default().push(v);
    }
    groups
}

pub fn collections_@K@(n: u32) -> u64 {
    let mut rng = Rng::new(@SEED@);
    let text = sentence_@K@(&mut rng, n as usize + @C@);
    let freq = frequencies_@K@(&text);
    let mut h = text.len() as u64;
    for (word, count) in &freq {
        h = mix(h, fnv(word.as_bytes()).wrapping_add(*count));
    }
    let top = freq
        .iter()
        .max_by_key(|(w, c)| (**c, w.len()))
        .map(|(w, _)| fnv(w.as_bytes()))
        .unwrap_or(0);
    let values: Vec<u64> = (0..n).map(|_| rng.below(1000)).collect();
    let groups = groups_@K@(&values);
    let group_sum: u64 = groups
        .iter()
        .map(|(k, g)| (k + 1) * g.len() as u64 + g.iter().max().copied().unwrap_or(0))
        .sum();
    let mut keys: Vec<u64> = groups.keys().copied().collect();
    keys.sort_unstable();
    let mut sorted = values.clone();
    sorted.sort();
    sorted.dedup();
    let widest = sorted.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0);
    let found = (0..@D@ as u64 * 8).filter(|x| sorted.binary_search(&(x * 37 % 1000)).is_ok()).count() as u64;
    let mut kept = values;
    kept.retain(|v| v % 3 != 0);
    h = mix(h, top);
    h = mix(h, group_sum);
    h = mix(h, keys.iter().fold(0, |a, k| (a * 31 + k) % 1_000_007));
    h = mix(h, widest * 1000 + found);
    mix(h, kept.len() as u64)
}
''')

RUST_UNITS["exprs"] = ({"mix", "Env", "eval_str"}, "exprs_@K@", r'''
/// The expressions unit @K@ evaluates (some fail on purpose).
pub const EXPRS_@K@: [&str; 6] = [
@EXPRS@];

/// Evaluates every expression for `n` settings of a, b and c.
pub fn exprs_@K@(n: u32) -> u64 {
    let mut env = Env::new();
    let mut h = 0u64;
    let mut nodes = 0u64;
    let mut failures = 0u64;
    for i in 0..n as i64 {
        env.set("a", i * @A@ - 7);
        env.set("b", (i % @B@) - 2);
        env.set("c", i / @C@ + 1);
        let src = EXPRS_@K@[i as usize % EXPRS_@K@.len()];
        match eval_str(src, &env) {
            Ok((value, size)) => {
                h = mix(h, value as u64);
                nodes += size as u64;
            }
            Err(e) => {
                h = mix(h, e.code());
                failures += 1;
            }
        }
    }
    mix(h, nodes * 1000 + failures)
}
''')

RUST_UNITS["iterators"] = ({"mix"}, "iterators_@K@", r'''
/// The Collatz sequence from a start value, as an iterator (ends at 1).
#[derive(Debug, Clone)]
pub struct Collatz@K@ {
    cur: u64,
    done: bool,
}

impl Collatz@K@ {
    pub fn new(start: u64) -> Self {
        Collatz@K@ { cur: start.max(1), done: false }
    }
}

impl Iterator for Collatz@K@ {
    type Item = u64;

    fn next(&mut self) -> Option<u64> {
        if self.done {
            return None;
        }
        let v = self.cur;
        if v == 1 {
            self.done = true;
        } else if v % 2 == 0 {
            self.cur = v / 2;
        } else {
            self.cur = 3 * v + 1;
        }
        Some(v)
    }
}

pub fn scaler_@K@(factor: u64) -> impl Fn(u64) -> u64 {
    move |x| x * factor + @A@
}

pub fn compose_@K@<F, G>(f: F, g: G) -> impl Fn(u64) -> u64
where
    F: Fn(u64) -> u64,
    G: Fn(u64) -> u64,
{
    move |x| g(f(x))
}

pub fn iterators_@K@(n: u32) -> u64 {
    let scale = scaler_@K@(@B@);
    let step = compose_@K@(&scale, |x| x + @C@);
    let values: Vec<u64> = (1..=u64::from(n)).filter(|x| x % @D@ != 0).map(&step).collect();
    let rising: u64 = values.windows(2).map(|w| w[1] - w[0]).sum();
    let peaks = values
        .chunks(@E@)
        .map(|c| c.iter().copied().max().unwrap_or(0))
        .fold(0u64, |a, x| a ^ x);
    let lengths: u64 = (1..=(u64::from(n) % 40 + 8)).map(|s| Collatz@K@::new(s * @A@).count() as u64).sum();
    let highest = (1..=20u64).flat_map(|s| Collatz@K@::new(s + @C@)).max().unwrap_or(0);
    let folded = values
        .iter()
        .zip(values.iter().rev())
        .take(25)
        .map(|(a, b)| *a.min(b))
        .fold(0u64, |a, x| a.wrapping_mul(31).wrapping_add(x));
    let (even, odd): (Vec<u64>, Vec<u64>) = values.iter().copied().partition(|v| v % 2 == 0);
    let mut h = mix(rising, peaks);
    h = mix(h, lengths * 1000 + highest % 1000);
    h = mix(h, folded);
    mix(h, ((even.len() as u64) << 16) | odd.len() as u64)
}
''')

RUST_UNITS["containers"] = ({"mix"}, "containers_@K@", r'''
/// A fixed-capacity ring buffer of unit @K@ that evicts its oldest entry.
#[derive(Debug, Clone)]
pub struct Ring@K@<T> {
    buf: Vec<Option<T>>,
    head: usize,
    len: usize,
}

impl<T: Copy> Ring@K@<T> {
    pub fn with_capacity(cap: usize) -> Self {
        Ring@K@ { buf: vec![None; cap], head: 0, len: 0 }
    }

    /// Appends `v`; returns the entry it evicted when full.
    pub fn push(&mut self, v: T) -> Option<T> {
        let cap = self.buf.len();
        if self.len == cap {
            let old = self.buf[self.head].replace(v);
            self.head = (self.head + 1) % cap;
            return old;
        }
        self.buf[(self.head + self.len) % cap] = Some(v);
        self.len += 1;
        None
    }

    pub fn pop(&mut self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        let v = self.buf[self.head].take();
        self.head = (self.head + 1) % self.buf.len();
        self.len -= 1;
        v
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn iter(&self) -> impl Iterator<Item = T> + '_ {
        (0..self.len).filter_map(move |i| self.buf[(self.head + i) % self.buf.len()])
    }
}

/// A small square matrix with wrapping arithmetic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matrix@K@ {
    n: usize,
    cells: Vec<u64>,
}

impl Matrix@K@ {
    pub fn from_fn(n: usize, f: impl Fn(usize, usize) -> u64) -> Self {
        let mut cells = Vec::with_capacity(n * n);
        for i in 0..n {
            for j in 0..n {
                cells.push(f(i, j));
            }
        }
        Matrix@K@ { n, cells }
    }

    pub fn identity(n: usize) -> Self {
        Matrix@K@::from_fn(n, |i, j| u64::from(i == j))
    }

    pub fn mul(&self, other: &Matrix@K@) -> Matrix@K@ {
        Matrix@K@::from_fn(self.n, |i, j| {
            (0..self.n).fold(0u64, |acc, k| {
                acc.wrapping_add(self.cells[i * self.n + k].wrapping_mul(other.cells[k * self.n + j]))
            })
        })
    }

    pub fn trace(&self) -> u64 {
        (0..self.n).fold(0u64, |acc, i| acc.wrapping_add(self.cells[i * self.n + i]))
    }
}

pub fn containers_@K@(n: u32) -> u64 {
    let mut ring: Ring@K@<u64> = Ring@K@::with_capacity(@A@ + 3);
    let mut evicted = 0u64;
    for i in 0..u64::from(n) {
        if let Some(old) = ring.push(i * @B@) {
            evicted = evicted.wrapping_add(old);
        }
        if i % 7 == 0 {
            ring.pop();
        }
    }
    let window: u64 = ring.iter().sum();
    let mut pairs: Ring@K@<(u32, u32)> = Ring@K@::with_capacity(5);
    for i in 0..n {
        pairs.push((i, i * i % 97));
    }
    let pair_sum: u64 = pairs.iter().map(|(a, b)| u64::from(a) * 100 + u64::from(b)).sum();
    let mut drained = 0u64;
    while !pairs.is_empty() {
        if let Some((a, _)) = pairs.pop() {
            drained += u64::from(a);
        }
    }
    let size = 3 + n as usize % 3;
    let m = Matrix@K@::from_fn(size, |i, j| ((i * @C@ + j * 3) % 11) as u64);
    let mut p = Matrix@K@::identity(size);
    for _ in 0..@D@ {
        p = p.mul(&m);
    }
    let same = u64::from(p == p.mul(&Matrix@K@::identity(size)));
    let mut h = mix(evicted, window);
    h = mix(h, pair_sum ^ drained);
    h = mix(h, p.trace());
    mix(h, same + ring.len() as u64)
}
''')

RUST_UNITS["records"] = ({"mix", "fnv", "Rng", "WORDS"}, "records_@K@", r'''
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State@K@ {
    Key,
    Value,
    Skip,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordError@K@ {
    MissingValue(String),
    BadNumber(String),
    Empty,
}

impl RecordError@K@ {
    pub fn code(&self) -> u64 {
        match self {
            RecordError@K@::MissingValue(key) => 1000 + key.len() as u64,
            RecordError@K@::BadNumber(text) => 2000 + fnv(text.as_bytes()) % 1000,
            RecordError@K@::Empty => 3,
        }
    }
}

/// `key=value;key=value` with u32 values; `#` skips to the next `;`.
#[derive(Debug, Default)]
pub struct Record@K@ {
    pub fields: Vec<(String, u32)>,
}

impl Record@K@ {
    pub fn parse(line: &str) -> Result<Self, RecordError@K@> {
        if line.trim().is_empty() {
            return Err(RecordError@K@::Empty);
        }
        let mut fields = Vec::new();
        let mut state = State@K@::Key;
        let mut key = String::new();
        let mut value = String::new();
        for c in line.chars().chain(std::iter::once(';')) {
            state = match (state, c) {
                (State@K@::Key, '=') => State@K@::Value,
                (State@K@::Key, ';') if key.is_empty() => State@K@::Key,
                (State@K@::Key, ';') => return Err(RecordError@K@::MissingValue(key)),
                (State@K@::Key, '#') => State@K@::Skip,
                (State@K@::Key, c) => {
                    if !c.is_whitespace() {
                        key.push(c);
                    }
                    State@K@::Key
                }
                (State@K@::Value, ';') => {
                    let v = value.trim().parse::<u32>().map_err(|_| RecordError@K@::BadNumber(value.clone()))?;
                    fields.push((std::mem::take(&mut key), v));
                    value.clear();
                    State@K@::Key
                }
                (State@K@::Value, c) => {
                    value.push(c);
                    State@K@::Value
                }
                (State@K@::Skip, ';') => {
                    key.clear();
                    State@K@::Key
                }
                (State@K@::Skip, _) => State@K@::Skip,
            };
        }
        Ok(Record@K@ { fields })
    }

    pub fn get(&self, key: &str) -> Option<u32> {
        self.fields.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
    }

    pub fn total(&self) -> u64 {
        self.fields.iter().map(|(_, v)| u64::from(*v)).sum()
    }
}

pub fn records_@K@(n: u32) -> u64 {
    let mut rng = Rng::new(@SEED@);
    let mut h = 0u64;
    let mut ok = 0u64;
    for i in 0..n {
        let word = WORDS[(i as usize + @K@) % WORDS.len()];
        let line = match rng.below(@A@ + 4) {
            0 => String::new(),
            1 => format!("{}=x{};", word, i),
            2 => format!("{};id={}", word, i),
            3 => format!("#note;id={}", i),
            _ => format!("id={}; {}={}; w={}", i, word, rng.below(1000), i % @B@),
        };
        match Record@K@::parse(&line) {
            Ok(r) => {
                ok += 1;
                h = mix(h, r.total() + u64::from(r.get("id").unwrap_or(0)) + r.fields.len() as u64);
            }
            Err(e) => h = mix(h, e.code()),
        }
    }
    mix(h, ok)
}
''')

RUST_IMPORTS = {
    "mix": "crate::util::mix",
    "fnv": "crate::util::fnv",
    "Rng": "crate::util::Rng",
    "WORDS": "crate::util::WORDS",
    "Env": "crate::eval::Env",
    "eval_str": "crate::eval::eval_str",
    "BTreeMap": "std::collections::BTreeMap",
    "HashMap": "std::collections::HashMap",
}


def rust_module(name, units):
    """A module: its units, then `checksum(n)` over them."""
    uses = set()
    bodies = []
    entries = []
    for kind, k in units:
        needs, entry, text = RUST_UNITS[kind]
        p = params(k)
        if kind == "exprs":
            p = dict(p, EXPRS="".join("    " + rust_str(e) + ",\n" for e in exprs_of(k)))
        uses |= needs
        bodies.append(subst(text, p))
        entries.append(subst(entry, p))
    std_uses = sorted(u for u in uses if RUST_IMPORTS[u].startswith("std::"))
    crate_uses = sorted((u for u in uses if RUST_IMPORTS[u].startswith("crate::")), key=lambda u: RUST_IMPORTS[u])
    out = ["//! The {} module: {}.\n\n".format(name, ", ".join(sorted({k for k, _ in units})))]
    for u in std_uses:
        out.append("use {};\n".format(RUST_IMPORTS[u]))
    if std_uses:
        out.append("\n")
    for u in crate_uses:
        out.append("use {};\n".format(RUST_IMPORTS[u]))
    out.extend(bodies)
    out.append("\n/// Everything in this module for a workload of size `n`, as one hash.\n")
    out.append("pub fn checksum(n: u32) -> u64 {\n")
    out.append("    let parts = [\n")
    for e in entries:
        out.append("        {}(n),\n".format(e))
    out.append("    ];\n")
    out.append("    parts.iter().fold({}, |h, p| mix(h, *p))\n".format(len(entries)))
    out.append("}\n")
    return "".join(out)


def rust_lib(modules, total_lines):
    mods = "".join("mod {};\n".format(m) for m, _ in modules)
    table = "".join("    {}::checksum,\n".format(m) for m, _ in modules)
    return '''//! devloop: a generated ~{lines}-line crate for the dev-loop benchmark
//! (benchmarks/dev_loop.sh). `src/leaf.rs` holds the line the benchmark edits.

mod eval;
mod leaf;
mod lexer;
mod parser;
mod util;
{mods}
/// Every module's workload, in order.
const MODULES: [fn(u32) -> u64; {count}] = [
{table}];

/// Runs every module's workload of size `n` and returns one checksum:
/// `base(n) + stamp()` (wrapping), `base` independent of the edited line.
#[unsafe(no_mangle)]
pub extern "C" fn run(n: u32) -> u64 {{
    let base = MODULES
        .iter()
        .enumerate()
        .fold(0u64, |h, (i, module)| util::mix(h ^ i as u64, module(n)));
    base.wrapping_add(leaf::stamp())
}}

/// The leaf module's edited constant times its multiplier.
#[unsafe(no_mangle)]
pub extern "C" fn stamp() -> u64 {{
    leaf::stamp()
}}

/// How many modules `run` visits.
#[unsafe(no_mangle)]
pub extern "C" fn modules() -> u32 {{
    MODULES.len() as u32
}}
'''.format(lines=total_lines, mods=mods, count=len(modules), table=table)


# ---------------------------------------------------------------- Zig

ZIG_UTIL = r'''//! Shared helpers: a deterministic RNG, hashing and the word list.
const std = @import("std");

/// Words the generated text is made of (ASCII, so case mapping is simple).
pub const WORDS = [16][]const u8{
    "alpha", "bravo", "charlie", "delta", "echo",     "foxtrot", "golf",  "hotel",
    "india", "juliet", "kilo",   "lima",  "mike", "november", "oscar", "papa",
};

/// xorshift64: small, fast, and the same on every platform.
pub const Rng = struct {
    state: u64,

    pub fn init(seed: u64) Rng {
        return .{ .state = seed | 1 };
    }

    pub fn next(self: *Rng) u64 {
        var x = self.state;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.state = x;
        return x;
    }

    /// A number in `0..bound` (`bound` > 0).
    pub fn below(self: *Rng, bound: u64) u64 {
        return self.next() % bound;
    }
};

/// Folds `value` into the running hash `h`.
pub fn mix(h: u64, value: u64) u64 {
    return std.math.rotl(u64, (h ^ value) *% 0x0000_0100_0000_01b3, 5);
}

/// FNV-1a over bytes.
pub fn fnv(bytes: []const u8) u64 {
    var h: u64 = 0xcbf2_9ce4_8422_2325;
    for (bytes) |b| h = (h ^ b) *% 0x0000_0100_0000_01b3;
    return h;
}
'''

ZIG_EXPR = r'''//! The expression language: tokenizer, recursive-descent parser and evaluator
//! (the Rust crate's lexer.rs, parser.rs and eval.rs).
const std = @import("std");
const util = @import("util.zig");
const Allocator = std.mem.Allocator;

pub const Token = union(enum) {
    num: i64,
    ident: []const u8,
    plus,
    minus,
    star,
    slash,
    percent,
    lparen,
    rparen,
    comma,
};

/// Why parsing or evaluation failed; `code` matches the Rust crate's.
pub const Failure = union(enum) {
    unexpected_char: struct { c: u8, at: usize },
    number_too_large: usize,
    unexpected: usize,
    unknown_func: []const u8,
    eof,
    trailing: usize,
    div_zero,
    unbound: []const u8,
    bad_arity: usize,

    pub fn code(self: Failure) u64 {
        return switch (self) {
            .unexpected_char => |e| 100 + @as(u64, e.at) * 256 + e.c,
            .number_too_large => |at| 150 + @as(u64, at),
            .unexpected => |at| 200 + @as(u64, at),
            .unknown_func => |name| 300 + util.fnv(name) % 1000,
            .eof => 400,
            .trailing => |at| 500 + @as(u64, at),
            .div_zero => 600,
            .unbound => |name| 700 + util.fnv(name) % 1000,
            .bad_arity => |n| 800 + @as(u64, n),
        };
    }
};

pub const Error = error{ Failed, OutOfMemory };

fn isSpace(c: u8) bool {
    return c == ' ' or c == '\t' or c == '\n' or c == '\r' or c == 0x0b or c == 0x0c;
}

/// All tokens of `src`, or the first failure (in `fail`).
pub fn tokenize(alloc: Allocator, src: []const u8, fail: *Failure) Error![]Token {
    var tokens: std.ArrayList(Token) = .empty;
    var i: usize = 0;
    while (i < src.len) {
        const c = src[i];
        if (isSpace(c)) {
            i += 1;
            continue;
        }
        if (std.ascii.isDigit(c)) {
            const start = i;
            var value: i64 = 0;
            var overflow = false;
            while (i < src.len and std.ascii.isDigit(src[i])) : (i += 1) {
                if (overflow) continue;
                const m = @mulWithOverflow(value, 10);
                const a = @addWithOverflow(m[0], @as(i64, src[i] - '0'));
                if (m[1] != 0 or a[1] != 0) overflow = true else value = a[0];
            }
            if (overflow) {
                fail.* = .{ .number_too_large = start };
                return error.Failed;
            }
            try tokens.append(alloc, .{ .num = value });
            continue;
        }
        if (std.ascii.isAlphabetic(c) or c == '_') {
            const start = i;
            while (i < src.len and (std.ascii.isAlphanumeric(src[i]) or src[i] == '_')) i += 1;
            try tokens.append(alloc, .{ .ident = src[start..i] });
            continue;
        }
        const t: Token = switch (c) {
            '+' => .plus,
            '-' => .minus,
            '*' => .star,
            '/' => .slash,
            '%' => .percent,
            '(' => .lparen,
            ')' => .rparen,
            ',' => .comma,
            else => {
                fail.* = .{ .unexpected_char = .{ .c = c, .at = i } };
                return error.Failed;
            },
        };
        try tokens.append(alloc, t);
        i += 1;
    }
    return tokens.items;
}

pub const Op = enum { add, sub, mul, div, rem };
pub const Func = enum { min, max, abs };

pub const Expr = union(enum) {
    num: i64,
    variable: []const u8,
    neg: *const Expr,
    bin: struct { op: Op, l: *const Expr, r: *const Expr },
    call: struct { func: Func, args: []const Expr },

    /// How many nodes the tree has.
    pub fn size(self: Expr) usize {
        return switch (self) {
            .num, .variable => 1,
            .neg => |e| 1 + e.size(),
            .bin => |b| 1 + b.l.size() + b.r.size(),
            .call => |c| blk: {
                var n: usize = 1;
                for (c.args) |a| n += a.size();
                break :blk n;
            },
        };
    }
};

const Parser = struct {
    alloc: Allocator,
    tokens: []const Token,
    pos: usize,
    fail: *Failure,

    fn peek(self: *Parser) ?Token {
        return if (self.pos < self.tokens.len) self.tokens[self.pos] else null;
    }

    fn peekIs(self: *Parser, tag: std.meta.Tag(Token)) bool {
        const t = self.peek() orelse return false;
        return t == tag;
    }

    fn next(self: *Parser) ?Token {
        const t = self.peek();
        if (t != null) self.pos += 1;
        return t;
    }

    fn box(self: *Parser, e: Expr) Error!*const Expr {
        const p = try self.alloc.create(Expr);
        p.* = e;
        return p;
    }

    fn failWith(self: *Parser, f: Failure) Error {
        self.fail.* = f;
        return error.Failed;
    }

    fn expr(self: *Parser) Error!Expr {
        var left = try self.term();
        while (true) {
            const op: Op = if (self.peekIs(.plus)) .add else if (self.peekIs(.minus)) .sub else return left;
            self.pos += 1;
            const right = try self.term();
            // Box first: `left` is the result location of the new node.
            const l = try self.box(left);
            left = .{ .bin = .{ .op = op, .l = l, .r = try self.box(right) } };
        }
    }

    fn term(self: *Parser) Error!Expr {
        var left = try self.unary();
        while (true) {
            const op: Op = if (self.peekIs(.star)) .mul else if (self.peekIs(.slash)) .div else if (self.peekIs(.percent)) .rem else return left;
            self.pos += 1;
            const right = try self.unary();
            const l = try self.box(left);
            left = .{ .bin = .{ .op = op, .l = l, .r = try self.box(right) } };
        }
    }

    fn unary(self: *Parser) Error!Expr {
        if (self.peekIs(.minus)) {
            self.pos += 1;
            return .{ .neg = try self.box(try self.unary()) };
        }
        return self.atom();
    }

    fn atom(self: *Parser) Error!Expr {
        const t = self.next() orelse return self.failWith(.eof);
        switch (t) {
            .num => |v| return .{ .num = v },
            .ident => |name| {
                if (!self.peekIs(.lparen)) return .{ .variable = name };
                self.pos += 1;
                var args: std.ArrayList(Expr) = .empty;
                if (self.peekIs(.rparen)) {
                    self.pos += 1;
                } else {
                    while (true) {
                        try args.append(self.alloc, try self.expr());
                        const sep = self.next() orelse return self.failWith(.eof);
                        switch (sep) {
                            .comma => continue,
                            .rparen => break,
                            else => return self.failWith(.{ .unexpected = self.pos - 1 }),
                        }
                    }
                }
                const func: Func = if (std.mem.eql(u8, name, "min")) .min else if (std.mem.eql(u8, name, "max")) .max else if (std.mem.eql(u8, name, "abs")) .abs else return self.failWith(.{ .unknown_func = name });
                return .{ .call = .{ .func = func, .args = args.items } };
            },
            .lparen => {
                const inner = try self.expr();
                const close = self.next() orelse return self.failWith(.eof);
                if (close != .rparen) return self.failWith(.{ .unexpected = self.pos - 1 });
                return inner;
            },
            else => return self.failWith(.{ .unexpected = self.pos - 1 }),
        }
    }
};

/// Parses a whole expression.
pub fn parse(alloc: Allocator, src: []const u8, fail: *Failure) Error!Expr {
    const tokens = try tokenize(alloc, src, fail);
    var p = Parser{ .alloc = alloc, .tokens = tokens, .pos = 0, .fail = fail };
    const e = try p.expr();
    if (p.pos != tokens.len) return p.failWith(.{ .trailing = p.pos });
    return e;
}

/// Variables by name.
pub const Env = struct {
    vars: std.StringHashMap(i64),

    pub fn init(alloc: Allocator) Env {
        return .{ .vars = std.StringHashMap(i64).init(alloc) };
    }

    pub fn set(self: *Env, name: []const u8, value: i64) Error!void {
        try self.vars.put(name, value);
    }

    pub fn eval(self: *const Env, e: Expr, fail: *Failure) Error!i64 {
        switch (e) {
            .num => |v| return v,
            .variable => |name| return self.vars.get(name) orelse {
                fail.* = .{ .unbound = name };
                return error.Failed;
            },
            .neg => |inner| return 0 -% try self.eval(inner.*, fail),
            .bin => |b| {
                const a = try self.eval(b.l.*, fail);
                const c = try self.eval(b.r.*, fail);
                switch (b.op) {
                    .add => return a +% c,
                    .sub => return a -% c,
                    .mul => return a *% c,
                    .div, .rem => {
                        if (c == 0) {
                            fail.* = .div_zero;
                            return error.Failed;
                        }
                        if (c == -1) return if (b.op == .div) 0 -% a else 0;
                        return if (b.op == .div) @divTrunc(a, c) else @rem(a, c);
                    },
                }
            },
            .call => |call| {
                var values: [16]i64 = undefined;
                for (call.args, 0..) |arg, i| values[i] = try self.eval(arg, fail);
                const vs = values[0..call.args.len];
                if (call.func == .abs) {
                    if (vs.len != 1) {
                        fail.* = .{ .bad_arity = vs.len };
                        return error.Failed;
                    }
                    return if (vs[0] < 0) 0 -% vs[0] else vs[0];
                }
                if (vs.len == 0) {
                    fail.* = .{ .bad_arity = 0 };
                    return error.Failed;
                }
                return if (call.func == .min) std.mem.min(i64, vs) else std.mem.max(i64, vs);
            },
        }
    }
};

pub const Value = struct { value: i64, size: usize };

/// Parses and evaluates `src`; on success also returns the tree's size.
pub fn evalStr(alloc: Allocator, src: []const u8, env: *const Env, fail: *Failure) Error!Value {
    const e = try parse(alloc, src, fail);
    return .{ .value = try env.eval(e, fail), .size = e.size() };
}
'''

ZIG_LEAF = r'''//! The module the dev-loop benchmark edits (the Rust crate's leaf.rs).

pub const EDIT: u64 = @EDIT@;

pub fn stamp() u64 {
    return EDIT *% @MUL@;
}
'''

ZIG_UNITS = {}

ZIG_UNITS["shapes"] = ("shapes_@K@", r'''
/// A shape of unit @K@, sized from a seed.
pub const Shape@K@ = union(enum) {
    circle: struct { r: u32 },
    rect: struct { w: u32, h: u32 },
    tri: struct { a: u32, b: u32, c: u32 },
    empty,

    pub fn fromSeed(seed: u64) Shape@K@ {
        const s: u32 = @truncate(seed >> 8);
        return switch (seed % 4) {
            0 => .{ .circle = .{ .r = s % 17 + @A@ } },
            1 => .{ .rect = .{ .w = s % 13 + 1, .h = s % 11 + @B@ } },
            2 => blk: {
                const a = s % 9 + 2;
                const b = s % 7 + a;
                break :blk .{ .tri = .{ .a = a, .b = b, .c = a + b - 1 } };
            },
            else => .empty,
        };
    }

    /// Twice the area, rounded down (pi as 355/113).
    pub fn areaX2(self: Shape@K@) u64 {
        return switch (self) {
            .circle => |c| 2 * 355 * @as(u64, c.r) * c.r / 113,
            .rect => |r| 2 * @as(u64, r.w) * r.h,
            .tri => |t| (@as(u64, t.a) * t.b + t.c) / 2,
            .empty => 0,
        };
    }

    pub fn perimeter(self: Shape@K@) u64 {
        return switch (self) {
            .circle => |c| 2 * 355 * @as(u64, c.r) / 113,
            .rect => |r| 2 * @as(u64, r.w + r.h),
            .tri => |t| t.a + t.b + t.c,
            .empty => 0,
        };
    }

    pub fn name(self: Shape@K@) []const u8 {
        return switch (self) {
            .circle => "circle",
            .rect => "rect",
            .tri => "tri",
            .empty => "empty",
        };
    }

    pub fn scaled(self: Shape@K@, f: u32) Shape@K@ {
        return switch (self) {
            .circle => |c| .{ .circle = .{ .r = c.r * f } },
            .rect => |r| .{ .rect = .{ .w = r.w * f, .h = r.h * f } },
            .tri => |t| .{ .tri = .{ .a = t.a * f, .b = t.b * f, .c = t.c * f } },
            .empty => .empty,
        };
    }

    pub fn describe(self: Shape@K@, alloc: Allocator) ![]u8 {
        return std.fmt.allocPrint(alloc, "{s}:{d}:{d}", .{ self.name(), self.areaX2(), self.perimeter() });
    }
};

pub fn shapes_@K@(alloc: Allocator, n: u32) !u64 {
    var rng = Rng.init(@SEED@);
    const shapes = try alloc.alloc(Shape@K@, n);
    for (shapes) |*s| s.* = Shape@K@.fromSeed(rng.next());
    var area: u64 = 0;
    var perimeter: u64 = 0;
    var longest: u64 = 0;
    var counts = std.StringHashMap(u64).init(alloc);
    for (shapes) |s| {
        area += s.areaX2();
        if (s != .empty) perimeter += s.scaled(@C@).perimeter();
        longest = @max(longest, (try s.describe(alloc)).len);
        const e = try counts.getOrPutValue(s.name(), 0);
        e.value_ptr.* += 1;
    }
    var h = mix(area, perimeter);
    // In name order, as the Rust BTreeMap iterates.
    for ([_][]const u8{ "circle", "empty", "rect", "tri" }) |name| {
        if (counts.get(name)) |count| h = mix(h, fnv(name) +% count);
    }
    return mix(h, longest);
}
''')

ZIG_UNITS["metric"] = ("metrics_@K@", r'''
pub const Point@K@ = struct {
    x: i64,
    y: i64,

    pub fn value(self: Point@K@) u64 {
        return @abs(self.x) + @abs(self.y);
    }

    pub fn weight(_: Point@K@) u64 {
        return 1;
    }
};

pub const Label@K@ = struct {
    text: []const u8,

    pub fn value(self: Label@K@) u64 {
        var sum: u64 = 0;
        for (self.text) |b| sum += b;
        return sum;
    }

    pub fn weight(self: Label@K@) u64 {
        return self.text.len % @A@ + 1;
    }
};

pub fn Pair@K@(comptime T: type) type {
    return struct {
        left: T,
        right: T,

        pub fn value(self: @This()) u64 {
            return @max(self.left.value(), self.right.value());
        }

        pub fn weight(self: @This()) u64 {
            return self.left.weight() + self.right.weight();
        }
    };
}

fn weighted_@K@(m: anytype) u64 {
    return m.value() * m.weight();
}

/// Runtime dispatch over the two leaf kinds (the Rust crate's `Box<dyn Metric>`).
pub const AnyMetric@K@ = union(enum) {
    point: Point@K@,
    label: Label@K@,

    pub fn weighted(self: AnyMetric@K@) u64 {
        return switch (self) {
            inline else => |m| weighted_@K@(m),
        };
    }
};

pub fn total_@K@(comptime T: type, items: []const T) u64 {
    var sum: u64 = 0;
    for (items) |m| sum += weighted_@K@(m);
    return sum;
}

/// The heaviest item (the last of equals), if any.
pub fn heaviest_@K@(comptime T: type, items: []const T) ?T {
    var best: ?T = null;
    for (items) |m| {
        if (best == null or weighted_@K@(m) >= weighted_@K@(best.?)) best = m;
    }
    return best;
}

pub fn metrics_@K@(alloc: Allocator, n: u32) !u64 {
    var rng = Rng.init(@SEED@);
    const points = try alloc.alloc(Point@K@, n);
    for (points) |*p| {
        const x = @as(i64, @intCast(rng.below(200))) - 100;
        const y = @as(i64, @intCast(rng.below(@B@ * 10))) - @B@ * 5;
        p.* = .{ .x = x, .y = y };
    }
    const labels = try alloc.alloc(Label@K@, n / 2 + 1);
    for (labels, 0..) |*l, i| {
        l.* = .{ .text = try std.fmt.allocPrint(alloc, "{s}-{d}", .{ WORDS[(i + @K@) % WORDS.len], i * @C@ }) };
    }
    const P = Pair@K@(Point@K@);
    const pairs = try alloc.alloc(P, n / 2);
    for (pairs, 0..) |*p, i| p.* = .{ .left = points[2 * i], .right = points[2 * i + 1] };
    var dynamic: std.ArrayList(AnyMetric@K@) = .empty;
    for (points[0..@min(@D@, points.len)]) |p| try dynamic.append(alloc, .{ .point = p });
    for (labels[0..@min(@D@, labels.len)]) |l| try dynamic.append(alloc, .{ .label = l });
    var dyn_total: u64 = 0;
    for (dynamic.items) |m| dyn_total += m.weighted();
    const heavy_label: u64 = if (heaviest_@K@(Label@K@, labels)) |l| l.text.len else 0;
    const heavy_pair: u64 = if (heaviest_@K@(P, pairs)) |p| weighted_@K@(p) else 0;
    const h = mix(total_@K@(Point@K@, points), total_@K@(Label@K@, labels));
    return mix(mix(h, total_@K@(P, pairs)), dyn_total ^ (heavy_label << 32) ^ heavy_pair);
}
''')

ZIG_UNITS["collections"] = ("collections_@K@", r'''
/// A sentence of unit @K@: words from WORDS, some upper-case, some joined by commas.
pub fn sentence_@K@(alloc: Allocator, rng: *Rng, words: usize) ![]u8 {
    var s: std.ArrayList(u8) = .empty;
    for (0..words) |i| {
        if (i > 0) try s.append(alloc, if (rng.below(@A@) == 0) ',' else ' ');
        const w = WORDS[@intCast(rng.below(WORDS.len))];
        if (rng.below(5) == 0) {
            for (w) |c| try s.append(alloc, std.ascii.toUpper(c));
        } else {
            try s.appendSlice(alloc, w);
        }
    }
    return s.items;
}

fn lessString_@K@(_: void, a: []const u8, b: []const u8) bool {
    return std.mem.lessThan(u8, a, b);
}

pub fn collections_@K@(alloc: Allocator, n: u32) !u64 {
    var rng = Rng.init(@SEED@);
    const text = try sentence_@K@(alloc, &rng, n + @C@);
    var freq = std.StringHashMap(u64).init(alloc);
    var it = std.mem.tokenizeAny(u8, text, " ,");
    while (it.next()) |word| {
        const e = try freq.getOrPutValue(try std.ascii.allocLowerString(alloc, word), 0);
        e.value_ptr.* += 1;
    }
    var words: std.ArrayList([]const u8) = .empty;
    var kit = freq.keyIterator();
    while (kit.next()) |k| try words.append(alloc, k.*);
    std.mem.sort([]const u8, words.items, {}, lessString_@K@);
    var h: u64 = text.len;
    var top: u64 = 0;
    var best_count: u64 = 0;
    var best_len: usize = 0;
    for (words.items, 0..) |w, i| {
        const count = freq.get(w).?;
        h = mix(h, fnv(w) +% count);
        if (i == 0 or count > best_count or (count == best_count and w.len >= best_len)) {
            best_count = count;
            best_len = w.len;
            top = fnv(w);
        }
    }
    const values = try alloc.alloc(u64, n);
    for (values) |*v| v.* = rng.below(1000);
    var groups = std.AutoHashMap(u64, std.ArrayList(u64)).init(alloc);
    for (values) |v| {
        const e = try groups.getOrPut(v % @B@);
        if (!e.found_existing) e.value_ptr.* = .empty;
        try e.value_ptr.append(alloc, v);
    }
    var group_sum: u64 = 0;
    var keys: std.ArrayList(u64) = .empty;
    var git = groups.iterator();
    while (git.next()) |e| {
        const g = e.value_ptr.items;
        group_sum += (e.key_ptr.* + 1) * g.len + std.mem.max(u64, g);
        try keys.append(alloc, e.key_ptr.*);
    }
    std.mem.sort(u64, keys.items, {}, std.sort.asc(u64));
    const sorted = try alloc.dupe(u64, values);
    std.mem.sort(u64, sorted, {}, std.sort.asc(u64));
    var uniq: usize = 0;
    for (sorted) |v| {
        if (uniq == 0 or sorted[uniq - 1] != v) {
            sorted[uniq] = v;
            uniq += 1;
        }
    }
    const dedup = sorted[0..uniq];
    var widest: u64 = 0;
    for (1..@max(dedup.len, 1)) |i| widest = @max(widest, dedup[i] - dedup[i - 1]);
    var found: u64 = 0;
    for (0..@D@ * 8) |x| {
        const want: u64 = x * 37 % 1000;
        if (std.sort.binarySearch(u64, dedup, want, orderU64) != null) found += 1;
    }
    var kept: u64 = 0;
    for (values) |v| {
        if (v % 3 != 0) kept += 1;
    }
    var fold: u64 = 0;
    for (keys.items) |k| fold = (fold * 31 + k) % 1_000_007;
    h = mix(h, top);
    h = mix(h, group_sum);
    h = mix(h, fold);
    h = mix(h, widest * 1000 + found);
    return mix(h, kept);
}
''')

ZIG_UNITS["exprs"] = ("exprs_@K@", r'''
/// The expressions unit @K@ evaluates (some fail on purpose).
pub const EXPRS_@K@ = [6][]const u8{
@EXPRS@};

/// Evaluates every expression for `n` settings of a, b and c.
pub fn exprs_@K@(alloc: Allocator, n: u32) !u64 {
    var env = expr.Env.init(alloc);
    var h: u64 = 0;
    var nodes: u64 = 0;
    var failures: u64 = 0;
    var i: i64 = 0;
    while (i < n) : (i += 1) {
        try env.set("a", i * @A@ - 7);
        try env.set("b", @rem(i, @B@) - 2);
        try env.set("c", @divTrunc(i, @C@) + 1);
        const src = EXPRS_@K@[@as(usize, @intCast(i)) % EXPRS_@K@.len];
        var fail: expr.Failure = .eof;
        if (expr.evalStr(alloc, src, &env, &fail)) |v| {
            h = mix(h, @bitCast(v.value));
            nodes += v.size;
        } else |err| switch (err) {
            error.Failed => {
                h = mix(h, fail.code());
                failures += 1;
            },
            error.OutOfMemory => return err,
        }
    }
    return mix(h, nodes * 1000 + failures);
}
''')

ZIG_UNITS["iterators"] = ("iterators_@K@", r'''
/// The Collatz sequence from a start value, as an iterator (ends at 1).
pub const Collatz@K@ = struct {
    cur: u64,
    done: bool,

    pub fn init(start: u64) Collatz@K@ {
        return .{ .cur = @max(start, 1), .done = false };
    }

    pub fn next(self: *Collatz@K@) ?u64 {
        if (self.done) return null;
        const v = self.cur;
        if (v == 1) {
            self.done = true;
        } else if (v % 2 == 0) {
            self.cur = v / 2;
        } else {
            self.cur = 3 * v + 1;
        }
        return v;
    }
};

fn step_@K@(x: u64) u64 {
    const scaled = x * @B@ + @A@;
    return scaled + @C@;
}

pub fn iterators_@K@(alloc: Allocator, n: u32) !u64 {
    var values: std.ArrayList(u64) = .empty;
    for (1..@as(usize, n) + 1) |x| {
        if (x % @D@ != 0) try values.append(alloc, step_@K@(x));
    }
    const v = values.items;
    var rising: u64 = 0;
    for (1..@max(v.len, 1)) |i| rising += v[i] - v[i - 1];
    var peaks: u64 = 0;
    var start: usize = 0;
    while (start < v.len) : (start += @E@) {
        peaks ^= std.mem.max(u64, v[start..@min(start + @E@, v.len)]);
    }
    var lengths: u64 = 0;
    for (1..@as(usize, n) % 40 + 8 + 1) |s| {
        var c = Collatz@K@.init(s * @A@);
        while (c.next()) |_| lengths += 1;
    }
    var highest: u64 = 0;
    for (1..21) |s| {
        var c = Collatz@K@.init(s + @C@);
        while (c.next()) |x| highest = @max(highest, x);
    }
    var folded: u64 = 0;
    for (0..@min(25, v.len)) |i| folded = folded *% 31 +% @min(v[i], v[v.len - 1 - i]);
    var even: u64 = 0;
    for (v) |x| {
        if (x % 2 == 0) even += 1;
    }
    var h = mix(rising, peaks);
    h = mix(h, lengths * 1000 + highest % 1000);
    h = mix(h, folded);
    return mix(h, (even << 16) | (v.len - even));
}
''')

ZIG_UNITS["containers"] = ("containers_@K@", r'''
/// A fixed-capacity ring buffer of unit @K@ that evicts its oldest entry.
pub fn Ring@K@(comptime T: type) type {
    return struct {
        buf: []?T,
        head: usize,
        len: usize,

        const Self = @This();

        pub fn init(alloc: Allocator, cap: usize) !Self {
            const buf = try alloc.alloc(?T, cap);
            @memset(buf, null);
            return .{ .buf = buf, .head = 0, .len = 0 };
        }

        /// Appends `v`; returns the entry it evicted when full.
        pub fn push(self: *Self, v: T) ?T {
            const cap = self.buf.len;
            if (self.len == cap) {
                const old = self.buf[self.head];
                self.buf[self.head] = v;
                self.head = (self.head + 1) % cap;
                return old;
            }
            self.buf[(self.head + self.len) % cap] = v;
            self.len += 1;
            return null;
        }

        pub fn pop(self: *Self) ?T {
            if (self.len == 0) return null;
            const v = self.buf[self.head];
            self.buf[self.head] = null;
            self.head = (self.head + 1) % self.buf.len;
            self.len -= 1;
            return v;
        }

        pub fn at(self: Self, i: usize) T {
            return self.buf[(self.head + i) % self.buf.len].?;
        }
    };
}

/// A small square matrix with wrapping arithmetic.
pub const Matrix@K@ = struct {
    n: usize,
    cells: []u64,

    pub fn identity(alloc: Allocator, n: usize) !Matrix@K@ {
        const cells = try alloc.alloc(u64, n * n);
        for (0..n) |i| {
            for (0..n) |j| cells[i * n + j] = @intFromBool(i == j);
        }
        return .{ .n = n, .cells = cells };
    }

    pub fn mul(self: Matrix@K@, alloc: Allocator, other: Matrix@K@) !Matrix@K@ {
        const cells = try alloc.alloc(u64, self.n * self.n);
        for (0..self.n) |i| {
            for (0..self.n) |j| {
                var acc: u64 = 0;
                for (0..self.n) |k| acc +%= self.cells[i * self.n + k] *% other.cells[k * self.n + j];
                cells[i * self.n + j] = acc;
            }
        }
        return .{ .n = self.n, .cells = cells };
    }

    pub fn trace(self: Matrix@K@) u64 {
        var acc: u64 = 0;
        for (0..self.n) |i| acc +%= self.cells[i * self.n + i];
        return acc;
    }
};

pub fn containers_@K@(alloc: Allocator, n: u32) !u64 {
    var ring = try Ring@K@(u64).init(alloc, @A@ + 3);
    var evicted: u64 = 0;
    for (0..n) |i| {
        if (ring.push(i * @B@)) |old| evicted +%= old;
        if (i % 7 == 0) _ = ring.pop();
    }
    var window: u64 = 0;
    for (0..ring.len) |i| window += ring.at(i);
    const PairT = struct { a: u32, b: u32 };
    var pairs = try Ring@K@(PairT).init(alloc, 5);
    var i: u32 = 0;
    while (i < n) : (i += 1) _ = pairs.push(.{ .a = i, .b = i * i % 97 });
    var pair_sum: u64 = 0;
    for (0..pairs.len) |j| pair_sum += @as(u64, pairs.at(j).a) * 100 + pairs.at(j).b;
    var drained: u64 = 0;
    while (pairs.len != 0) {
        if (pairs.pop()) |p| drained += p.a;
    }
    const size: usize = 3 + n % 3;
    const m = try Matrix@K@.identity(alloc, size);
    for (0..size) |r| {
        for (0..size) |c| m.cells[r * size + c] = (r * @C@ + c * 3) % 11;
    }
    var p = try Matrix@K@.identity(alloc, size);
    for (0..@D@) |_| p = try p.mul(alloc, m);
    const same: u64 = @intFromBool(std.mem.eql(u64, p.cells, (try p.mul(alloc, try Matrix@K@.identity(alloc, size))).cells));
    var h = mix(evicted, window);
    h = mix(h, pair_sum ^ drained);
    h = mix(h, p.trace());
    return mix(h, same + ring.len);
}
''')

ZIG_UNITS["records"] = ("records_@K@", r'''
pub const Field@K@ = struct { key: []const u8, value: u32 };

/// `key=value;key=value` with u32 values; `#` skips to the next `;`.
/// Returns the fields, or null with the error code in `code`.
pub fn parseRecord_@K@(alloc: Allocator, line: []const u8, code: *u64) !?[]Field@K@ {
    if (std.mem.trim(u8, line, " \t\r\n").len == 0) {
        code.* = 3;
        return null;
    }
    const State = enum { key, value, skip };
    var fields: std.ArrayList(Field@K@) = .empty;
    var state = State.key;
    var key: std.ArrayList(u8) = .empty;
    var value: std.ArrayList(u8) = .empty;
    for (0..line.len + 1) |idx| {
        const c: u8 = if (idx < line.len) line[idx] else ';';
        switch (state) {
            .key => switch (c) {
                '=' => state = .value,
                ';' => if (key.items.len != 0) {
                    code.* = 1000 + key.items.len;
                    return null;
                },
                '#' => state = .skip,
                else => if (c != ' ') try key.append(alloc, c),
            },
            .value => if (c == ';') {
                const v = std.fmt.parseInt(u32, std.mem.trim(u8, value.items, " \t\r\n"), 10) catch {
                    code.* = 2000 + fnv(value.items) % 1000;
                    return null;
                };
                try fields.append(alloc, .{ .key = try key.toOwnedSlice(alloc), .value = v });
                value.clearRetainingCapacity();
                state = .key;
            } else try value.append(alloc, c),
            .skip => if (c == ';') {
                key.clearRetainingCapacity();
                state = .key;
            },
        }
    }
    return fields.items;
}

pub fn records_@K@(alloc: Allocator, n: u32) !u64 {
    var rng = Rng.init(@SEED@);
    var h: u64 = 0;
    var ok: u64 = 0;
    for (0..n) |i| {
        const word = WORDS[(i + @K@) % WORDS.len];
        const line = switch (rng.below(@A@ + 4)) {
            0 => "",
            1 => try std.fmt.allocPrint(alloc, "{s}=x{d};", .{ word, i }),
            2 => try std.fmt.allocPrint(alloc, "{s};id={d}", .{ word, i }),
            3 => try std.fmt.allocPrint(alloc, "#note;id={d}", .{i}),
            else => try std.fmt.allocPrint(alloc, "id={d}; {s}={d}; w={d}", .{ i, word, rng.below(1000), i % @B@ }),
        };
        var code: u64 = 0;
        if (try parseRecord_@K@(alloc, line, &code)) |fields| {
            ok += 1;
            var total: u64 = 0;
            var id: u64 = 0;
            var have_id = false;
            for (fields) |f| {
                total += f.value;
                if (!have_id and std.mem.eql(u8, f.key, "id")) {
                    id = f.value;
                    have_id = true;
                }
            }
            h = mix(h, total + id + fields.len);
        } else {
            h = mix(h, code);
        }
    }
    return mix(h, ok);
}
''')


def zig_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def zig_module(name, units):
    bodies = []
    entries = []
    for kind, k in units:
        entry, text = ZIG_UNITS[kind]
        p = params(k)
        if kind == "exprs":
            p = dict(p, EXPRS="".join("    " + zig_str(e) + ",\n" for e in exprs_of(k)))
        bodies.append(subst(text, p))
        entries.append(subst(entry, p))
    out = ["//! The {} module (the Rust crate's src/{}.rs).\n".format(name, name)]
    out.append('const std = @import("std");\n')
    out.append('const util = @import("util.zig");\n')
    out.append('const expr = @import("expr.zig");\n')
    out.append("const Allocator = std.mem.Allocator;\n")
    out.append("const Rng = util.Rng;\nconst WORDS = util.WORDS;\nconst mix = util.mix;\nconst fnv = util.fnv;\n")
    out.append("\nfn orderU64(a: u64, b: u64) std.math.Order {\n    return std.math.order(a, b);\n}\n")
    out.extend(bodies)
    out.append("\n/// Everything in this module for a workload of size `n`, as one hash.\n")
    out.append("pub fn checksum(alloc: Allocator, n: u32) !u64 {\n")
    out.append("    const parts = [_]u64{\n")
    for e in entries:
        out.append("        try {}(alloc, n),\n".format(e))
    out.append("    };\n")
    out.append("    var h: u64 = {};\n".format(len(entries)))
    out.append("    for (parts) |p| h = mix(h, p);\n")
    out.append("    return h;\n}\n")
    return "".join(out)


def zig_main(modules):
    imports = "".join('const {0} = @import("{0}.zig");\n'.format(m) for m, _ in modules)
    calls = "".join("        try {}.checksum(alloc, n),\n".format(m) for m, _ in modules)
    return '''//! devloop in Zig: the Rust crate's modules and exports, the same checksum.
//! Build: zig build-exe -target wasm32-freestanding -O Debug -fno-entry -rdynamic main.zig
const std = @import("std");
const util = @import("util.zig");
const leaf = @import("leaf.zig");
{imports}
fn base(n: u32) !u64 {{
    var arena = std.heap.ArenaAllocator.init(std.heap.wasm_allocator);
    defer arena.deinit();
    const alloc = arena.allocator();
    const parts = [_]u64{{
{calls}    }};
    var h: u64 = 0;
    for (parts, 0..) |p, i| h = util.mix(h ^ i, p);
    return h;
}}

/// Every module's workload of size `n`, one checksum (0 if memory ran out).
export fn run(n: u32) u64 {{
    const b = base(n) catch return 0;
    return b +% leaf.stamp();
}}

export fn stamp() u64 {{
    return leaf.stamp();
}}

export fn modules() u32 {{
    return {count};
}}
'''.format(imports=imports, calls=calls, count=len(modules))


# ---------------------------------------------------------------- layout and output

BUILD_BAZEL = '''# Generated by benchmarks/devloop/gen.py: the dev-loop benchmark crate
# (benchmarks/dev_loop.sh). Tagged `manual`: `bazel test //...` skips it.
load("//toolchains:defs.bzl", "wasm_rust_binary")

wasm_rust_binary(
    name = "devloop",
    srcs = glob(["src/**/*.rs"]),
    crate_name = "devloop",
    crate_root = "src/lib.rs",
    kind = "reactor",
    profile = "browser",
    tags = ["manual"],
)
'''

CARGO_TOML = '''# Generated by benchmarks/devloop/gen.py: the cargo peer of the dev-loop benchmark.
[package]
name = "devloop"
version = "0.0.0"
edition = "2024"

[lib]
path = "src/lib.rs"
crate-type = ["cdylib"]

# [profile.dev] is cargo's default (opt-level 0, debug info, incremental).

# WasmRust's release size settings.
[profile.release]
opt-level = "z"
lto = true
codegen-units = 1
panic = "abort"
strip = true

[workspace]
'''


def plan(target_lines):
    """Modules and their units: (name, [(kind, k), ...]) until the lines are reached."""
    fixed = sum(t.count("\n") for t in (RUST_UTIL, RUST_LEXER, RUST_PARSER, RUST_EVAL, RUST_LEAF)) + 60
    per_unit = {kind: RUST_UNITS[kind][2].count("\n") for kind in KINDS}
    modules = []
    lines = fixed
    k = 0
    while lines < target_lines or not modules:
        idx = len(modules)
        name = MODULE_NAMES[idx] if idx < len(MODULE_NAMES) else "module{}".format(idx)
        units = []
        lines += 16
        for _ in range(UNITS_PER_MODULE):
            kind = KINDS[(k * 3 + idx) % len(KINDS)]
            units.append((kind, k))
            lines += per_unit[kind] + 1
            k += 1
            if lines >= target_lines:
                break
        modules.append((name, units))
    return modules


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return text.count("\n")


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", nargs="?", default=os.path.join(root, "benchmarks", "devloop", "crate"))
    ap.add_argument("--lines", type=int, default=10000, help="Rust lines to aim for (default 10000)")
    ap.add_argument("--zig", metavar="DIR", help="also write the Zig program into DIR")
    args = ap.parse_args()
    if args.lines < 1000:
        sys.exit("gen.py: --lines must be at least 1000")

    modules = plan(args.lines)
    out = args.out
    src = os.path.join(out, "src")
    # Only what this generator wrote before goes (a stale module would break the glob).
    if os.path.isdir(src):
        for f in os.listdir(src):
            if f.endswith(".rs"):
                os.remove(os.path.join(src, f))
    leaf = subst(RUST_LEAF, {"EDIT": str(EDIT_DEFAULT), "MUL": "0x{:X}".format(STAMP_MUL)})
    files = {
        "util.rs": RUST_UTIL,
        "lexer.rs": RUST_LEXER,
        "parser.rs": RUST_PARSER,
        "eval.rs": RUST_EVAL,
        "leaf.rs": leaf,
    }
    for name, units in modules:
        files[name + ".rs"] = rust_module(name, units)
    body = sum(t.count("\n") for t in files.values())
    lib = rust_lib(modules, 0)
    total = body + lib.count("\n")
    files["lib.rs"] = rust_lib(modules, (total + 500) // 1000 * 1000)
    rust_lines = sum(write(os.path.join(src, n), t) for n, t in sorted(files.items()))
    write(os.path.join(out, "BUILD.bazel"), BUILD_BAZEL)
    write(os.path.join(out, "Cargo.toml"), CARGO_TOML)
    edit_line = "pub const EDIT: u64 = {};".format(EDIT_DEFAULT)
    meta = {
        "rust_lines": rust_lines,
        "rust_files": len(files),
        "modules": len(modules),
        "units": sum(len(u) for _, u in modules),
        "edit_file": "src/leaf.rs",
        "edit_line": edit_line,
        "edit_default": EDIT_DEFAULT,
        "stamp_mul": STAMP_MUL,
        "run_n": RUN_N,
    }
    print("rust: {} lines in {} files ({} modules, {} units) -> {}".format(
        rust_lines, len(files), len(modules), meta["units"], os.path.relpath(src)))
    if args.zig:
        zdir = args.zig
        if os.path.isdir(zdir):
            for f in os.listdir(zdir):
                if f.endswith(".zig"):
                    os.remove(os.path.join(zdir, f))
        zfiles = {
            "util.zig": ZIG_UTIL,
            "expr.zig": ZIG_EXPR,
            "leaf.zig": subst(ZIG_LEAF, {"EDIT": str(EDIT_DEFAULT), "MUL": "0x{:X}".format(STAMP_MUL)}),
            "main.zig": zig_main(modules),
        }
        for name, units in modules:
            zfiles[name + ".zig"] = zig_module(name, units)
        zig_lines = sum(write(os.path.join(zdir, n), t) for n, t in sorted(zfiles.items()))
        meta["zig_lines"] = zig_lines
        meta["zig_edit_file"] = "leaf.zig"
        print("zig:  {} lines in {} files -> {}".format(zig_lines, len(zfiles), os.path.relpath(zdir)))
    write(os.path.join(out, "devloop.json"), json.dumps(meta, indent=1) + "\n")


if __name__ == "__main__":
    main()
