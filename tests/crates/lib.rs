//! Third-party crates from crates.io, built for wasm by WasmRust: serde with
//! derive (a proc macro built for the exec platform), serde_json and sha2
//! (whose dependencies have build scripts: serde, serde_core, serde_json,
//! generic-array), run in each profile's real runtime. Cargo.toml makes
//! some choices per target (serde_json's `float_roundtrip` for the browser,
//! `itoa` for WASI), which the generated `@crates` aliases select per profile.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A record as an application would ship it between host and module.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Order {
    pub id: u32,
    pub item: String,
    pub quantity: u16,
    pub tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub note: Option<String>,
}

/// The order as JSON.
pub fn to_json(order: &Order) -> String {
    serde_json::to_string(order).expect("an Order always serializes")
}

/// Parses an order; the error says where the JSON is wrong.
pub fn from_json(text: &str) -> Result<Order, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}

/// `n` in decimal: with `itoa` where Cargo.toml makes it a dependency (WASI
/// targets only: `@crates//:itoa` exists for node and wasmtime), else `format!`.
pub fn decimal(n: u64) -> String {
    #[cfg(target_os = "wasi")]
    return itoa::Buffer::new().format(n).to_owned();
    #[cfg(not(target_os = "wasi"))]
    return format!("{n}");
}

/// SHA-256 of `bytes`, as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order() -> Order {
        Order {
            id: 7,
            item: "widget \"XL\"".into(),
            quantity: 3,
            tags: vec!["red".into(), "ü".into()],
            note: None,
        }
    }

    wasm_test::tests! {
        fn derive_serializes_fields_in_declaration_order() {
            assert_eq!(to_json(&order()), r#"{"id":7,"item":"widget \"XL\"","quantity":3,"tags":["red","ü"]}"#);
        }

        fn json_round_trips() {
            let mut o = order();
            o.note = Some("fragile".into());
            assert_eq!(from_json(&to_json(&o)).unwrap(), o);
        }

        fn malformed_json_reports_line_and_column() {
            let e = from_json("{\"id\": 7,\n \"item\": }").unwrap_err();
            assert!(e.contains("line 2 column 10"), "{e}");
        }

        fn missing_field_is_an_error() {
            let e = from_json(r#"{"id":1,"item":"x","quantity":1}"#).unwrap_err();
            assert!(e.contains("missing field `tags`"), "{e}");
        }

        fn floats_and_integers_keep_their_values() {
            let v: serde_json::Value = serde_json::from_str("[1.5e3, -0.25, 18446744073709551615]").unwrap();
            assert_eq!(v[0].as_f64(), Some(1500.0));
            assert_eq!(v[1].as_f64(), Some(-0.25));
            assert_eq!(v[2].as_u64(), Some(u64::MAX));
            assert_eq!(serde_json::to_string(&v).unwrap(), "[1500.0,-0.25,18446744073709551615]");
        }

        fn decimal_of_extremes() {
            assert_eq!(decimal(0), "0");
            assert_eq!(decimal(u64::MAX), "18446744073709551615");
        }

        // FIPS 180-2 test vectors.
        fn sha256_of_abc() {
            assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        }

        fn sha256_of_two_blocks() {
            assert_eq!(
                sha256_hex(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
            );
        }

        fn sha256_of_a_million_a() {
            assert_eq!(sha256_hex(&vec![b'a'; 1_000_000]), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
        }
    }
}
