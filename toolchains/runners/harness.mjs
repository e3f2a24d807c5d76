// The JS side of the `wasm_test` harness ABI (crates/wasm-test), shared by
// the node runner and the page the Chromium runner serves. It enumerates a
// test module's tests, runs each in a fresh instance and prints what libtest
// prints, so `bazel test` output reads the same on every host.

import { THREAD_MODULE, ThreadPool, sharedMemoryFor } from '../../crates/wasm/js/threads.mjs';

const SHOULD_PANIC = 1;
const IGNORE = 2;

/** libtest's selection arguments: `[FILTER...] [--exact] [--ignored | --include-ignored]`. */
export function parseArgs(argv) {
  const opts = { filters: [], exact: false, ignored: false, includeIgnored: false };
  for (const arg of argv) {
    if (arg === '--exact') opts.exact = true;
    else if (arg === '--ignored') opts.ignored = true;
    else if (arg === '--include-ignored') opts.includeIgnored = true;
    else if (arg.startsWith('-')) throw new Error(`unknown option \`${arg}\` (supported: --exact, --ignored, --include-ignored, FILTER)`);
    else opts.filters.push(arg);
  }
  return opts;
}

function readString(memory, ptr, len) {
  // `slice`: TextDecoder refuses views of a shared memory (threaded modules).
  return new TextDecoder('utf-8').decode(new Uint8Array(memory.buffer, ptr, len).slice());
}

/**
 * Runs the tests of `module` (a compiled WebAssembly.Module, from `bytes`).
 *   imports(state): extra import modules (WASI, ...); `state.instance` is
 *                   set once the instance exists.
 *   afterInstantiate(instance, state): e.g. WASI's `initialize`.
 *   captured(state): output the test wrote (stdout/stderr), shown on failure.
 *   print(line): where libtest-style lines go.
 * Returns the exit code: 0 when every selected test passed, else 101.
 */
export async function runTests(module, { bytes, opts, print, imports = () => ({}), afterInstantiate = () => {}, captured = () => '' }) {
  const exportNames = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  for (const name of ['wasmrust-test-count', 'wasmrust-test-name', 'wasmrust-test-flags', 'wasmrust-test-run', 'memory']) {
    if (!exportNames.has(name)) {
      throw new Error(`the module exports no \`${name}\`: is it built by wasm_test from sources that invoke \`wasm_test::tests!\`?`);
    }
  }

  // Threaded modules (`--config=threads`) get workers, and each instance a fresh shared memory.
  const threaded = WebAssembly.Module.imports(module).some((i) => i.module === THREAD_MODULE);
  const pool = threaded ? await ThreadPool.create() : null;

  async function instantiate() {
    const state = { instance: null, panic: null };
    const threads = {};
    if (pool) {
      const memory = sharedMemoryFor(bytes);
      Object.assign(threads, { env: { memory }, ...pool.imports(module, memory) });
    }
    const importObject = {
      ...imports(state),
      ...threads,
      $root: {
        'report-panic': (ptr, len) => {
          state.panic = readString(state.instance.exports.memory, ptr, len);
        },
      },
    };
    state.instance = await WebAssembly.instantiate(module, importObject);
    afterInstantiate(state.instance, state);
    return state;
  }

  const first = (await instantiate()).instance.exports;
  const tests = [];
  const count = first['wasmrust-test-count']();
  for (let i = 0; i < count; i++) {
    const area = first['wasmrust-test-name'](i);
    const [ptr, len] = new Uint32Array(first.memory.buffer, area, 2);
    tests.push({ index: i, name: readString(first.memory, ptr, len), flags: first['wasmrust-test-flags'](i) });
  }
  tests.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const selected = tests.filter((t) =>
    opts.filters.length === 0 || opts.filters.some((f) => (opts.exact ? t.name === f : t.name.includes(f))));
  const filteredOut = tests.length - selected.length;

  print('');
  print(`running ${selected.length} test${selected.length === 1 ? '' : 's'}`);
  const failures = [];
  let passed = 0;
  let ignored = 0;
  for (const t of selected) {
    const isIgnored = (t.flags & IGNORE) !== 0;
    if ((isIgnored && !opts.ignored && !opts.includeIgnored) || (!isIgnored && opts.ignored)) {
      print(`test ${t.name} ... ignored`);
      ignored++;
      continue;
    }
    const state = await instantiate();
    let failure = null;
    try {
      state.instance.exports['wasmrust-test-run'](t.index);
      if (t.flags & SHOULD_PANIC) failure = 'note: test did not panic as expected';
    } catch (e) {
      if (!(e instanceof WebAssembly.RuntimeError)) throw e;
      if (!(t.flags & SHOULD_PANIC)) {
        failure = state.panic !== null ? state.panic : `trapped: ${e.message}`;
      }
    }
    if (failure === null) {
      print(`test ${t.name} ... ok`);
      passed++;
    } else {
      print(`test ${t.name} ... FAILED`);
      failures.push({ name: t.name, why: failure, output: captured(state) });
    }
  }
  if (failures.length > 0) {
    print('');
    print('failures:');
    print('');
    for (const f of failures) {
      print(`---- ${f.name} ----`);
      if (f.output) print(f.output.trimEnd());
      print(f.why);
      print('');
    }
    print('failures:');
    for (const f of failures) print(`    ${f.name}`);
  }
  if (pool) {
    for (const f of pool.failures) print(`note: ${f}`);
    pool.terminate();
  }
  const status = failures.length === 0 ? 'ok' : 'FAILED';
  print('');
  print(`test result: ${status}. ${passed} passed; ${failures.length} failed; ${ignored} ignored; 0 measured; ${filteredOut} filtered out`);
  print('');
  return failures.length === 0 ? 0 : 101;
}

/** libtest arguments plus Bazel's `--test_filter` (TESTBRIDGE_TEST_ONLY). */
export function selection(argv, env) {
  const opts = parseArgs(argv);
  if (env.TESTBRIDGE_TEST_ONLY) opts.filters.push(env.TESTBRIDGE_TEST_ONLY);
  return opts;
}
