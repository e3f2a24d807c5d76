// Checks the release policy on a browser-profile module (tests/release/policy.rs).
// Usage: node policy_test.mjs MODULE.wasm dev|release|messages
//   dev       dev build: panics carry their message
//   release   `--config=release`: panics trap with no message in the module,
//             and the linker's `__data_end`/`__heap_base` exports are gone
//   messages  release with `--//platforms:panic_messages`: messages kept
// In every mode the profile's allocator (`wasm::alloc::Heap`) serves the first
// allocations from the initial memory, so they do not grow it (std's dlmalloc
// would: it only takes memory through `memory.grow`).
import { readFileSync } from "node:fs";
import assert from "node:assert/strict";

const [file, mode] = process.argv.slice(2);
assert.ok(["dev", "release", "messages"].includes(mode), `unknown mode ${mode}`);
const bytes = readFileSync(file);
const text = bytes.toString("latin1");
let failures = 0;
function check(name, f) {
  try {
    f();
    console.log(`ok: ${name}`);
  } catch (e) {
    failures++;
    console.log(`FAILED: ${name}\n  ${e.message.split("\n").join("\n  ")}`);
  }
}

const module = new WebAssembly.Module(bytes);
const exports = WebAssembly.Module.exports(module).map((e) => e.name).sort();
const { exports: m } = new WebAssembly.Instance(module, {});

check("the module computes", () => {
  assert.equal(m.nth(3), 7);
  assert.equal(m.divide(12, 4), 3);
});

check("a bounds-check panic traps", () => assert.throws(() => m.nth(4), WebAssembly.RuntimeError));
check("an `expect` panic traps", () => assert.throws(() => m.divide(1, 0), WebAssembly.RuntimeError));

const keeps = mode !== "release";
check(`the panic message is ${keeps ? "in" : "not in"} the module`, () => {
  assert.equal(text.includes("policy: the divisor is zero"), keeps);
});

check("exports", () => {
  const expected = ["divide", "fill", "memory", "nth"];
  if (mode === "dev") expected.push("__data_end", "__heap_base");
  assert.deepEqual(exports, expected.sort());
});

check("the first allocations use the initial memory", () => {
  const before = m.memory.buffer.byteLength;
  for (let i = 0; i < 100; i++) assert.equal(m.fill(1000), 1000);
  assert.equal(m.memory.buffer.byteLength, before, "memory grew");
});

if (failures) {
  console.log(`${failures} failed`);
  process.exit(1);
}
