//! Scoped threads: [`scope`] and [`Scope::spawn`], shaped like `std::thread::scope`.
//!
//! Spawned closures may borrow from the enclosing function (anything that outlives the scope),
//! and every closure has finished when [`scope`] returns: joining is automatic.
//!
//! # Backends
//!
//! How closures run is behind an internal `Backend` seam (a trait in this module), selected at
//! compile time:
//!
//! - **shared** (wasm built with the `atomics` target feature, which `--config=threads` turns on,
//!   and this crate's `alloc` feature): each closure runs on a host thread (a Web Worker in
//!   browsers and node, a host thread in `wasmrust-run`) over the module's shared memory. The
//!   module imports `spawn` and `parallelism` from `wasmrust:thread` and exports
//!   `wasmrust_thread_start`; docs/compiler-contract.md gives the protocol a host implements.
//!   When the host cannot start a thread (`spawn` returns nonzero), the closure runs on the
//!   caller, as in the sequential backend. Joining waits by spinning: `memory.atomic.wait` is
//!   not stable Rust, and a browser's main thread may not block on it anyway.
//! - **sequential** (everywhere else): `spawn` runs the closure to completion on the calling
//!   thread before returning, so results are those of any thread schedule in which each closure
//!   ran without interruption. Code written against the API compiles unchanged for both, since
//!   both require `Send` closures and results.
//!
//! Difference from `std`: a panicking closure does not unwind into `join` (wasm builds abort
//! on panic): in the sequential backend it traps the caller, in the shared backend its thread
//! traps and `join` (or the end of the scope) panics saying so.

use core::marker::PhantomData;
use core::sync::atomic::{AtomicUsize, Ordering};

/// Shared state of one scope, seen by the backend.
#[derive(Debug, Default)]
struct ScopeState {
    /// Closures spawned and not yet finished (sequential backend).
    #[cfg_attr(
        all(target_family = "wasm", target_feature = "atomics", feature = "alloc"),
        allow(dead_code)
    )]
    running: AtomicUsize,
    /// Closures spawned in total.
    spawned: AtomicUsize,
    /// Closures started on other threads, freed when the scope ends.
    #[cfg(all(target_family = "wasm", target_feature = "atomics", feature = "alloc"))]
    jobs: shared::Jobs,
}

/// The seam between the scope API and how closures run.
trait Backend {
    /// What a join handle holds: the result, or a way to wait for it.
    type Packet<'scope, T: Send + 'scope>;
    /// Starts `f`. A backend that runs `f` elsewhere must keep what `f` needs alive until it has
    /// finished, and must have finished it before [`Backend::wait_all`] returns.
    fn spawn<'scope, F, T>(state: &'scope ScopeState, f: F) -> Self::Packet<'scope, T>
    where
        F: FnOnce() -> T + Send + 'scope,
        T: Send + 'scope;
    /// Waits for `f` and takes its result.
    fn join<'scope, T: Send + 'scope>(packet: Self::Packet<'scope, T>) -> T;
    /// Whether `f` has finished.
    fn is_finished<'scope, T: Send + 'scope>(packet: &Self::Packet<'scope, T>) -> bool;
    /// Waits until every closure spawned in the scope has finished.
    fn wait_all(state: &ScopeState);
    /// How many closures can run at once.
    fn parallelism() -> usize;
}

/// Runs every closure at `spawn`, on the calling thread.
#[cfg_attr(
    all(target_family = "wasm", target_feature = "atomics", feature = "alloc"),
    allow(dead_code)
)]
struct Sequential;

impl Backend for Sequential {
    type Packet<'scope, T: Send + 'scope> = T;

    fn spawn<'scope, F, T>(state: &'scope ScopeState, f: F) -> T
    where
        F: FnOnce() -> T + Send + 'scope,
        T: Send + 'scope,
    {
        state.spawned.fetch_add(1, Ordering::Relaxed);
        state.running.fetch_add(1, Ordering::Relaxed);
        let result = f();
        state.running.fetch_sub(1, Ordering::Release);
        result
    }

    fn join<'scope, T: Send + 'scope>(packet: T) -> T {
        packet
    }

    fn is_finished<'scope, T: Send + 'scope>(_: &T) -> bool {
        true
    }

    fn wait_all(state: &ScopeState) {
        // Nothing can still be running: every `spawn` returned after its closure did.
        debug_assert_eq!(state.running.load(Ordering::Acquire), 0);
    }

    fn parallelism() -> usize {
        1
    }
}

#[cfg(all(target_family = "wasm", target_feature = "atomics", feature = "alloc"))]
mod shared;

/// The backend this build uses.
#[cfg(not(all(target_family = "wasm", target_feature = "atomics", feature = "alloc")))]
type Active = Sequential;
#[cfg(all(target_family = "wasm", target_feature = "atomics", feature = "alloc"))]
type Active = shared::Shared;

/// A scope to spawn closures in; see [`scope`].
///
/// ```
/// let n = wasm::thread::scope(|s| {
///     s.spawn(|| ());
///     s.spawn(|| ());
///     s.spawned()
/// });
/// assert_eq!(n, 2);
/// ```
pub struct Scope<'scope, 'env: 'scope> {
    state: ScopeState,
    // Invariant in both, as in `std`: `'scope` is exactly the scope, `'env` what it may borrow.
    scope: PhantomData<&'scope mut &'scope ()>,
    env: PhantomData<&'env mut &'env ()>,
}

/// An owned permission to join a closure spawned in a [`Scope`].
///
/// Dropping it does not detach the closure: the scope still waits for it.
///
/// ```
/// wasm::thread::scope(|s| {
///     let h = s.spawn(|| 6 * 7);
///     assert!(h.is_finished() || wasm::thread::available_parallelism() > 1);
///     assert_eq!(h.join(), 42);
/// });
/// ```
pub struct ScopedJoinHandle<'scope, T: Send + 'scope> {
    packet: <Active as Backend>::Packet<'scope, T>,
}

/// Creates a scope, calls `f` with it, waits for every closure spawned in it, and returns `f`'s
/// result.
///
/// ```
/// let mut data = [1, 2, 3, 4];
/// let total = 10;
/// let (left, right) = data.split_at_mut(2);
/// wasm::thread::scope(|s| {
///     s.spawn(|| left.iter_mut().for_each(|x| *x *= total));
///     s.spawn(|| right.iter_mut().for_each(|x| *x += total));
/// });
/// assert_eq!(data, [10, 20, 13, 14]);
/// ```
///
/// Handles and borrows cannot escape the scope:
///
/// ```compile_fail
/// let handle = wasm::thread::scope(|s| s.spawn(|| 1));
/// ```
pub fn scope<'env, F, T>(f: F) -> T
where
    F: for<'scope> FnOnce(&'scope Scope<'scope, 'env>) -> T,
{
    let scope = Scope {
        state: ScopeState::default(),
        scope: PhantomData,
        env: PhantomData,
    };
    let result = f(&scope);
    Active::wait_all(&scope.state);
    result
}

impl<'scope, 'env> Scope<'scope, 'env> {
    /// Spawns `f` in the scope; it may borrow anything that outlives the scope.
    ///
    /// ```
    /// let words = ["a", "bb", "ccc"];
    /// let lens = wasm::thread::scope(|s| {
    ///     let hs: Vec<_> = words.iter().map(|w| s.spawn(move || w.len())).collect();
    ///     hs.into_iter().map(|h| h.join()).collect::<Vec<_>>()
    /// });
    /// assert_eq!(lens, [1, 2, 3]);
    /// ```
    pub fn spawn<F, T>(&'scope self, f: F) -> ScopedJoinHandle<'scope, T>
    where
        F: FnOnce() -> T + Send + 'scope,
        T: Send + 'scope,
    {
        ScopedJoinHandle {
            packet: Active::spawn(&self.state, f),
        }
    }

    /// How many closures were spawned in this scope so far.
    ///
    /// ```
    /// assert_eq!(wasm::thread::scope(|s| s.spawned()), 0);
    /// ```
    pub fn spawned(&self) -> usize {
        self.state.spawned.load(Ordering::Relaxed)
    }
}

impl<'scope, T: Send + 'scope> ScopedJoinHandle<'scope, T> {
    /// Waits for the closure and returns its result.
    ///
    /// ```
    /// assert_eq!(wasm::thread::scope(|s| s.spawn(|| "done").join()), "done");
    /// ```
    pub fn join(self) -> T {
        Active::join(self.packet)
    }

    /// Whether the closure has finished (then [`join`](Self::join) does not wait).
    ///
    /// ```
    /// wasm::thread::scope(|s| {
    ///     let h = s.spawn(|| ());
    ///     while !h.is_finished() {}
    /// });
    /// ```
    pub fn is_finished(&self) -> bool {
        Active::is_finished(&self.packet)
    }
}

/// How many spawned closures can run at once with this build's backend: 1 when sequential; under
/// the shared backend, the host's threads plus the caller (which runs a closure itself when no
/// thread is free).
///
/// ```
/// assert!(wasm::thread::available_parallelism() >= 1);
/// ```
pub fn available_parallelism() -> usize {
    Active::parallelism()
}

// tests/threads runs the scope tests on every profile, threaded and not; these check the
// sequential backend on the host.
#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    #[test]
    fn nested_spawns_share_the_scope() {
        let log = std::sync::Mutex::new(Vec::new());
        scope(|s| {
            s.spawn(|| {
                log.lock().unwrap().push("outer");
                s.spawn(|| log.lock().unwrap().push("inner"));
            });
        });
        let mut log = log.into_inner().unwrap();
        log.sort_unstable();
        assert_eq!(log, ["inner", "outer"]);
    }

    #[test]
    fn results_match_a_sequential_run() {
        let input: Vec<u32> = (0..100).collect();
        let parallel = scope(|s| {
            let hs: Vec<_> = input
                .chunks(7)
                .map(|c| s.spawn(move || c.iter().map(|x| x * x).sum::<u32>()))
                .collect();
            hs.into_iter().map(ScopedJoinHandle::join).sum::<u32>()
        });
        assert_eq!(parallel, input.iter().map(|x| x * x).sum());
    }
}
