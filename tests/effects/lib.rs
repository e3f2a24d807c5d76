//! Effects declared the way `#[wasm::effect]` records them (a
//! `wasmrust.effects` custom section, format in `wasm::effects`), written by
//! hand here because the macro crate needs third-party crates in Bazel.
//! `total` is pure and `report` calls JavaScript; with the `dishonest`
//! feature `report` claims to be pure, and the post-link check must fail the
//! build naming `report`, the effect and the call path to `env::log`.
#![no_std]

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn log(value: i32);
}

/// Pure arithmetic.
#[unsafe(no_mangle)]
pub extern "C" fn total(a: i32, b: i32) -> i32 {
    a.wrapping_add(b)
}

/// Calls JavaScript.
#[unsafe(no_mangle)]
pub extern "C" fn report(value: i32) {
    // SAFETY: `log` takes a number and has no preconditions.
    unsafe { log(value) }
}

/// Records: version 1, symbol, effect count, effect names.
#[cfg(not(feature = "dishonest"))]
#[used]
#[unsafe(link_section = "wasmrust.effects")]
static EFFECTS: [u8; 25] = *b"\x01\x05total\x00\x01\x06report\x01\x07js_call";

#[cfg(feature = "dishonest")]
#[used]
#[unsafe(link_section = "wasmrust.effects")]
static EFFECTS: [u8; 17] = *b"\x01\x05total\x00\x01\x06report\x00";

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}
