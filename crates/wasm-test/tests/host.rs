//! On the host, `wasm_test::tests!` expands to ordinary `#[test]` functions:
//! `cargo test -p wasm-test` runs these natively.

wasm_test::tests! {
    fn runs_natively() {
        assert_ne!(std::env::consts::ARCH, "wasm32");
    }

    #[should_panic]
    fn should_panic_is_honoured() {
        panic!("expected");
    }

    #[ignore]
    fn ignore_is_honoured() {
        panic!("an ignored test must not run");
    }
}
