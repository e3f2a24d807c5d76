//! `#[effect(...)]` and the `wasmrust.effects` record format (see `wasm::effects`).

use proc_macro2::TokenStream;
use quote::quote;
use syn::{
    Attribute, Error, Expr, ItemFn, Lit, LitStr, Meta, Result, Token, punctuated::Punctuated,
};

// The record format's names and encoder: the very file `wasm::effects` compiles.
#[path = "../../../wasm/src/effects/format.rs"]
mod format;
use format::{EXPORT_PREFIX, KNOWN, SECTION};

/// Parsed `#[effect(...)]` arguments.
#[derive(Default)]
pub struct EffectArgs {
    /// Sorted, deduplicated effect names.
    pub effects: Vec<String>,
    /// `symbol = "..."`, if given.
    pub symbol: Option<LitStr>,
}

/// Parses `io, alloc, symbol = "name"`.
pub fn parse_args(attr: TokenStream) -> Result<EffectArgs> {
    let metas = syn::parse::Parser::parse2(Punctuated::<Meta, Token![,]>::parse_terminated, attr)?;
    let mut args = EffectArgs::default();
    for meta in metas {
        match &meta {
            Meta::Path(p) if p.get_ident().is_some() => {
                let name = p.get_ident().unwrap().to_string();
                if !KNOWN.contains(&name.as_str()) {
                    return Err(Error::new_spanned(
                        p,
                        format!(
                            "unknown effect `{name}`; expected one of: {}",
                            KNOWN.join(", ")
                        ),
                    ));
                }
                if args.effects.contains(&name) {
                    return Err(Error::new_spanned(
                        p,
                        format!("effect `{name}` is listed twice"),
                    ));
                }
                args.effects.push(name);
            }
            Meta::NameValue(nv) if nv.path.is_ident("symbol") => match &nv.value {
                Expr::Lit(l) if matches!(&l.lit, Lit::Str(_)) => {
                    let Lit::Str(s) = &l.lit else { unreachable!() };
                    args.symbol = Some(s.clone());
                }
                v => return Err(Error::new_spanned(v, "`symbol` must be a string literal")),
            },
            other => {
                return Err(Error::new_spanned(
                    other,
                    "expected effect names and an optional `symbol = \"...\"`",
                ));
            }
        }
    }
    args.effects.sort();
    Ok(args)
}

/// Encodes one record (format in `wasm::effects`).
pub fn encode_record(symbol: &str, effects: &[String]) -> Vec<u8> {
    let effects: Vec<&str> = effects.iter().map(String::as_str).collect();
    let mut out = Vec::new();
    format::encode_with(symbol, &effects, |bytes| out.extend_from_slice(bytes));
    out
}

/// The static holding one record, in the custom section on wasm targets.
///
/// Not `#[used]`: on wasm a `link_section` static is kept in its custom
/// section anyway (fat LTO included), and `#[used]` would also put a copy
/// of the bytes in the module's data segment, in linear memory.
pub fn record_static(symbol: &str, effects: &[String]) -> TokenStream {
    let bytes = encode_record(symbol, effects);
    let len = proc_macro2::Literal::usize_unsuffixed(bytes.len());
    quote! {
        const _: () = {
            #[cfg_attr(target_family = "wasm", unsafe(link_section = #SECTION))]
            #[allow(dead_code)]
            static WASMRUST_EFFECTS_RECORD: [u8; #len] = [#(#bytes),*];
        };
    }
}

/// The symbol a function already has from `#[no_mangle]` / `#[export_name = "..."]`, if any.
pub fn linkage_name(attrs: &[Attribute], ident: &syn::Ident) -> Option<String> {
    for attr in attrs {
        let metas: Vec<Meta> = if attr.path().is_ident("unsafe") {
            attr.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)
                .ok()?
                .into_iter()
                .collect()
        } else {
            vec![attr.meta.clone()]
        };
        for meta in metas {
            match meta {
                Meta::Path(p) if p.is_ident("no_mangle") => return Some(ident.to_string()),
                Meta::NameValue(nv) if nv.path.is_ident("export_name") => {
                    if let Expr::Lit(l) = nv.value
                        && let Lit::Str(s) = l.lit
                    {
                        return Some(s.value());
                    }
                }
                _ => {}
            }
        }
    }
    None
}

/// Expands `#[effect(...)]`.
pub fn expand(attr: TokenStream, item: TokenStream) -> Result<TokenStream> {
    let args = parse_args(attr)?;
    let mut func: ItemFn = syn::parse2(item)?;
    if let Some(recv) = func.sig.receiver() {
        return Err(Error::new_spanned(
            recv,
            "`#[effect]` supports free functions only: a method has no stable symbol to record",
        ));
    }
    let ident = func.sig.ident.clone();
    // `#[effect] #[export(...)] fn`: record the export's name, leave the linkage to `#[export]`.
    let symbol = if let Some(export) = func
        .attrs
        .iter()
        .find(|a| super::attr::is_our_attr(a.path(), "export"))
    {
        if args.symbol.is_some() {
            return Err(Error::new_spanned(
                export,
                "`symbol = ...` conflicts with `#[export]`: the export name is the symbol",
            ));
        }
        super::attr::export_name(export, &ident)?
    } else if let Some(name) = linkage_name(&func.attrs, &ident) {
        name
    } else {
        let name = format!(
            "{EXPORT_PREFIX}{}",
            args.symbol
                .as_ref()
                .map_or(ident.to_string(), LitStr::value)
        );
        func.attrs
            .push(syn::parse_quote!(#[unsafe(export_name = #name)]));
        name
    };
    let record = record_static(&symbol, &args.effects);
    Ok(quote! { #func #record })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codegen::norm;

    #[test]
    fn record_encoding_matches_the_runtime_parser() {
        let bytes = encode_record("wasmrust.fx.load", &["alloc".into(), "io".into()]);
        let rec = wasm::effects::parse(&bytes).next().unwrap().unwrap();
        assert_eq!(rec.symbol, "wasmrust.fx.load");
        assert!(rec.effects().eq(["alloc", "io"]));
    }

    #[test]
    fn plain_functions_get_a_prefixed_export_name() {
        let s = norm(&expand(quote!(io, alloc), quote! { fn load() {} }).unwrap());
        assert!(
            s.contains("# [unsafe (export_name = \"wasmrust.fx.load\")] fn load () { }"),
            "{s}"
        );
        assert!(s.contains("link_section = \"wasmrust.effects\""), "{s}");
        let expected: Vec<String> =
            encode_record("wasmrust.fx.load", &["alloc".into(), "io".into()])
                .iter()
                .map(|b| format!("{b}u8"))
                .collect();
        assert!(
            s.contains(&format!(
                "[u8 ; {}] = [{}]",
                expected.len(),
                expected.join(" , ")
            )),
            "{s}"
        );
        let s = norm(&expand(quote!(symbol = "cfg_load"), quote! { fn load() {} }).unwrap());
        assert!(s.contains("export_name = \"wasmrust.fx.cfg_load\""), "{s}");
    }

    #[test]
    fn existing_linkage_and_exports_are_reused() {
        let s = norm(&expand(quote!(io), quote! { #[export(name = "go")] fn run() {} }).unwrap());
        assert!(
            !s.contains("wasmrust.fx.") && s.contains("# [export (name = \"go\")]"),
            "{s}"
        );
        let bytes = encode_record("go", &["io".into()]);
        assert!(s.contains(&format!("[u8 ; {}]", bytes.len())));
        assert_eq!(
            linkage_name(
                &[syn::parse_quote!(#[unsafe(no_mangle)])],
                &quote::format_ident!("f")
            )
            .as_deref(),
            Some("f")
        );
        assert_eq!(
            linkage_name(
                &[syn::parse_quote!(#[export_name = "x"])],
                &quote::format_ident!("f")
            )
            .as_deref(),
            Some("x")
        );
    }

    #[test]
    fn rejects_bad_arguments_and_methods() {
        let err = |a, i| expand(a, i).unwrap_err().to_string();
        assert!(
            err(quote!(teleport), quote! { fn f() {} })
                .starts_with("unknown effect `teleport`; expected one of: alloc,")
        );
        assert!(err(quote!(io, io), quote! { fn f() {} }).contains("listed twice"));
        assert!(err(quote!(symbol = 3), quote! { fn f() {} }).contains("string literal"));
        assert!(err(quote!(io), quote! { fn f(&self) {} }).contains("free functions only"));
        assert!(err(quote!(symbol = "s"), quote! { #[export] fn f() {} }).contains("conflicts"));
    }
}
