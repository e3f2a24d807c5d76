//! An embedded module whose data (512 KiB) cannot fit the embedded profile's
//! 256 KiB maximum memory: linking it must fail, naming the module and figures.

#![no_std]

static TABLE: [u8; 512 * 1024] = [7; 512 * 1024];

#[unsafe(no_mangle)]
extern "C" fn get(i: u32) -> u32 {
    u32::from(TABLE[i as usize % TABLE.len()])
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {}
}
