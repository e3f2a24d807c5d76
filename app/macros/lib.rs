//! `#[wit_export("iface", "func")]`: names a function with the canonical-ABI
//! export name `iface#func`, and `#[wit_post_return("iface", "func")]` with
//! the matching `cabi_post_iface#func`. Built for the exec platform by
//! `wasm_rust_proc_macro`, with only the `proc_macro` crate.

use proc_macro::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

fn two_strings(attr: TokenStream) -> Result<(String, String), TokenStream> {
    let parts: Vec<TokenTree> = attr
        .into_iter()
        .filter(|t| !matches!(t, TokenTree::Punct(p) if p.as_char() == ','))
        .collect();
    let strings: Vec<String> = parts
        .iter()
        .filter_map(|t| match t {
            TokenTree::Literal(l) => {
                let s = l.to_string();
                (s.len() >= 2 && s.starts_with('"') && s.ends_with('"'))
                    .then(|| s[1..s.len() - 1].to_string())
            }
            _ => None,
        })
        .collect();
    if strings.len() != 2 || parts.len() != 2 {
        return Err("compile_error!(\"expected two string literals: (\\\"interface\\\", \\\"function\\\")\");".parse().unwrap());
    }
    Ok((strings[0].clone(), strings[1].clone()))
}

/// `#[unsafe(export_name = NAME)]` in front of `item`.
fn with_export_name(name: String, item: TokenStream) -> TokenStream {
    let inner: TokenStream = [
        TokenTree::Ident(Ident::new("export_name", Span::call_site())),
        TokenTree::Punct(Punct::new('=', Spacing::Alone)),
        TokenTree::Literal(Literal::string(&name)),
    ]
    .into_iter()
    .collect();
    let unsafe_attr: TokenStream = [
        TokenTree::Ident(Ident::new("unsafe", Span::call_site())),
        TokenTree::Group(Group::new(Delimiter::Parenthesis, inner)),
    ]
    .into_iter()
    .collect();
    let mut out: TokenStream = [
        TokenTree::Punct(Punct::new('#', Spacing::Alone)),
        TokenTree::Group(Group::new(Delimiter::Bracket, unsafe_attr)),
    ]
    .into_iter()
    .collect();
    out.extend(item);
    out
}

/// Exports the function under the canonical-ABI name `interface#function`.
#[proc_macro_attribute]
pub fn wit_export(attr: TokenStream, item: TokenStream) -> TokenStream {
    match two_strings(attr) {
        Ok((iface, func)) => with_export_name(format!("{iface}#{func}"), item),
        Err(e) => e,
    }
}

/// Exports the function as the post-return hook `cabi_post_interface#function`.
#[proc_macro_attribute]
pub fn wit_post_return(attr: TokenStream, item: TokenStream) -> TokenStream {
    match two_strings(attr) {
        Ok((iface, func)) => with_export_name(format!("cabi_post_{iface}#{func}"), item),
        Err(e) => e,
    }
}
