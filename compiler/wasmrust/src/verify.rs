//! The toolchain's verifier: the checks a linked module must pass before it
//! ships, each failing with the file, the target and what to change.
//!
//! * [`validate`]: the module is valid WebAssembly and uses only the
//!   features of its profile, and imports only what its hosts provide.
//! * [`abi`]: the exports and imports are the canonical-ABI lowering of the
//!   component's WIT world.
//! * [`effects`]: every function with a `#[wasm::effect]` record does only
//!   what it declares, over the module's one call graph.

pub mod abi;
pub mod effects;
pub mod validate;
