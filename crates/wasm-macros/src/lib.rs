//! Procedural macros for the [`wasm`](../wasm/index.html) crate.
//!
//! Three layers, as in wit-bindgen: the `no_std` runtime crate `wasm` holds every rule the
//! generated code relies on; this crate's entry points only parse and hand over to [`codegen`],
//! an ordinary module unit-tested on its token output; compile-fail UI tests (`tests/ui`) pin the
//! error messages.
//!
//! Generated code names the runtime as `::wasm::...`: depend on both crates, with the runtime
//! under its default name `wasm`.
//!
//! | macro | on | does |
//! |---|---|---|
//! | `#[derive(Pod)]` | `#[repr(C)]`/`#[repr(transparent)]` structs | implements `wasm::Pod` after proving no padding, no pointers, `Pod` fields |
//! | `#[linear]` | structs, enums | move-only, must-consume (see `wasm::linear`) |
//! | `#[effect(io, ...)]` | free functions | records declared effects in the `wasmrust.effects` section |
//! | `#[export]` / `#[export(name = "n")]` | free functions | a core-wasm export following `wasm::abi` |
//! | `#[import(module = "m")]` | `extern "C" { fn ...; }` blocks | safe wrappers over core-wasm imports following `wasm::abi` |
//!
//! The examples below are `ignore`d as doctests: they are fragments; complete, compiled and run
//! versions of each are in `tests/macros.rs`, and the diagnostics are pinned in `tests/ui/`.
#![deny(missing_docs)]

use proc_macro::TokenStream;

mod codegen;

fn finish(result: syn::Result<proc_macro2::TokenStream>) -> TokenStream {
    result.unwrap_or_else(syn::Error::into_compile_error).into()
}

/// Implements `wasm::Pod` for a `#[repr(C)]` or `#[repr(transparent)]` struct whose fields are
/// all `Pod`, with a compile-time proof that it has no padding.
///
/// ```ignore
/// #[derive(Clone, Copy, wasm_macros::Pod)]
/// #[repr(C)]
/// struct Vertex { pos: [f32; 3], color: u32 }
/// ```
#[proc_macro_derive(Pod)]
pub fn derive_pod(item: TokenStream) -> TokenStream {
    finish(codegen::pod::expand(item.into()))
}

/// Makes a struct or enum move-only and must-consume; see `wasm::linear`.
///
/// ```ignore
/// #[wasm_macros::linear]
/// struct Transaction { id: u32 }
/// impl Transaction {
///     fn commit(self) -> u32 { let (id,) = self.into_fields(); id }
/// }
/// ```
#[proc_macro_attribute]
pub fn linear(attr: TokenStream, item: TokenStream) -> TokenStream {
    finish(codegen::linear::expand(attr.into(), item.into()))
}

/// Declares a function's effects in the `wasmrust.effects` custom section; see `wasm::effects`.
///
/// ```ignore
/// #[wasm_macros::effect(io, alloc)]
/// fn load_config() -> Vec<u8> { /* ... */ }
/// ```
#[proc_macro_attribute]
pub fn effect(attr: TokenStream, item: TokenStream) -> TokenStream {
    finish(codegen::effect::expand(attr.into(), item.into()))
}

/// Exports a function under the WasmRust core-wasm ABI; see `wasm::abi`.
///
/// ```ignore
/// #[wasm_macros::export(name = "greet")]
/// fn greet(name: &str) -> String { format!("hello {name}") }
/// ```
#[proc_macro_attribute]
pub fn export(attr: TokenStream, item: TokenStream) -> TokenStream {
    finish(codegen::abi::expand_export(attr.into(), item.into()))
}

/// Declares host functions imported under the WasmRust core-wasm ABI as safe Rust functions;
/// see `wasm::abi`.
///
/// ```ignore
/// #[wasm_macros::import(module = "env")]
/// extern "C" {
///     fn log(message: &str);
///     fn read_file(path: &str) -> Result<Vec<u8>, String>;
/// }
/// ```
#[proc_macro_attribute]
pub fn import(attr: TokenStream, item: TokenStream) -> TokenStream {
    finish(codegen::abi::expand_import(attr.into(), item.into()))
}
