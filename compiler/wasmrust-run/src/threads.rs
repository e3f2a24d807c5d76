//! Threaded core modules in wasmtime: the host side of the `wasmrust:thread`
//! protocol (crates/wasm/src/thread/shared.rs, docs/compiler-contract.md,
//! "Threads"), for `wasmrust-run test --runtime wasmtime MODULE.wasm`.
//!
//! Each test instance gets a fresh shared memory. `spawn(job)` starts a host
//! thread that instantiates the module again, in a store of its own, over
//! that memory; gives the new instance the job's stack and thread-locals;
//! calls `wasmrust_thread_start(job)`; and then stores the job's final state
//! (1, or 2 if it trapped) with a sequentially consistent atomic store.
//! Spawned threads may spawn too, under the same cap. A test's result is
//! reported only after every host thread it started has been joined.

use crate::harness::{Factory, Instance, Outcome};
use anyhow::{Context, Result, anyhow, bail, ensure};
use std::cell::UnsafeCell;
use std::path::Path;
use std::sync::atomic::{AtomicU8, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use wasmtime::{
    Caller, Config, Engine, ExternType, Linker, MemoryType, Module, SharedMemory, Store, Trap, Val,
};

/// The import module of the thread protocol.
pub const THREAD_MODULE: &str = "wasmrust:thread";

/// The final states the host stores into a job's `state` word.
const DONE: u32 = 1;
const TRAPPED: u32 = 2;

/// Spawned threads allowed at once: one per core but the caller's, which runs closures itself
/// when no thread is free (and spins while it joins), so more would only share cores.
fn thread_cap() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().saturating_sub(1).max(1))
}

/// What every instance of one module shares, across tests and threads.
struct Program {
    /// The module's file, for messages.
    path: String,
    engine: Engine,
    module: Module,
    /// The host functions; each instantiation adds the test's memory.
    linker: Linker<Host>,
    /// The module and name of the shared memory import.
    memory_import: (String, String),
    /// Its limits, in pages.
    memory_pages: (u32, u32),
    /// How many spawned threads may run at once (`parallelism()` adds the caller).
    threads: usize,
}

/// One test instance's threads: its memory and the host threads started over it.
struct Pool {
    program: Arc<Program>,
    memory: SharedMemory,
    /// Spawned threads still running.
    running: AtomicUsize,
    /// Every host thread started and not yet joined.
    handles: Mutex<Vec<JoinHandle<()>>>,
    /// Why spawned threads trapped, for the test's output.
    failures: Mutex<Vec<String>>,
}

/// A store's data, on the test's thread or a spawned one.
struct Host {
    pool: Arc<Pool>,
    /// The message `report-panic` got on this store's thread.
    panic: Option<String>,
}

/// Locks `mutex`, even if a host thread panicked holding it (the data stays usable).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The 4-byte word at wasm address `addr` of `data`, a shared memory's bytes.
///
/// Fails unless `addr` is 4-byte aligned and the word lies inside `data`.
#[allow(unsafe_code)]
fn word(data: &[UnsafeCell<u8>], addr: u32) -> Result<&AtomicU32> {
    ensure!(
        addr.is_multiple_of(4),
        "address {addr:#x} is not 4-byte aligned"
    );
    let start = addr as usize;
    let cells = data.get(start..start + 4).ok_or_else(|| {
        anyhow!(
            "address {addr:#x} is out of bounds of the {}-byte memory",
            data.len()
        )
    })?;
    let ptr = cells[0].get().cast::<u32>();
    ensure!(
        ptr.is_aligned(),
        "address {addr:#x} is not 4-byte aligned in host memory"
    );
    // SAFETY: `ptr` is aligned and points to 4 bytes inside `data`, which stay valid while
    // `data` is borrowed; shared memory is only ever accessed through such cells (atomically
    // by this host), so viewing them as an atomic is sound.
    Ok(unsafe { AtomicU32::from_ptr(ptr) })
}

/// The bytes at `ptr..ptr + len` of `data`, a shared memory's bytes, read atomically.
#[allow(unsafe_code)]
fn read_bytes(data: &[UnsafeCell<u8>], ptr: u32, len: u32) -> Result<Vec<u8>> {
    let start = ptr as usize;
    let cells = start
        .checked_add(len as usize)
        .and_then(|end| data.get(start..end))
        .ok_or_else(|| {
            anyhow!(
                "{ptr:#x}+{len} is out of bounds of the {}-byte memory",
                data.len()
            )
        })?;
    // SAFETY: each cell is a live byte of `data`; an `AtomicU8` has the size and alignment of a
    // `u8`, so viewing it as one is sound.
    Ok(cells
        .iter()
        .map(|c| unsafe { AtomicU8::from_ptr(c.get()) }.load(Ordering::SeqCst))
        .collect())
}

/// What the host reads of a job: `{ stack_low, stack_high, state }`, little-endian words.
#[derive(Debug, PartialEq, Eq)]
struct Header {
    stack_low: u32,
    stack_high: u32,
    /// Where the final state goes: `job + 8`.
    state: u32,
}

impl Header {
    /// Reads the header at `job`; checks that all three words are in bounds and aligned.
    fn read(data: &[UnsafeCell<u8>], job: u32) -> Result<Header> {
        let state = job
            .checked_add(8)
            .ok_or_else(|| anyhow!("job {job:#x} is out of bounds"))?;
        let stack_low = word(data, job)?.load(Ordering::SeqCst);
        let stack_high = word(data, job + 4)?.load(Ordering::SeqCst);
        word(data, state)?;
        ensure!(
            stack_low <= stack_high,
            "job {job:#x} has a stack from {stack_low:#x} down to {stack_high:#x}"
        );
        Ok(Header {
            stack_low,
            stack_high,
            state,
        })
    }
}

/// Where a thread's thread-locals go: `stack_low` rounded up to `align`; they must end at or
/// below `stack_high`.
fn tls_address(stack_low: u32, stack_high: u32, size: u32, align: u32) -> Result<u32> {
    ensure!(
        align.is_power_of_two(),
        "`__tls_align` is {align}, not a power of two"
    );
    let tls = stack_low
        .checked_next_multiple_of(align)
        .filter(|tls| tls.checked_add(size).is_some_and(|end| end <= stack_high));
    tls.ok_or_else(|| {
        anyhow!("the thread-locals ({size} bytes, aligned to {align}) do not fit the thread's stack {stack_low:#x}..{stack_high:#x}")
    })
}

/// Makes fresh instances of the threaded core module `bytes` (from `path`): each gets a new
/// shared memory, and its `spawn` calls start host threads over that memory.
pub fn factory(path: &Path, bytes: &[u8]) -> Result<Factory> {
    let mut config = Config::new();
    config.wasm_threads(true).shared_memory(true);
    let engine = Engine::new(&config).map_err(anyhow::Error::from)?;
    let module = Module::new(&engine, bytes)
        .map_err(anyhow::Error::from)
        .with_context(|| format!("failed to load the test module `{}`", path.display()))?;
    if !module.imports().any(|i| i.module() == THREAD_MODULE) {
        bail!(
            "`{}` is a core module without threads (it imports nothing from `{THREAD_MODULE}`): run it with `--runtime wasmi`, or build it with threads (`threads = True`) to run it in wasmtime",
            path.display()
        );
    }
    let (memory_import, memory_pages) = shared_memory_import(path, &module)?;
    let mut linker = Linker::<Host>::new(&engine);
    linker
        .func_wrap(
            THREAD_MODULE,
            "spawn",
            |caller: Caller<'_, Host>, job: u32| -> wasmtime::Result<i32> {
                spawn(&caller.data().pool, job).map_err(wasmtime::Error::from_anyhow)
            },
        )
        .map_err(anyhow::Error::from)?;
    linker
        .func_wrap(
            THREAD_MODULE,
            "parallelism",
            |caller: Caller<'_, Host>| -> i32 {
                // The spawned threads and the caller.
                i32::try_from(caller.data().pool.program.threads + 1).unwrap_or(i32::MAX)
            },
        )
        .map_err(anyhow::Error::from)?;
    linker
        .func_wrap(
            "$root",
            "report-panic",
            |mut caller: Caller<'_, Host>, ptr: u32, len: u32| {
                let message = match read_bytes(caller.data().pool.memory.data(), ptr, len) {
                    Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                    Err(e) => format!("(the panic message is unreadable: {e})"),
                };
                caller.data_mut().panic = Some(message);
            },
        )
        .map_err(anyhow::Error::from)?;
    let threads = thread_cap();
    let program = Arc::new(Program {
        path: path.display().to_string(),
        engine,
        module,
        linker,
        memory_import,
        memory_pages,
        threads,
    });
    Ok(Box::new(move || {
        let (min, max) = program.memory_pages;
        let memory = SharedMemory::new(&program.engine, MemoryType::shared(min, max))
            .map_err(anyhow::Error::from)
            .with_context(|| {
                format!("failed to create the shared memory for `{}`", program.path)
            })?;
        let pool = Arc::new(Pool {
            program: Arc::clone(&program),
            memory,
            running: AtomicUsize::new(0),
            handles: Mutex::new(Vec::new()),
            failures: Mutex::new(Vec::new()),
        });
        let mut store = Store::new(
            &program.engine,
            Host {
                pool: Arc::clone(&pool),
                panic: None,
            },
        );
        let instance = instantiate(&pool, &mut store)?;
        Ok(Box::new(Test {
            store,
            instance,
            pool,
        }) as Box<dyn Instance>)
    }))
}

/// The module's memory import, which must be shared: its module and name, and its limits.
fn shared_memory_import(path: &Path, module: &Module) -> Result<((String, String), (u32, u32))> {
    let import = module
        .imports()
        .find_map(|i| match i.ty() {
            ExternType::Memory(ty) => Some((i.module().to_string(), i.name().to_string(), ty)),
            _ => None,
        })
        .with_context(|| {
            format!(
                "`{}` imports no memory, so its threads cannot share one",
                path.display()
            )
        })?;
    let (module_name, name, ty) = import;
    ensure!(
        ty.is_shared(),
        "`{}` imports `{module_name}.{name}` as a memory that is not shared",
        path.display()
    );
    ensure!(
        !ty.is_64(),
        "`{}` imports `{module_name}.{name}` as a 64-bit memory, which the threads host does not support",
        path.display()
    );
    let pages = |n: u64| {
        u32::try_from(n)
            .with_context(|| format!("`{}`: `{module_name}.{name}` has {n} pages", path.display()))
    };
    let min = pages(ty.minimum())?;
    let max = ty.maximum().with_context(|| {
        format!(
            "`{}`: the shared memory `{module_name}.{name}` has no maximum",
            path.display()
        )
    })?;
    let max = pages(max)?;
    Ok(((module_name, name), (min, max)))
}

/// Instantiates the module in `store`, over the pool's memory.
fn instantiate(pool: &Pool, store: &mut Store<Host>) -> Result<wasmtime::Instance> {
    let program = &pool.program;
    let mut linker = program.linker.clone();
    let (module, name) = &program.memory_import;
    linker
        .define(&*store, module, name, pool.memory.clone())
        .map_err(anyhow::Error::from)?;
    linker
        .instantiate(&mut *store, &program.module)
        .map_err(anyhow::Error::from)
        .with_context(|| format!("failed to instantiate `{}` in wasmtime", program.path))
}

/// The `spawn(job)` import: starts a host thread for `job` and returns 0, or returns 1 when the
/// cap of running threads is reached or the OS starts no thread (the module then runs the
/// closure itself). Fails (trapping the caller) if the job's header is out of bounds.
fn spawn(pool: &Arc<Pool>, job: u32) -> Result<i32> {
    let header = Header::read(pool.memory.data(), job)
        .with_context(|| format!("`spawn({job:#x})` got a bad job"))?;
    let cap = pool.program.threads;
    if pool
        .running
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
            (n < cap).then_some(n + 1)
        })
        .is_err()
    {
        return Ok(1);
    }
    let thread_pool = Arc::clone(pool);
    let started = std::thread::Builder::new()
        .name(format!("wasmrust-thread-{job:#x}"))
        .spawn(move || run_thread(&thread_pool, job, &header));
    match started {
        Ok(handle) => {
            lock(&pool.handles).push(handle);
            Ok(0)
        }
        Err(_) => {
            pool.running.fetch_sub(1, Ordering::SeqCst);
            Ok(1)
        }
    }
}

/// The body of a spawned host thread: runs the job, then stores its final state.
fn run_thread(pool: &Arc<Pool>, job: u32, header: &Header) {
    let state = match run_job(pool, job, header) {
        Ok(()) => DONE,
        Err(why) => {
            lock(&pool.failures).push(format!("thread for job {job:#x}: {why}"));
            TRAPPED
        }
    };
    pool.running.fetch_sub(1, Ordering::SeqCst);
    // `spawn` checked the word, and a shared memory never shrinks.
    match word(pool.memory.data(), header.state) {
        Ok(state_word) => state_word.store(state, Ordering::SeqCst),
        Err(e) => lock(&pool.failures).push(format!(
            "thread for job {job:#x}: cannot store its state: {e:#}"
        )),
    }
}

/// Runs `wasmrust_thread_start(job)` in a new instance with the job's stack and thread-locals;
/// on failure, says why (the panic message, if the thread reported one). The instance is gone
/// when this returns, so nothing of the thread touches the memory after its state is stored.
fn run_job(pool: &Arc<Pool>, job: u32, header: &Header) -> Result<(), String> {
    let mut store = Store::new(
        &pool.program.engine,
        Host {
            pool: Arc::clone(pool),
            panic: None,
        },
    );
    let call = match prepare(pool, &mut store, header) {
        Ok(start) => start.call(&mut store, job),
        Err(e) => return Err(format!("{e:#}")),
    };
    call.map_err(
        |e| match (e.downcast_ref::<Trap>(), store.data_mut().panic.take()) {
            (Some(trap), Some(message)) => format!("{message} ({trap})"),
            (Some(trap), None) => format!("trapped: {trap}"),
            (None, _) => format!("{e:#}"),
        },
    )
}

/// Instantiates the module for a spawned thread, sets its `__stack_pointer` to the job's stack
/// and initialises its thread-locals; returns its `wasmrust_thread_start`.
fn prepare(
    pool: &Pool,
    store: &mut Store<Host>,
    header: &Header,
) -> Result<wasmtime::TypedFunc<u32, ()>> {
    let path = &pool.program.path;
    let instance = instantiate(pool, store)?;
    let global = |store: &mut Store<Host>, name: &str| {
        instance
            .get_global(&mut *store, name)
            .with_context(|| format!("`{path}` exports no global `{name}`"))
    };
    let stack_pointer = global(store, "__stack_pointer")?;
    stack_pointer
        .set(&mut *store, Val::I32(header.stack_high.cast_signed()))
        .map_err(anyhow::Error::from)
        .with_context(|| format!("cannot set `__stack_pointer` of `{path}`"))?;
    if let Some(init_tls) = instance.get_func(&mut *store, "__wasm_init_tls") {
        let mut read = |name: &str| -> Result<u32> {
            let value = global(store, name)?.get(&mut *store);
            value
                .i32()
                .map(i32::cast_unsigned)
                .with_context(|| format!("`{path}` exports `{name}` as a non-i32 global"))
        };
        let (size, align) = (read("__tls_size")?, read("__tls_align")?);
        let tls = tls_address(header.stack_low, header.stack_high, size, align)?;
        init_tls
            .typed::<u32, ()>(&*store)
            .map_err(anyhow::Error::from)
            .with_context(|| format!("`__wasm_init_tls` of `{path}` is not `(i32) -> ()`"))?
            .call(&mut *store, tls)
            .map_err(anyhow::Error::from)
            .context("`__wasm_init_tls` failed")?;
    }
    instance
        .get_typed_func::<u32, ()>(&mut *store, "wasmrust_thread_start")
        .map_err(anyhow::Error::from)
        .with_context(|| format!("`{path}` exports no `wasmrust_thread_start: (i32) -> ()`"))
}

impl Pool {
    /// Joins every host thread started over this memory, including those started while
    /// waiting (spawned threads may spawn).
    fn join(&self) {
        loop {
            let handles = std::mem::take(&mut *lock(&self.handles));
            if handles.is_empty() {
                return;
            }
            for handle in handles {
                if handle.join().is_err() {
                    lock(&self.failures).push("a host thread panicked".to_string());
                }
            }
        }
    }
}

/// One instance of a threaded test module, on the test's thread.
struct Test {
    store: Store<Host>,
    instance: wasmtime::Instance,
    pool: Arc<Pool>,
}

impl Test {
    fn call<P: wasmtime::WasmParams, R: wasmtime::WasmResults>(
        &mut self,
        name: &str,
        params: P,
    ) -> wasmtime::Result<R> {
        let f = self
            .instance
            .get_typed_func::<P, R>(&mut self.store, name)?;
        f.call(&mut self.store, params)
    }
}

impl Instance for Test {
    fn count(&mut self) -> Result<u32> {
        self.call::<(), u32>("wasmrust-test-count", ())
            .map_err(anyhow::Error::from)
    }
    fn name(&mut self, index: u32) -> Result<String> {
        let area = self
            .call::<u32, u32>("wasmrust-test-name", index)
            .map_err(anyhow::Error::from)?;
        let data = self.pool.memory.data();
        let len_at = area
            .checked_add(4)
            .with_context(|| format!("the name of test {index} is at {area:#x}, out of bounds"))?;
        let (ptr, len) = (
            word(data, area)?.load(Ordering::SeqCst),
            word(data, len_at)?.load(Ordering::SeqCst),
        );
        String::from_utf8(read_bytes(data, ptr, len)?).context("a test name is not UTF-8")
    }
    fn flags(&mut self, index: u32) -> Result<u32> {
        self.call::<u32, u32>("wasmrust-test-flags", index)
            .map_err(anyhow::Error::from)
    }
    fn run(&mut self, index: u32) -> Result<Outcome> {
        let result = self.call::<u32, ()>("wasmrust-test-run", index);
        // The test is over only when every thread it started is.
        self.pool.join();
        match result {
            Ok(()) => Ok(Outcome::Returned),
            Err(e) => match (e.downcast_ref::<Trap>(), self.store.data_mut().panic.take()) {
                (Some(_), Some(message)) => Ok(Outcome::Trapped(message)),
                (Some(trap), None) => Ok(Outcome::Trapped(format!("trapped: {trap}"))),
                (None, _) => {
                    Err(anyhow::Error::from(e).context("calling `wasmrust-test-run` failed"))
                }
            },
        }
    }
    fn output(&mut self) -> String {
        lock(&self.pool.failures)
            .iter()
            .map(|f| format!("{f}\n"))
            .collect()
    }
}

impl Drop for Test {
    fn drop(&mut self) {
        // Nothing outlives its test, even when `run` failed.
        self.pool.join();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 1-page shared memory holding `words` from address 0.
    fn memory(words: &[u32]) -> SharedMemory {
        let mut config = Config::new();
        config.wasm_threads(true).shared_memory(true);
        let engine = Engine::new(&config).expect("an engine with shared memory");
        let memory = SharedMemory::new(&engine, MemoryType::shared(1, 1)).expect("a shared memory");
        for (i, &w) in words.iter().enumerate() {
            word(memory.data(), u32::try_from(i * 4).expect("small"))
                .expect("in bounds")
                .store(w, Ordering::SeqCst);
        }
        memory
    }

    #[test]
    fn header_words_are_read_little_endian_and_state_is_stored() {
        let memory = memory(&[0, 0x1000, 0x3000, 0]);
        let header = Header::read(memory.data(), 4).expect("a valid header");
        assert_eq!(
            header,
            Header {
                stack_low: 0x1000,
                stack_high: 0x3000,
                state: 12
            }
        );
        let bytes = read_bytes(memory.data(), 4, 8).expect("in bounds");
        assert_eq!(bytes, [0x00, 0x10, 0, 0, 0x00, 0x30, 0, 0]);
        word(memory.data(), header.state)
            .expect("in bounds")
            .store(TRAPPED, Ordering::SeqCst);
        assert_eq!(
            read_bytes(memory.data(), 12, 4).expect("in bounds"),
            [2, 0, 0, 0]
        );
    }

    #[test]
    fn bad_headers_are_rejected() {
        let memory = memory(&[0x2000, 0x1000]);
        let data = memory.data();
        assert!(Header::read(data, 2).is_err(), "misaligned");
        assert!(
            Header::read(data, 65536 - 8).is_err(),
            "the state word is past the end"
        );
        assert!(
            Header::read(data, u32::MAX - 3).is_err(),
            "job + 8 overflows"
        );
        assert!(Header::read(data, 0).is_err(), "stack_low above stack_high");
        assert!(Header::read(data, 65536 - 12).is_ok());
        assert!(read_bytes(data, 65535, 2).is_err());
        assert!(read_bytes(data, u32::MAX, u32::MAX).is_err());
    }

    #[test]
    fn thread_locals_go_at_the_aligned_stack_bottom() {
        assert_eq!(tls_address(0x1000, 0x2000, 8, 4).expect("fits"), 0x1000);
        assert_eq!(tls_address(0x1001, 0x2000, 8, 16).expect("fits"), 0x1010);
        assert_eq!(
            tls_address(0x1001, 0x1018, 8, 16).expect("fits exactly"),
            0x1010
        );
        assert!(tls_address(0x1001, 0x1017, 8, 16).is_err(), "does not fit");
        assert!(
            tls_address(0x1000, 0x2000, 8, 3).is_err(),
            "align is not a power of two"
        );
        assert!(
            tls_address(u32::MAX - 2, u32::MAX, 0, 8).is_err(),
            "rounding up overflows"
        );
    }
}
