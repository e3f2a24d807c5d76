//! add(i32, i32) -> i32, wrapping on overflow.
export fn add(a: i32, b: i32) i32 {
    return a +% b;
}
