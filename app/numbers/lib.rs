//! Number crunching for the demo, independent of any ABI (a plain library crate).

#![no_std]

extern crate alloc;

use alloc::vec::Vec;

/// Summary statistics of a list of integers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Summary {
    /// How many values.
    pub count: u32,
    /// Their sum, saturating at the i64 range.
    pub sum: i64,
    /// The smallest value.
    pub min: i64,
    /// The largest value.
    pub max: i64,
    /// The arithmetic mean.
    pub mean: f64,
}

/// Summarizes `values`; `None` when empty. The sum saturates at the i64 range.
pub fn summarize(values: &[i64]) -> Option<Summary> {
    let (&first, rest) = values.split_first()?;
    let mut s = Summary {
        count: 1,
        sum: first,
        min: first,
        max: first,
        mean: 0.0,
    };
    for &v in rest {
        s.count += 1;
        s.sum = s.sum.saturating_add(v);
        s.min = s.min.min(v);
        s.max = s.max.max(v);
    }
    s.mean = values.iter().map(|&v| v as f64).sum::<f64>() / values.len() as f64;
    Some(s)
}

/// Every prime below `limit`, ascending (sieve of Eratosthenes).
pub fn primes_below(limit: u32) -> Vec<u32> {
    let n = limit as usize;
    if n < 3 {
        return Vec::new();
    }
    let mut composite = alloc::vec![false; n];
    let mut primes = Vec::new();
    for i in 2..n {
        if composite[i] {
            continue;
        }
        primes.push(i as u32);
        // `i * i` overflows a wasm32 `usize` once i > 65535 (found by the
        // wasm tests below, not by host tests); no multiple is left to mark then.
        let Some(mut j) = i.checked_mul(i) else {
            continue;
        };
        while j < n {
            composite[j] = true;
            j += i;
        }
    }
    primes
}

// The same behavioural tests on every host: `cargo test`-style on the host,
// and through `wasm_test` in Chromium, node, wasmtime and wasmi
// (app/BUILD.bazel, `numbers_test_<profile>`).
#[cfg(test)]
mod tests {
    use super::*;

    // The embedded profile has no std, hence no allocator: the tests bring
    // WasmRust's (the library itself leaves the choice to the final module).
    #[cfg(target_os = "none")]
    #[global_allocator]
    static HEAP: wasm::alloc::Heap = wasm::alloc::Heap::new();

    wasm_test::tests! {
        fn summary_of_nothing_is_none() {
            assert_eq!(summarize(&[]), None);
        }

        fn summary_counts_sums_and_bounds() {
            let s = summarize(&[4, -2, 10, 0]).unwrap();
            assert_eq!((s.count, s.sum, s.min, s.max), (4, 12, -2, 10));
            assert_eq!(s.mean, 3.0);
        }

        fn summary_sum_saturates() {
            assert_eq!(summarize(&[i64::MAX, 1, 1]).unwrap().sum, i64::MAX);
        }

        fn primes_below_30() {
            assert_eq!(primes_below(30), [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]);
        }

        fn no_primes_below_3() {
            assert!(primes_below(0).is_empty() && primes_below(2).is_empty());
        }

        fn prime_count_below_100_000() {
            assert_eq!(primes_below(100_000).len(), 9592);
        }

        #[should_panic]
        fn indexing_past_the_last_prime_panics() {
            let primes = primes_below(10);
            let _ = primes[primes.len()];
        }
    }
}
