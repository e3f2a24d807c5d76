//! Must fail to link in release: a `#[wasm::linear]` value is dropped.
#![no_std]

struct NoAlloc;
// SAFETY: never hands out memory.
unsafe impl core::alloc::GlobalAlloc for NoAlloc {
    unsafe fn alloc(&self, _: core::alloc::Layout) -> *mut u8 {
        core::ptr::null_mut()
    }
    unsafe fn dealloc(&self, _: *mut u8, _: core::alloc::Layout) {}
}
#[global_allocator]
static A: NoAlloc = NoAlloc;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

#[wasm::linear]
pub struct Ticket(u32);

#[unsafe(no_mangle)]
pub extern "C" fn lose(n: u32) -> u32 {
    let t = Ticket(n);
    let v = t.0;
    drop(t);
    v
}
