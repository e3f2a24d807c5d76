//! `wasm::ExternRef` with real host values:
//! - in node and Chromium, the slot table is `ExternRefTable` from
//!   crates/wasm/js/wasmrust.mjs and the values are JS objects and functions
//!   made by tests/externref/imports.mjs;
//! - in wasmtime, the component imports `wasmrust:externref/table`, which
//!   wasmrust-run's host implements over Rust values, and the test harness
//!   world's `host-values` makes them.
//!
//! Also `wasm::SharedSlice` (JS hosts): JS reads Rust's data through a
//! `TypedArray` over linear memory, without a copy.
#![no_std]

use wasm::SharedSlice;
use wasm::externref::{ExternRef, OwnedExternRef};

// The JS hosts' `env` module, or on wasmtime (wasm32-wasip2) the harness world's `host-values` interface
// (its canonical-ABI lowering is these same signatures).
#[cfg_attr(not(target_env = "p2"), link(wasm_import_module = "env"))]
#[cfg_attr(target_env = "p2", link(wasm_import_module = "host-values"))]
unsafe extern "C" {
    /// A new host object `{ id }` in a new slot, owned by the module.
    #[cfg_attr(target_env = "p2", link_name = "new-object")]
    fn new_object(id: u32) -> u32;
    /// A new host function in a new slot, owned by the module.
    #[cfg_attr(target_env = "p2", link_name = "new-function")]
    fn new_function() -> u32;
    /// The `id` of the object in slot `index` (the host reads the value back).
    #[cfg_attr(target_env = "p2", link_name = "object-id")]
    fn object_id(index: u32) -> u32;
    /// Live slots in the instance's table.
    #[cfg_attr(target_env = "p2", link_name = "live-slots")]
    fn live_slots() -> u32;
    /// The sum of `len` f32s at `ptr`. JS sums a `Float32Array` view over
    /// linear memory, then doubles element 0 through the same view; a
    /// component host gets a copy (`sum: func(values: list<f32>) -> f64`).
    #[cfg_attr(target_env = "p2", link_name = "sum")]
    fn sum_and_double_first(ptr: usize, len: usize) -> f64;
}

fn object(id: u32) -> OwnedExternRef {
    // SAFETY: `new_object` returns a fresh live slot that the caller owns.
    unsafe { OwnedExternRef::from_raw(new_object(id)) }.expect("new_object returned null")
}

fn id_of(r: ExternRef<'_>) -> u32 {
    // SAFETY: `r` names a live slot for the duration of the call.
    unsafe { object_id(r.index()) }
}

fn live() -> u32 {
    // SAFETY: no arguments, no preconditions.
    unsafe { live_slots() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[global_allocator]
    static HEAP: wasm::alloc::Heap = wasm::alloc::Heap::new();

    wasm_test::tests! {
        fn a_host_object_comes_back_unchanged() {
            let o = object(7);
            assert_eq!(id_of(o.as_ref()), 7);
        }

        fn clones_hold_the_same_value_and_distinct_objects_differ() {
            let a = object(1);
            let b = object(1);
            let a2 = a.as_ref().to_owned();
            assert_ne!(a.as_ref().index(), a2.as_ref().index(), "a clone takes its own slot");
            assert!(a.as_ref().same_value(a2.as_ref()));
            assert!(!a.as_ref().same_value(b.as_ref()), "equal contents, different objects");
        }

        fn dropping_the_owner_frees_its_slot() {
            let before = live();
            let o = object(3);
            let kept = o.as_ref().to_owned();
            assert_eq!(live(), before + 2);
            drop(o);
            drop(kept);
            assert_eq!(live(), before);
        }

        fn the_host_reads_a_shared_slice() {
            let data = [1.5f32, 2.0, 4.25, 8.0];
            let (ptr, len) = SharedSlice::new(&data).to_raw_parts();
            // SAFETY: the host reads `len` f32s at `ptr` (JS also writes element
            // 0 of `data`, which nothing else borrows during the call).
            let sum = unsafe { sum_and_double_first(ptr, len) };
            assert_eq!(sum, 15.75);
            // JS: the write went to `data` itself, so JS saw Rust's memory, not
            // a copy. (A component host only ever sees a copy.)
            #[cfg(not(target_env = "p2"))]
            assert_eq!(core::hint::black_box(&data)[0], 3.0);
        }

        fn functions_are_funcrefs_and_objects_are_not() {
            // SAFETY: `new_function` returns a fresh live slot that the caller owns.
            let f: OwnedExternRef = unsafe { OwnedExternRef::from_raw(new_function()) }.unwrap();
            assert!(f.as_ref().as_func().is_some());
            assert!(object(0).as_ref().as_func().is_none());
        }
    }
}
