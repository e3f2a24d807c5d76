//! A browser-profile reactor for tests/release/policy_test.mjs: what the
//! release policy does to a module that can panic and allocates, with the
//! profile's defaults (no allocator chosen, no dependency on `wasm`).

static TABLE: [u32; 4] = [2, 3, 5, 7];

/// `TABLE[i]`: out of range, a bounds-check panic.
#[unsafe(no_mangle)]
pub extern "C" fn nth(i: u32) -> u32 {
    TABLE[i as usize]
}

/// `a / b`, panicking with a message of its own when `b` is 0.
#[unsafe(no_mangle)]
pub extern "C" fn divide(a: u32, b: u32) -> u32 {
    a.checked_div(b).expect("policy: the divisor is zero")
}

/// Allocates `n` bytes, fills them and returns their sum (so the block is used).
#[unsafe(no_mangle)]
pub extern "C" fn fill(n: u32) -> u32 {
    let v = vec![1u8; n as usize];
    v.iter().map(|&b| u32::from(b)).sum()
}
