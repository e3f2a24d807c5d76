// The stack probe (probe.rs) in node: a recursion deeper than the 64 KiB stack
// traps with an out-of-bounds access (the stack is first in memory, so it
// runs below address 0), V8's own stack is not what stops it, and nothing
// above the stack (static data, heap) changed: memory past the 64 KiB stack
// is byte-identical before and after. The trap leaves the instance's stack
// pointer below 0, so every later call traps too: a host drops the instance.
//   node probe_node_test.mjs PROBE.wasm
import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';

const CANARY = 421306264;
const wasi = new WASI({ version: 'preview1', args: [], env: {}, returnOnExit: true });
const module = new WebAssembly.Module(readFileSync(process.argv[2]));
const instance = new WebAssembly.Instance(module, { wasi_snapshot_preview1: wasi.wasiImport });
wasi.initialize(instance);
const { canary, recurse, memory } = instance.exports;
const STACK = 64 * 1024;

let failed = 0;
function check(name, fn) {
  try {
    fn();
    console.log(`test ${name} ... ok`);
  } catch (e) {
    console.log(`test ${name} ... FAILED\n  ${e.message}`);
    failed++;
  }
}
function eq(got, want) {
  if (got !== want) throw new Error(`expected ${want}, got ${got}`);
}

check('canary before', () => eq(canary(), CANARY));
check('20 frames of 1 KiB (2 KiB unoptimized) fit in 64 KiB', () => eq(recurse(20), 20));
let before;
check('100000 frames trap out of bounds', () => {
  before = new Uint8Array(memory.buffer).slice(STACK);
  try {
    recurse(100000);
  } catch (e) {
    if (!(e instanceof WebAssembly.RuntimeError) || !/out of bounds/.test(e.message)) {
      throw new Error(`expected a RuntimeError (memory access out of bounds), got ${e}`);
    }
    return;
  }
  throw new Error('recurse(100000) returned');
});
check('nothing above the stack changed', () => {
  const after = new Uint8Array(memory.buffer).slice(STACK);
  eq(after.length, before.length);
  const first = after.findIndex((b, i) => b !== before[i]);
  if (first >= 0) throw new Error(`byte ${STACK + first} changed`);
});
check('the instance is unusable: its stack pointer is below 0', () => {
  try {
    canary();
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) return;
    throw e;
  }
  throw new Error('canary() ran on the overflowed instance');
});
console.log(`\ntest result: ${failed ? 'FAILED' : 'ok'}. ${5 - failed} passed; ${failed} failed`);
process.exitCode = failed ? 1 : 0;
