//! The shared-memory backend: closures on host threads over the module's shared memory.
//!
//! Protocol with the host (docs/compiler-contract.md, "Threads"):
//! - the module imports `spawn(job: i32) -> i32` and `parallelism() -> i32` from
//!   `wasmrust:thread`, and exports `wasmrust_thread_start(job: i32)`;
//! - `job` points to a [`Header`]; its first three words are read and written by the host;
//! - on `spawn`, the host instantiates the module again over the same memory on a new thread,
//!   calls `__wasm_init_tls` (when exported) with the lowest `__tls_align`-aligned address at or
//!   above `stack_low`, sets `__stack_pointer` to `stack_high`, calls
//!   `wasmrust_thread_start(job)`, and when that returns stores 1 (or 2 if it trapped) into
//!   `state` with a sequentially consistent atomic store. It returns 0, or nonzero when it
//!   started no thread (then the caller runs the closure itself).

use super::{Backend, ScopeState};
use alloc_crate::alloc::{Layout, alloc, dealloc};
use alloc_crate::boxed::Box;
use alloc_crate::vec::Vec;
use core::cell::UnsafeCell;
use core::marker::PhantomData;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

/// Bytes of each spawned thread's stack (its thread-locals take the lowest bytes of it).
pub const STACK_SIZE: usize = 128 * 1024;
const STACK_ALIGN: usize = 16;

const RUNNING: u32 = 0;
const DONE: u32 = 1;
const TRAPPED: u32 = 2;

#[link(wasm_import_module = "wasmrust:thread")]
unsafe extern "C" {
    /// Starts a thread running `wasmrust_thread_start(job)`; 0 when started.
    #[link_name = "spawn"]
    fn host_spawn(job: u32) -> i32;
    /// How many threads the host runs at once (at least 1).
    #[link_name = "parallelism"]
    fn host_parallelism() -> i32;
}

/// The start of every job: the part of it the host reads and writes.
#[repr(C)]
struct Header {
    /// Lowest address of the thread's stack (its thread-locals go here).
    stack_low: u32,
    /// One past the highest address of the stack: the initial `__stack_pointer`.
    stack_high: u32,
    /// [`RUNNING`], then [`DONE`] or [`TRAPPED`], stored by the host (or by `spawn` when the
    /// closure ran on the caller).
    state: AtomicU32,
    /// Runs the closure and stores its result.
    run: unsafe fn(*mut Header),
    /// Frees the job, its stack and any result nobody took.
    free: unsafe fn(*mut Header),
}

/// A job: the header, then the closure and the slot for its result.
#[repr(C)]
struct Job<F, T> {
    header: Header,
    f: UnsafeCell<Option<F>>,
    result: UnsafeCell<Option<T>>,
}

/// Entry point of a spawned thread, called by the host on the new thread.
///
/// # Safety
/// `job` is a job this module passed to the host's `spawn`, not yet run.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmrust_thread_start(job: u32) {
    let header = job as usize as *mut Header;
    // SAFETY: the host passes back the pointer `spawn` gave it; the scope keeps the job alive
    // until the host has stored a final state.
    let run = unsafe { (*header).run };
    // SAFETY: as above; this thread is the only one running the job.
    unsafe { run(header) };
}

/// Runs the job's closure once and stores its result.
///
/// # Safety
/// `header` starts a live `Job<F, T>` whose closure has not run.
unsafe fn run<F: FnOnce() -> T, T>(header: *mut Header) {
    let job = header.cast::<Job<F, T>>();
    // SAFETY: only the one thread running the job touches `f` and `result` until its state
    // leaves RUNNING (a SeqCst store after this returns), and readers wait for that.
    let f = unsafe { (*(*job).f.get()).take() };
    if let Some(f) = f {
        let value = f();
        // SAFETY: as above.
        unsafe { *(*job).result.get() = Some(value) };
    }
}

/// Frees a job allocated by [`Shared::spawn`].
///
/// # Safety
/// `header` starts a `Job<F, T>` from `Box::into_raw` whose state is final; not used after.
unsafe fn free<F, T>(header: *mut Header) {
    // SAFETY: the caller's contract; the box owns the closure (if never run) and the result.
    let job = unsafe { Box::from_raw(header.cast::<Job<F, T>>()) };
    // SAFETY: the stack was allocated in `spawn` with this layout.
    unsafe { dealloc(job.header.stack_low as usize as *mut u8, stack_layout()) };
    drop(job);
}

fn stack_layout() -> Layout {
    // A constant, valid layout: STACK_SIZE is a multiple of STACK_ALIGN, a power of two.
    match Layout::from_size_align(STACK_SIZE, STACK_ALIGN) {
        Ok(l) => l,
        Err(_) => unreachable!(),
    }
}

/// Waits for a job's final state; panics if its thread trapped.
fn wait(header: *const Header) {
    loop {
        // SAFETY: the scope keeps the job alive while handles and `wait_all` use it.
        match unsafe { (*header).state.load(Ordering::SeqCst) } {
            RUNNING => core::hint::spin_loop(),
            TRAPPED => panic!("a closure spawned in a `wasm::thread::scope` trapped on its thread"),
            _ => return,
        }
    }
}

/// The scope's list of jobs, under a spin lock: any thread holding the scope may spawn.
#[derive(Debug, Default)]
pub(super) struct Jobs {
    locked: AtomicBool,
    list: UnsafeCell<Vec<usize>>,
}

// SAFETY: `list` is only reached under `locked` (see `with`); the addresses it holds are jobs
// whose closures are `Send`.
unsafe impl Sync for Jobs {}

impl Jobs {
    fn with<R>(&self, f: impl FnOnce(&mut Vec<usize>) -> R) -> R {
        while self
            .locked
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            core::hint::spin_loop();
        }
        // SAFETY: the lock is held, so this is the only reference to the list.
        let r = f(unsafe { &mut *self.list.get() });
        self.locked.store(false, Ordering::Release);
        r
    }
}

/// A handle's view of its job.
pub(super) struct Packet<'scope, T> {
    header: *const Header,
    result: *const UnsafeCell<Option<T>>,
    scope: PhantomData<&'scope ()>,
}

// SAFETY: a packet only reads its job's state (an atomic) and, once in `join`, which consumes it,
// takes the result after the state is final; so sending it moves a `T` across threads (`T: Send`)
// and sharing it shares nothing but the atomic state. These match the sequential backend, whose
// packet is the `T` itself.
unsafe impl<T: Send> Send for Packet<'_, T> {}
// SAFETY: as above; `&Packet` gives only `is_finished`.
unsafe impl<T: Sync> Sync for Packet<'_, T> {}

/// Runs closures on host threads.
pub(super) struct Shared;

impl Backend for Shared {
    type Packet<'scope, T: Send + 'scope> = Packet<'scope, T>;

    fn spawn<'scope, F, T>(state: &'scope ScopeState, f: F) -> Packet<'scope, T>
    where
        F: FnOnce() -> T + Send + 'scope,
        T: Send + 'scope,
    {
        state.spawned.fetch_add(1, Ordering::Relaxed);
        let layout = stack_layout();
        // SAFETY: the layout has a nonzero size.
        let stack = unsafe { alloc(layout) };
        if stack.is_null() {
            alloc_crate::alloc::handle_alloc_error(layout);
        }
        let job = Box::into_raw(Box::new(Job::<F, T> {
            header: Header {
                stack_low: stack as usize as u32,
                stack_high: (stack as usize + STACK_SIZE) as u32,
                state: AtomicU32::new(RUNNING),
                run: run::<F, T>,
                free: free::<F, T>,
            },
            f: UnsafeCell::new(Some(f)),
            result: UnsafeCell::new(None),
        }));
        let header = job.cast::<Header>();
        state.jobs.with(|l| l.push(header as usize));
        // SAFETY: `job` is fully initialised and stays alive until the scope frees it, after its
        // state is final.
        if unsafe { host_spawn(header as usize as u32) } != 0 {
            // No thread: run it here, as the sequential backend does.
            // SAFETY: the host did not take the job, so this is its only runner.
            unsafe { run::<F, T>(header) };
            // SAFETY: `job` is alive (above).
            unsafe { (*header).state.store(DONE, Ordering::SeqCst) };
        }
        // SAFETY: `job` is alive; the pointer is only dereferenced after the state is final.
        let result = unsafe { &raw const (*job).result };
        Packet {
            header,
            result,
            scope: PhantomData,
        }
    }

    fn join<'scope, T: Send + 'scope>(packet: Packet<'scope, T>) -> T {
        wait(packet.header);
        // SAFETY: the state is final, so the thread has stored the result and no longer touches
        // the job; the handle is the result's only taker (join consumes it).
        match unsafe { (*(*packet.result).get()).take() } {
            Some(v) => v,
            None => unreachable!("a finished job has a result"),
        }
    }

    fn is_finished<'scope, T: Send + 'scope>(packet: &Packet<'scope, T>) -> bool {
        // SAFETY: the scope keeps the job alive.
        unsafe { (*packet.header).state.load(Ordering::SeqCst) != RUNNING }
    }

    fn wait_all(state: &ScopeState) {
        // Closures may spawn more while we wait: drain until the list stays empty.
        loop {
            let jobs = state.jobs.with(core::mem::take);
            if jobs.is_empty() {
                return;
            }
            let mut trapped = false;
            for &job in &jobs {
                let header = job as *mut Header;
                // SAFETY: listed jobs are alive until freed just below.
                trapped |= loop {
                    match unsafe { (*header).state.load(Ordering::SeqCst) } {
                        RUNNING => core::hint::spin_loop(),
                        s => break s == TRAPPED,
                    }
                };
            }
            for &job in &jobs {
                let header = job as *mut Header;
                // SAFETY: every state is final and no handle outlives the scope.
                unsafe { ((*header).free)(header) };
            }
            assert!(
                !trapped,
                "a closure spawned in a `wasm::thread::scope` trapped on its thread"
            );
        }
    }

    fn parallelism() -> usize {
        // SAFETY: a plain host query.
        let n = unsafe { host_parallelism() };
        if n < 1 { 1 } else { n as usize }
    }
}
