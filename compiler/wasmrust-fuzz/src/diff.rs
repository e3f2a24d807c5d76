//! Differential testing of optimization: a module and its `wasmrust opt`
//! output must behave the same under the same calls.

use crate::{features, generate};
use anyhow::Result;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use wasmrust::postlink::binaryen;
use wasmrust::postlink::optimize::{self, Level};
use wasmrust::verify::validate;
use wasmtime::{Config, Engine, Extern, Instance, Linker, Module, Store, Trap, Val, ValType};

/// Engine fuel per call (wasmtime's own meter, a backstop under the module's
/// guard): a call that runs out of it on either side ends the comparison of
/// that module, since the optimized side legitimately executes fewer
/// instructions.
const ENGINE_FUEL: u64 = 5_000_000;

/// What happened to one module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// wasm-smith gave no module for the seed.
    NotGenerated,
    /// The toolchain's validator refuses it for the target's features.
    NotAccepted(String),
    /// The toolchain accepts it, and `opt` refuses it before binaryen runs,
    /// naming a construct binaryen cannot read. `forced` is what binaryen,
    /// run anyway, made of it: the evidence for each refusal.
    Unsupported { construct: String, forced: Forced },
    /// The toolchain accepted it and `opt` failed: a module the build would
    /// reject at the optimization step, with this message.
    OptFailed(String),
    /// Both ran the same calls with the same observations.
    /// `other_trap` counts calls where both sides trapped, with a different
    /// trap: binaryen may reorder two trapping operations (a trap is a trap
    /// to the host, and the state it leaves is still compared).
    Same {
        calls: usize,
        traps: usize,
        other_trap: usize,
    },
    /// Stopped early because a call ran out of engine fuel on one side;
    /// everything before it was the same.
    Inconclusive { calls: usize },
    /// The optimized module behaves differently.
    Differs {
        call: String,
        original: String,
        optimized: String,
    },
}

/// binaryen on a module the pre-screen refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forced {
    /// binaryen failed to read or validate it.
    Failed,
    /// binaryen optimized it and the result behaves the same on the calls tried.
    Same,
    /// binaryen optimized it into a module that behaves differently.
    Differs,
}

/// One module's differential run, reproduced by `seed`.
#[derive(Debug, Clone)]
pub struct Run {
    pub seed: u64,
    pub outcome: Outcome,
}

/// Counts over many seeds, and every finding.
#[derive(Debug, Default)]
pub struct Report {
    pub modules: usize,
    pub not_generated: usize,
    pub not_accepted: usize,
    /// Per construct: modules refused, and of those the ones binaryen failed
    /// on, optimized with the same behaviour, optimized into a difference.
    pub unsupported: BTreeMap<String, [usize; 4]>,
    pub opt_failed: BTreeMap<String, Vec<u64>>,
    pub compared: usize,
    pub calls: usize,
    pub traps: usize,
    pub other_trap: usize,
    pub inconclusive: usize,
    pub differs: Vec<Run>,
}

impl Report {
    pub fn add(&mut self, run: Run) {
        self.modules += 1;
        match &run.outcome {
            Outcome::NotGenerated => self.not_generated += 1,
            Outcome::NotAccepted(_) => self.not_accepted += 1,
            Outcome::Unsupported { construct, forced } => {
                let entry = self.unsupported.entry(short(construct)).or_default();
                entry[0] += 1;
                entry[1 + *forced as usize] += 1;
            }
            Outcome::OptFailed(why) => self
                .opt_failed
                .entry(short(why))
                .or_default()
                .push(run.seed),
            Outcome::Same {
                calls,
                traps,
                other_trap,
            } => {
                self.other_trap += other_trap;
                self.compared += 1;
                self.calls += calls;
                self.traps += traps;
            }
            Outcome::Inconclusive { calls } => {
                self.compared += 1;
                self.calls += calls;
                self.inconclusive += 1;
            }
            Outcome::Differs { .. } => {
                self.compared += 1;
                self.differs.push(run);
            }
        }
    }

    /// No module behaved differently and binaryen refused none the toolchain accepts.
    pub fn clean(&self) -> bool {
        self.differs.is_empty() && self.opt_failed.is_empty()
    }

    pub fn text(&self, level: Level) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "opt -{level:?} differential: {} seeds, {} modules compared ({} calls, {} of them trapping, {} with another trap once optimized; {} stopped early on engine fuel), {} not generated, {} refused by the validator",
            self.modules,
            self.compared,
            self.calls,
            self.traps,
            self.other_trap,
            self.inconclusive,
            self.not_generated,
            self.not_accepted
        );
        for (what, [n, failed, same, differs]) in &self.unsupported {
            let _ = writeln!(
                s,
                "  refused before binaryen: {n} module(s) with {what}; binaryen run anyway fails on {failed}, optimizes {same} with the same behaviour, {differs} into a different one"
            );
        }
        for (why, seeds) in &self.opt_failed {
            let _ = writeln!(
                s,
                "  OPT FAILED on {} module(s) the toolchain accepts, e.g. seed {}: {why}",
                seeds.len(),
                seeds[0]
            );
        }
        for run in &self.differs {
            if let Outcome::Differs {
                call,
                original,
                optimized,
            } = &run.outcome
            {
                let _ = writeln!(
                    s,
                    "  DIFFERS seed {}: after {call}\n    original:  {original}\n    optimized: {optimized}",
                    run.seed
                );
            }
        }
        s
    }
}

/// The first line of an error chain, without the scratch paths, offsets
/// and indices in it, so one kind of failure is one line of the report.
fn short(message: &str) -> String {
    let line = message.lines().next().unwrap_or("");
    let line = line.split_once("`: ").map_or(line, |(_, rest)| rest);
    let mut out = String::new();
    let mut digits = false;
    for c in line.chars().take(200) {
        if c.is_ascii_digit() {
            if !digits {
                out.push('N');
            }
            digits = true;
        } else {
            digits = false;
            out.push(c);
        }
    }
    out
}

/// The wasmtime engine both sides run in: the toolchain's features, fuel metering.
pub fn engine() -> Result<Engine> {
    let mut config = Config::new();
    config.consume_fuel(true);
    config.wasm_multi_value(true);
    config.wasm_reference_types(true);
    config.wasm_function_references(false);
    config.wasm_gc(false);
    config.wasm_bulk_memory(true);
    config.wasm_simd(false);
    config.wasm_relaxed_simd(false);
    config.wasm_threads(false);
    config.wasm_tail_call(false);
    config.wasm_multi_memory(false);
    config.wasm_memory64(false);
    Engine::new(&config).map_err(|e| anyhow::anyhow!("wasmtime: {e:#}"))
}

/// Optimizes `bytes` with the pipeline `wasmrust opt --target wasm32-wasip1`
/// runs (`optimize::optimize`: validation, the binaryen pre-screen, binaryen),
/// in a scratch directory.
pub fn optimize_module(bytes: &[u8], level: Level) -> Result<Vec<u8>> {
    let dir = tempfile::tempdir()?;
    let (input, output) = (dir.path().join("in.wasm"), dir.path().join("out.wasm"));
    std::fs::write(&input, bytes)?;
    optimize::optimize(&input, &output, level, &features(), false, None)?;
    Ok(std::fs::read(&output)?)
}

/// The differential run of one seed.
pub fn run_seed(engine: &Engine, seed: u64, level: Level) -> Run {
    let outcome = match generate(seed) {
        None => Outcome::NotGenerated,
        Some(bytes) => compare_module(engine, &bytes, level),
    };
    Run { seed, outcome }
}

/// Optimizes `bytes` as `wasmrust opt` does and compares the two modules'
/// behaviour. A module the pre-screen refuses is also given to binaryen
/// directly, to record what binaryen would have made of it.
pub fn compare_module(engine: &Engine, bytes: &[u8], level: Level) -> Outcome {
    if let Err(e) = validate::validate(Path::new("generated.wasm"), bytes, Some(&features())) {
        return Outcome::NotAccepted(format!("{e:#}"));
    }
    if let Ok(Some(u)) = binaryen::unsupported(bytes) {
        let forced = match optimize::run_binaryen(
            Path::new("generated.wasm"),
            bytes,
            level,
            &features(),
            false,
        ) {
            Ok(optimized) => match compare(engine, bytes, &optimized) {
                Outcome::Same { .. } | Outcome::Inconclusive { .. } => Forced::Same,
                _ => Forced::Differs,
            },
            Err(_) => Forced::Failed,
        };
        return Outcome::Unsupported {
            construct: u.construct,
            forced,
        };
    }
    match optimize_module(bytes, level) {
        Ok(optimized) => compare(engine, bytes, &optimized),
        Err(e) => Outcome::OptFailed(format!("{e:#}")),
    }
}

/// Runs `original` and `optimized` side by side.
fn compare(engine: &Engine, original: &[u8], optimized: &[u8]) -> Outcome {
    match (Side::new(engine, original), Side::new(engine, optimized)) {
        (Ok(a), Ok(b)) => a.compare(b),
        (a, b) => Outcome::Differs {
            call: "compiling".into(),
            original: a.err().map_or("compiled".into(), |e| format!("{e:#}")),
            optimized: b.err().map_or("compiled".into(), |e| format!("{e:#}")),
        },
    }
}

/// One module in its own store.
struct Side {
    store: Store<()>,
    module: Module,
    instance: Result<Instance, String>,
}

/// What a call did.
#[derive(PartialEq)]
enum Observed {
    Returned(String),
    Trapped(String),
    OutOfFuel,
}

impl Side {
    fn new(engine: &Engine, bytes: &[u8]) -> Result<Side> {
        let module = Module::new(engine, bytes)
            .map_err(|e| anyhow::anyhow!("wasmtime refused the module: {e:#}"))?;
        let mut store = Store::new(engine, ());
        store
            .set_fuel(ENGINE_FUEL)
            .map_err(|e| anyhow::anyhow!("{e:#}"))?;
        let instance = Linker::new(engine)
            .instantiate(&mut store, &module)
            .map_err(trap_name);
        Ok(Side {
            store,
            module,
            instance,
        })
    }

    /// Exported globals, tables and memories, in export order.
    fn state(&mut self) -> String {
        let Ok(instance) = self.instance else {
            return String::new();
        };
        let mut s = String::new();
        let names: Vec<String> = self
            .module
            .exports()
            .map(|e| e.name().to_string())
            .collect();
        for name in names {
            match instance.get_export(&mut self.store, &name) {
                Some(Extern::Global(g)) => {
                    let v = g.get(&mut self.store);
                    let _ = write!(s, "global {name}={} ", value(&v));
                }
                Some(Extern::Memory(m)) => {
                    let data = m.data(&self.store);
                    let digest = Sha256::digest(data);
                    let _ = write!(s, "memory {name}: {} B {:x} ", data.len(), digest);
                }
                Some(Extern::Table(t)) => {
                    let _ = write!(s, "table {name}: {} ", t.size(&self.store));
                }
                _ => {}
            }
        }
        s
    }

    fn call(&mut self, name: &str, pattern: usize) -> Observed {
        let Ok(instance) = self.instance else {
            return Observed::Trapped("not instantiated".into());
        };
        let Some(func) = instance.get_func(&mut self.store, name) else {
            return Observed::Trapped("no such export".into());
        };
        let ty = func.ty(&self.store);
        let params: Vec<Val> = ty
            .params()
            .enumerate()
            .map(|(i, t)| argument(&t, pattern, i))
            .collect();
        let mut results: Vec<Val> = ty.results().map(|_| Val::I32(0)).collect();
        if self.store.set_fuel(ENGINE_FUEL).is_err() {
            return Observed::OutOfFuel;
        }
        match func.call(&mut self.store, &params, &mut results) {
            Ok(()) => Observed::Returned(results.iter().map(value).collect::<Vec<_>>().join(", ")),
            Err(e) if e.downcast_ref::<Trap>() == Some(&Trap::OutOfFuel) => Observed::OutOfFuel,
            Err(e) => Observed::Trapped(trap_name(e)),
        }
    }

    fn compare(mut self, mut other: Side) -> Outcome {
        let (a, b) = (self.observe_start(), other.observe_start());
        if a != b {
            return Outcome::Differs {
                call: "instantiation".into(),
                original: a,
                optimized: b,
            };
        }
        let funcs: Vec<String> = self
            .module
            .exports()
            .filter(|e| e.ty().func().is_some())
            .map(|e| e.name().to_string())
            .collect();
        let (mut calls, mut traps, mut other_trap) = (0, 0, 0);
        for pattern in 0..2 {
            for name in &funcs {
                let (x, y) = (self.call(name, pattern), other.call(name, pattern));
                if x == Observed::OutOfFuel || y == Observed::OutOfFuel {
                    return Outcome::Inconclusive { calls };
                }
                calls += 1;
                let both_trap = matches!((&x, &y), (Observed::Trapped(_), Observed::Trapped(_)));
                traps += usize::from(both_trap);
                other_trap += usize::from(both_trap && x != y);
                let (sa, sb) = (self.state(), other.state());
                if (x != y && !both_trap) || sa != sb {
                    return Outcome::Differs {
                        call: format!("call {pattern} of export `{name}`"),
                        original: format!("{}; {sa}", describe(&x)),
                        optimized: format!("{}; {sb}", describe(&y)),
                    };
                }
            }
        }
        Outcome::Same {
            calls,
            traps,
            other_trap,
        }
    }

    fn observe_start(&mut self) -> String {
        let start = match &self.instance {
            Ok(_) => "instantiated".to_string(),
            Err(trap) => format!("instantiation trapped: {trap}"),
        };
        format!("{start}; {}", self.state())
    }
}

fn describe(o: &Observed) -> String {
    match o {
        Observed::Returned(v) => format!("returned [{v}]"),
        Observed::Trapped(t) => format!("trapped ({t})"),
        Observed::OutOfFuel => "out of fuel".into(),
    }
}

fn trap_name(e: wasmtime::Error) -> String {
    match e.downcast_ref::<Trap>() {
        Some(t) => format!("{t:?}"),
        None => short(&format!("{e:#}")),
    }
}

/// A call's `i`th argument: zeros first, then a pattern of edge values.
fn argument(t: &ValType, pattern: usize, i: usize) -> Val {
    let k = pattern * (i + 1);
    match t {
        ValType::I32 => Val::I32([0, -1, 1, i32::MIN, 0x7fff_ffff, 65536][k % 6]),
        ValType::I64 => Val::I64([0, -1, 1, i64::MIN, i64::MAX, 1 << 32][k % 6]),
        ValType::F32 => Val::F32([0.0f32, -1.5, 1e30, f32::INFINITY][k % 4].to_bits()),
        ValType::F64 => Val::F64([0.0f64, -1.5, 1e300, f64::NEG_INFINITY][k % 4].to_bits()),
        ValType::V128 => Val::V128(0u128.into()),
        ValType::Ref(r) => Val::null_ref(r.heap_type()),
    }
}

/// A value as text, NaNs as `nan` (their payload is not observable
/// behaviour: binaryen, engines and hardware may change it).
fn value(v: &Val) -> String {
    match v {
        Val::I32(x) => format!("i32:{x}"),
        Val::I64(x) => format!("i64:{x}"),
        Val::F32(b) if f32::from_bits(*b).is_nan() => "f32:nan".into(),
        Val::F64(b) if f64::from_bits(*b).is_nan() => "f64:nan".into(),
        Val::F32(b) => format!("f32:{b:#x}"),
        Val::F64(b) => format!("f64:{b:#x}"),
        Val::V128(x) => format!("v128:{:#x}", x.as_u128()),
        Val::FuncRef(f) => format!("funcref:{}", if f.is_some() { "func" } else { "null" }),
        Val::ExternRef(r) => format!("externref:{}", if r.is_some() { "ref" } else { "null" }),
        _ => "ref".into(),
    }
}

/// Runs seeds `seeds` at `level`.
pub fn run(seeds: std::ops::Range<u64>, level: Level) -> Result<Report> {
    let engine = engine()?;
    let mut report = Report::default();
    for seed in seeds {
        report.add(run_seed(&engine, seed, level));
    }
    Ok(report)
}
