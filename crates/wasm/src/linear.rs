//! Linear (move-only, must-consume) types: the runtime side of `#[linear]`.
//!
//! `#[linear]` (from `wasm-macros`) on a struct or enum:
//!
//! - rejects `#[derive(Copy)]` and `#[derive(Clone)]` with an error pointing at the derive;
//! - implements [`Linear`] for the type;
//! - implements `Drop` so that **dropping the value is an error**:
//!   - with `debug_assertions`, or when panics unwind, `drop` panics naming the type;
//!   - otherwise (release builds with `panic = "abort"`, the wasm default) `drop` calls an
//!     undefined function `wasmrust_linear_value_dropped__<Type>`, so linking fails and names the
//!     type if any drop path survives optimisation. (With unwinding, every call made while a value
//!     is live keeps a drop path for the unwind edge, so the link-time check would always fire.)
//! - on structs, adds a private inherent `fn into_fields(self) -> (F0, F1, ...)` that moves the
//!   fields out without running `Drop` (private, so only the type's own module can take it apart).
//!
//! A value is consumed by passing it to [`consume`] (which forgets it), by `into_fields`, or by
//! moving it into something that consumes it. The check is per type: generic code that drops a
//! `T` cannot be flagged before monomorphisation, and is then caught as above.

/// Implemented by `#[linear]` for move-only, must-consume types.
///
/// Implementing it by hand only gives access to [`consume`]; the drop checks come from `#[linear]`.
///
/// ```
/// struct Token;
/// impl wasm::Linear for Token {}
/// wasm::linear::consume(Token);
/// ```
pub trait Linear: Sized {}

/// Consumes a linear value without running its `Drop` (which would report a dropped value).
///
/// The value's fields are not dropped either: take out any field that owns resources first (with
/// the generated `into_fields`, or `core::mem::take` on `&mut self`).
///
/// ```
/// struct Permit(u32);
/// impl wasm::Linear for Permit {}
/// impl Drop for Permit {
///     fn drop(&mut self) { panic!("permit {} dropped", self.0) }
/// }
/// fn release(p: Permit) -> u32 {
///     let id = p.0;
///     wasm::linear::consume(p); // no panic
///     id
/// }
/// assert_eq!(release(Permit(7)), 7);
/// ```
#[inline(always)]
pub fn consume<T: Linear>(value: T) {
    core::mem::forget(value);
}
