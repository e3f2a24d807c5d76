//! One model of a linked module, shared by every tool that reads one: its
//! layout (sections, function bodies, names) and its call graph. The size
//! report, the size and binary diffs and the effects check all read a module
//! through here, so they agree on what a function is and on what calls what.
//! `edit` rewrites a module byte for byte, changing only what it is asked to.

pub(crate) mod edit;
pub(crate) mod graph;
pub(crate) mod layout;
