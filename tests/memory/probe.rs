//! Stack probe for the memory settings: deep recursion must trap (the stack
//! sits first in memory, so an overflow runs below address 0) and never
//! overwrite the static data after the stack.

use std::hint::black_box;

static TABLE: [u32; 256] = {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = (i as u32).wrapping_mul(2654435761);
        i += 1;
    }
    t
};

#[inline(never)]
fn dive(depth: u32) -> u32 {
    // A 1 KiB frame the optimizer cannot remove or turn into a loop.
    let frame = black_box([depth as u8; 1024]);
    if depth == 0 {
        return u32::from(frame[0]);
    }
    black_box(dive(depth - 1)) + 1 + u32::from(frame[1023]) * 0
}

#[unsafe(no_mangle)]
extern "C" fn recurse(depth: u32) -> u32 {
    dive(depth)
}

#[unsafe(no_mangle)]
extern "C" fn canary() -> u32 {
    black_box(&TABLE)
        .iter()
        .fold(0u32, |a, &x| a.rotate_left(5) ^ x)
}
