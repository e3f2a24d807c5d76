//! `wasmrust-run test`: runs the tests of a `wasm_test` module (the harness
//! ABI of crates/wasm-test) in wasmtime, as a component or as a threaded core
//! module (on host threads, see threads.rs), or in the wasmi interpreter, as
//! a core module, and reports like libtest.
//!
//! Every test gets a fresh instance, so a test that traps cannot disturb
//! the next one; a panicking test hands its message to the `report-panic`
//! import before it traps.

use crate::harness::{Factory, Instance, Outcome};
use anyhow::{Context, Result, bail};
use std::path::Path;
use wasmrust::flags::{Target, module_features};
use wasmrust::verify::validate::{self, Kind};

/// `wasmrust-test-flags` bits (crates/wasm-test).
const SHOULD_PANIC: u32 = 1;
const IGNORE: u32 = 2;

/// The runtime a test module runs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Runtime {
    /// wasmtime, for test components (the wasmtime profile) and threaded core
    /// modules (built with `threads = True`).
    Wasmtime,
    /// The wasmi interpreter, for core modules (the embedded profile).
    Wasmi,
}

/// libtest's selection options.
#[derive(clap::Args, Debug)]
pub struct Selection {
    /// Run only tests whose name contains one of these.
    filters: Vec<String>,
    /// Filters must match test names exactly.
    #[arg(long)]
    exact: bool,
    /// Run only the `#[ignore]`d tests.
    #[arg(long)]
    ignored: bool,
    /// Run the `#[ignore]`d tests too.
    #[arg(long)]
    include_ignored: bool,
}

struct Case {
    index: u32,
    name: String,
    flags: u32,
}

/// Runs the tests of `path`; returns whether all selected tests passed.
pub fn run(
    path: &Path,
    runtime: Runtime,
    target: Option<Target>,
    mut selection: Selection,
) -> Result<bool> {
    let bytes =
        std::fs::read(path).with_context(|| format!("failed to read `{}`", path.display()))?;
    // The profile's feature set, checked again here: a post-MVP instruction
    // in an embedded module fails before anything runs.
    let features = target.map(|t| module_features(t, &[]));
    let kind = validate::validate(path, &bytes, features.as_deref())?;
    if let Ok(filter) = std::env::var("TESTBRIDGE_TEST_ONLY") {
        selection.filters.push(filter);
    }
    let mut new_instance: Factory = match (runtime, kind) {
        (Runtime::Wasmtime, Kind::Component) => wasmtime_host::factory(path)?,
        // Only threaded core modules run in wasmtime; `factory` says so for others.
        (Runtime::Wasmtime, Kind::Module) => crate::threads::factory(path, &bytes)?,
        (Runtime::Wasmi, Kind::Module) => wasmi_host::factory(path, &bytes)?,
        (runtime, kind) => bail!(
            "`{}` is a {kind:?}, which the {runtime:?} runner does not run",
            path.display()
        ),
    };

    let mut first = new_instance()?;
    let mut cases = Vec::new();
    for index in 0..first.count()? {
        cases.push(Case {
            index,
            name: first.name(index)?,
            flags: first.flags(index)?,
        });
    }
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    let total = cases.len();
    cases.retain(|c| {
        selection.filters.is_empty()
            || selection.filters.iter().any(|f| {
                if selection.exact {
                    c.name == *f
                } else {
                    c.name.contains(f.as_str())
                }
            })
    });

    println!(
        "\nrunning {} test{}",
        cases.len(),
        if cases.len() == 1 { "" } else { "s" }
    );
    let (mut passed, mut ignored) = (0, 0);
    let mut failures = Vec::new();
    for case in &cases {
        let is_ignored = case.flags & IGNORE != 0;
        if (is_ignored && !selection.ignored && !selection.include_ignored)
            || (!is_ignored && selection.ignored)
        {
            println!("test {} ... ignored", case.name);
            ignored += 1;
            continue;
        }
        let mut instance = new_instance()?;
        let failure = match (instance.run(case.index)?, case.flags & SHOULD_PANIC != 0) {
            (Outcome::Returned, false) | (Outcome::Trapped(_), true) => None,
            (Outcome::Returned, true) => Some("note: test did not panic as expected".to_string()),
            (Outcome::Trapped(why), false) => Some(why),
        };
        match failure {
            None => {
                println!("test {} ... ok", case.name);
                passed += 1;
            }
            Some(why) => {
                println!("test {} ... FAILED", case.name);
                failures.push((case.name.clone(), why, instance.output()));
            }
        }
    }
    if !failures.is_empty() {
        println!("\nfailures:\n");
        for (name, why, output) in &failures {
            println!("---- {name} ----");
            if !output.trim().is_empty() {
                println!("{}", output.trim_end());
            }
            println!("{why}\n");
        }
        println!("failures:");
        for (name, _, _) in &failures {
            println!("    {name}");
        }
    }
    let status = if failures.is_empty() { "ok" } else { "FAILED" };
    println!(
        "\ntest result: {status}. {passed} passed; {} failed; {ignored} ignored; 0 measured; {} filtered out\n",
        failures.len(),
        total - cases.len()
    );
    Ok(failures.is_empty())
}

mod wasmtime_host {
    use super::{Factory, Instance, Outcome};
    use crate::externref::HostValue;
    use crate::host::{self, Host};
    use anyhow::{Context, Result};
    use std::path::Path;
    use wasmtime::component::{InstancePre, Linker};
    use wasmtime::{Store, StoreContextMut};
    use wasmtime_wasi::WasiCtx;
    use wasmtime_wasi::p2::pipe::MemoryOutputPipe;

    struct Test {
        store: Store<Host>,
        instance: wasmtime::component::Instance,
        output: MemoryOutputPipe,
    }

    /// Makes fresh instances of the test component at `path`.
    pub fn factory(path: &Path) -> Result<Factory> {
        let caps = host::Capabilities {
            externref: true,
            test_host: false,
            report_panic: true,
        };
        let (engine, component, mut linker) = host::load(path, "the test component", caps)?;
        add_host_values(&mut linker)?;
        let pre: InstancePre<Host> = linker
            .instantiate_pre(&component)
            .map_err(anyhow::Error::from)
            .with_context(|| {
                format!(
                    "`{}` imports something the test host does not provide",
                    path.display()
                )
            })?;
        Ok(Box::new(move || {
            let output = MemoryOutputPipe::new(1 << 20);
            let wasi = WasiCtx::builder()
                .stdout(output.clone())
                .stderr(output.clone())
                .build();
            let mut store = Store::new(&engine, Host::new(wasi));
            let instance = pre
                .instantiate(&mut store)
                .map_err(anyhow::Error::from)
                .context("failed to instantiate the test component")?;
            Ok(Box::new(Test {
                store,
                instance,
                output,
            }) as Box<dyn Instance>)
        }))
    }

    /// A host object for `ExternRef` tests: what `object-id` reads back.
    struct Object {
        id: u32,
    }

    /// The harness world's `host-values` import (crates/wasm-test/wit): host
    /// values for tests to pass through `wasm::ExternRef` and back.
    fn add_host_values(linker: &mut Linker<Host>) -> Result<()> {
        let mut i = linker.instance("host-values")?;
        i.func_wrap(
            "new-object",
            |mut s: StoreContextMut<'_, Host>, (id,): (u32,)| {
                Ok((s.data_mut().refs.insert(HostValue::new(Object { id })),))
            },
        )?;
        i.func_wrap(
            "new-function",
            |mut s: StoreContextMut<'_, Host>, (): ()| {
                Ok((s.data_mut().refs.insert(HostValue::callable(|| 42u32)),))
            },
        )?;
        i.func_wrap(
            "object-id",
            |mut s: StoreContextMut<'_, Host>, (index,): (u32,)| {
                let value = s.data_mut().refs.get(index)?;
                match value.downcast_ref::<Object>() {
                    Some(o) => Ok((o.id,)),
                    None => Err(wasmtime::Error::msg(format!(
                        "externref: slot #{index} holds no object from `new-object`"
                    ))),
                }
            },
        )?;
        i.func_wrap("live-slots", |mut s: StoreContextMut<'_, Host>, (): ()| {
            Ok((u32::try_from(s.data_mut().refs.live()).expect("fewer than 2^32 slots"),))
        })?;
        i.func_wrap(
            "sum",
            |_: StoreContextMut<'_, Host>, (values,): (Vec<f32>,)| {
                Ok((values.iter().map(|&v| f64::from(v)).sum::<f64>(),))
            },
        )?;
        Ok(())
    }

    impl Test {
        fn call<P, R>(&mut self, name: &str, params: P) -> wasmtime::Result<R>
        where
            P: wasmtime::component::ComponentNamedList + wasmtime::component::Lower + Send + Sync,
            R: wasmtime::component::ComponentNamedList + wasmtime::component::Lift + Send + Sync,
        {
            let f = self
                .instance
                .get_typed_func::<P, R>(&mut self.store, name)?;
            f.call(&mut self.store, params)
        }
    }

    impl Instance for Test {
        fn count(&mut self) -> Result<u32> {
            Ok(self.call::<(), (u32,)>("wasmrust-test-count", ())?.0)
        }
        fn name(&mut self, index: u32) -> Result<String> {
            Ok(self
                .call::<(u32,), (String,)>("wasmrust-test-name", (index,))?
                .0)
        }
        fn flags(&mut self, index: u32) -> Result<u32> {
            Ok(self
                .call::<(u32,), (u32,)>("wasmrust-test-flags", (index,))?
                .0)
        }
        fn run(&mut self, index: u32) -> Result<Outcome> {
            match self.call::<(u32,), ()>("wasmrust-test-run", (index,)) {
                Ok(()) => Ok(Outcome::Returned),
                Err(e) => match (
                    e.downcast_ref::<wasmtime::Trap>(),
                    self.store.data_mut().panic.take(),
                ) {
                    (Some(_), Some(message)) => Ok(Outcome::Trapped(message)),
                    (Some(trap), None) => Ok(Outcome::Trapped(format!("trapped: {trap}"))),
                    (None, _) => {
                        Err(anyhow::Error::from(e).context("calling `wasmrust-test-run` failed"))
                    }
                },
            }
        }
        fn output(&mut self) -> String {
            String::from_utf8_lossy(&self.output.contents()).into_owned()
        }
    }
}

mod wasmi_host {
    use super::{Factory, Instance, Outcome};
    use anyhow::{Context, Result, anyhow};
    use std::path::Path;
    use wasmi::{Caller, Config, Engine, Extern, Linker, Module, Store};

    #[derive(Default)]
    pub struct Host {
        panic: Option<String>,
    }

    struct Test {
        store: Store<Host>,
        instance: wasmi::Instance,
    }

    /// Makes fresh instances of the core module `bytes` (from `path`), in an
    /// engine with every post-MVP proposal but mutable globals turned off.
    pub fn factory(path: &Path, bytes: &[u8]) -> Result<Factory> {
        let mut config = Config::default();
        config
            .wasm_sign_extension(false)
            .wasm_saturating_float_to_int(false)
            .wasm_multi_value(false)
            .wasm_multi_memory(false)
            .wasm_bulk_memory(false)
            .wasm_reference_types(false)
            .wasm_tail_call(false)
            .wasm_extended_const(false);
        let engine = Engine::new(&config);
        let module = Module::new(&engine, bytes)
            .map_err(|e| anyhow!("wasmi rejects `{}`: {e}", path.display()))?;
        let mut linker = Linker::<Host>::new(&engine);
        linker
            .func_wrap(
                "$root",
                "report-panic",
                |mut caller: Caller<'_, Host>, ptr: u32, len: u32| {
                    let message = match caller.get_export("memory") {
                        Some(Extern::Memory(memory)) => {
                            let mut buf = vec![0; len as usize];
                            match memory.read(&caller, ptr as usize, &mut buf) {
                                Ok(()) => String::from_utf8_lossy(&buf).into_owned(),
                                Err(e) => format!(
                                    "(the panic message at {ptr}+{len} is out of bounds: {e})"
                                ),
                            }
                        }
                        _ => "(the module exports no memory to read the panic message from)"
                            .to_string(),
                    };
                    caller.data_mut().panic = Some(message);
                },
            )
            .map_err(|e| anyhow!("{e}"))?;
        let path = path.display().to_string();
        Ok(Box::new(move || {
            let mut store = Store::new(&engine, Host::default());
            let instance = linker
                .instantiate_and_start(&mut store, &module)
                .map_err(|e| anyhow!("failed to instantiate `{path}` in wasmi: {e}"))?;
            Ok(Box::new(Test { store, instance }) as Box<dyn Instance>)
        }))
    }

    impl Test {
        fn call<P: wasmi::WasmParams, R: wasmi::WasmResults>(
            &mut self,
            name: &str,
            params: P,
        ) -> Result<R, wasmi::Error> {
            let f = self.instance.get_typed_func::<P, R>(&self.store, name)?;
            f.call(&mut self.store, params)
        }
    }

    impl Instance for Test {
        fn count(&mut self) -> Result<u32> {
            self.call::<(), u32>("wasmrust-test-count", ())
                .map_err(|e| anyhow!("{e}"))
        }
        fn name(&mut self, index: u32) -> Result<String> {
            let area = self
                .call::<u32, u32>("wasmrust-test-name", index)
                .map_err(|e| anyhow!("{e}"))?;
            let memory = self
                .instance
                .get_memory(&self.store, "memory")
                .context("the test module exports no memory")?;
            let mut pair = [0u8; 8];
            memory
                .read(&self.store, area as usize, &mut pair)
                .map_err(|e| anyhow!("{e}"))?;
            let ptr = u32::from_le_bytes(pair[..4].try_into().expect("4 bytes"));
            let len = u32::from_le_bytes(pair[4..].try_into().expect("4 bytes"));
            let mut name = vec![0; len as usize];
            memory
                .read(&self.store, ptr as usize, &mut name)
                .map_err(|e| anyhow!("{e}"))?;
            String::from_utf8(name).context("a test name is not UTF-8")
        }
        fn flags(&mut self, index: u32) -> Result<u32> {
            self.call::<u32, u32>("wasmrust-test-flags", index)
                .map_err(|e| anyhow!("{e}"))
        }
        fn run(&mut self, index: u32) -> Result<Outcome> {
            match self.call::<u32, ()>("wasmrust-test-run", index) {
                Ok(()) => Ok(Outcome::Returned),
                Err(e) => match (e.as_trap_code(), self.store.data_mut().panic.take()) {
                    (Some(_), Some(message)) => Ok(Outcome::Trapped(message)),
                    (Some(code), None) => Ok(Outcome::Trapped(format!("trapped: {code}"))),
                    (None, _) => Err(anyhow!("calling `wasmrust-test-run` failed: {e}")),
                },
            }
        }
        fn output(&mut self) -> String {
            String::new()
        }
    }
}
