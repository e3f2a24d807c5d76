//! A small embedded module (no std, no allocator) that fits the profile's
//! 16 KiB stack and 256 KiB maximum memory.

#![no_std]

static PRIMES: [u16; 8] = [2, 3, 5, 7, 11, 13, 17, 19];

#[unsafe(no_mangle)]
extern "C" fn nth_prime(i: u32) -> u32 {
    PRIMES.get(i as usize).map_or(0, |&p| u32::from(p))
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {}
}
