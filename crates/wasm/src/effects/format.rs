//! The `wasmrust.effects` record format: its names and its encoder.
//!
//! This one file is compiled into two crates: `wasm` (as `wasm::effects`,
//! which documents the format and parses it) and `wasm-macros` (whose
//! `#[effect]` writes the records at expansion time, on the host). So the
//! writer and the reader cannot disagree. It needs neither `std` nor `alloc`.

/// The custom section's name.
pub const SECTION: &str = "wasmrust.effects";

/// The format version byte that starts every record.
pub const VERSION: u8 = 1;

/// Prefix of the export names `#[effect]` gives functions that are not `#[export]`ed.
pub const EXPORT_PREFIX: &str = "wasmrust.fx.";

/// The effect names `#[effect(...)]` accepts, sorted.
///
/// | effect | the function may ... |
/// |---|---|
/// | `alloc` | allocate or free heap memory |
/// | `atomic_read` | perform atomic loads or `wait` on shared memory |
/// | `atomic_write` | perform atomic stores, RMWs or `notify` on shared memory |
/// | `io` | call imports that perform I/O (WASI, host files, network, clocks) |
/// | `js_call` | call into JavaScript imports |
/// | `panic` | panic (trap) |
/// | `spawn` | start threads |
///
/// ```
/// assert!(wasm::effects::KNOWN.is_sorted());
/// ```
pub const KNOWN: &[&str] = &[
    "alloc",
    "atomic_read",
    "atomic_write",
    "io",
    "js_call",
    "panic",
    "spawn",
];

/// Encodes one record (`VERSION`, the symbol, the effects; see the format in
/// `wasm::effects`), handing its bytes to `out` in order.
///
/// ```
/// let mut out = Vec::new();
/// wasm::effects::encode_with("f", &["io"], |b| out.extend_from_slice(b));
/// assert_eq!(out, [1, 1, b'f', 1, 2, b'i', b'o']);
/// ```
pub fn encode_with(symbol: &str, effects: &[&str], mut out: impl FnMut(&[u8])) {
    fn string(s: &str, out: &mut impl FnMut(&[u8])) {
        u32_leb(s.len(), out);
        out(s.as_bytes());
    }
    fn u32_leb(mut v: usize, out: &mut impl FnMut(&[u8])) {
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            out(&[if v == 0 { byte } else { byte | 0x80 }]);
            if v == 0 {
                return;
            }
        }
    }
    out(&[VERSION]);
    string(symbol, &mut out);
    u32_leb(effects.len(), &mut out);
    for e in effects {
        string(e, &mut out);
    }
}
