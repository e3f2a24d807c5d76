//! `wasmtime-timer MODULE...`: the sha256 workload of benchmarks/size/driver.mjs, in wasmtime.
//!
//! Each module follows the reference programs' core ABI (`memory`, `alloc(len) -> ptr`,
//! `sha256(ptr, len) -> digest ptr`, `dealloc(ptr, len)`). The host fills 1 MiB once (byte `i` is
//! `(31 i + 7) mod 256`, as in driver.mjs), hashes it 16 times per run, checks the digest against
//! the `sha2` crate after every run (a wrong answer is an error), and prints the median of 7 runs
//! after 3 warm-up calls. Imports a module has (clang's WASI reactor) trap if called; none is.
//! Modules are timed in turns, `rounds` times (`WASMTIME_TIMER_ROUNDS`, default 5), and the best
//! median is printed, one line per module: `FILE\tMS`.

use anyhow::{Context, Result, bail, ensure};
use sha2::{Digest, Sha256};
use std::time::Instant;
use wasmtime::{Config, Engine, Instance, Linker, Memory, Module, Store, TypedFunc};

const SIZE: usize = 1 << 20;
const CALLS: usize = 16;
const RUNS: usize = 7;

struct Program {
    store: Store<()>,
    memory: Memory,
    sha256: TypedFunc<(i32, i32), i32>,
    input: i32,
}

impl Program {
    fn load(engine: &Engine, path: &str, data: &[u8]) -> Result<Self> {
        let module = Module::from_file(engine, path)
            .map_err(anyhow::Error::from)
            .with_context(|| format!("failed to compile `{path}`"))?;
        let mut linker = Linker::new(engine);
        linker.define_unknown_imports_as_traps(&module)?;
        let mut store = Store::new(engine, ());
        let instance: Instance = linker
            .instantiate(&mut store, &module)
            .map_err(anyhow::Error::from)
            .with_context(|| format!("failed to instantiate `{path}`"))?;
        let memory = instance
            .get_memory(&mut store, "memory")
            .with_context(|| format!("`{path}` exports no memory"))?;
        let alloc = instance.get_typed_func::<i32, i32>(&mut store, "alloc")?;
        let sha256 = instance.get_typed_func::<(i32, i32), i32>(&mut store, "sha256")?;
        let len = i32::try_from(data.len())?;
        let input = alloc.call(&mut store, len)?;
        ensure!(input != 0, "`{path}`: alloc({len}) returned 0");
        memory.write(&mut store, input as u32 as usize, data)?;
        Ok(Program {
            store,
            memory,
            sha256,
            input,
        })
    }

    fn hash(&mut self) -> Result<[u8; 32]> {
        let out = self
            .sha256
            .call(&mut self.store, (self.input, SIZE as i32))?;
        let mut digest = [0u8; 32];
        self.memory
            .read(&self.store, out as u32 as usize, &mut digest)?;
        Ok(digest)
    }

    /// Median milliseconds of `RUNS` runs of `CALLS` hashes.
    fn time(&mut self, path: &str, want: &[u8; 32]) -> Result<f64> {
        let mut runs = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            let t0 = Instant::now();
            let mut digest = [0u8; 32];
            for _ in 0..CALLS {
                digest = self.hash()?;
            }
            runs.push(t0.elapsed().as_secs_f64() * 1e3);
            if &digest != want {
                bail!("`{path}`: wrong SHA-256 of 1 MiB");
            }
        }
        runs.sort_by(f64::total_cmp);
        Ok(runs[RUNS / 2])
    }
}

fn main() -> Result<()> {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    ensure!(!paths.is_empty(), "usage: wasmtime-timer MODULE...");
    let rounds: usize = std::env::var("WASMTIME_TIMER_ROUNDS")
        .ok()
        .map(|r| r.parse())
        .transpose()?
        .unwrap_or(5);
    let data: Vec<u8> = (0..SIZE).map(|i| ((i * 31 + 7) & 0xff) as u8).collect();
    let want: [u8; 32] = Sha256::digest(&data).into();
    let engine = Engine::new(&Config::new())?;
    let mut programs = Vec::new();
    for path in &paths {
        let mut p = Program::load(&engine, path, &data)?;
        for _ in 0..3 {
            p.hash()?;
        }
        programs.push(p);
    }
    let mut best = vec![f64::INFINITY; paths.len()];
    for round in 0..rounds {
        // The modules take turns, starting one later each round, so load hits them alike.
        for k in 0..paths.len() {
            let i = (k + round) % paths.len();
            best[i] = best[i].min(programs[i].time(&paths[i], &want)?);
        }
    }
    for (path, ms) in paths.iter().zip(best) {
        println!("{path}\t{ms:.1}");
    }
    Ok(())
}
