// Times benchmarks/threads/kernel.rs's `work` sequentially and on threads (crates/wasm/js/
// threads.mjs: worker_threads), in one instance of one threaded module, and prints a markdown
// table. A checksum that differs between the two stops the run.
//   node bench.mjs MODULE.wasm [ROUNDS]
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { ThreadPool, sharedMemoryFor } from '../../crates/wasm/js/threads.mjs';

const [path, roundsArg] = process.argv.slice(2);
const rounds = Number(roundsArg || 20_000_000);
const REPEATS = 5;
const bytes = readFileSync(path);
const module = new WebAssembly.Module(bytes);
const pool = await ThreadPool.create();
const memory = sharedMemoryFor(bytes);
const { exports } = new WebAssembly.Instance(module, { env: { memory }, ...pool.imports(module, memory) });

/** The median wall time of `REPEATS` calls, in ms, and the call's result. */
function time(chunks, threaded) {
  const times = [];
  let result;
  for (let i = 0; i < REPEATS; i++) {
    const t0 = process.hrtime.bigint();
    result = exports.work(chunks, rounds, threaded) >>> 0;
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return [times[REPEATS >> 1], result];
}

console.log(`node ${process.versions.node}; ${availableParallelism()} cores; pool of ${pool.size} workers; ` +
  `wasm::thread::available_parallelism() = ${exports.parallelism()}; ${rounds} rounds per chunk; median of ${REPEATS}`);
console.log('');
console.log('| chunks | sequential (ms) | threads (ms) | speed-up |');
console.log('|---|---|---|---|');
for (const chunks of [1, 2, 4, 8]) {
  const [seq, a] = time(chunks, 0);
  const [par, b] = time(chunks, 1);
  if (a !== b) throw new Error(`checksums differ for ${chunks} chunks: sequential ${a}, threads ${b}`);
  console.log(`| ${chunks} | ${seq.toFixed(1)} | ${par.toFixed(1)} | ${(seq / par).toFixed(2)}x |`);
}
pool.terminate();
