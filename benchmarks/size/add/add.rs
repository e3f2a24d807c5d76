//! `add(i32, i32) -> i32`, wrapping on overflow like the other languages' `+`.

#[unsafe(no_mangle)]
pub extern "C" fn add(a: i32, b: i32) -> i32 {
    a.wrapping_add(b)
}
