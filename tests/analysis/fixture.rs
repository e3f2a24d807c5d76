//! The crate the analysis tests configure: never compiled, only analysed.
#![no_std]

#[unsafe(no_mangle)]
pub extern "C" fn answer() -> i32 {
    42
}
