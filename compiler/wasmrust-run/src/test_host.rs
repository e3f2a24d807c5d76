//! The host side of `wasmrust:test-host/host`, the custom interface that test
//! components import (its WIT: `tests/bindgen/resources/wit/deps/test-host/host.wit`):
//! a host resource with a constructor, a method, a static function and a
//! destructor, a log the component writes to and reads back, and what the
//! component wrote to `wasi:cli/stdout`. Components that do not import it are
//! unaffected: a linker definition is only looked up by an import.

use wasmtime::component::{Linker, Resource, ResourceType};
use wasmtime::{Result, StoreContextMut};
use wasmtime_wasi::ResourceTable;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;

/// The instance name the interface is imported under.
pub const INTERFACE: &str = "wasmrust:test-host/host@0.1.0";

/// `counter`: `next` returns `start`, `start + 1`, ...
pub struct Counter {
    next: u32,
}

/// What the interface keeps per store.
#[derive(Default)]
pub struct State {
    log: Vec<String>,
    live_counters: u32,
    /// The component's stdout, when the runner captures it.
    pub stdout: Option<MemoryOutputPipe>,
}

/// Defines the interface in `linker`; `get` gives the store's resource table
/// (the one WASI uses too) and the interface's state.
pub fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    get: fn(&mut T) -> (&mut ResourceTable, &mut State),
) -> Result<()> {
    let mut host = linker.instance(INTERFACE)?;
    host.resource(
        "counter",
        ResourceType::host::<Counter>(),
        move |mut store: StoreContextMut<'_, T>, rep| {
            let (table, state) = get(store.data_mut());
            table.delete(Resource::<Counter>::new_own(rep))?;
            state.live_counters -= 1;
            Ok(())
        },
    )?;
    host.func_wrap(
        "[constructor]counter",
        move |mut store: StoreContextMut<'_, T>, (start,): (u32,)| {
            let (table, state) = get(store.data_mut());
            let counter = table.push(Counter { next: start })?;
            state.live_counters += 1;
            Ok((counter,))
        },
    )?;
    host.func_wrap(
        "[method]counter.next",
        move |mut store: StoreContextMut<'_, T>, (this,): (Resource<Counter>,)| {
            let counter = get(store.data_mut()).0.get_mut(&this)?;
            let value = counter.next;
            counter.next = counter.next.wrapping_add(1);
            Ok((value,))
        },
    )?;
    host.func_wrap(
        "[static]counter.live",
        move |mut store: StoreContextMut<'_, T>, (): ()| {
            Ok((get(store.data_mut()).1.live_counters,))
        },
    )?;
    host.func_wrap(
        "log",
        move |mut store: StoreContextMut<'_, T>, (line,): (String,)| {
            get(store.data_mut()).1.log.push(line);
            Ok(())
        },
    )?;
    host.func_wrap(
        "logged",
        move |mut store: StoreContextMut<'_, T>, (): ()| Ok((get(store.data_mut()).1.log.clone(),)),
    )?;
    host.func_wrap(
        "stdout-text",
        move |mut store: StoreContextMut<'_, T>, (): ()| {
            let state = get(store.data_mut()).1;
            let text = state
                .stdout
                .as_ref()
                .map(|pipe| String::from_utf8_lossy(&pipe.contents()).into_owned())
                .unwrap_or_default();
            Ok((text,))
        },
    )?;
    Ok(())
}
