//! 128-bit SIMD under `--config=simd`: the module really contains `v128`
//! instructions (the post-link validation would reject them otherwise) and
//! the runtime executes them.
#![no_std]

#[cfg(target_feature = "simd128")]
use core::arch::wasm32::{i32x4, i32x4_add, i32x4_extract_lane, i32x4_mul};

/// Dot product of two 4-lane vectors, with SIMD when the target has it.
pub fn dot4(a: [i32; 4], b: [i32; 4]) -> i32 {
    #[cfg(target_feature = "simd128")]
    {
        let p = i32x4_mul(i32x4(a[0], a[1], a[2], a[3]), i32x4(b[0], b[1], b[2], b[3]));
        let s = i32x4_add(p, i32x4(0, 0, 0, 0));
        i32x4_extract_lane::<0>(s)
            + i32x4_extract_lane::<1>(s)
            + i32x4_extract_lane::<2>(s)
            + i32x4_extract_lane::<3>(s)
    }
    #[cfg(not(target_feature = "simd128"))]
    {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    wasm_test::tests! {
        fn simd128_is_enabled() {
            assert!(cfg!(target_feature = "simd128"), "built without simd128 although --config=simd is set");
        }

        fn dot_product() {
            assert_eq!(dot4(core::hint::black_box([1, 2, 3, 4]), [5, 6, 7, 8]), 70);
        }
    }
}
