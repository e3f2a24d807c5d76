//! The macros' generated code, compiled and run on the host.
//!
//! Export shims are ordinary functions here, called with host pointers exactly as a wasm host
//! would call them with linear-memory addresses; imports are satisfied by `#[no_mangle]`
//! functions written against the same `wasm::abi` rules a host follows.
// The generated code and the host stand-ins need `unsafe`; the workspace denies it by default.
#![allow(unsafe_code)]

use wasm::abi::{Pair, RetArea, Value};
use wasm_macros::{Pod, effect, export, import, linear};

#[derive(Clone, Copy, Debug, PartialEq, Pod)]
#[repr(C)]
struct Point {
    x: f32,
    y: f32,
}

#[derive(Clone, Copy, Pod)]
#[repr(transparent)]
struct Meters([f64; 2]);

#[test]
fn derived_pod_types_cast_to_and_from_bytes() {
    let pts = [Point { x: 1.0, y: -2.0 }, Point { x: 0.5, y: 8.0 }];
    let bytes = wasm::pod::slice_as_bytes(&pts);
    assert_eq!(bytes.len(), 16);
    assert_eq!(wasm::pod::cast_slice::<Point>(bytes).unwrap(), &pts);
    assert_eq!(wasm::pod::read::<Point>(&bytes[8..]).unwrap(), pts[1]);
    let m: Meters = wasm::pod::zeroed();
    assert_eq!(m.0, [0.0; 2]);
    assert_eq!(wasm::SharedSlice::new(&pts).byte_len(), 16);
}

#[linear]
struct Transaction {
    id: u32,
    log: Vec<u8>,
}

impl Transaction {
    fn commit(self) -> (u32, Vec<u8>) {
        self.into_fields()
    }
}

#[linear]
struct Unit;

#[linear]
enum Door {
    Open,
    Closed(u8),
}

#[test]
fn consumed_linear_values_do_not_panic() {
    let (id, log) = Transaction {
        id: 3,
        log: vec![1, 2],
    }
    .commit();
    assert_eq!((id, log), (3, vec![1, 2]));
    let () = Unit.into_fields();
    let door = Door::Closed(1);
    assert!(matches!(door, Door::Closed(1)));
    wasm::linear::consume(door);
    wasm::linear::consume(Door::Open);
}

#[test]
#[cfg(debug_assertions)]
#[should_panic(expected = "linear value of type `Transaction` dropped without being consumed")]
fn dropped_linear_values_panic_in_debug_builds() {
    let _t = Transaction {
        id: 1,
        log: Vec::new(),
    };
}

#[test]
#[cfg(debug_assertions)]
#[should_panic(expected = "linear value of type `Door` dropped")]
fn dropped_linear_enums_panic_too() {
    drop(Door::Open);
}

#[export(name = "wr_test_greet")]
fn greet(name: &str, times: u32) -> String {
    format!("hello {name}").repeat(times as usize)
}

#[export]
fn wr_test_sum(xs: &[f64], scale: Option<f64>) -> f64 {
    xs.iter().sum::<f64>() * scale.unwrap_or(1.0)
}

#[export]
fn wr_test_parse(text: String) -> Result<u32, String> {
    text.trim().parse().map_err(|e| format!("{text:?}: {e}"))
}

#[export]
fn wr_test_not(b: bool) -> bool {
    !b
}

#[export]
fn wr_test_points(points: wasm::SharedSlice<'_, Point>) -> Vec<Point> {
    points.iter().map(|p| Point { x: p.y, y: p.x }).collect()
}

#[effect(io)]
#[export(name = "wr_test_fx_outer")]
fn fx_outer() -> u8 {
    1
}

#[export(name = "wr_test_fx_inner")]
#[effect(alloc, io)]
fn fx_inner() -> u8 {
    2
}

#[effect(js_call)]
fn fx_internal() -> u8 {
    3
}

/// Host-side helper: calls a shim that writes its result to a return area, then loads it.
fn with_area<T: Value, const N: usize>(call: impl FnOnce(*mut u8)) -> T {
    let mut area = RetArea::<N>::new();
    assert!(T::SIZE <= N);
    call(area.as_mut_ptr());
    // SAFETY: the shim wrote a `T` into the area, per the ABI.
    unsafe { T::load(area.as_ptr()) }
}

#[test]
fn export_shims_follow_the_abi() {
    let name = "wasm";
    let s: String = with_area::<String, 16>(|ret| {
        // SAFETY: a live `&str` and a return area, as the host would pass them.
        unsafe { __wasmrust_export_greet(name.as_ptr().cast_mut(), name.len(), 2, ret) }
    });
    assert_eq!(s, "hello wasmhello wasm");

    let xs = [1.0, 2.0, 3.5];
    let mut opt = RetArea::<{ <Option<f64>>::SIZE }>::new();
    // SAFETY: `opt` has room for an `Option<f64>`.
    unsafe { Some(2.0f64).store(opt.as_mut_ptr()) };
    // SAFETY: a live slice and an encoded `Option<f64>`.
    let sum =
        unsafe { __wasmrust_export_wr_test_sum(xs.as_ptr().cast_mut().cast(), 3, opt.as_ptr()) };
    assert_eq!(sum, 13.0);

    for (input, want) in [
        (" 42 ", Ok(42)),
        ("x", Err("\"x\": invalid digit found in string".to_string())),
    ] {
        // The host allocates the owned `String` argument with `wasmrust_alloc` and gives it up.
        let p = wasm::abi::alloc(input.len(), 1);
        // SAFETY: `p` has `input.len()` fresh bytes.
        unsafe { p.copy_from_nonoverlapping(input.as_ptr(), input.len()) };
        let got: Result<u32, String> = with_area::<_, 32>(|ret| {
            // SAFETY: an owned block from `alloc(len, 1)` and a return area.
            unsafe { __wasmrust_export_wr_test_parse(p, input.len(), ret) }
        });
        assert_eq!(got, want);
    }

    // SAFETY: any `i32` is a valid `bool` argument.
    assert_eq!(unsafe { __wasmrust_export_wr_test_not(0) }, 1);
    // SAFETY: as above.
    assert_eq!(unsafe { __wasmrust_export_wr_test_not(5) }, 0);

    let pts = [Point { x: 1.0, y: 2.0 }];
    let swapped: Vec<Point> = with_area::<_, 16>(|ret| {
        // SAFETY: a live `[Point]` and a return area.
        unsafe { __wasmrust_export_wr_test_points(pts.as_ptr().cast_mut().cast(), 1, ret) }
    });
    assert_eq!(swapped, [Point { x: 2.0, y: 1.0 }]);

    // SAFETY: no arguments.
    assert_eq!(
        unsafe { (__wasmrust_export_fx_outer(), __wasmrust_export_fx_inner()) },
        (1, 2)
    );
    assert_eq!(
        fx_internal(),
        3,
        "#[effect] leaves the function callable from Rust"
    );
}

#[import(module = "env")]
extern "C" {
    #[link_name = "wr_host_add"]
    fn add(a: i32, b: i64) -> i64;
    #[link_name = "wr_host_describe"]
    fn describe(label: &str, value: Option<u32>, bytes: Vec<u8>) -> Result<String, u32>;
}

#[unsafe(no_mangle)]
extern "C" fn wr_host_add(a: i32, b: i64) -> i64 {
    a as i64 + b
}

/// A host implementation of `describe`, written against the ABI rules.
///
/// # Safety
///
/// Called only by the `describe` wrapper, which passes arguments as `wasm::abi` specifies.
#[unsafe(no_mangle)]
unsafe extern "C" fn wr_host_describe(
    lp: *const u8,
    ll: usize,
    value: *const u8,
    bp: *const u8,
    bl: usize,
    ret: *mut u8,
) {
    // SAFETY: a borrowed `&str` for the call.
    let label: &str = unsafe { Pair::from_pair(lp.cast_mut(), ll) };
    // SAFETY: an encoded `Option<u32>`.
    let value: Option<u32> = unsafe { Value::load(value) };
    // SAFETY: the owned `Vec<u8>` block is given to us.
    let bytes: Vec<u8> = unsafe { Pair::from_pair(bp.cast_mut(), bl) };
    let result = match value {
        Some(v) => Ok(format!("{label}={v} [{}]", bytes.len())),
        None => Err(bytes.len() as u32),
    };
    // SAFETY: the wrapper passes a return area of `Value::SIZE` bytes.
    unsafe { result.store(ret) };
}

#[test]
fn import_wrappers_follow_the_abi() {
    assert_eq!(add(-2, 1 << 40), (1 << 40) - 2);
    assert_eq!(
        describe("n", Some(7), vec![1, 2, 3]),
        Ok("n=7 [3]".to_string())
    );
    assert_eq!(describe("n", None, vec![9; 5]), Err(5));
}
