//! `hello` with ordinary std idioms: the greeting is a `String` built by `format!`.

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    /// Logs `len` bytes of UTF-8 at `ptr`.
    fn log(ptr: *const u8, len: usize);
}

fn greeting(who: &str) -> String {
    format!("Hello, {who}!")
}

#[unsafe(no_mangle)]
pub extern "C" fn run() {
    let who = String::from("world");
    let msg = greeting(&who);
    // SAFETY: `msg` lives until the end of this function, after the call returns.
    unsafe { log(msg.as_ptr(), msg.len()) }
}
