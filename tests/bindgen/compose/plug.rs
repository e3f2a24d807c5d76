//! `wasmrust:test-host/host` as a component (the world `host-plug` of
//! resources/wit/resources.wit): the same counters and log as the test host
//! in wasmrust-run, so the composition `resources_composed` gives the same
//! answers with WASI alone. A plug cannot read the host's stdout, so its
//! `stdout-text` is always empty (composed.expect states it).

use core::cell::{Cell, RefCell};
use host_plug_bindings::exports::wasmrust::test_host::host;

struct Plug;

thread_local! {
    /// Counters alive: `new` counts up, `Drop` counts down.
    static LIVE: Cell<u32> = const { Cell::new(0) };
    /// The lines `log` was given, in order.
    static LOG: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// The plug's side of `counter`.
struct Counter {
    next: Cell<u32>,
}

impl Drop for Counter {
    fn drop(&mut self) {
        LIVE.with(|n| n.set(n.get() - 1));
    }
}

impl host::GuestCounter for Counter {
    fn new(start: u32) -> Self {
        LIVE.with(|n| n.set(n.get() + 1));
        Counter {
            next: Cell::new(start),
        }
    }

    fn next(&self) -> u32 {
        let n = self.next.get();
        self.next.set(n.wrapping_add(1));
        n
    }

    fn live() -> u32 {
        LIVE.with(Cell::get)
    }
}

impl host::Guest for Plug {
    type Counter = Counter;

    fn log(line: String) {
        LOG.with(|log| log.borrow_mut().push(line));
    }

    fn logged() -> Vec<String> {
        LOG.with(|log| log.borrow().clone())
    }

    fn stdout_text() -> String {
        String::new()
    }
}

host_plug_bindings::export!(Plug);
