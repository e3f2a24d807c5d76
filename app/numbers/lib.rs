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
    let mut s = Summary { count: 1, sum: first, min: first, max: first, mean: 0.0 };
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
        let mut j = i * i;
        while j < n {
            composite[j] = true;
            j += i;
        }
    }
    primes
}
