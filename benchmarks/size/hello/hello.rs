//! Calls the host's `env.log(ptr, len)` with "Hello, world!" from `run()`.

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    /// Logs `len` bytes of UTF-8 at `ptr`.
    fn log(ptr: *const u8, len: usize);
}

#[unsafe(no_mangle)]
pub extern "C" fn run() {
    let msg = "Hello, world!";
    // SAFETY: `msg` is valid UTF-8 of `msg.len()` bytes for the duration of the call.
    unsafe { log(msg.as_ptr(), msg.len()) }
}
