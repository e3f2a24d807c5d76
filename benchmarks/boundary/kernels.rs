//! The functions both modules export, written once: `wasmrust.rs` exports them
//! with `#[wasm::export]`, `bindgen.rs` with `#[wasm_bindgen]`, so the
//! two modules differ only in how arguments and results cross the boundary.
//!
//! The bodies are deliberately cheap (except `bytes_sum`, the one full pass
//! over the data) so the timings measure the boundary, not the kernel.

/// Nothing: the cost of the call itself.
#[inline(always)]
pub fn nop() {}

/// Two scalars in, one out.
#[inline(always)]
pub fn add(a: i32, b: i32) -> i32 {
    a.wrapping_add(b)
}

/// An `Option` result (`None` when dividing by zero or overflowing).
#[inline(always)]
pub fn checked_div(a: i32, b: i32) -> Option<i32> {
    a.checked_div(b)
}

/// A borrowed string in, its length in UTF-8 bytes out.
#[inline(always)]
pub fn str_len(s: &str) -> u32 {
    s.len() as u32
}

/// A borrowed string in, an owned string out.
#[inline(always)]
pub fn greet(name: &str) -> String {
    format!("Hello, {name}!")
}

/// A borrowed byte slice in; reads only its length and three bytes, so the
/// time is the transfer (copy into linear memory, allocation, free).
#[inline(always)]
pub fn bytes_probe(b: &[u8]) -> u32 {
    match b {
        [] => 0,
        _ => {
            (b.len() as u32)
                ^ (u32::from(b[0]) << 8)
                ^ (u32::from(b[b.len() / 2]) << 16)
                ^ (u32::from(b[b.len() - 1]) << 24)
        }
    }
}

/// A borrowed byte slice in, a checksum over every byte out (Fletcher-style,
/// so order matters and no byte can be skipped).
#[inline(always)]
pub fn bytes_sum(b: &[u8]) -> u32 {
    let (mut lo, mut hi) = (0u32, 0u32);
    for &x in b {
        lo = lo.wrapping_add(u32::from(x));
        hi = hi.wrapping_add(lo);
    }
    lo ^ hi.rotate_left(16)
}

/// A borrowed `f64` slice in, an owned `Vec<f64>` of the same length out.
#[inline(always)]
pub fn scale(xs: &[f64], k: f64) -> Vec<f64> {
    xs.iter().map(|x| x * k).collect()
}
