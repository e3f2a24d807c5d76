//! What a test module's harness looks like to the runner, whatever runs it:
//! `test.rs` drives it, and each runtime (`test.rs`'s wasmtime and wasmi
//! hosts, `threads.rs`'s threaded core modules) implements it.

use anyhow::Result;

/// How one run of a test ended.
pub(crate) enum Outcome {
    Returned,
    /// A trap; the message the test reported, else the trap's.
    Trapped(String),
}

/// One instance of the test module, in some runtime.
pub(crate) trait Instance {
    fn count(&mut self) -> Result<u32>;
    fn name(&mut self, index: u32) -> Result<String>;
    fn flags(&mut self, index: u32) -> Result<u32>;
    fn run(&mut self, index: u32) -> Result<Outcome>;
    /// What the test wrote to stdout and stderr.
    fn output(&mut self) -> String;
}

/// Makes a fresh instance of one test module per call.
pub(crate) type Factory = Box<dyn FnMut() -> Result<Box<dyn Instance>>>;
