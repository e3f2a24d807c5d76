//! `//app:component`'s world with one export written by hand with the wrong
//! core signature (`primes-below` takes a `u32`, lowered to one `i32`, not an
//! `i64`) and the others missing: the canonical-ABI check names each.

/// The wrong lowering of `primes-below: func(limit: u32) -> list<u32>`.
#[unsafe(export_name = "wasmrust:demo/numbers@0.1.0#primes-below")]
pub extern "C" fn primes_below_by_hand(limit: u64) -> u32 {
    limit as u32
}
