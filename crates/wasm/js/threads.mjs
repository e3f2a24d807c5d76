// Threads for modules built with `--config=threads` (`wasm::thread::scope` on host threads), in
// browsers (Web Workers; the page must be cross-origin isolated: COOP/COEP) and node
// (worker_threads). The protocol is in docs/compiler-contract.md, "Threads".
//
//   import { ThreadPool, sharedMemoryFor } from "./threads.mjs";
//   const bytes = new Uint8Array(await (await fetch("app.wasm")).arrayBuffer());
//   const module = await WebAssembly.compile(bytes);
//   const pool = await ThreadPool.create();           // workers start before any call blocks
//   const memory = sharedMemoryFor(bytes);            // the memory the module imports
//   const { instance } = await WebAssembly.instantiate(module,
//     { env: { memory }, ...pool.imports(module, memory), ...otherImports });
//
// Workers start ahead of time because a browser's main thread that waits for a join cannot
// also start a worker. A closure runs on an idle worker; when none is idle, or when a closure
// spawns from a worker, `spawn` answers "no thread" and the crate runs the closure on the
// caller. On a worker, the module's other imports trap with the import's name.

export const THREAD_MODULE = "wasmrust:thread";

/** Reads an unsigned LEB128 at `at`; returns [value, next offset]. */
function leb(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) return [value, at];
  }
}

/**
 * The memory a module imports, from its bytes: `{ module, name, initial, maximum, shared }` (in
 * pages), or null when it imports none. (`WebAssembly.Module.imports` does not give limits.)
 */
export function memoryImport(bytes) {
  const name = (at) => {
    const [len, start] = leb(bytes, at);
    return [new TextDecoder().decode(bytes.subarray(start, start + len)), start + len];
  };
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at];
    const [size, body] = leb(bytes, at + 1);
    if (id === 2) {
      let [count, p] = leb(bytes, body);
      for (; count > 0; count--) {
        let module, field, kind;
        [module, p] = name(p);
        [field, p] = name(p);
        kind = bytes[p++];
        if (kind === 0) [, p] = leb(bytes, p);
        else if (kind === 1) { p++; const flags = bytes[p++]; [, p] = leb(bytes, p); if (flags & 1) [, p] = leb(bytes, p); }
        else if (kind === 3) p += 2;
        else if (kind === 4) { p++; [, p] = leb(bytes, p); }
        else if (kind === 2) {
          const flags = bytes[p++];
          let initial, maximum;
          [initial, p] = leb(bytes, p);
          if (flags & 1) [maximum, p] = leb(bytes, p);
          return { module, name: field, initial, maximum, shared: (flags & 2) !== 0 };
        } else throw new Error(`wasmrust: unknown import kind ${kind} for ${module}.${field}`);
      }
      return null;
    }
    at = body + size;
  }
  return null;
}

/** A fresh memory of the kind the module in `bytes` imports (shared for threaded modules). */
export function sharedMemoryFor(bytes) {
  const m = memoryImport(bytes);
  if (m === null) throw new Error("wasmrust: the module imports no memory; was it built with --config=threads?");
  return new WebAssembly.Memory({ initial: m.initial, maximum: m.maximum, shared: m.shared });
}

const isNode = typeof process !== "undefined" && process.versions != null && process.versions.node != null;

/**
 * Starts one worker and resolves once messages flow both ways: Chromium may hold a first message
 * to a worker until the sender's thread is idle, which a thread waiting for a join never is.
 */
async function startWorker() {
  const url = new URL("./thread-worker.mjs", import.meta.url);
  let worker;
  let next;
  if (isNode) {
    const { Worker } = await import("node:worker_threads");
    worker = new Worker(url);
    worker.unref();
    next = () => new Promise((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    });
  } else {
    worker = new Worker(url, { type: "module" });
    next = () => new Promise((resolve, reject) => {
      worker.onmessage = (e) => resolve(e.data);
      worker.onerror = (e) => reject(new Error(`wasmrust: thread worker failed to start: ${e.message}`));
    });
  }
  await next(); // "ready"
  const pong = next();
  worker.postMessage("ping");
  await pong;
  if (isNode) worker.on("message", (m) => worker.onmessage?.({ data: m }));
  else worker.onmessage = null;
  return worker;
}

/** Workers that run spawned closures of threaded modules. */
export class ThreadPool {
  /**
   * Starts `size` workers. The default is one per core but the caller's: a caller with no free
   * worker runs the closure itself (and spins while it joins), so more workers would only share
   * cores.
   */
  static async create(size) {
    const cores = isNode ? (await import("node:os")).availableParallelism() : globalThis.navigator?.hardwareConcurrency;
    const n = size ?? Math.max(1, (cores || 2) - 1);
    if (typeof SharedArrayBuffer === "undefined") {
      throw new Error("wasmrust: threads need SharedArrayBuffer; serve the page with `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`");
    }
    return new ThreadPool(await Promise.all(Array.from({ length: n }, startWorker)));
  }

  constructor(workers) {
    this.workers = workers;
    // 1 while a worker runs a closure; workers clear their own slot.
    this.busy = new Int32Array(new SharedArrayBuffer(4 * workers.length));
    this.failures = [];
    for (const w of workers) {
      w.onmessage = (e) => this.failures.push(e.data);
    }
  }

  /** How many workers run closures. */
  get size() {
    return this.workers.length;
  }

  /** The `wasmrust:thread` imports for one instance of `module` over `memory`. */
  imports(module, memory) {
    return {
      [THREAD_MODULE]: {
        spawn: (job) => {
          for (let i = 0; i < this.workers.length; i++) {
            if (Atomics.compareExchange(this.busy, i, 0, 1) === 0) {
              this.workers[i].postMessage({ module, memory, job, busy: this.busy, slot: i, threads: this.size });
              return 0;
            }
          }
          return 1;
        },
        parallelism: () => this.size + 1, // the workers and the caller
      },
    };
  }

  /** Stops the workers. */
  terminate() {
    for (const w of this.workers) w.terminate();
  }
}
