//! `#[derive(Pod)]`.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::{Data, DeriveInput, Error, Result, Type, spanned::Spanned};

/// Expands `#[derive(Pod)]`.
pub fn expand(item: TokenStream) -> Result<TokenStream> {
    let input: DeriveInput = syn::parse2(item)?;
    let name = &input.ident;
    let fields = match &input.data {
        Data::Struct(s) => &s.fields,
        Data::Enum(e) => {
            return Err(Error::new(
                e.enum_token.span,
                "`#[derive(Pod)]` does not support enums: not every bit pattern is a valid variant",
            ));
        }
        Data::Union(u) => {
            return Err(Error::new(
                u.union_token.span,
                "`#[derive(Pod)]` does not support unions; use a struct",
            ));
        }
    };
    if let Some(param) = input.generics.params.first() {
        return Err(Error::new(
            param.span(),
            "`#[derive(Pod)]` does not support generic types: the no-padding proof needs concrete field types",
        ));
    }
    check_repr(&input)?;
    let mut tys = Vec::new();
    for field in fields {
        reject_pointers(&field.ty)?;
        tys.push(&field.ty);
    }
    let msg = format!(
        "`#[derive(Pod)]` on `{name}`: the struct has padding bytes (its size is not the sum of \
         its field sizes); add explicit padding fields or reorder the fields"
    );
    // Spanned so a non-`Pod` field is reported at its type, the padding proof at the name.
    let bounds = tys
        .iter()
        .map(|ty| quote_spanned!(ty.span()=> #ty: ::wasm::Pod));
    let field_sizes = if tys.is_empty() {
        quote!(0)
    } else {
        quote!(#(::core::mem::size_of::<#tys>())+*)
    };
    let assertion = quote_spanned! {name.span()=>
        const _: () = ::core::assert!(
            ::core::mem::size_of::<#name>() == #field_sizes,
            #msg
        );
    };
    Ok(quote! {
        // SAFETY: `#[repr(C)]`/`#[repr(transparent)]` (checked by the derive) fixes the layout;
        // the `where` clauses make every field `Pod` (all bit patterns valid, no interior
        // mutability, no pointers, `'static`); the assertion below proves there is no padding.
        unsafe impl ::wasm::Pod for #name where #(#bounds,)* {}
        #assertion
    })
}

/// Requires `#[repr(C)]` or `#[repr(transparent)]`.
fn check_repr(input: &DeriveInput) -> Result<()> {
    let mut ok = false;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("repr")) {
        attr.parse_nested_meta(|meta| {
            ok |= meta.path.is_ident("C") || meta.path.is_ident("transparent");
            // Skip arguments such as `align(8)` or `packed(2)`.
            if meta.input.peek(syn::token::Paren) {
                let content;
                syn::parenthesized!(content in meta.input);
                content.parse::<TokenStream>()?;
            }
            Ok(())
        })?;
    }
    if ok {
        Ok(())
    } else {
        Err(Error::new(
            input.ident.span(),
            format!(
                "`#[derive(Pod)]` on `{}` needs `#[repr(C)]` or `#[repr(transparent)]`: Rust's default layout is unspecified",
                input.ident
            ),
        ))
    }
}

/// Rejects pointers, references and function pointers anywhere in a field type, with a clear
/// message (the `Pod` bound would reject them too, less readably).
fn reject_pointers(ty: &Type) -> Result<()> {
    let what = match ty {
        Type::Ptr(_) => {
            "a raw pointer: its bytes are an address without provenance, meaningless to the host"
        }
        Type::Reference(_) => "a reference: not every bit pattern is a valid reference",
        Type::BareFn(_) => "a function pointer: not every bit pattern is a valid function pointer",
        Type::Array(a) => return reject_pointers(&a.elem),
        Type::Paren(p) => return reject_pointers(&p.elem),
        Type::Group(g) => return reject_pointers(&g.elem),
        Type::Tuple(t) if !t.elems.is_empty() => "a tuple: its layout is unspecified",
        _ => return Ok(()),
    };
    Err(Error::new_spanned(
        ty,
        format!("`#[derive(Pod)]` field type is {what}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codegen::norm;

    #[test]
    fn emits_bounds_and_padding_assertion() {
        let out = expand(quote! { #[repr(C)] struct P { a: u32, b: [u8; 4] } }).unwrap();
        let s = norm(&out);
        assert!(s.contains("unsafe impl :: wasm :: Pod for P where u32 : :: wasm :: Pod , [u8 ; 4] : :: wasm :: Pod ,"), "{s}");
        assert!(s.contains(":: core :: mem :: size_of :: < P > () == :: core :: mem :: size_of :: < u32 > () + :: core :: mem :: size_of :: < [u8 ; 4] > ()"), "{s}");
    }

    #[test]
    fn accepts_transparent_and_packed_reprs() {
        assert!(expand(quote! { #[repr(transparent)] struct W(u64); }).is_ok());
        assert!(expand(quote! { #[repr(C, packed(2))] struct Q { a: u8, b: u32 } }).is_ok());
        assert!(expand(quote! { #[repr(C, align(8))] struct E; }).is_ok());
    }

    #[test]
    fn rejects_what_cannot_be_pod() {
        let err = |ts| expand(ts).unwrap_err().to_string();
        assert!(err(quote! { struct P { a: u32 } }).contains("needs `#[repr(C)]`"));
        assert!(err(quote! { #[repr(u8)] enum E { A } }).contains("does not support enums"));
        assert!(err(quote! { #[repr(C)] struct P<T> { a: T } }).contains("generic"));
        assert!(err(quote! { #[repr(C)] struct P { a: [*const u8; 2] } }).contains("raw pointer"));
        assert!(err(quote! { #[repr(C)] struct P { a: &'static u8 } }).contains("a reference"));
        assert!(err(quote! { #[repr(C)] struct P { a: fn() } }).contains("function pointer"));
        assert!(err(quote! { #[repr(C)] struct P { a: (u8, u32) } }).contains("tuple"));
    }
}
