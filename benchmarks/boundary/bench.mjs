// Boundary-cost benchmark: the same Rust functions (kernels.rs) called from node through
// WasmRust's ABI + JS helper (crates/wasm/js/wasmrust.mjs, no generated glue) and through
// wasm-bindgen's generated glue (`--target nodejs`). Run by benchmarks/boundary.sh.
//
// Usage: node bench.mjs WASMRUST.wasm WASMRUST_HELPER.mjs BINDGEN_GLUE.js [JSON_OUT]
// Environment: ROUNDS (default 11), BATCH_MS (default 100), WARMUP_MS (default 300).
//
// A third side calls the WasmRust module through JS lowered by hand from the documented ABI
// (handLowered below), to tell what the ABI costs from what the generic helper adds.
//
// 1. Checks all three against a JS reference on the same inputs; a wrong answer
//    exits with status 1 before anything is timed.
// 2. Warms every call up (V8 tiers wasm and JS up to TurboFan), then picks a batch
//    size per call so one batch takes about BATCH_MS.
// 3. ROUNDS rounds; in each, every call runs one batch on each side, the side that
//    goes first rotating, so load changes on a shared machine hit both alike.
// 4. Prints markdown tables (median ns/call over the rounds, spread, ratio, MB/s for
//    the 1 MiB payloads; module and glue bytes) and writes the raw figures as JSON.

import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";

const [wasmrustWasm, helperPath, bindgenJs, jsonOut] = process.argv.slice(2);
if (!bindgenJs) {
  console.error("usage: node bench.mjs WASMRUST.wasm WASMRUST_HELPER.mjs BINDGEN_GLUE.js [JSON_OUT]");
  process.exit(2);
}
const ROUNDS = Number(process.env.ROUNDS || 11);
const BATCH_MS = Number(process.env.BATCH_MS || 100);
const WARMUP_MS = Number(process.env.WARMUP_MS || 300);
const MiB = 1 << 20;

// ---- The two modules
const { WasmRust } = await import(pathToFileURL(resolve(helperPath)).href);
const rt = new WasmRust();
const wasmrustBytes = readFileSync(wasmrustWasm);
const { instance } = await WebAssembly.instantiate(wasmrustBytes, rt.imports());
rt.attach(instance);
// What a user of the helper writes: one signature description per export (wasm::abi).
const SIGS = {
  nop: { params: [], result: "unit" },
  add: { params: ["i32", "i32"], result: "i32" },
  checked_div: { params: ["i32", "i32"], result: { option: "i32" } },
  str_len: { params: ["str"], result: "u32" },
  greet: { params: ["str"], result: "string" },
  bytes_probe: { params: [{ slice: "u8" }], result: "u32" },
  bytes_sum: { params: [{ slice: "u8" }], result: "u32" },
  scale: { params: [{ slice: "f64" }, "f64"], result: { vec: "f64" } },
};
const wr = rt.bind(SIGS);
const hand = handLowered(instance.exports);
const bg = createRequire(import.meta.url)(resolve(bindgenJs));
const bindgenWasm = resolve(bindgenJs).replace(/\.js$/, "_bg.wasm");

// The same exports called through JS written by hand for each signature, straight from the
// ABI documented in `wasm::abi` (what a specialised helper or generated code could do): no
// per-call interpretation of a description, cached encoder/decoder and memory views, and
// one return area allocated once and reused (the caller owns it, so it may). This
// separates what the ABI costs from what the generic helper adds.
function handLowered(x) {
  const { memory, wasmrust_alloc: alloc, wasmrust_free: free } = x;
  const enc = new TextEncoder();
  const dec = new TextDecoder("utf-8", { fatal: true });
  let u8 = new Uint8Array(memory.buffer);
  let dv = new DataView(memory.buffer);
  const fresh = () => {
    if (u8.buffer !== memory.buffer) {
      u8 = new Uint8Array(memory.buffer);
      dv = new DataView(memory.buffer);
    }
  };
  const area = alloc(16, 8) >>> 0; // return area: Option<i32> is 8 bytes, a pair 8 (align 4)
  // A borrowed &str: a block of 3 bytes per UTF-16 unit (the UTF-8 bound) filled by encodeInto.
  const withStr = (s, f) => {
    const cap = s.length * 3;
    const ptr = alloc(cap, 1) >>> 0;
    fresh();
    const { written } = enc.encodeInto(s, u8.subarray(ptr, ptr + cap));
    try {
      return f(ptr, written);
    } finally {
      free(ptr, cap, 1);
    }
  };
  const withBytes = (b, f) => {
    const ptr = alloc(b.length, 1) >>> 0;
    fresh();
    u8.set(b, ptr);
    try {
      return f(ptr, b.length);
    } finally {
      free(ptr, b.length, 1);
    }
  };
  return {
    nop: () => void x.nop(),
    add: (a, b) => x.add(a, b),
    checked_div: (a, b) => {
      x.checked_div(a, b, area);
      fresh();
      return dv.getUint32(area, true) === 0 ? null : dv.getInt32(area + 4, true);
    },
    str_len: (s) => withStr(s, (p, n) => x.str_len(p, n) >>> 0),
    greet: (s) => withStr(s, (p, n) => {
      x.greet(p, n, area);
      fresh();
      const ptr = dv.getUint32(area, true), len = dv.getUint32(area + 4, true);
      const out = dec.decode(u8.subarray(ptr, ptr + len));
      free(ptr, len, 1);
      return out;
    }),
    bytes_probe: (b) => withBytes(b, (p, n) => x.bytes_probe(p, n) >>> 0),
    bytes_sum: (b) => withBytes(b, (p, n) => x.bytes_sum(p, n) >>> 0),
    scale: (xs, k) => {
      const bytes = xs.length * 8;
      const ptr = alloc(bytes, 8) >>> 0;
      fresh();
      new Float64Array(memory.buffer, ptr, xs.length).set(xs);
      try {
        x.scale(ptr, xs.length, k, area);
        fresh();
        const rp = dv.getUint32(area, true), rn = dv.getUint32(area + 4, true);
        const out = new Float64Array(memory.buffer.slice(rp, rp + rn * 8));
        free(rp, rn * 8, 8);
        return out;
      } finally {
        free(ptr, bytes, 8);
      }
    },
  };
}

// ---- Inputs (deterministic)
function bytes(n, seed) {
  const a = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    a[i] = x & 0xff;
  }
  return a;
}
const SHORT = "boundary benchmark"; // 18 B, ASCII
const LONG = Array.from(bytes(MiB, 7), (b) => String.fromCharCode(32 + (b % 95))).join(""); // 1 MiB, printable ASCII
const BYTES = bytes(MiB, 11);
const F64 = new Float64Array(MiB / 8).map((_, i) => (i % 1000) * 0.25 - 100);

// ---- Reference answers
const ref = {
  add: (a, b) => (a + b) | 0,
  checked_div: (a, b) => (b === 0 || (a === -2147483648 && b === -1) ? null : Math.trunc(a / b)),
  str_len: (s) => Buffer.byteLength(s, "utf8"),
  greet: (s) => `Hello, ${s}!`,
  bytes_probe: (b) => (b.length === 0 ? 0
    : (b.length ^ (b[0] << 8) ^ (b[b.length >> 1] << 16) ^ (b[b.length - 1] << 24)) >>> 0),
  bytes_sum: (b) => {
    let lo = 0, hi = 0;
    for (const x of b) { lo = (lo + x) >>> 0; hi = (hi + lo) >>> 0; }
    return (lo ^ ((hi << 16) | (hi >>> 16))) >>> 0;
  },
  scale: (xs, k) => Float64Array.from(xs, (x) => x * k),
};

// ---- 1. Same answers
const SIDES = [["wasmrust", wr], ["wasm-bindgen", bg], ["wasmrust-hand", hand]];
let failures = 0;
function same(a, b) {
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b) || a.constructor !== b.constructor || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
    return true;
  }
  return Object.is(a, b);
}
function check(name, args, expected) {
  const norm = (v) => (v === undefined ? null : v); // wasm-bindgen: undefined for None; the helper: null
  for (const [side, api] of SIDES) {
    let got;
    try {
      got = norm(api[name](...args));
    } catch (e) {
      got = `threw ${e}`;
    }
    if (!same(got, expected)) {
      failures++;
      const show = (v) => (ArrayBuffer.isView(v) ? `${v.constructor.name}(${v.length}) [${v.slice(0, 4)}...]` : JSON.stringify(v)?.slice(0, 80));
      console.error(`FAIL ${side} ${name}(${args.map(show).join(", ")}): got ${show(got)}, want ${show(expected)}`);
    }
  }
}
check("nop", [], null);
for (const [a, b] of [[2, 3], [2147483647, 1], [-5, -7]]) check("add", [a, b], ref.add(a, b));
for (const [a, b] of [[7, 2], [-7, 2], [1, 0], [-2147483648, -1], [0, 5]]) check("checked_div", [a, b], ref.checked_div(a, b));
for (const s of ["", "a", SHORT, "héllo wörld 🎉", LONG]) {
  check("str_len", [s], ref.str_len(s));
  check("greet", [s], ref.greet(s));
}
for (const b of [new Uint8Array(0), Uint8Array.of(9), bytes(1000, 3), BYTES]) {
  check("bytes_probe", [b], ref.bytes_probe(b));
  check("bytes_sum", [b], ref.bytes_sum(b));
}
for (const [xs, k] of [[new Float64Array(0), 2], [Float64Array.of(1.5, -2, NaN, Infinity), -0.5], [F64, 1.000001]]) {
  check("scale", [xs, k], ref.scale(xs, k));
}
if (failures) {
  console.error(`${failures} wrong answer(s); not timing`);
  process.exit(1);
}
console.error(`checked: the helper, wasm-bindgen and the hand-lowered calls all give the reference answers`);

// ---- 2./3. Timing
let flip = 0;
const CASES = [
  { call: "nop()", payload: "none", run: (api) => () => api.nop() },
  { call: "add(i32, i32) -> i32", payload: "2 scalars", run: (api) => () => api.add(40, 2) },
  { call: "checked_div(i32, i32) -> Option<i32>", payload: "2 scalars (Some, None alternating)",
    run: (api) => () => api.checked_div(84, (flip ^= 1) * 2) },
  { call: "str_len(&str) -> u32", payload: "18 B string", run: (api) => () => api.str_len(SHORT) },
  { call: "greet(&str) -> String", payload: "18 B string in, 26 B out", run: (api) => () => api.greet(SHORT) },
  { call: "str_len(&str) -> u32", payload: "1 MiB string (ASCII)", bytes: MiB, run: (api) => () => api.str_len(LONG) },
  { call: "bytes_probe(&[u8]) -> u32", payload: "1 MiB Uint8Array (reads 3 bytes)", bytes: MiB,
    run: (api) => () => api.bytes_probe(BYTES) },
  { call: "bytes_sum(&[u8]) -> u32", payload: "1 MiB Uint8Array (reads all)", bytes: MiB, run: (api) => () => api.bytes_sum(BYTES) },
  { call: "scale(&[f64], f64) -> Vec<f64>", payload: "1 MiB Float64Array in, 1 MiB out", bytes: MiB,
    run: (api) => () => api.scale(F64, 0.5) },
];

let sink;
function batch(fn, n) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) sink = fn();
  return Number(process.hrtime.bigint() - t0) / n; // ns per call
}
// Warm-up and calibration: repeat with doubling counts until WARMUP_MS have passed,
// then size the batch for BATCH_MS from the last estimate.
function calibrate(fn) {
  let n = 1, spent = 0, ns = 0;
  while (spent < WARMUP_MS * 1e6) {
    ns = batch(fn, n);
    spent += ns * n;
    n *= 2;
  }
  return Math.max(1, Math.round((BATCH_MS * 1e6) / ns));
}
const fns = CASES.map((c) => SIDES.map(([, api]) => c.run(api)));
const iters = fns.map((pair) => pair.map(calibrate));
const samples = CASES.map(() => SIDES.map(() => []));
for (let r = 0; r < ROUNDS; r++) {
  CASES.forEach((c, i) => {
    const k = (r + i) % SIDES.length;
    const order = SIDES.map((_, s) => (s + k) % SIDES.length); // who goes first rotates
    for (const s of order) samples[i][s].push(batch(fns[i][s], iters[i][s]));
  });
  console.error(`round ${r + 1}/${ROUNDS} done`);
}

// ---- 4. Report
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmtNs = (ns) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e4 ? `${(ns / 1e3).toFixed(1)} µs` : `${ns.toFixed(ns < 100 ? 1 : 0)} ns`);
const spread = (xs, med) => `±${((100 * (Math.max(...xs) - Math.min(...xs))) / 2 / med).toFixed(0)}%`;
const rows = CASES.map((c, i) => {
  const [w, b, h] = samples[i].map(median);
  return { call: c.call, payload: c.payload, bytes: c.bytes || 0, wasmrust_ns: w, bindgen_ns: b, hand_ns: h,
    wasmrust_samples: samples[i][0], bindgen_samples: samples[i][1], hand_samples: samples[i][2], iters: iters[i] };
});
const mbs = (bytes, ns) => (bytes ? `${((bytes / ns) * 1e3).toFixed(0)}` : "");
const cell = (ns, xs) => `${fmtNs(ns)} (${spread(xs, ns)})`;
const lines = [
  "| call | payload | WasmRust, wasmrust.mjs | wasm-bindgen | ratio | WasmRust ABI, hand-lowered JS | ratio | MB/s: wasmrust.mjs / wasm-bindgen / hand |",
  "|---|---|---|---|---|---|---|---|",
];
for (const r of rows) {
  lines.push(`| \`${r.call}\` | ${r.payload} | ${cell(r.wasmrust_ns, r.wasmrust_samples)} | ${cell(r.bindgen_ns, r.bindgen_samples)} | ` +
    `**${(r.wasmrust_ns / r.bindgen_ns).toFixed(2)}** | ${cell(r.hand_ns, r.hand_samples)} | ${(r.hand_ns / r.bindgen_ns).toFixed(2)} | ` +
    (r.bytes ? `${mbs(r.bytes, r.wasmrust_ns)} / ${mbs(r.bytes, r.bindgen_ns)} / ${mbs(r.bytes, r.hand_ns)}` : "") + " |");
}

const size = (buf) => ({ bytes: buf.length, gzip: gzipSync(buf, { level: 9 }).length });
const sigText = Buffer.from(JSON.stringify(SIGS));
const sizes = {
  wasmrust_wasm: size(wasmrustBytes),
  wasmrust_js: size(readFileSync(helperPath)),
  wasmrust_sigs: size(sigText),
  bindgen_wasm: size(readFileSync(bindgenWasm)),
  bindgen_js: size(readFileSync(bindgenJs)),
};
const sizeLines = [
  "| what | WasmRust | wasm-bindgen |",
  "|---|---|---|",
  `| module (.wasm), bytes / gzip -9 | ${sizes.wasmrust_wasm.bytes} / ${sizes.wasmrust_wasm.gzip} | ${sizes.bindgen_wasm.bytes} / ${sizes.bindgen_wasm.gzip} |`,
  `| JS, bytes / gzip -9 | ${sizes.wasmrust_js.bytes} / ${sizes.wasmrust_js.gzip} (wasmrust.mjs, the same file for every module) | ` +
    `${sizes.bindgen_js.bytes} / ${sizes.bindgen_js.gzip} (generated for this module) |`,
  `| signatures the user writes in JS, bytes / gzip -9 | ${sizes.wasmrust_sigs.bytes} / ${sizes.wasmrust_sigs.gzip} (JSON of the 8 descriptions) | 0 (in the glue) |`,
];

console.log(lines.join("\n"));
console.log();
console.log(sizeLines.join("\n"));
if (jsonOut) {
  writeFileSync(jsonOut, JSON.stringify({ rounds: ROUNDS, batch_ms: BATCH_MS, warmup_ms: WARMUP_MS, rows, sizes,
    node: process.version, v8: process.versions.v8 }, null, 1));
}
