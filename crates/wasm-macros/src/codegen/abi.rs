//! `#[export]` and `#[import]`: lowering signatures to the `wasm::abi` core-wasm ABI.
//!
//! Types are classified syntactically ([`Class`]); every lowering rule is a trait call into
//! `::wasm::abi`, so a type the runtime does not support fails with its `on_unimplemented` note.

use super::attr;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::visit_mut::VisitMut;
use syn::{
    Error, Expr, FnArg, ForeignItem, ItemFn, ItemForeignMod, Lifetime, Lit, Meta, Pat, Result,
    ReturnType, Signature, Type, spanned::Spanned,
};

/// How a type crosses the ABI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// One core value: `wasm::abi::Scalar`.
    Scalar,
    /// `(ptr, len)`: `wasm::abi::Pair` (`&str`, `&[T]`, `SharedSlice`, `String`, `Vec`).
    Pair,
    /// A pointer to the memory encoding: `wasm::abi::Value` (`Option`, `Result`).
    Indirect,
}

/// Classifies a parameter or result type.
pub fn classify(ty: &Type) -> Result<Class> {
    match ty {
        Type::Paren(p) => classify(&p.elem),
        Type::Group(g) => classify(&g.elem),
        Type::Reference(r) if r.mutability.is_some() => Err(Error::new_spanned(
            ty,
            "`&mut` cannot cross the wasm ABI: the host cannot see Rust's writes; return a value",
        )),
        Type::Reference(_) => Ok(Class::Pair),
        Type::Path(p) if p.qself.is_none() => {
            let last = p
                .path
                .segments
                .last()
                .map(|s| s.ident.to_string())
                .unwrap_or_default();
            Ok(match last.as_str() {
                "String" | "Vec" | "SharedSlice" => Class::Pair,
                "Option" | "Result" => Class::Indirect,
                _ => Class::Scalar,
            })
        }
        Type::Tuple(t) if t.elems.is_empty() => {
            Err(Error::new_spanned(ty, "`()` is not a parameter type"))
        }
        _ => Err(Error::new_spanned(
            ty,
            "this type cannot cross the wasm ABI; supported: integers, f32, f64, bool, char, \
             ExternRef, OwnedExternRef, &str, &[T: Pod], SharedSlice<T>, String, Vec<T: Pod>, \
             Option and Result of those",
        )),
    }
}

/// Replaces every lifetime with `lt` (`'_` in expressions, `'static` in signatures and consts).
fn with_lifetimes(ty: &Type, lt: &str) -> Type {
    struct Replace(Lifetime);
    impl VisitMut for Replace {
        fn visit_lifetime_mut(&mut self, l: &mut Lifetime) {
            *l = self.0.clone();
        }
        fn visit_type_reference_mut(&mut self, r: &mut syn::TypeReference) {
            r.lifetime = Some(self.0.clone());
            self.visit_type_mut(&mut r.elem);
        }
    }
    let mut ty = ty.clone();
    Replace(Lifetime::new(lt, Span::call_site())).visit_type_mut(&mut ty);
    ty
}

/// Whether a type borrows (contains a reference, a lifetime or a `SharedSlice`).
fn borrows(ty: &Type) -> bool {
    struct Find(bool);
    impl VisitMut for Find {
        fn visit_lifetime_mut(&mut self, _: &mut Lifetime) {
            self.0 = true;
        }
        fn visit_type_reference_mut(&mut self, _: &mut syn::TypeReference) {
            self.0 = true;
        }
        fn visit_path_segment_mut(&mut self, s: &mut syn::PathSegment) {
            self.0 |= s.ident == "SharedSlice" || s.ident == "ExternRef" || s.ident == "FuncRef";
            syn::visit_mut::visit_path_segment_mut(self, s);
        }
    }
    let mut f = Find(false);
    f.visit_type_mut(&mut ty.clone());
    f.0
}

/// The parameters of a signature as `(pattern, type)`, rejecting what exports/imports can't take.
fn params(sig: &Signature, what: &str) -> Result<Vec<(Pat, Type)>> {
    if let Some(g) = sig.generics.type_params().next() {
        return Err(Error::new_spanned(
            g,
            format!("{what} functions cannot be generic"),
        ));
    }
    if let Some(c) = sig.generics.const_params().next() {
        return Err(Error::new_spanned(
            c,
            format!("{what} functions cannot be generic"),
        ));
    }
    for (bad, msg) in [
        (
            sig.asyncness.span(),
            sig.asyncness.is_some().then_some("async"),
        ),
        (
            sig.variadic.span(),
            sig.variadic.is_some().then_some("variadic"),
        ),
    ] {
        if let Some(m) = msg {
            return Err(Error::new(bad, format!("{what} functions cannot be {m}")));
        }
    }
    sig.inputs
        .iter()
        .map(|arg| match arg {
            FnArg::Receiver(r) => Err(Error::new_spanned(
                r,
                format!("{what} functions cannot take `self`"),
            )),
            FnArg::Typed(t) => Ok(((*t.pat).clone(), (*t.ty).clone())),
        })
        .collect()
}

/// The result type, `None` for `()`.
fn result_type(sig: &Signature) -> Option<Type> {
    match &sig.output {
        ReturnType::Default => None,
        ReturnType::Type(_, ty) => match &**ty {
            Type::Tuple(t) if t.elems.is_empty() => None,
            ty => Some(ty.clone()),
        },
    }
}

/// Expands `#[export]` / `#[export(name = "...")]`.
pub fn expand_export(attr: TokenStream, item: TokenStream) -> Result<TokenStream> {
    let mut func: ItemFn = syn::parse2(item)?;
    let ident = func.sig.ident.clone();
    let name = attr::string_args(attr, &["name"])?
        .pop()
        .map_or(ident.to_string(), |(_, s)| s.value());
    let params = params(&func.sig, "`#[export]`")?;
    // `#[export] #[effect(...)] fn`: the record names the export.
    let effect = match attr::take_attr(&mut func.attrs, "effect") {
        Some(a) => {
            let args = super::effect::parse_args(match a.meta {
                Meta::List(l) => l.tokens,
                _ => TokenStream::new(),
            })?;
            if let Some(s) = args.symbol {
                return Err(Error::new_spanned(
                    s,
                    "`symbol = ...` conflicts with `#[export]`: the export name is the symbol",
                ));
            }
            super::effect::record_static(&name, &args.effects)
        }
        None => TokenStream::new(),
    };
    let shim = format_ident!("__wasmrust_export_{}", ident);
    let (mut core_params, mut lifts, mut args) = (Vec::new(), Vec::new(), Vec::new());
    for (i, (pat, ty)) in params.into_iter().enumerate() {
        let a = format_ident!("__arg{}", i);
        let (sig_ty, expr_ty) = (with_lifetimes(&ty, "'static"), with_lifetimes(&ty, "'_"));
        // Spanned at the type, so an unsupported type is reported where it is written.
        let sp = ty.span();
        let lift = match classify(&ty)? {
            Class::Scalar => {
                core_params.push(quote_spanned!(sp=> #a: <#sig_ty as ::wasm::abi::Scalar>::Core));
                quote_spanned!(sp=> <#expr_ty as ::wasm::abi::Scalar>::from_core(#a))
            }
            Class::Pair => {
                let (p, l) = (
                    format_ident!("__arg{}_ptr", i),
                    format_ident!("__arg{}_len", i),
                );
                core_params.push(quote!(#p: *mut u8, #l: usize));
                quote_spanned!(sp=> <#expr_ty as ::wasm::abi::Pair>::from_pair(#p, #l))
            }
            Class::Indirect => {
                core_params.push(quote!(#a: *const u8));
                quote_spanned!(sp=> <#expr_ty as ::wasm::abi::Value>::load(#a))
            }
        };
        lifts.push(quote! {
            // SAFETY: the host calls this export as `wasm::abi` specifies for this parameter.
            let #pat: #expr_ty = unsafe { #lift };
        });
        args.push(pat);
    }
    let (core_ret, lower) = match result_type(&func.sig) {
        None => (quote!(), quote!(__ret)),
        Some(ty) => match classify(&ty)? {
            Class::Scalar => {
                let sig_ty = with_lifetimes(&ty, "'static");
                let sp = ty.span();
                (
                    quote_spanned!(sp=> -> <#sig_ty as ::wasm::abi::Scalar>::Core),
                    quote_spanned!(sp=> ::wasm::abi::Scalar::into_core(__ret)),
                )
            }
            Class::Pair | Class::Indirect => {
                core_params.push(quote!(__ret_area: *mut u8));
                (
                    quote!(),
                    quote! {
                        // SAFETY: the host passes a return area of `Value::SIZE` writable bytes.
                        unsafe { ::wasm::abi::Value::store(__ret, __ret_area) }
                    },
                )
            }
        },
    };
    // Arguments are patterns: rebuild the call with the bound names.
    let call_args = args.iter().map(pat_expr).collect::<Result<Vec<_>>>()?;
    Ok(quote! {
        #func
        #[doc(hidden)]
        #[unsafe(export_name = #name)]
        unsafe extern "C" fn #shim(#(#core_params),*) #core_ret {
            #(#lifts)*
            let __ret = #ident(#(#call_args),*);
            #lower
        }
        #effect
    })
}

/// The expression that re-reads a bound parameter pattern (only identifiers are supported).
fn pat_expr(pat: &Pat) -> Result<TokenStream> {
    match pat {
        Pat::Ident(p) if p.subpat.is_none() => {
            let id = &p.ident;
            Ok(quote!(#id))
        }
        _ => Err(Error::new_spanned(
            pat,
            "use a plain identifier for parameters of wasm ABI functions",
        )),
    }
}

/// Expands `#[import(module = "...")]` on an `extern "C" { ... }` block.
pub fn expand_import(attr: TokenStream, item: TokenStream) -> Result<TokenStream> {
    let args = attr::string_args(attr.clone(), &["module"])?;
    let Some((_, module)) = args.into_iter().next() else {
        return Err(Error::new_spanned(
            attr,
            "`#[import]` needs `module = \"...\"`",
        ));
    };
    let block: ItemForeignMod = syn::parse2(item)?;
    let mut out = TokenStream::new();
    for item in block.items {
        let ForeignItem::Fn(f) = item else {
            return Err(Error::new(
                item.span(),
                "`#[import]` blocks may contain only functions",
            ));
        };
        let mut attrs = f.attrs;
        let link_name = match attrs.iter().position(|a| a.path().is_ident("link_name")) {
            Some(i) => match &attrs.remove(i).meta {
                Meta::NameValue(nv) => match &nv.value {
                    Expr::Lit(l) => match &l.lit {
                        Lit::Str(s) => s.value(),
                        _ => {
                            return Err(Error::new_spanned(
                                nv,
                                "expected `#[link_name = \"...\"]`",
                            ));
                        }
                    },
                    _ => return Err(Error::new_spanned(nv, "expected `#[link_name = \"...\"]`")),
                },
                m => return Err(Error::new_spanned(m, "expected `#[link_name = \"...\"]`")),
            },
            None => f.sig.ident.to_string(),
        };
        let params = params(&f.sig, "`#[import]`")?;
        let (mut core_params, mut lowers, mut core_args) = (Vec::new(), Vec::new(), Vec::new());
        for (i, (pat, ty)) in params.iter().enumerate() {
            let x = pat_expr(pat)?;
            let a = format_ident!("__arg{}", i);
            match classify(ty)? {
                Class::Scalar => {
                    let sig_ty = with_lifetimes(ty, "'static");
                    core_params.push(
                        quote_spanned!(ty.span()=> #a: <#sig_ty as ::wasm::abi::Scalar>::Core),
                    );
                    lowers.push(quote!(let #a = ::wasm::abi::Scalar::into_core(#x);));
                    core_args.push(quote!(#a));
                }
                Class::Pair => {
                    let (p, l) = (
                        format_ident!("__arg{}_ptr", i),
                        format_ident!("__arg{}_len", i),
                    );
                    core_params.push(quote!(#p: *const u8, #l: usize));
                    lowers.push(quote!(let (#p, #l) = ::wasm::abi::Pair::into_pair(#x);));
                    core_args.push(quote!(#p, #l));
                }
                Class::Indirect => {
                    let size_ty = with_lifetimes(ty, "'static");
                    core_params.push(quote!(#a: *const u8));
                    lowers.push(quote! {
                        let mut #a = ::wasm::abi::RetArea::<{ <#size_ty as ::wasm::abi::Value>::SIZE }>::new();
                        // SAFETY: the area has `Value::SIZE` bytes for this type.
                        unsafe { ::wasm::abi::Value::store(#x, #a.as_mut_ptr()) };
                    });
                    core_args.push(quote!(#a.as_ptr()));
                }
            }
        }
        let (core_ret, lift, area) = match result_type(&f.sig) {
            None => (quote!(), quote!(__ret), quote!()),
            Some(ty) => {
                if borrows(&ty) {
                    return Err(Error::new_spanned(
                        &ty,
                        "`#[import]` functions cannot return borrowed data (references, \
                         `SharedSlice`, `ExternRef`): return `String`, `Vec<T>` or `OwnedExternRef`",
                    ));
                }
                match classify(&ty)? {
                    Class::Scalar => (
                        quote!(-> <#ty as ::wasm::abi::Scalar>::Core),
                        quote! {
                            // SAFETY: the host returns a value of this type as `wasm::abi` specifies.
                            unsafe { <#ty as ::wasm::abi::Scalar>::from_core(__ret) }
                        },
                        quote!(),
                    ),
                    Class::Pair | Class::Indirect => {
                        core_params.push(quote!(__ret_area: *mut u8));
                        core_args.push(quote!(__ret_area.as_mut_ptr()));
                        (
                            quote!(),
                            quote! {
                                // SAFETY: the host wrote a value of this type into the area as
                                // `wasm::abi` specifies; owned buffers and handles are now ours.
                                unsafe { <#ty as ::wasm::abi::Value>::load(__ret_area.as_ptr()) }
                            },
                            quote! {
                                let mut __ret_area = ::wasm::abi::RetArea::<{ <#ty as ::wasm::abi::Value>::SIZE }>::new();
                            },
                        )
                    }
                }
            }
        };
        let vis = &f.vis;
        let sig = &f.sig;
        out.extend(quote! {
            #(#attrs)*
            #vis #sig {
                #[link(wasm_import_module = #module)]
                unsafe extern "C" {
                    #[link_name = #link_name]
                    fn __wasmrust_import(#(#core_params),*) #core_ret;
                }
                #(#lowers)*
                #area
                // SAFETY: the import takes core values only; the host implements it as
                // `wasm::abi` specifies, reading borrowed arguments only during the call.
                let __ret = unsafe { __wasmrust_import(#(#core_args),*) };
                #lift
            }
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codegen::norm;

    #[test]
    fn classification() {
        let c = |ty: Type| classify(&ty);
        assert_eq!(c(syn::parse_quote!(&'a str)).unwrap(), Class::Pair);
        assert_eq!(c(syn::parse_quote!(Vec<Point>)).unwrap(), Class::Pair);
        assert_eq!(
            c(syn::parse_quote!(wasm::SharedSlice<'_, u8>)).unwrap(),
            Class::Pair
        );
        assert_eq!(
            c(syn::parse_quote!(Option<String>)).unwrap(),
            Class::Indirect
        );
        assert_eq!(
            c(syn::parse_quote!(core::result::Result<u8, ()>)).unwrap(),
            Class::Indirect
        );
        assert_eq!(c(syn::parse_quote!(u64)).unwrap(), Class::Scalar);
        assert_eq!(c(syn::parse_quote!(ExternRef<'a>)).unwrap(), Class::Scalar);
        assert!(
            c(syn::parse_quote!(&mut [u8]))
                .unwrap_err()
                .to_string()
                .contains("`&mut` cannot")
        );
        assert!(c(syn::parse_quote!((u8, u8))).is_err());
        assert!(c(syn::parse_quote!([u8; 4])).is_err());
    }

    #[test]
    fn export_shim_lowers_each_class() {
        let out = expand_export(
            quote!(name = "greet"),
            quote! { pub fn greet<'a>(name: &'a str, n: u32, opt: Option<u8>) -> String { todo!() } },
        )
        .unwrap();
        let s = norm(&out);
        let want = [
            "# [unsafe (export_name = \"greet\")] unsafe extern \"C\" fn __wasmrust_export_greet (\
             __arg0_ptr : * mut u8 , __arg0_len : usize , \
             __arg1 : < u32 as :: wasm :: abi :: Scalar > :: Core , \
             __arg2 : * const u8 , __ret_area : * mut u8)",
            "let name : & '_ str = unsafe { < & '_ str as :: wasm :: abi :: Pair > :: from_pair (__arg0_ptr , __arg0_len) } ;",
            "let n : u32 = unsafe { < u32 as :: wasm :: abi :: Scalar > :: from_core (__arg1) } ;",
            "let opt : Option < u8 > = unsafe { < Option < u8 > as :: wasm :: abi :: Value > :: load (__arg2) } ;",
            "let __ret = greet (name , n , opt) ;",
            "unsafe { :: wasm :: abi :: Value :: store (__ret , __ret_area) }",
        ];
        for w in want {
            assert!(s.contains(w), "missing\n  {w}\nin\n  {s}");
        }
    }

    #[test]
    fn export_scalar_and_unit_results() {
        let s = norm(
            &expand_export(quote!(), quote! { fn add(a: i64, b: i64) -> i64 { a + b } }).unwrap(),
        );
        assert!(s.contains("export_name = \"add\""), "{s}");
        assert!(
            s.contains(") -> < i64 as :: wasm :: abi :: Scalar > :: Core {"),
            "{s}"
        );
        assert!(
            s.contains(":: wasm :: abi :: Scalar :: into_core (__ret)"),
            "{s}"
        );
        let s = norm(&expand_export(quote!(), quote! { fn tick() -> () {} }).unwrap());
        assert!(
            s.contains("fn __wasmrust_export_tick () { let __ret = tick () ; __ret }"),
            "{s}"
        );
    }

    #[test]
    fn export_absorbs_an_inner_effect_attribute() {
        let s = norm(
            &expand_export(quote!(name = "run"), quote! { #[effect(io)] fn go() {} }).unwrap(),
        );
        assert!(!s.contains("# [effect"), "{s}");
        let record: Vec<String> = crate::codegen::effect::encode_record("run", &["io".into()])
            .iter()
            .map(|b| format!("{b}u8"))
            .collect();
        assert!(s.contains(&record.join(" , ")), "{s}");
    }

    #[test]
    fn export_rejections() {
        let err = |a, i| expand_export(a, i).unwrap_err().to_string();
        assert!(err(quote!(), quote! { fn f<T>(x: T) {} }).contains("cannot be generic"));
        assert!(err(quote!(), quote! { async fn f() {} }).contains("cannot be async"));
        assert!(err(quote!(), quote! { fn f(&self) {} }).contains("cannot take `self`"));
        assert!(err(quote!(), quote! { fn f((a, b): (u8, u8)) {} }).contains("cannot cross"));
        assert!(err(quote!(), quote! { fn f(mut x @ 1..=2: u8) {} }).contains("plain identifier"));
        assert!(err(quote!(nom = "x"), quote! { fn f() {} }).contains("unknown argument"));
        assert!(err(quote!(name = 1), quote! { fn f() {} }).contains("string literal"));
    }

    #[test]
    fn import_wrappers_lower_and_lift() {
        let out = expand_import(
            quote!(module = "env"),
            quote! {
                extern "C" {
                    /// Logs.
                    pub fn log(msg: &str, level: u8);
                    #[link_name = "read-file"]
                    fn read_file(path: &str, opts: Option<u32>) -> Result<Vec<u8>, String>;
                }
            },
        )
        .unwrap();
        let s = norm(&out);
        let want = [
            "# [doc = r\" Logs.\"] pub fn log (msg : & str , level : u8) {",
            "# [link (wasm_import_module = \"env\")] unsafe extern \"C\" { # [link_name = \"log\"] \
             fn __wasmrust_import (__arg0_ptr : * const u8 , __arg0_len : usize , \
             __arg1 : < u8 as :: wasm :: abi :: Scalar > :: Core) ; }",
            "let (__arg0_ptr , __arg0_len) = :: wasm :: abi :: Pair :: into_pair (msg) ;",
            "# [link_name = \"read-file\"] fn __wasmrust_import (__arg0_ptr : * const u8 , __arg0_len : usize , __arg1 : * const u8 , __ret_area : * mut u8) ;",
            "let mut __arg1 = :: wasm :: abi :: RetArea :: < { < Option < u32 > as :: wasm :: abi :: Value > :: SIZE } > :: new () ;",
            "let mut __ret_area = :: wasm :: abi :: RetArea :: < { < Result < Vec < u8 > , String > as :: wasm :: abi :: Value > :: SIZE } > :: new () ;",
            "__wasmrust_import (__arg0_ptr , __arg0_len , __arg1 . as_ptr () , __ret_area . as_mut_ptr ())",
            "unsafe { < Result < Vec < u8 > , String > as :: wasm :: abi :: Value > :: load (__ret_area . as_ptr ()) }",
        ];
        for w in want {
            assert!(s.contains(w), "missing\n  {w}\nin\n  {s}");
        }
    }

    #[test]
    fn import_rejections() {
        let err = |a, i| expand_import(a, i).unwrap_err().to_string();
        assert!(err(quote!(), quote! { extern "C" { fn f(); } }).contains("needs `module"));
        assert!(
            err(
                quote!(module = "m"),
                quote! { extern "C" { static X: u8; } }
            )
            .contains("only functions")
        );
        assert!(
            err(
                quote!(module = "m"),
                quote! { extern "C" { fn f() -> &'static str; } }
            )
            .contains("borrowed")
        );
        assert!(
            err(
                quote!(module = "m"),
                quote! { extern "C" { fn f() -> Option<ExternRef<'static>>; } }
            )
            .contains("borrowed")
        );
    }
}
