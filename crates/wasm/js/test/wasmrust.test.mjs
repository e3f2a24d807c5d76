// Tests for ../wasmrust.mjs. Layout tests run anywhere; the end-to-end tests drive a module built
// from fixture.rs by Bazel (`bazel test //crates/wasm/js/test:wasmrust_js_test` sets WASMRUST_FIXTURE).
//   node --test crates/wasm/js/test/
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { ExternRefTable, WasmRust, layout, classOf } from "../wasmrust.mjs";

test("layouts match wasm::abi on wasm32", () => {
  assert.deepEqual(layout({ option: "u8" }), { size: 8, align: 4, off: 4 });
  assert.deepEqual(layout({ option: "f64" }), { size: 16, align: 8, off: 8 });
  assert.deepEqual(layout({ option: "unit" }), { size: 4, align: 4, off: 4 });
  assert.deepEqual(layout({ result: ["unit", "u32"] }), { size: 8, align: 4, off: 4 });
  assert.deepEqual(layout({ result: ["u64", "u8"] }), { size: 16, align: 8, off: 8 });
  assert.equal(layout({ option: { option: "u32" } }).size, 12);
  assert.equal(layout({ option: "string" }).size, 12);
  assert.equal(classOf({ vec: "f32" }), "pair");
  assert.throws(() => classOf("usize"), /unknown type/);
});

test("externref table: null is 0, slots are reused, misuse throws", () => {
  const t = new ExternRefTable();
  const imp = t.imports();
  assert.equal(t.insert(null), 0);
  const f = () => 1;
  const a = t.insert(f);
  const b = imp.clone(a);
  assert.notEqual(a, b);
  assert.equal(imp.eq(a, b), 1);
  assert.equal(imp["is-func"](a), 1);
  imp.drop(a);
  assert.throws(() => imp.drop(a), /not live/);
  assert.equal(t.insert("x"), a, "freed slot is reused");
  assert.equal(t.live, 2);
});

const fixture = process.env.WASMRUST_FIXTURE;

test("end to end against fixture.wasm", { skip: !fixture && "WASMRUST_FIXTURE not set (run it with `bazel test //crates/wasm/js/test:wasmrust_js_test`)" }, async () => {
  const rt = new WasmRust();
  const notes = [];
  const env = rt.importModule(
    {
      upper: { params: ["str"], result: "string" },
      describe: { params: [{ option: "u32" }, { vec: "u8" }], result: { result: ["string", "u32"] } },
      note: { params: ["owned_externref"] },
    },
    {
      upper: (s) => s.toUpperCase(),
      describe: (n, tags) => (n === null ? { err: tags.length } : { ok: `n=${n} tags=${[...tags]}` }),
      note: (v) => notes.push(v),
    },
  );
  const { instance } = await WebAssembly.instantiate(await readFile(fixture), rt.imports({ env }));
  rt.attach(instance);
  const api = rt.bind({
    live_bytes: { params: [], result: "u32" },
    add: { params: ["i32", "i32"], result: "i32" },
    add64: { params: ["u64", "u64"], result: "u64" },
    not: { params: ["bool"], result: "bool" },
    next_char: { params: ["char", "u8"], result: "char" },
    greet: { params: ["str"], result: "string" },
    sum: { params: [{ slice: "f64" }], result: "f64" },
    scale: { params: [{ vec: "f32" }, "f32"], result: { vec: "f32" } },
    parse: { params: ["string"], result: { result: ["u32", "string"] } },
    find: { params: ["str", { option: "string" }], result: { option: "u32" } },
    first_word: { params: ["str"], result: "str" },
    nested: { params: [{ option: { result: ["i64", "bool"] } }], result: { result: [{ option: "i64" }, { vec: "u16" }] } },
    same: { params: ["externref", "externref"], result: "bool" },
    callable: { params: ["externref"], result: "bool" },
    keep: { params: ["externref"], result: "owned_externref" },
    shout: { params: ["str"], result: "string" },
    describe_twice: { params: ["u32"], result: "string" },
    pass_back: { params: ["externref"] },
    call_internal: { params: [], result: "u32" },
  });
  const before = api.live_bytes();

  assert.equal(api.add(2, -5), -3);
  assert.equal(api.add64(2n ** 63n, 2n ** 63n + 1n), 1n);
  assert.equal(api.not(false), true);
  assert.equal(api.next_char("a", 2), "c");
  assert.equal(api.greet("wörld"), "hello, wörld!");
  assert.equal(api.sum([0.5, 1.5, 2]), 4);
  assert.deepEqual([...api.scale(new Float32Array([1, 2.5]), 2)], [2, 5]);
  assert.deepEqual(api.parse(" 42 "), { ok: 42 });
  assert.deepEqual(api.parse("x"), { err: "not a number: x" });
  assert.equal(api.find("haystack", "st"), 3);
  assert.equal(api.find("haystack", null), null);
  assert.equal(api.first_word("borrowed result"), "borrowed");
  assert.deepEqual(api.nested(null), { ok: null });
  assert.deepEqual(api.nested({ ok: -21n }), { ok: -42n });
  assert.deepEqual([...api.nested({ err: true }).err], [1, 2, 3]);
  assert.deepEqual([...api.nested({ err: false }).err], []);

  const obj = {};
  assert.equal(api.same(obj, obj), true);
  assert.equal(api.same(obj, {}), false);
  assert.equal(api.callable(() => 0), true);
  assert.equal(api.callable(obj), false);
  assert.equal(api.keep(obj), obj);
  api.pass_back(obj);
  assert.deepEqual(notes, [obj]);
  assert.equal(rt.refs.live, 0, "borrowed slots are freed after calls, owned ones taken");

  assert.equal(api.shout("hey"), "HEY!!!");
  assert.equal(api.describe_twice(5), "n=5 tags=1,2|4");
  assert.equal(api.call_internal(), 7);
  const withArea = api.live_bytes();
  rt.release(); // the return area the helper keeps for the instance
  assert.equal(api.live_bytes(), before, "every block crossing the ABI was freed exactly once");
  assert.ok(withArea - before <= 64, "only the return area was still held");

  assert.throws(() => api.add(1), /takes 2 arguments/);
});
