//! Calls a WASI function directly, which a browser cannot provide.

#[link(wasm_import_module = "wasi_snapshot_preview1")]
unsafe extern "C" {
    fn sched_yield() -> i32;
}

/// Yields through WASI.
#[unsafe(no_mangle)]
pub extern "C" fn yield_now() -> i32 {
    // SAFETY: `sched_yield` takes no arguments and has no preconditions.
    unsafe { sched_yield() }
}
