// One thread of a ThreadPool (threads.mjs): for each message, instantiates the module over the
// shared memory, gives the instance its own stack and thread-locals, runs the closure and stores
// its final state (docs/compiler-contract.md, "Threads").
import { THREAD_MODULE } from "./threads.mjs";

const isNode = typeof process !== "undefined" && process.versions != null && process.versions.node != null;
const port = isNode ? (await import("node:worker_threads")).parentPort : self;
const listen = (f) => (isNode ? port.on("message", f) : (self.onmessage = (e) => f(e.data)));

const DONE = 1;
const TRAPPED = 2;

/** Imports for a spawned thread: its memory, no nested threads, and traps for the rest. */
function imports(module, memory, threads) {
  const object = { env: { memory } };
  for (const i of WebAssembly.Module.imports(module)) {
    if (i.kind !== "function") continue;
    object[i.module] ??= {};
    object[i.module][i.name] = () => {
      throw new Error(`wasmrust: import ${i.module}.${i.name} is not available on a spawned thread`);
    };
  }
  object[THREAD_MODULE] = { spawn: () => 1, parallelism: () => threads + 1 };
  return object;
}

listen((message) => {
  if (message === "ping") {
    port.postMessage("pong");
    return;
  }
  const { module, memory, job, busy, slot, threads } = message;
  // Another thread may have grown the memory since this agent last looked: `grow(0)` makes
  // `memory.buffer` cover all of it (a stale view throws out of bounds).
  memory.grow(0);
  const words = new Uint32Array(memory.buffer);
  const [stackLow, stackHigh] = [words[job >>> 2], words[(job >>> 2) + 1]];
  let state = DONE;
  try {
    const ex = new WebAssembly.Instance(module, imports(module, memory, threads)).exports;
    ex.__stack_pointer.value = stackHigh;
    if (ex.__wasm_init_tls) {
      const align = ex.__tls_align.value;
      const tls = Math.ceil(stackLow / align) * align;
      if (tls + ex.__tls_size.value > stackHigh) throw new Error(`thread-locals (${ex.__tls_size.value} bytes) do not fit the thread's stack`);
      ex.__wasm_init_tls(tls);
    }
    ex.wasmrust_thread_start(job);
  } catch (e) {
    state = TRAPPED;
    port.postMessage(`closure at job ${job} trapped: ${e.message}`);
  }
  memory.grow(0);
  Atomics.store(new Int32Array(memory.buffer), (job >>> 2) + 2, state);
  Atomics.store(busy, slot, 0);
});
port.postMessage("ready");
