//! Resources and imports through generated bindings (`resources_bindings`):
//! the implementation of resources/wit/resources.wit, checked in wasmtime by
//! resources.expect with `wasmrust-run` as the host of the imports.

use core::cell::{Cell, RefCell};
use resources_bindings::exports::wasmrust::resources::client;
use resources_bindings::exports::wasmrust::resources::crypto::{self, KeyPair, KeyPairBorrow};
use resources_bindings::wasi::cli::stdout;
use resources_bindings::wasi::clocks::monotonic_clock;
use resources_bindings::wasi::random::random;
use resources_bindings::wasmrust::test_host::host;

struct Component;

thread_local! {
    /// Key pairs alive: `new` and `from_seed` count up, `Drop` counts down.
    static LIVE_KEYS: Cell<u32> = const { Cell::new(0) };
}

/// The component's side of `key-pair`.
struct Keys {
    algorithm: String,
    secret: u64,
    /// How many signatures this key pair has made (interior mutability: methods take `&self`).
    signed: RefCell<u32>,
}

impl Keys {
    fn make(algorithm: String, secret: u64) -> Self {
        LIVE_KEYS.with(|n| n.set(n.get() + 1));
        Keys {
            algorithm,
            secret,
            signed: RefCell::new(0),
        }
    }

    /// FNV-1a over the secret and the data, as 8 little-endian bytes: a stand-in
    /// for a signature, deterministic so the test can state it.
    fn signature(&self, data: &[u8]) -> Vec<u8> {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for &b in self.secret.to_le_bytes().iter().chain(data) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        h.to_le_bytes().to_vec()
    }
}

impl Drop for Keys {
    fn drop(&mut self) {
        LIVE_KEYS.with(|n| n.set(n.get() - 1));
    }
}

impl crypto::GuestKeyPair for Keys {
    fn new(algorithm: String) -> Self {
        let secret = algorithm.bytes().map(u64::from).sum();
        Keys::make(algorithm, secret)
    }

    fn sign(&self, data: Vec<u8>) -> Vec<u8> {
        *self.signed.borrow_mut() += 1;
        self.signature(&data)
    }

    fn algorithm(&self) -> String {
        format!("{} ({} signed)", self.algorithm, self.signed.borrow())
    }

    fn from_seed(seed: u64) -> KeyPair {
        KeyPair::new(Keys::make(format!("seed-{seed}"), seed))
    }
}

impl crypto::Guest for Component {
    type KeyPair = Keys;

    fn verify(key: KeyPairBorrow<'_>, data: Vec<u8>, sig: Vec<u8>) -> bool {
        key.get::<Keys>().signature(&data) == sig
    }

    fn consume(key: KeyPair) -> String {
        key.into_inner::<Keys>().algorithm.clone()
    }

    fn live_keys() -> u32 {
        LIVE_KEYS.with(Cell::get)
    }
}

impl client::Guest for Component {
    fn count(start: u32, n: u32) -> Vec<u32> {
        let counter = host::Counter::new(start);
        (0..n).map(|_| counter.next()).collect()
    }

    fn counters_after_count() -> u32 {
        let before = host::Counter::live();
        let values = Self::count(7, 2);
        assert_eq!(values, [7, 8]);
        // The counter `count` made was dropped on its return: as many live as before.
        host::Counter::live() - before
    }

    fn echo(lines: Vec<String>) -> Vec<String> {
        for line in &lines {
            host::log(line);
        }
        host::logged()
    }

    fn random_ok(len: u64) -> bool {
        let (a, b) = (random::get_random_bytes(len), random::get_random_bytes(len));
        let draws = (random::get_random_u64(), random::get_random_u64());
        a.len() as u64 == len && b.len() as u64 == len && (len < 8 || a != b) && draws.0 != draws.1
    }

    fn clock_ok(reads: u32) -> bool {
        let mut last = monotonic_clock::now();
        (0..reads).all(|_| {
            let now = monotonic_clock::now();
            let forward = now >= last;
            last = now;
            forward
        })
    }

    fn print(text: String) -> Result<String, String> {
        let out = stdout::get_stdout();
        out.blocking_write_and_flush(text.as_bytes())
            .map_err(|e| format!("stdout: {e:?}"))?;
        Ok(host::stdout_text())
    }
}

resources_bindings::export!(Component);
