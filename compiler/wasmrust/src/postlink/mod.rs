//! Post-link passes over linked modules and components.
//!
//! Every pass validates its input before touching it (so a truncated or
//! corrupted file fails with the offending byte offset), validates what it
//! produces, and writes its output atomically.

pub mod binaryen;
pub mod componentize;
pub mod compose;
pub mod normalize;
pub mod optimize;
