//! The post-link passes' own speed on a large module, so the release step
//! stays fast (docs/size.md, "Speed of the post-link tools").
//!
//! ```text
//! RUSTFLAGS="$(bash tools/setup.sh host-rustflags)" cargo bench -p wasmrust --bench postlink
//! ```
//!
//! The input is generated at start, deterministically (a fixed seed), so the
//! bench needs nothing built and measures the same bytes on every machine: a
//! reactor core module shaped like rustc's `wasm32-wasip2` output (a shadow
//! stack, WASI preview 1 imports, a function table, `.rodata`, a `name`
//! section of mangled Rust names, `producers` and `target_features`) that
//! exports `app/wit/demo.wit`'s world under its canonical-ABI names, so
//! wit-component accepts it with that world. `WASMRUST_BENCH_FUNCS` changes
//! its number of functions (default [`DEFAULT_FUNCS`]).
//!
//! Each bench calls the library function a Bazel action runs, with the
//! arguments the action passes, paths in and out (reading, validating,
//! writing atomically with fsync included), and reports throughput in input
//! bytes:
//!
//! * `validate`: `wasmrust validate` (wasmparser, the profile's features);
//! * `normalize/dev`, `normalize/release`: the custom-section policy, with the
//!   feature, import and effects checks;
//! * `optimize/Oz-converge`: `wasmrust opt --level Oz --converge` (binaryen);
//! * `componentize/dev`: the generated module plus the WIT world (with the
//!   WASI adapter), as the dev pipeline gives it;
//! * `componentize/release`: the same after optimize and release normalize.

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;
use wasm_encoder::{
    BlockType, CodeSection, ConstExpr, CustomSection, DataSection, ElementSection, Elements,
    EntityType, ExportKind, ExportSection, Function, FunctionSection, GlobalSection, GlobalType,
    ImportSection, InstructionSink, MemArg, MemorySection, MemoryType, Module, NameMap,
    NameSection, ProducersField, ProducersSection, RefType, TableSection, TableType, TypeSection,
    ValType,
};
use wasmrust::flags::{Mode, Target, WasmFeature, module_features};
use wasmrust::postlink::{componentize, normalize, optimize};
use wasmrust::verify::validate;

/// Functions in the generated module: 979 003 bytes, of which wasm-opt keeps
/// 613 149 (4000 give 2.3 MB, but then `optimize` alone takes minutes).
const DEFAULT_FUNCS: u32 = 1500;
/// The world the module is componentized with: the app's own.
const DEMO_WIT: &str = include_str!("../../../app/wit/demo.wit");
/// The profile of `//app:component`.
const TARGET: Target = Target::Wasm32Wasip2;
const LABEL: &str = "//bench:large";

// ---------------------------------------------------------------- the module

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u32) -> u32 {
        (self.next() % u64::from(n)) as u32
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u32) as usize]
    }
}

// Type indices.
const T_I32: u32 = 0; // (i32) -> ()
const T_I32_I32_R: u32 = 1; // (i32 i32) -> i32
const T_I32X3: u32 = 2; // (i32 i32 i32) -> ()
const T_I32_R: u32 = 3; // (i32) -> i32
const T_I32_I64_R64: u32 = 4; // (i32 i64) -> i64
const T_I32X4_R: u32 = 5; // (i32 i32 i32 i32) -> i32
const T_I32X3_R: u32 = 6; // (i32 i32 i32) -> i32
const T_CLOCK: u32 = 7; // (i32 i64 i32) -> i32

/// The types internal functions get, as rustc's output mostly has.
const POOL: [u32; 5] = [T_I32, T_I32_I32_R, T_I32X3, T_I32_R, T_I32_I64_R64];

fn signature(ty: u32) -> (&'static [ValType], &'static [ValType]) {
    use ValType::{I32, I64};
    match ty {
        T_I32 => (&[I32], &[]),
        T_I32_I32_R => (&[I32, I32], &[I32]),
        T_I32X3 => (&[I32, I32, I32], &[]),
        T_I32_R => (&[I32], &[I32]),
        T_I32_I64_R64 => (&[I32, I64], &[I64]),
        T_I32X4_R => (&[I32, I32, I32, I32], &[I32]),
        T_I32X3_R => (&[I32, I32, I32], &[I32]),
        T_CLOCK => (&[I32, I64, I32], &[I32]),
        _ => unreachable!(),
    }
}

/// WASI preview 1 imports (what std pulls in), satisfied by the adapter.
const IMPORTS: [(&str, u32); 6] = [
    ("fd_write", T_I32X4_R),
    ("environ_sizes_get", T_I32_I32_R),
    ("environ_get", T_I32_I32_R),
    ("random_get", T_I32_I32_R),
    ("clock_time_get", T_CLOCK),
    ("proc_exit", T_I32),
];
const NI: u32 = IMPORTS.len() as u32;

/// The world's exports under their canonical-ABI names, and core types.
const WORLD_EXPORTS: [(&str, u32); 5] = [
    ("wasmrust:demo/text@0.1.0#reverse-words", T_I32_I32_R),
    ("wasmrust:demo/text@0.1.0#stats", T_I32_I32_R),
    ("wasmrust:demo/text@0.1.0#top-words", T_I32X3_R),
    ("wasmrust:demo/numbers@0.1.0#summarize", T_I32_I32_R),
    ("wasmrust:demo/numbers@0.1.0#primes-below", T_I32_R),
];
/// Function index of the first internal function: imports, `cabi_realloc`, the world's exports.
const FIRST_INTERNAL: u32 = NI + 1 + WORLD_EXPORTS.len() as u32;

const STACK_POINTER: u32 = 0;
const RODATA: u32 = 1 << 20;

fn mem(offset: u64, align: u32) -> MemArg {
    MemArg {
        offset,
        align,
        memory_index: 0,
    }
}

/// What a body generator needs to know.
struct Body<'a> {
    rng: &'a mut Rng,
    i32s: Vec<u32>,
    i64s: Vec<u32>,
    sp: u32,
    /// Function index -> type, for every function.
    types: &'a [u32],
    /// Internal functions this one may call (higher indices: a DAG).
    callees: std::ops::Range<u32>,
    /// Entries in the table and their types, for `call_indirect`.
    table: &'a [u32],
}

impl Body<'_> {
    fn i32(&mut self) -> u32 {
        let n = self.i32s.len() as u32;
        self.i32s[self.rng.below(n) as usize]
    }
    fn i64(&mut self) -> u32 {
        let n = self.i64s.len() as u32;
        self.i64s[self.rng.below(n) as usize]
    }

    fn args(&mut self, s: &mut InstructionSink<'_>, ty: u32) {
        for p in signature(ty).0 {
            match p {
                ValType::I64 => s.local_get(self.i64()),
                _ => s.local_get(self.i32()),
            };
        }
    }

    fn keep_result(&mut self, s: &mut InstructionSink<'_>, ty: u32) {
        for r in signature(ty).1 {
            match r {
                ValType::I64 => s.local_set(self.i64()),
                _ => s.local_set(self.i32()),
            };
        }
    }

    fn call(&mut self, s: &mut InstructionSink<'_>, f: u32) {
        let ty = self.types[f as usize];
        self.args(s, ty);
        s.call(f);
        self.keep_result(s, ty);
    }

    /// One stack-neutral statement.
    fn stmt(&mut self, s: &mut InstructionSink<'_>, depth: u32) {
        let choice = self.rng.below(if depth < 2 { 100 } else { 80 });
        match choice {
            0..=19 => {
                let (a, b, d) = (self.i32(), self.i32(), self.i32());
                s.local_get(a);
                if self.rng.below(2) == 0 {
                    s.i32_const(self.rng.below(4096) as i32 - 64);
                } else {
                    s.local_get(b);
                }
                match self.rng.below(8) {
                    0 => s.i32_add(),
                    1 => s.i32_sub(),
                    2 => s.i32_mul(),
                    3 => s.i32_and(),
                    4 => s.i32_or(),
                    5 => s.i32_xor(),
                    6 => s.i32_shl(),
                    _ => s.i32_shr_u(),
                };
                s.local_set(d);
            }
            20..=29 => {
                let (b, d) = (self.i32(), self.i32());
                s.local_get(b)
                    .i32_const(0x3ffc)
                    .i32_and()
                    .i32_load(mem(u64::from(self.rng.below(64)) * 4, 2))
                    .local_set(d);
            }
            30..=39 => {
                let (a, v) = (self.sp, self.i32());
                s.local_get(a)
                    .local_get(v)
                    .i32_store(mem(u64::from(self.rng.below(12)) * 4, 2));
            }
            40..=44 => {
                let (a, x, d) = (self.i32(), self.i64(), self.i64());
                s.local_get(x).local_get(a).i64_extend_i32_u();
                match self.rng.below(4) {
                    0 => s.i64_add(),
                    1 => s.i64_mul(),
                    2 => s.i64_xor(),
                    _ => s.i64_rotl(),
                };
                s.local_set(d);
                if self.rng.below(2) == 0 {
                    let (d2, sp) = (self.i32(), self.sp);
                    s.local_get(d).i32_wrap_i64().local_set(d2);
                    s.local_get(sp).local_get(d).i64_store(mem(16, 3));
                }
            }
            45..=49 => {
                // A byte loop over `.rodata`, as string handling compiles to.
                let (p, n, acc) = (self.i32(), self.i32(), self.i32());
                s.local_get(p)
                    .i32_const(0xfff)
                    .i32_and()
                    .i32_const(RODATA as i32)
                    .i32_add()
                    .local_set(p);
                s.block(BlockType::Empty).local_get(n).i32_eqz().br_if(0);
                s.loop_(BlockType::Empty);
                s.local_get(acc)
                    .i32_const(31)
                    .i32_mul()
                    .local_get(p)
                    .i32_load8_u(mem(0, 0))
                    .i32_add()
                    .local_set(acc);
                s.local_get(p).i32_const(1).i32_add().local_set(p);
                s.local_get(n)
                    .i32_const(-1)
                    .i32_add()
                    .local_tee(n)
                    .i32_const(0xff)
                    .i32_and()
                    .br_if(0);
                s.end().end();
            }
            50..=54 => {
                let (d, v) = (self.sp, self.i32());
                if self.rng.below(2) == 0 {
                    s.local_get(d)
                        .local_get(v)
                        .i32_const(self.rng.below(24) as i32)
                        .memory_fill(0);
                } else {
                    s.local_get(d)
                        .i32_const(RODATA as i32 + self.rng.below(4096) as i32)
                        .i32_const(self.rng.below(24) as i32)
                        .memory_copy(0, 0);
                }
            }
            55..=62 => {
                if !self.callees.is_empty() {
                    let f = self.callees.start + self.rng.below(self.callees.len() as u32);
                    self.call(s, f);
                }
            }
            63..=66 => {
                // `dyn Trait` and `fmt` calls: indirect, through the table.
                let slot = self.rng.below(self.table.len() as u32);
                let ty = self.types[self.table[slot as usize] as usize];
                self.args(s, ty);
                s.i32_const(slot as i32 + 1).call_indirect(0, ty);
                self.keep_result(s, ty);
            }
            67..=69 => {
                let f = self.rng.pick(&[0, 3]);
                self.call(s, f);
            }
            70..=79 => {
                let (c, d) = (self.i32(), self.i32());
                s.local_get(c)
                    .local_get(d)
                    .i32_lt_u()
                    .local_get(d)
                    .local_get(c)
                    .select()
                    .local_set(c);
            }
            80..=91 => {
                let c = self.i32();
                s.local_get(c).if_(BlockType::Empty);
                for _ in 0..1 + self.rng.below(4) {
                    self.stmt(s, depth + 1);
                }
                if self.rng.below(2) == 0 {
                    s.else_();
                    for _ in 0..1 + self.rng.below(3) {
                        self.stmt(s, depth + 1);
                    }
                }
                s.end();
            }
            _ => {
                let n = self.i32();
                s.block(BlockType::Empty).loop_(BlockType::Empty);
                for _ in 0..1 + self.rng.below(4) {
                    self.stmt(s, depth + 1);
                }
                s.local_get(n)
                    .i32_const(-1)
                    .i32_add()
                    .local_tee(n)
                    .i32_const(0x7f)
                    .i32_and()
                    .br_if(0);
                s.end().end();
            }
        }
    }
}

/// One function body: rustc's shadow-stack prologue, `stmts` statements (the
/// calls in `must_call` among them), the epilogue, and its results.
fn body(
    rng: &mut Rng,
    ty: u32,
    types: &[u32],
    table: &[u32],
    callees: std::ops::Range<u32>,
    must_call: &[u32],
    stmts: u32,
) -> Function {
    let (params, results) = signature(ty);
    let np = params.len() as u32;
    let mut f = Function::new([(5, ValType::I32), (2, ValType::I64)]);
    let mut i32s: Vec<u32> = (0..np)
        .filter(|&i| params[i as usize] == ValType::I32)
        .collect();
    let mut i64s: Vec<u32> = (0..np)
        .filter(|&i| params[i as usize] == ValType::I64)
        .collect();
    i32s.extend(np + 1..np + 5);
    i64s.extend([np + 5, np + 6]);
    let sp = np;
    let frame = 16 * (1 + rng.below(8)) as i32;
    let mut b = Body {
        rng,
        i32s,
        i64s,
        sp,
        types,
        callees,
        table,
    };
    let mut s = f.instructions();
    s.global_get(STACK_POINTER)
        .i32_const(frame)
        .i32_sub()
        .local_tee(sp)
        .global_set(STACK_POINTER);
    let mut calls = must_call.iter().copied().peekable();
    for i in 0..stmts {
        if calls.peek().is_some() && b.rng.below(stmts - i) < must_call.len() as u32 {
            let callee = calls.next().unwrap();
            b.call(&mut s, callee);
        }
        b.stmt(&mut s, 0);
    }
    for callee in calls {
        b.call(&mut s, callee);
    }
    s.local_get(sp)
        .i32_const(frame)
        .i32_add()
        .global_set(STACK_POINTER);
    for r in results {
        match r {
            ValType::I64 => s.local_get(b.i64()),
            _ => s.local_get(b.i32()),
        };
    }
    s.end();
    f
}

/// A legacy-mangled Rust symbol, as rustc names functions.
fn rust_name(rng: &mut Rng, i: u32) -> String {
    const CRATES: [&str; 8] = [
        "core",
        "alloc",
        "std",
        "serde_json",
        "demo",
        "hashbrown",
        "numbers",
        "wit_bindgen",
    ];
    const MODS: [&str; 10] = [
        "fmt",
        "str",
        "slice",
        "vec",
        "collections",
        "iter",
        "io",
        "text",
        "sort",
        "de",
    ];
    const ITEMS: [&str; 12] = [
        "pad",
        "write_str",
        "next",
        "from_iter",
        "extend",
        "fold",
        "insert",
        "reserve_for_push",
        "split_whitespace",
        "cmp",
        "deserialize_any",
        "fmt",
    ];
    let parts = [
        rng.pick(&CRATES).to_string(),
        rng.pick(&MODS).to_string(),
        format!("{}{i}", rng.pick(&ITEMS)),
        format!("_$LT$impl$u20${}$GT$", rng.pick(&ITEMS)),
    ];
    let mut s = String::from("_ZN");
    for p in parts.iter().take(2 + rng.below(3) as usize) {
        s.push_str(&format!("{}{p}", p.len()));
    }
    s.push_str(&format!("17h{:016x}E", rng.next()));
    s
}

/// The large module: `funcs` internal functions, reachable from the exports
/// (each calls its two children in a binary tree, plus random others) and
/// every fourth one also through the table.
fn large_module(funcs: u32) -> Vec<u8> {
    let mut rng = Rng(0x005e_ed0f_2026_1127);
    let total = FIRST_INTERNAL + funcs;
    let mut types: Vec<u32> = IMPORTS.iter().map(|i| i.1).collect();
    types.push(T_I32X4_R); // cabi_realloc
    types.extend(WORLD_EXPORTS.iter().map(|e| e.1));
    types.extend((0..funcs).map(|_| rng.pick(&POOL)));
    let table: Vec<u32> = (FIRST_INTERNAL..total).step_by(4).collect();

    let mut m = Module::new();
    let mut ts = TypeSection::new();
    for ty in 0..=T_CLOCK {
        let (p, r) = signature(ty);
        ts.ty().function(p.iter().copied(), r.iter().copied());
    }
    m.section(&ts);

    let mut imports = ImportSection::new();
    for (name, ty) in IMPORTS {
        imports.import("wasi_snapshot_preview1", name, EntityType::Function(ty));
    }
    m.section(&imports);

    let mut fs = FunctionSection::new();
    for &ty in &types[NI as usize..] {
        fs.function(ty);
    }
    m.section(&fs);

    let n_table = table.len() as u64 + 1;
    let mut tables = TableSection::new();
    tables.table(TableType {
        element_type: RefType::FUNCREF,
        table64: false,
        minimum: n_table,
        maximum: Some(n_table),
        shared: false,
    });
    m.section(&tables);

    let rodata = rodata(&mut rng, 192 * 1024);
    let data_end = RODATA + rodata.len() as u32;
    let heap_base = (data_end + 15) & !15;
    let pages = u64::from(heap_base.div_ceil(65536)) + 1;
    let mut mems = MemorySection::new();
    mems.memory(MemoryType {
        minimum: pages,
        maximum: None,
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    m.section(&mems);

    let mut globals = GlobalSection::new();
    let g = |mutable| GlobalType {
        val_type: ValType::I32,
        mutable,
        shared: false,
    };
    globals.global(g(true), &ConstExpr::i32_const(RODATA as i32));
    globals.global(g(false), &ConstExpr::i32_const(data_end as i32));
    globals.global(g(false), &ConstExpr::i32_const(heap_base as i32));
    m.section(&globals);

    let mut exports = ExportSection::new();
    exports.export("memory", ExportKind::Memory, 0);
    exports.export("cabi_realloc", ExportKind::Func, NI);
    for (i, (name, _)) in WORLD_EXPORTS.iter().enumerate() {
        exports.export(name, ExportKind::Func, NI + 1 + i as u32);
    }
    exports.export("__data_end", ExportKind::Global, 1);
    exports.export("__heap_base", ExportKind::Global, 2);
    m.section(&exports);

    let mut elems = ElementSection::new();
    elems.active(
        None,
        &ConstExpr::i32_const(1),
        Elements::Functions(table.clone().into()),
    );
    m.section(&elems);

    let mut code = CodeSection::new();
    let internal = |k: u32| FIRST_INTERNAL + k;
    // cabi_realloc and the exports: small bodies that call into the tree.
    for f in NI..FIRST_INTERNAL {
        let roots: Vec<u32> = (0..3)
            .map(|_| internal(rng.below(funcs.min(64))))
            .chain([internal(0)])
            .collect();
        code.function(&body(
            &mut rng,
            types[f as usize],
            &types,
            &table,
            internal(0)..total,
            &roots,
            6,
        ));
    }
    for k in 0..funcs {
        let children: Vec<u32> = [2 * k + 1, 2 * k + 2]
            .into_iter()
            .filter(|&c| c < funcs)
            .map(internal)
            .collect();
        let stmts = 4 + rng.below(28);
        code.function(&body(
            &mut rng,
            types[internal(k) as usize],
            &types,
            &table,
            internal(k + 1)..total,
            &children,
            stmts,
        ));
    }
    m.section(&code);

    let mut data = DataSection::new();
    data.active(0, &ConstExpr::i32_const(RODATA as i32), rodata);
    m.section(&data);

    // Custom sections, in rustc + wasm-ld's order.
    let mut names = NameMap::new();
    for (i, (name, _)) in IMPORTS.iter().enumerate() {
        names.append(
            i as u32,
            &format!(
                "_ZN4wasi13lib_generated22wasi_snapshot_preview15{}{name}17h{:016x}E",
                name.len(),
                rng.next()
            ),
        );
    }
    names.append(NI, "cabi_realloc");
    for (i, (name, _)) in WORLD_EXPORTS.iter().enumerate() {
        names.append(NI + 1 + i as u32, name);
    }
    for f in FIRST_INTERNAL..total {
        names.append(f, &rust_name(&mut rng, f));
    }
    let mut ns = NameSection::new();
    ns.module("app_core.wasm");
    ns.functions(&names);
    let mut gnames = NameMap::new();
    gnames.append(0, "__stack_pointer");
    ns.globals(&gnames);
    m.section(&ns);

    let mut producers = ProducersSection::new();
    producers.field("language", ProducersField::new().value("Rust", ""));
    producers.field(
        "processed-by",
        ProducersField::new().value("rustc", "1.96.0 (Debian 1.96.0+dfsg1-1~deb12u2)"),
    );
    m.section(&producers);

    // `target_features`: a linker leftover even dev drops.
    let mut tf = vec![6u8];
    for f in [
        "bulk-memory",
        "multivalue",
        "mutable-globals",
        "nontrapping-fptoint",
        "reference-types",
        "sign-ext",
    ] {
        tf.push(b'+');
        tf.push(f.len() as u8);
        tf.extend_from_slice(f.as_bytes());
    }
    m.section(&CustomSection {
        name: "target_features".into(),
        data: tf.into(),
    });
    m.finish()
}

/// `.rodata`: panic-free strings, tables, padding.
fn rodata(rng: &mut Rng, len: usize) -> Vec<u8> {
    const WORDS: [&str; 12] = [
        "invalid",
        "utf-8",
        "sequence",
        "of",
        "bytes",
        "index",
        "out",
        "range",
        "for",
        "slice",
        "capacity overflow",
        "called `Option::unwrap()` on a `None` value",
    ];
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        if rng.below(4) == 0 {
            out.extend_from_slice(&rng.next().to_le_bytes());
        } else {
            out.extend_from_slice(rng.pick(&WORDS).as_bytes());
            out.push(b' ');
        }
    }
    out.truncate(len);
    out
}

// ---------------------------------------------------------------- benches

struct Fixture {
    dir: PathBuf,
    module: PathBuf,
    wit: PathBuf,
    features: Vec<WasmFeature>,
}

impl Fixture {
    fn new() -> Fixture {
        let funcs = std::env::var("WASMRUST_BENCH_FUNCS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_FUNCS);
        let dir =
            std::env::temp_dir().join(format!("wasmrust-postlink-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let bytes = large_module(funcs);
        let module = dir.join("large.wasm");
        std::fs::write(&module, &bytes).unwrap();
        let wit = dir.join("demo.wit");
        std::fs::write(&wit, DEMO_WIT).unwrap();
        let features = module_features(TARGET, &[]);
        // Fail here, not inside a timed loop, if the generator is wrong.
        validate::validate(&module, &bytes, Some(features.as_slice()))
            .expect("the generated module is invalid");
        eprintln!(
            "postlink bench: generated module {} functions, {} bytes ({})",
            funcs,
            bytes.len(),
            module.display()
        );
        Fixture {
            dir,
            module,
            wit,
            features,
        }
    }

    fn host(&self) -> validate::Host<'static> {
        validate::Host {
            target: TARGET,
            label: Some(LABEL),
            profile: Some("wasmtime"),
            js_host: false,
        }
    }

    fn out(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn len(path: &Path) -> u64 {
    std::fs::metadata(path).unwrap().len()
}

fn postlink(c: &mut Criterion) {
    let fx = Fixture::new();
    let size = len(&fx.module);
    let world = componentize::World {
        path: &fx.wit,
        name: Some("demo"),
    };
    let features = Some(fx.features.as_slice());
    let (dev, opt, release, component) = (
        fx.out("dev.wasm"),
        fx.out("opt.wasm"),
        fx.out("release.wasm"),
        fx.out("component.wasm"),
    );
    let scratch = fx.out("normalized.wasm");

    let mut g = c.benchmark_group("postlink");
    let fast = |g: &mut criterion::BenchmarkGroup<'_, _>, bytes: u64| {
        g.throughput(Throughput::Bytes(bytes));
        g.sampling_mode(SamplingMode::Auto)
            .sample_size(20)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(6));
    };
    fast(&mut g, size);
    g.bench_function("validate", |b| {
        b.iter(|| {
            let bytes = wasmrust::io::read(&fx.module).unwrap();
            validate::validate(&fx.module, &bytes, features).unwrap()
        })
    });
    for (name, mode) in [
        ("normalize/dev", Mode::Dev),
        ("normalize/release", Mode::Release),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| {
                normalize::normalize(
                    &fx.module,
                    black_box(&scratch),
                    mode,
                    features,
                    Some(&fx.host()),
                )
                .unwrap()
            })
        });
    }

    // The dev pipeline's componentize input: the module, normalized for dev.
    normalize::normalize(&fx.module, &dev, Mode::Dev, features, Some(&fx.host())).unwrap();
    fast(&mut g, len(&dev));
    g.bench_function("componentize/dev", |b| {
        b.iter(|| componentize::componentize(&dev, black_box(&component), Some(&world)).unwrap())
    });

    // wasm-opt takes seconds: the fewest samples criterion allows, one iteration each.
    g.throughput(Throughput::Bytes(size));
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(1));
    let run_opt = || {
        optimize::optimize(
            &fx.module,
            black_box(&opt),
            optimize::Level::Oz,
            &fx.features,
            true,
            Some(&fx.host()),
        )
        .unwrap()
    };
    g.bench_function("optimize/Oz-converge", |b| b.iter(run_opt));

    // The release pipeline's componentize input: optimized, then normalized.
    if !opt.exists() {
        run_opt(); // the optimize bench was filtered out
    }
    normalize::normalize(&opt, &release, Mode::Release, features, Some(&fx.host())).unwrap();
    eprintln!(
        "postlink bench: dev-normalized {} bytes, optimized {} bytes, release-normalized {} bytes, component (release) {} bytes",
        len(&dev),
        len(&opt),
        len(&release),
        {
            componentize::componentize(&release, &component, Some(&world)).unwrap();
            len(&component)
        }
    );
    fast(&mut g, len(&release));
    g.bench_function("componentize/release", |b| {
        b.iter(|| {
            componentize::componentize(&release, black_box(&component), Some(&world)).unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, postlink);
criterion_main!(benches);
