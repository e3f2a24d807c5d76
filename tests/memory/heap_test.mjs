// heap_test.mjs: proves in node that `wasm::alloc::Heap` uses the initial memory before growing,
// grows only by the pages a workload needs, and does not keep growing over repeated cycles, for
// the node (wasm32-wasip1) and browser (wasm32-unknown-unknown) profiles. The same workload on
// std's default allocator (dlmalloc) is printed for comparison, not checked.
// On the embedded profile (no std, 4 pages at most) it runs a Vec workload next to a bump
// allocator that never frees.
// Usage: node heap_test.mjs HEAP_NODE DLMALLOC_NODE HEAP_BROWSER DLMALLOC_BROWSER HEAP_EMBEDDED BUMP_EMBEDDED
import { readFileSync } from "node:fs";
import { argv, exit } from "node:process";
import { WASI } from "node:wasi";

const PAGE = 65536;
const CYCLES = 100;
// cycle(items, len): about items * 2 * len bytes allocated, two thirds of them live at the end.
const SMALL = [12, 1024]; // ~15 KiB live: fits the tail of the initial memory
const LARGE = [300, 4096]; // ~1.4 MiB live: needs to grow

async function load(path) {
  const module = await WebAssembly.compile(readFileSync(path));
  const wasi = WebAssembly.Module.imports(module).length
    ? new WASI({ version: "preview1", args: [], env: { WASMRUST_HEAP_TEST: "1" } })
    : null;
  const instance = await WebAssembly.instantiate(module, wasi ? wasi.getImportObject() : {});
  if (wasi) wasi.initialize(instance);
  const x = instance.exports;
  return { x, pages: () => x.memory.buffer.byteLength / PAGE };
}

// Runs the small workload, then the large one, CYCLES times each; returns the page counts.
function run(m) {
  const r = { initial: m.pages(), base: m.x.heap_base(), sums: [] };
  for (let i = 0; i < CYCLES; i++) r.sums.push(m.x.cycle(...SMALL));
  r.small = m.pages();
  r.smallPeak = m.x.peak_live();
  r.sums.push(m.x.cycle(...LARGE));
  r.largeFirst = m.pages();
  r.high = m.x.high_water();
  for (let i = 1; i < CYCLES; i++) r.sums.push(m.x.cycle(...LARGE));
  r.large = m.pages();
  r.largePeak = m.x.peak_live();
  return r;
}

let passed = 0;
let failed = 0;
function check(name, ok, detail) {
  console.log(`test ${name} ... ${ok ? "ok" : "FAILED"}`);
  if (ok) passed++;
  else {
    failed++;
    console.log(`    ${detail}`);
  }
}

const [heapNode, dlNode, heapBrowser, dlBrowser, heapEmbedded, bumpEmbedded] = argv.slice(2);
const rows = [];
for (const [profile, heapPath, dlPath] of [["node", heapNode, dlNode], ["browser", heapBrowser, dlBrowser]]) {
  const h = run(await load(heapPath));
  const dl = run(await load(dlPath));
  rows.push([`${profile} wasm::alloc::Heap`, h], [`${profile} dlmalloc (std)`, dl]);
  const tail = h.initial * PAGE - h.base;
  check(
    `${profile}_small_workload_stays_in_the_initial_memory`,
    h.smallPeak > 0 && h.smallPeak < tail && h.small === h.initial,
    `peak live ${h.smallPeak} B, tail ${tail} B: ${h.initial} -> ${h.small} pages`,
  );
  // Memory ends in the page that holds the highest byte the heap handed out: no spare pages.
  check(
    `${profile}_large_workload_grows_by_the_pages_it_needs`,
    h.largeFirst > h.initial && h.largeFirst === Math.ceil(h.high / PAGE),
    `${h.initial} -> ${h.largeFirst} pages; highest allocated byte ${h.high}`,
  );
  // The heap spans at most 1.25 x the peak live bytes: 4 B per block plus the holes that
  // shrink_to_fit leaves between blocks (later blocks reuse them; dlmalloc has the same).
  check(
    `${profile}_large_workload_packs_within_1.25x`,
    h.high - h.base <= 1.25 * h.largePeak,
    `heap spans ${h.high - h.base} B for a peak of ${h.largePeak} B live`,
  );
  check(
    `${profile}_large_workload_does_not_grow_over_${CYCLES}_cycles`,
    h.large === h.largeFirst,
    `${h.largeFirst} pages after the first cycle, ${h.large} after ${CYCLES}`,
  );
  check(
    `${profile}_same_results_with_both_allocators`,
    h.sums.every((s, i) => s === dl.sums[i]),
    "checksums differ",
  );
}

// On WASI, C's malloc family comes from the same heap (wasi-libc's dlmalloc would also start at
// __heap_base); the module exports it, so call it directly and through libc (the environment).
{
  const m = await load(heapNode);
  const x = m.x;
  const before = m.pages();
  const sum = x.cycle(...SMALL);
  const bytes = () => new Uint8Array(x.memory.buffer);
  const p = x.malloc(100);
  bytes().fill(7, p, p + 100);
  const q = x.realloc(p, 5000);
  const z = x.calloc(100, 10);
  const zeroed = bytes().subarray(z, z + 1000).every((b) => b === 0);
  const kept = bytes().subarray(q, q + 100).every((b) => b === 7);
  const env = x.env_len();
  x.free(q);
  x.free(z);
  check(
    "node_c_malloc_uses_the_same_heap",
    p >= x.heap_base() && p % 16 === 0 && kept && zeroed && x.malloc_usable_size(z) >= 1000 &&
      env === 1 && x.cycle(...SMALL) === sum && m.pages() === before,
    `malloc ${p}, realloc ${q} (kept ${kept}), calloc ${z} (zeroed ${zeroed}), env ${env}, ` +
      `${before} -> ${m.pages()} pages`,
  );
}

// Embedded: squares(n) pushes n u32s into a Vec (16 KB for n = 4000) and sums their squares.
const N = 4000;
let expected = 0;
for (let i = 0; i < N; i++) expected = (expected + Math.imul(i, i)) | 0;
const runSquares = (m) => {
  const r = { initial: m.pages(), cycles: 0, ok: true };
  try {
    for (; r.cycles < CYCLES; r.cycles++) r.ok &&= m.x.squares(N) === expected;
  } catch {
    r.trapped = true; // out of memory: the allocator returned null
  }
  r.pages = m.pages();
  return r;
};
const e = runSquares(await load(heapEmbedded));
const bump = runSquares(await load(bumpEmbedded));
check(
  `embedded_workload_stays_in_the_initial_memory_over_${CYCLES}_cycles`,
  e.ok && !e.trapped && e.cycles === CYCLES && e.pages === e.initial,
  `${e.cycles} cycles, ${e.initial} -> ${e.pages} pages, ${e.trapped ? "trapped" : "ok"}`,
);

const [, h] = rows[0];
console.log(`workloads: small cycle(${SMALL}) peak live ${h.smallPeak} B; large cycle(${LARGE}) peak live ${h.largePeak} B`);
console.log("memory pages                  heap_base  initial  small x100  large x1  large x100");
for (const [name, r] of rows) {
  const cols = [r.initial, r.small, r.largeFirst, r.large].map((n) => String(n).padStart(9)).join(" ");
  console.log(`${name.padEnd(28)}${String(r.base).padStart(9)} ${cols}`);
}
console.log(
  `embedded squares(${N}) x${CYCLES}: Heap ${e.initial} -> ${e.pages} pages; ` +
    `bump ${bump.initial} -> ${bump.pages} pages, ` +
    (bump.trapped ? `out of memory in cycle ${bump.cycles + 1}` : `${bump.cycles} cycles`),
);
console.log(`${passed} passed, ${failed} failed`);
exit(failed ? 1 : 0);
