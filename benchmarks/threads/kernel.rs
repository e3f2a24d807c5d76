//! CPU-bound work split into chunks, run sequentially or on threads with `wasm::thread::scope`,
//! for benchmarks/threads.sh. Both paths return the same checksum.

use wasm::thread::{ScopedJoinHandle, available_parallelism, scope};

/// `rounds` of xorshift and a multiply from `seed`: work with no memory traffic.
fn mix(seed: u32, rounds: u32) -> u32 {
    let mut x = seed.wrapping_mul(0x9E37_79B9) | 1;
    for _ in 0..rounds {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        x = x.wrapping_mul(0x2545_F491);
    }
    x
}

/// The xor of `mix(c, rounds)` over chunks `c` in `0..chunks`; on threads when `threaded` is
/// nonzero (one closure per chunk).
#[unsafe(no_mangle)]
pub extern "C" fn work(chunks: u32, rounds: u32, threaded: u32) -> u32 {
    if threaded == 0 {
        return (0..chunks).fold(0, |acc, c| acc ^ mix(c, rounds));
    }
    scope(|s| {
        let handles: Vec<_> = (0..chunks)
            .map(|c| s.spawn(move || mix(c, rounds)))
            .collect();
        handles
            .into_iter()
            .map(ScopedJoinHandle::join)
            .fold(0, |acc, x| acc ^ x)
    })
}

/// What `wasm::thread::available_parallelism` reports in this host.
#[unsafe(no_mangle)]
pub extern "C" fn parallelism() -> u32 {
    available_parallelism() as u32
}
