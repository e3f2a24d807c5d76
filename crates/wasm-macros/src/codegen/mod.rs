//! Code generation: plain functions from tokens to tokens, unit-tested without a compiler.
//!
//! Every entry point takes `proc_macro2` tokens and returns `syn::Result`, with errors spanned at
//! the offending tokens.

pub mod abi;
pub mod attr;
pub mod effect;
pub mod linear;
pub mod pod;

#[cfg(test)]
/// Tokens to a whitespace-normalized string for comparisons.
pub fn norm(ts: &proc_macro2::TokenStream) -> String {
    ts.to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
