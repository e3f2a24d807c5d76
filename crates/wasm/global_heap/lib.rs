//! Makes `wasm::alloc::Heap` the global allocator of the module that links
//! this crate.
//!
//! WasmRust links it (`--extern force:`) into modules whose `allocator` is
//! `heap`, the browser profile's default, so the module's own crate needs no
//! code and no dependency for it. It uses the `wasm` crate built with only its
//! `heap` feature (as crate `wasm_heap`): no ABI exports, and nothing of the
//! heap is kept in a module that never allocates. A crate that declares its
//! own `#[global_allocator]` sets `allocator = "default"`; with both, rustc
//! reports the two allocators.
#![no_std]

#[global_allocator]
static HEAP: wasm_heap::alloc::Heap = wasm_heap::alloc::Heap::new();
