//! Our attributes on items: recognising them (`export`, `wasm::export`,
//! `wasm_macros::export`), taking them off an item, and reading their
//! `key = "..."` arguments. Every macro reads attributes through here.

use proc_macro2::TokenStream;
use syn::punctuated::Punctuated;
use syn::{Attribute, Error, Expr, Lit, Meta, Path, Result, Token};

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

/// Parses `name = "..."` / `module = "..."` style arguments.
pub fn string_args(attr: TokenStream, allowed: &[&str]) -> Result<Vec<(String, syn::LitStr)>> {
    let metas = syn::parse::Parser::parse2(Punctuated::<Meta, Token![,]>::parse_terminated, attr)?;
    metas
        .into_iter()
        .map(|m| {
            let nv = match &m {
                Meta::NameValue(nv) => nv,
                _ => {
                    return Err(Error::new_spanned(
                        &m,
                        format!("expected `{} = \"...\"`", allowed.join("`/`")),
                    ));
                }
            };
            let key = nv
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            if !allowed.contains(&key.as_str()) {
                return Err(Error::new_spanned(
                    &nv.path,
                    format!("unknown argument; expected `{}`", allowed.join("`, `")),
                ));
            }
            match &nv.value {
                Expr::Lit(l) => match &l.lit {
                    Lit::Str(s) => Ok((key, s.clone())),
                    _ => Err(Error::new_spanned(&nv.value, "expected a string literal")),
                },
                _ => Err(Error::new_spanned(&nv.value, "expected a string literal")),
            }
        })
        .collect()
}

/// The export name an `#[export(...)]` attribute gives `ident`.
pub fn export_name(attr: &Attribute, ident: &syn::Ident) -> Result<String> {
    let args = match &attr.meta {
        Meta::Path(_) => TokenStream::new(),
        Meta::List(l) => l.tokens.clone(),
        Meta::NameValue(nv) => {
            return Err(Error::new_spanned(nv, "use `#[export(name = \"...\")]`"));
        }
    };
    Ok(string_args(args, &["name"])?
        .pop()
        .map_or(ident.to_string(), |(_, s)| s.value()))
}
