//! Calls the host's env.log(ptr, len) with "Hello, world!" from run().
extern "env" fn log(ptr: [*]const u8, len: usize) void;

export fn run() void {
    const msg = "Hello, world!";
    log(msg, msg.len);
}
