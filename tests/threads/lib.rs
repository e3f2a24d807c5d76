//! `wasm::thread::scope` in each profile's runtime. Built with atomics (`threads = True`), the
//! closures run on host threads and `concurrent` checks that they overlap in time; otherwise
//! they run one after another and give the same results.
#![no_std]

extern crate alloc;

use alloc::vec::Vec;
use core::sync::atomic::{AtomicU32, Ordering};
use wasm::thread::{ScopedJoinHandle, available_parallelism, scope};

/// Whether this module was built for real threads.
const THREADED: bool = cfg!(target_feature = "atomics");

wasm_test::tests! {
    fn closures_borrow_and_are_joined_at_scope_end() {
        let counter = AtomicU32::new(0);
        let mut out = [0u64; 8];
        let sum = scope(|s| {
            for (i, chunk) in out.chunks_mut(2).enumerate() {
                let counter = &counter;
                s.spawn(move || {
                    chunk.fill(i as u64 + 1);
                    counter.fetch_add(1, Ordering::Relaxed);
                });
            }
            let h = s.spawn(|| (1..=10u64).sum::<u64>());
            assert_eq!(s.spawned(), 5);
            h.join()
        });
        assert_eq!(sum, 55);
        assert_eq!(counter.into_inner(), 4, "unjoined closures ran before the scope ended");
        assert_eq!(out, [1, 1, 2, 2, 3, 3, 4, 4]);
    }

    fn results_match_a_sequential_run() {
        let input: Vec<u32> = (0..10_000).collect();
        let parallel = scope(|s| {
            let hs: Vec<_> = input.chunks(777).map(|c| s.spawn(move || c.iter().map(|x| x.wrapping_mul(*x)).fold(0u32, u32::wrapping_add))).collect();
            hs.into_iter().map(ScopedJoinHandle::join).fold(0u32, u32::wrapping_add)
        });
        assert_eq!(parallel, input.iter().map(|x| x.wrapping_mul(*x)).fold(0u32, u32::wrapping_add));
    }

    fn closures_allocate_and_nest() {
        let total = AtomicU32::new(0);
        let lens = scope(|s| {
            let hs: Vec<_> = (1..=4u32)
                .map(|k| {
                    let total = &total;
                    s.spawn(move || {
                        let v: Vec<u32> = (0..k * 5_000).collect();
                        s.spawn(move || total.fetch_add(k, Ordering::Relaxed));
                        v.len()
                    })
                })
                .collect();
            hs.into_iter().map(ScopedJoinHandle::join).collect::<Vec<_>>()
        });
        assert_eq!(lens, [5_000, 10_000, 15_000, 20_000]);
        assert_eq!(total.into_inner(), 10, "nested closures ran before the scope ended");
    }

    fn handles_move_between_closures() {
        // A handle is `Send` with either backend: another closure may join it.
        let total = scope(|s| {
            let first = s.spawn(|| 40u32);
            s.spawn(move || first.join() + 2).join()
        });
        assert_eq!(total, 42);
    }

    fn parallelism_matches_the_build() {
        let n = available_parallelism();
        if THREADED {
            assert!(n > 1, "a threaded module on a host with threads reports {n}");
        } else {
            assert_eq!(n, 1);
        }
    }

    fn concurrent() {
        // Each closure announces itself, then waits for the others: only closures that run at
        // the same time all see everyone (a sequential run sees only those before it).
        if !THREADED {
            return;
        }
        // The caller counts: it runs a closure itself when no host thread is free.
        let arrived = AtomicU32::new(0);
        let n = available_parallelism().min(3) as u32;
        assert!(n >= 2, "a threaded module on a host with threads reports parallelism {n}");
        let saw_all = scope(|s| {
            let hs: Vec<_> = (0..n)
                .map(|_| {
                    let arrived = &arrived;
                    s.spawn(move || {
                        arrived.fetch_add(1, Ordering::SeqCst);
                        let mut spins = 0u64;
                        while arrived.load(Ordering::SeqCst) < n {
                            spins += 1;
                            if spins > 4_000_000_000 {
                                return false;
                            }
                            core::hint::spin_loop();
                        }
                        true
                    })
                })
                .collect();
            hs.into_iter().map(ScopedJoinHandle::join).collect::<Vec<_>>()
        });
        assert!(saw_all.iter().all(|&saw| saw), "the closures did not run at the same time: {saw_all:?}");
    }

    #[should_panic]
    fn a_panicking_closure_fails_the_scope() {
        scope(|s| {
            s.spawn(|| {
                let zero = core::hint::black_box(0u32);
                assert!(zero == 1, "closure fails");
            });
        });
    }
}
