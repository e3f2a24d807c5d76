//! Code generation: plain functions from tokens to tokens, unit-tested without a compiler.
//!
//! Every entry point takes `proc_macro2` tokens and returns `syn::Result`, with errors spanned at
//! the offending tokens.

pub mod abi;
pub mod effect;
pub mod linear;
pub mod pod;

use syn::{Attribute, Path};

/// Whether `path` names one of our attributes: `name`, `wasm::name` or `wasm_macros::name`.
pub fn is_our_attr(path: &Path, name: &str) -> bool {
    let segs: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    match segs.as_slice() {
        [n] => n == name,
        [krate, n] => (krate == "wasm" || krate == "wasm_macros") && n == name,
        _ => false,
    }
}

/// Removes and returns the first attribute that is ours and called `name`.
pub fn take_attr(attrs: &mut Vec<Attribute>, name: &str) -> Option<Attribute> {
    let i = attrs.iter().position(|a| is_our_attr(a.path(), name))?;
    Some(attrs.remove(i))
}

#[cfg(test)]
/// Tokens to a whitespace-normalized string for comparisons.
pub fn norm(ts: &proc_macro2::TokenStream) -> String {
    ts.to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
