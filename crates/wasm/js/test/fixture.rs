//! End-to-end fixture for `wasmrust.mjs`: a no_std cdylib exercising every ABI class.
//! Built by Bazel (`:fixture`, with the macros through `wasm`'s `macros` feature: `#[wasm::export]`);
//! driven by `wasmrust.test.mjs`.
#![no_std]
extern crate alloc;

use alloc::{format, string::String, vec::Vec};
use core::alloc::{GlobalAlloc, Layout};
use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use wasm::{ExternRef, OwnedExternRef};

/// A bump allocator that counts live bytes, so the JS test can check it frees what it must.
struct Bump;
static NEXT: AtomicUsize = AtomicUsize::new(0);
static END: AtomicUsize = AtomicUsize::new(0);
static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: blocks never overlap (the cursor only moves forward) and are aligned as requested.
unsafe impl GlobalAlloc for Bump {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let mut start = NEXT.load(Relaxed).next_multiple_of(l.align());
        if start == 0 || start + l.size() > END.load(Relaxed) {
            let pages = l.size().div_ceil(65536) + 1;
            let old = core::arch::wasm32::memory_grow(0, pages);
            if old == usize::MAX {
                return core::ptr::null_mut();
            }
            start = (old * 65536).next_multiple_of(l.align());
            END.store((old + pages) * 65536, Relaxed);
        }
        NEXT.store(start + l.size(), Relaxed);
        LIVE.fetch_add(l.size(), Relaxed);
        core::ptr::with_exposed_provenance_mut(start)
    }
    unsafe fn dealloc(&self, _: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size(), Relaxed);
    }
}

#[global_allocator]
static A: Bump = Bump;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

#[wasm::export]
fn live_bytes() -> u32 {
    LIVE.load(Relaxed) as u32
}

#[wasm::export]
fn add(a: i32, b: i32) -> i32 {
    a.wrapping_add(b)
}

#[wasm::export]
fn add64(a: u64, b: u64) -> u64 {
    a.wrapping_add(b)
}

#[wasm::export]
fn not(b: bool) -> bool {
    !b
}

#[wasm::export]
fn next_char(c: char, by: u8) -> char {
    char::from_u32(c as u32 + by as u32).unwrap_or('?')
}

#[wasm::export]
fn greet(name: &str) -> String {
    format!("hello, {name}!")
}

#[wasm::export]
fn sum(xs: &[f64]) -> f64 {
    xs.iter().sum()
}

#[wasm::export]
fn scale(xs: Vec<f32>, k: f32) -> Vec<f32> {
    xs.into_iter().map(|x| x * k).collect()
}

#[wasm::export]
fn parse(text: String) -> Result<u32, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("not a number: {text}"))
}

#[wasm::export]
fn find(hay: &str, needle: Option<String>) -> Option<u32> {
    hay.find(needle?.as_str()).map(|i| i as u32)
}

#[wasm::export]
fn first_word(s: &str) -> &str {
    s.split(' ').next().unwrap_or("")
}

#[wasm::export]
fn nested(x: Option<Result<i64, bool>>) -> Result<Option<i64>, Vec<u16>> {
    match x {
        None => Ok(None),
        Some(Ok(v)) => Ok(Some(v * 2)),
        Some(Err(b)) => Err(if b { Vec::from([1, 2, 3]) } else { Vec::new() }),
    }
}

#[wasm::export]
fn same(a: ExternRef<'_>, b: ExternRef<'_>) -> bool {
    a.same_value(b)
}

#[wasm::export]
fn callable(a: ExternRef<'_>) -> bool {
    a.as_func().is_some()
}

#[wasm::export]
fn keep(a: ExternRef<'_>) -> OwnedExternRef {
    a.to_owned()
}

#[wasm::import(module = "env")]
extern "C" {
    fn upper(s: &str) -> String;
    fn describe(n: Option<u32>, tags: Vec<u8>) -> Result<String, u32>;
    fn note(v: OwnedExternRef);
}

#[wasm::linear]
struct Job {
    n: u32,
}

impl Job {
    fn finish(self) -> u32 {
        let (n,) = self.into_fields();
        n
    }
}

#[wasm::effect(js_call, alloc, panic)]
#[wasm::export]
fn shout(s: &str) -> String {
    let job = Job { n: s.len() as u32 };
    format!("{}{}", upper(s), "!".repeat(job.finish() as usize))
}

#[wasm::export(name = "describe_twice")]
#[wasm::effect(js_call, alloc, panic)]
fn describe_twice(n: u32) -> String {
    let a = describe(Some(n), Vec::from([1, 2])).unwrap_or_default();
    let b = describe(None, Vec::from([7; 4])).err().unwrap_or(0);
    format!("{a}|{b}")
}

#[wasm::export]
fn pass_back(v: ExternRef<'_>) {
    note(v.to_owned());
}

#[wasm::effect(io)]
fn internal() -> u32 {
    7
}

#[wasm::export]
fn call_internal() -> u32 {
    internal()
}
