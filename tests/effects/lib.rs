//! Effects declared with `#[wasm_macros::effect]` (the `wasm` crate's
//! `#[effect]`, built by Bazel against syn from @crates), which records them
//! in the `wasmrust.effects` custom section (format in `wasm::effects`).
//! `total` is pure and `report` calls JavaScript; with the `dishonest`
//! feature `report` claims to be pure, and the post-link check must fail the
//! build naming `report`, the effect and the call path to `env::log`.
#![no_std]

use wasm_macros::effect;

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn log(value: i32);
}

/// Pure arithmetic.
#[effect]
#[unsafe(no_mangle)]
pub extern "C" fn total(a: i32, b: i32) -> i32 {
    a.wrapping_add(b)
}

/// Calls JavaScript, through a helper that is not exported.
#[cfg_attr(not(feature = "dishonest"), effect(js_call))]
#[cfg_attr(feature = "dishonest", effect)]
#[unsafe(no_mangle)]
pub extern "C" fn report(value: i32) {
    notify(value);
    notify(value.wrapping_mul(2));
}

/// Not exported: `#[effect]` exports it as `wasmrust.fx.notify` so the
/// post-link check can find it; release builds strip that export after the
/// check (fx_exports_test).
#[effect(js_call)]
#[inline(never)]
fn notify(value: i32) {
    // SAFETY: `log` takes a number and has no preconditions.
    unsafe { log(value) }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}
