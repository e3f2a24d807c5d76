//! `wasm::ExternRef` with real JS values, in node and in Chromium: the slot
//! table is `ExternRefTable` from crates/wasm/js/wasmrust.mjs, and the
//! values are JS objects and functions made by tests/externref/imports.mjs.
//! Also `wasm::SharedSlice`: JS reads Rust's data through a `TypedArray`
//! over linear memory, without a copy.
#![no_std]

use wasm::SharedSlice;
use wasm::externref::{ExternRef, OwnedExternRef};

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    /// A new JS object `{ id }` in a new slot, owned by the module.
    fn new_object(id: u32) -> u32;
    /// A new JS function in a new slot, owned by the module.
    fn new_function() -> u32;
    /// The `id` of the object in slot `index` (JS reads the value back).
    fn object_id(index: u32) -> u32;
    /// Live slots in the instance's table.
    fn live_slots() -> u32;
    /// JS sums a `Float32Array` view at `ptr` of `len` elements, then doubles
    /// element 0 through the same view.
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
        fn a_js_object_comes_back_unchanged() {
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

        fn js_reads_and_writes_a_shared_slice_in_place() {
            let data = [1.5f32, 2.0, 4.25, 8.0];
            let (ptr, len) = SharedSlice::new(&data).to_raw_parts();
            // SAFETY: JS reads `len` f32s at `ptr` and writes element 0 of `data`,
            // which nothing else borrows during the call.
            let sum = unsafe { sum_and_double_first(ptr, len) };
            assert_eq!(sum, 15.75);
            // The write went to `data` itself: JS saw Rust's memory, not a copy.
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
