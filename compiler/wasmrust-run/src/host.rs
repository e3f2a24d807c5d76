//! The one host of components in wasmtime: WASI 0.2, plus the capabilities a
//! run asks for. `check`, `invoke` and `run` (main.rs) and the test harness
//! of `wasm_test` components (test.rs) all instantiate through here, so they
//! agree on the engine, the store's data and what each import does.

use crate::{externref, test_host};
use anyhow::{Context, Result};
use std::path::Path;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, StoreContextMut};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

/// A store's data: WASI, the resource table, and the state of each capability.
pub struct Host {
    wasi: WasiCtx,
    table: ResourceTable,
    pub refs: externref::ExternRefTable,
    pub test_host: test_host::State,
    /// The message the test harness's `report-panic` got.
    pub panic: Option<String>,
}

impl Host {
    pub fn new(wasi: WasiCtx) -> Self {
        Host {
            wasi,
            table: ResourceTable::new(),
            refs: externref::ExternRefTable::default(),
            test_host: test_host::State::default(),
            panic: None,
        }
    }
}

impl WasiView for Host {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// What the host provides beyond WASI 0.2.
#[derive(Clone, Copy)]
pub struct Capabilities {
    /// `wasm::ExternRef`'s table ([`externref`]).
    pub externref: bool,
    /// `wasmrust:test-host/host` ([`test_host`]).
    pub test_host: bool,
    /// The test harness's `report-panic`, which keeps the message in [`Host::panic`].
    pub report_panic: bool,
}

/// Compiles the component at `path` (`what` names it in errors) in an engine
/// with the Component Model, and a linker with WASI 0.2 and `caps`.
pub fn load(
    path: &Path,
    what: &str,
    caps: Capabilities,
) -> Result<(Engine, Component, Linker<Host>)> {
    let mut config = Config::new();
    config.wasm_component_model(true);
    let engine = Engine::new(&config)?;
    let component = Component::from_file(&engine, path)
        .map_err(anyhow::Error::from)
        .with_context(|| format!("failed to load {what} `{}`", path.display()))?;
    let mut linker = Linker::<Host>::new(&engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    if caps.report_panic {
        linker.root().func_wrap(
            "report-panic",
            |mut store: StoreContextMut<'_, Host>, (message,): (String,)| {
                store.data_mut().panic = Some(message);
                Ok(())
            },
        )?;
    }
    if caps.externref {
        externref::add_to_linker(&mut linker, |h| &mut h.refs)?;
    }
    if caps.test_host {
        test_host::add_to_linker(&mut linker, |h| (&mut h.table, &mut h.test_host))?;
    }
    Ok((engine, component, linker))
}
