//! The harness behind `wasm_test`: Rust test functions that run inside a
//! WebAssembly module, in the host profile's real runtime.
//!
//! ```ignore
//! #[cfg(test)]
//! mod tests {
//!     wasm_test::tests! {
//!         fn adds() { assert_eq!(super::add(2, 3), 5); }
//!         #[should_panic]
//!         fn overflows() { super::add(i32::MAX, 1); }
//!         #[ignore]
//!         fn slow() { /* ... */ }
//!     }
//! }
//! ```
//!
//! On the host (`cargo test`), `tests!` expands to ordinary `#[test]`
//! functions. On wasm32 it expands to a table of tests and four exports, the
//! harness ABI every runner speaks (as a WIT world, see `wit/harness.wit`):
//!
//! | export | WIT type | meaning |
//! |---|---|---|
//! | `wasmrust-test-count` | `func() -> u32` | number of tests |
//! | `wasmrust-test-name` | `func(index: u32) -> string` | `module::path::name`, without the crate name |
//! | `wasmrust-test-flags` | `func(index: u32) -> u32` | bit 0 `#[should_panic]`, bit 1 `#[ignore]` |
//! | `wasmrust-test-run` | `func(index: u32)` | runs one test; a failure traps |
//!
//! and one import, `report-panic: func(message: string)` (core module
//! `$root`), through which a panicking test hands its message to the runner
//! just before the module traps. Runners give every test a fresh instance,
//! so a trapped test cannot disturb the next one.
//!
//! One `tests!` per test crate: its exports are the crate's test table.
//!
//! On `target_os = "none"` (the embedded profile, no std) this crate also
//! provides the `#[panic_handler]`; a crate that defines its own must gate
//! it with `#[cfg(not(test))]`.
#![no_std]
#![deny(unsafe_op_in_unsafe_fn, missing_docs)]

#[cfg(not(target_os = "none"))]
extern crate std;

/// `wasmrust-test-flags` bit: the test passes only if it panics.
pub const SHOULD_PANIC: u32 = 1;
/// `wasmrust-test-flags` bit: the runner skips the test.
pub const IGNORE: u32 = 2;

/// One test of the table `tests!` builds.
#[doc(hidden)]
pub struct Test {
    /// `module::path::name`, with the crate name.
    pub path: &'static str,
    /// `SHOULD_PANIC` | `IGNORE`.
    pub flags: u32,
    /// The test body.
    pub run: fn(),
}

/// Declares test functions that run on the host (`cargo test`) and inside a
/// wasm test module (`wasm_test` in Bazel). Each may carry `#[should_panic]`
/// and `#[ignore]`.
#[macro_export]
macro_rules! tests {
    ($( $(#[$attr:ident])* fn $name:ident() $body:block )*) => {
        $( $( $crate::__check_attr!($attr); )* )*

        $(
            #[cfg(not(target_arch = "wasm32"))]
            #[test]
            $(#[$attr])*
            fn $name() $body
        )*

        #[cfg(target_arch = "wasm32")]
        const _: () = {
            static TESTS: &[$crate::Test] = &[$(
                $crate::Test {
                    path: concat!(module_path!(), "::", stringify!($name)),
                    flags: 0 $( | $crate::__flag!($attr) )*,
                    run: { fn $name() $body $name },
                },
            )*];

            #[unsafe(export_name = "wasmrust-test-count")]
            extern "C" fn count() -> u32 {
                TESTS.len() as u32
            }

            #[unsafe(export_name = "wasmrust-test-name")]
            extern "C" fn name(index: u32) -> *const [usize; 2] {
                $crate::wasm::name(TESTS, index)
            }

            #[unsafe(export_name = "wasmrust-test-flags")]
            extern "C" fn flags(index: u32) -> u32 {
                $crate::wasm::test(TESTS, index).flags
            }

            #[unsafe(export_name = "wasmrust-test-run")]
            extern "C" fn run(index: u32) {
                $crate::wasm::run(TESTS, index)
            }
        };
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __check_attr {
    (should_panic) => {};
    (ignore) => {};
    ($other:ident) => {
        compile_error!(concat!(
            "wasm_test::tests!: unsupported attribute `#[",
            stringify!($other),
            "]` (supported: #[should_panic], #[ignore])"
        ));
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __flag {
    (should_panic) => {
        $crate::SHOULD_PANIC
    };
    (ignore) => {
        $crate::IGNORE
    };
}

/// The wasm side of the harness ABI, called by the code `tests!` generates.
#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod wasm {
    #![allow(unsafe_code)]

    use super::Test;
    use core::cell::UnsafeCell;
    use core::fmt::{self, Write};

    #[link(wasm_import_module = "$root")]
    unsafe extern "C" {
        /// Hands a panic message (UTF-8) to the runner.
        #[link_name = "report-panic"]
        fn report_panic(ptr: *const u8, len: usize);
    }

    /// A static cell for single-threaded test modules: each test runs in
    /// its own fresh instance, on one thread.
    struct Cell<T>(UnsafeCell<T>);
    // SAFETY: test modules are single-threaded; nothing shares these cells
    // across threads.
    unsafe impl<T> Sync for Cell<T> {}

    /// The canonical-ABI return area of `wasmrust-test-name`: (ptr, len).
    static RET: Cell<[usize; 2]> = Cell(UnsafeCell::new([0; 2]));
    /// Where a panic message is formatted; longer messages are cut.
    static MESSAGE: Cell<[u8; 4096]> = Cell(UnsafeCell::new([0; 4096]));

    /// The test at `index`, or a trap with a message naming the count.
    pub fn test(tests: &'static [Test], index: u32) -> &'static Test {
        match tests.get(index as usize) {
            Some(t) => t,
            None => panic!(
                "wasm_test: no test #{index}; the module has {}",
                tests.len()
            ),
        }
    }

    /// `wasmrust-test-name`: the test's path without the crate name.
    pub fn name(tests: &'static [Test], index: u32) -> *const [usize; 2] {
        let path = test(tests, index).path;
        let name = path.split_once("::").map_or(path, |(_, rest)| rest);
        let ret = RET.0.get();
        // SAFETY: single-threaded (see `Cell`); the runner reads the area
        // before it calls into the module again.
        unsafe { *ret = [name.as_ptr() as usize, name.len()] };
        ret.cast_const()
    }

    /// `wasmrust-test-run`: runs one test; a panic reports and traps.
    pub fn run(tests: &'static [Test], index: u32) {
        let t = test(tests, index);
        #[cfg(not(target_os = "none"))]
        std::panic::set_hook(std::boxed::Box::new(|info| report(format_args!("{info}"))));
        (t.run)();
    }

    /// Formats `message` into the static buffer and hands it to the runner.
    pub fn report(message: fmt::Arguments<'_>) {
        struct Cut<'a> {
            buf: &'a mut [u8],
            len: usize,
        }
        impl Write for Cut<'_> {
            fn write_str(&mut self, s: &str) -> fmt::Result {
                let mut n = s.len().min(self.buf.len() - self.len);
                while !s.is_char_boundary(n) {
                    n -= 1;
                }
                self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
                self.len += n;
                Ok(())
            }
        }
        // SAFETY: single-threaded, and a panic inside the panic hook aborts,
        // so this is the only live reference to the buffer.
        let buf = unsafe { &mut *MESSAGE.0.get() };
        let mut out = Cut { buf, len: 0 };
        let _ = out.write_fmt(message);
        // SAFETY: the import reads `len` initialized bytes at `ptr`.
        unsafe { report_panic(out.buf.as_ptr(), out.len) };
    }

    #[cfg(target_os = "none")]
    #[panic_handler]
    fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
        report(format_args!("{info}"));
        core::arch::wasm32::unreachable()
    }
}
