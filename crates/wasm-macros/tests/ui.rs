//! Compile-fail tests pinning the macros' diagnostics (`TRYBUILD=overwrite` re-blesses).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
