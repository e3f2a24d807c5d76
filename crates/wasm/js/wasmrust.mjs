// wasmrust.mjs — host glue for modules built with the `wasm` crate (node and browsers).
//
// A plain ES module with no dependencies. It provides:
//   - ExternRefTable: the slot table behind `wasm::ExternRef` (imports of "wasmrust:externref/table");
//   - WasmRust: calls `#[wasm::export]` functions and implements `#[wasm::import]` functions from a
//     signature description, following the ABI documented in the `wasm::abi` Rust module.
//
// Signature description: { params: [Type...], result: Type } with Type one of
//   "i8" "u8" "i16" "u16" "i32" "u32" "char" "bool" "f32" "f64"   -> Number / Boolean / 1-char String
//   "i64" "u64"                                                    -> BigInt
//   "str" (&str, borrowed)  "string" (String, owned)               -> String
//   { slice: Elem } (&[T], SharedSlice<T>)  { vec: Elem } (Vec<T>)  -> TypedArray (arrays accepted as input)
//   { option: Type }                                                -> value or null
//   { result: [Type, Type] }                                        -> { ok: value } or { err: value }
//   "externref" (ExternRef, borrowed)  "owned_externref" (OwnedExternRef) -> any JS value (null for none)
//   "unit" (result only: nothing)
// Elem is one of "u8" "i8" "u16" "i16" "u32" "i32" "u64" "i64" "f32" "f64".
//
// Example:
//   const rt = new WasmRust();
//   const { instance } = await WebAssembly.instantiate(bytes, rt.imports());
//   rt.attach(instance);
//   const api = rt.bind({ greet: { params: ["str", "u32"], result: "string" } });
//   api.greet("wasm", 2);
//   rt.release(); // frees the return area the helper keeps in the instance (leak checks)
//
// `bind` reads each signature once and returns a function per export: all-scalar signatures call
// the export directly, strings are encoded straight into memory, and results go through one
// return area reused for the instance.

const HOLE = Symbol("free slot");

/** The core import module of `wasm::ExternRef`'s slot table (`wasm::externref::IMPORT_MODULE`). */
export const EXTERNREF_MODULE = "wasmrust:externref/table";

/** The host table behind ExternRef: slot 0 is null, live slots hold JS values. */
export class ExternRefTable {
  constructor() {
    this.slots = [null];
    this.freeList = [];
  }
  /** Puts a value in a new slot and returns its index (0 for null/undefined). */
  insert(value) {
    if (value === null || value === undefined) return 0;
    const i = this.freeList.length ? this.freeList.pop() : this.slots.length;
    this.slots[i] = value;
    return i;
  }
  /** The value in slot `i` (null for 0). Throws on a free or unknown slot. */
  get(i) {
    if (i === 0) return null;
    if (!(i > 0 && i < this.slots.length) || this.slots[i] === HOLE) {
      throw new RangeError(`wasmrust: externref slot ${i} is not live`);
    }
    return this.slots[i];
  }
  /** Frees slot `i` (no-op for 0). */
  remove(i) {
    this.get(i);
    if (i === 0) return;
    this.slots[i] = HOLE;
    this.freeList.push(i);
  }
  /** Takes the value out of slot `i`, freeing it. */
  take(i) {
    const v = this.get(i);
    this.remove(i);
    return v;
  }
  /** Number of live slots (for leak checks). */
  get live() {
    return this.slots.length - 1 - this.freeList.length;
  }
  /** The "wasmrust:externref/table" import module (EXTERNREF_MODULE). */
  imports() {
    return {
      drop: (i) => this.remove(i),
      clone: (i) => this.insert(this.get(i)),
      eq: (a, b) => (Object.is(this.get(a), this.get(b)) ? 1 : 0),
      "is-func": (i) => (typeof this.get(i) === "function" ? 1 : 0),
    };
  }
}

const ELEMS = {
  u8: [Uint8Array, 1], i8: [Int8Array, 1], u16: [Uint16Array, 2], i16: [Int16Array, 2],
  u32: [Uint32Array, 4], i32: [Int32Array, 4], u64: [BigUint64Array, 8], i64: [BigInt64Array, 8],
  f32: [Float32Array, 4], f64: [Float64Array, 8],
};
const SCALAR32 = new Set(["i8", "u8", "i16", "u16", "i32", "u32", "char", "bool", "externref", "owned_externref"]);
// Scalars whose JS value is the core value as is (as arguments; results may still need `fromCore`).
const PLAIN_ARGS = new Set(["i8", "u8", "i16", "u16", "i32", "u32", "f32", "f64"]);
// One encoder and decoder for every call (creating them costs more than a short string's copy).
const ENCODER = new TextEncoder();
const DECODER = new TextDecoder("utf-8", { fatal: true });
// The return area kept per instance for results up to this size (larger ones get their own block).
const AREA_SIZE = 64;
const AREA_ALIGN = 8;
const roundUp = (n, a) => Math.ceil(n / a) * a;

/** "scalar" (one core value), "pair" (ptr, len) or "indirect" (pointer to the memory encoding). */
export function classOf(t) {
  if (typeof t === "string") {
    if (t === "str" || t === "string") return "pair";
    if (t === "unit") return "unit";
    if (SCALAR32.has(t) || t === "i64" || t === "u64" || t === "f32" || t === "f64") return "scalar";
  } else if (t && (t.slice || t.vec)) return "pair";
  else if (t && (t.option !== undefined || t.result)) return "indirect";
  throw new TypeError(`wasmrust: unknown type ${JSON.stringify(t)}`);
}

/** Size and alignment of the memory encoding (wasm32: pointers are 4 bytes). */
export function layout(t) {
  if (t === "unit") return { size: 0, align: 1 };
  if (t === "i64" || t === "u64" || t === "f64") return { size: 8, align: 8 };
  if (SCALAR32.has(t) || t === "f32") return { size: 4, align: 4 };
  if (classOf(t) === "pair") return { size: 8, align: 4 };
  const payloads = t.option !== undefined ? [t.option] : t.result;
  const ls = payloads.map(layout);
  const pa = Math.max(...ls.map((l) => l.align));
  const align = Math.max(4, pa);
  const off = roundUp(4, pa);
  return { size: roundUp(off + Math.max(...ls.map((l) => l.size)), align), align, off };
}

const elemOf = (t) => {
  const e = ELEMS[t.slice || t.vec];
  if (!e) throw new TypeError(`wasmrust: unknown element type ${t.slice || t.vec}`);
  return e;
};

/** Calls exports and implements imports of one instance. */
export class WasmRust {
  constructor() {
    this.refs = new ExternRefTable();
    this.exports = null;
    this.buffer = null; // the memory buffer `dataView` views; a grown memory has a new one
    this.dataView = null;
    this.area = 0; // the reused return area, allocated on first use
  }

  /** The import object: "wasmrust:externref/table" plus `extra` modules. */
  imports(extra = {}) {
    return { [EXTERNREF_MODULE]: this.refs.imports(), ...extra };
  }

  /** Binds to an instance (needs exports `memory`, `wasmrust_alloc`, `wasmrust_free`). */
  attach(instance) {
    this.exports = instance.exports;
    this.buffer = this.dataView = null;
    this.area = 0;
    return this;
  }

  /** Frees what the helper keeps in the instance (the return area); calls after this still work. */
  release() {
    if (this.area !== 0) this.free(this.area, AREA_SIZE, AREA_ALIGN);
    this.area = 0;
  }

  /** A DataView of memory, made again only after the memory grew. */
  view() {
    const buffer = this.exports.memory.buffer;
    if (buffer !== this.buffer) {
      this.buffer = buffer;
      this.dataView = new DataView(buffer);
    }
    return this.dataView;
  }
  alloc(size, align) {
    return this.exports.wasmrust_alloc(size, align) >>> 0;
  }
  free(ptr, size, align) {
    this.exports.wasmrust_free(ptr, size, align);
  }

  /** Copies bytes of a string/slice into a fresh block; returns [ptr, len, block size, align]. */
  writeBuffer(t, value) {
    let bytes, len, align;
    if (t === "str" || t === "string") {
      // Encode straight into memory: a block of one byte per UTF-16 unit is exact for ASCII
      // (what the module then owns, for `string`); otherwise encode first and copy.
      const ptr = this.alloc(value.length, 1);
      const { read, written } = ENCODER.encodeInto(value, new Uint8Array(this.exports.memory.buffer, ptr, value.length));
      if (read === value.length) return [ptr, written, value.length, 1];
      this.free(ptr, value.length, 1);
      bytes = ENCODER.encode(value);
      len = bytes.length;
      align = 1;
    } else {
      const [Ctor, size] = elemOf(t);
      const arr = value instanceof Ctor ? value : Ctor.from(value);
      bytes = new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
      len = arr.length;
      align = size;
    }
    const ptr = this.alloc(bytes.length, align);
    new Uint8Array(this.exports.memory.buffer, ptr, bytes.length).set(bytes);
    return [ptr, len, bytes.length, align];
  }

  /** Copies a string/slice out of memory; frees it if `owned`. */
  readBuffer(t, ptr, len, owned) {
    let value, bytes, align;
    if (t === "str" || t === "string") {
      const buffer = this.exports.memory.buffer;
      const view = new Uint8Array(buffer, ptr, len);
      // TextDecoder refuses views of a shared memory (threaded modules): copy those first.
      value = DECODER.decode(buffer instanceof ArrayBuffer ? view : view.slice());
      bytes = len;
      align = 1;
    } else {
      const [Ctor, size] = elemOf(t);
      value = new Ctor(this.exports.memory.buffer.slice(ptr, ptr + len * size));
      bytes = len * size;
      align = size;
    }
    if (owned) this.free(ptr, bytes, align);
    return value;
  }

  isOwned(t) {
    return t === "string" || (t && t.vec !== undefined) || t === "owned_externref";
  }

  /** A JS value to one core value. `cleanup` collects what to release after a call. */
  toCore(t, v, cleanup) {
    switch (t) {
      case "bool": return v ? 1 : 0;
      case "char": return v.codePointAt(0);
      case "i64": case "u64": return BigInt.asIntN(64, BigInt(v));
      case "externref": { const i = this.refs.insert(v); cleanup.push(() => this.refs.remove(i)); return i; }
      case "owned_externref": return this.refs.insert(v);
      default: return v;
    }
  }

  /** One core value to a JS value. */
  fromCore(t, c) {
    switch (t) {
      case "bool": return c !== 0;
      case "char": return String.fromCodePoint(c);
      case "u8": return c & 0xff;
      case "u16": return c & 0xffff;
      case "u32": return c >>> 0;
      case "u64": return BigInt.asUintN(64, c);
      case "externref": return this.refs.get(c);
      case "owned_externref": return this.refs.take(c);
      default: return c;
    }
  }

  /** Writes `v` of type `t` at `addr` in the memory encoding. */
  store(t, v, addr, cleanup) {
    const cls = classOf(t);
    if (cls === "unit") return;
    if (cls === "pair") {
      const [ptr, len, bytes, align] = this.writeBuffer(t, v);
      if (!this.isOwned(t)) cleanup.push(() => this.free(ptr, bytes, align));
      const dv = this.view();
      dv.setUint32(addr, ptr, true);
      dv.setUint32(addr + 4, len, true);
      return;
    }
    if (cls === "indirect") {
      const { off } = layout(t);
      if (t.option !== undefined) {
        const some = v !== null && v !== undefined;
        this.view().setUint32(addr, some ? 1 : 0, true);
        if (some) this.store(t.option, v, addr + off, cleanup);
      } else {
        const isErr = v && "err" in v;
        this.view().setUint32(addr, isErr ? 1 : 0, true);
        this.store(t.result[isErr ? 1 : 0], isErr ? v.err : v.ok, addr + off, cleanup);
      }
      return;
    }
    const c = this.toCore(t, v, cleanup);
    const dv = this.view();
    if (t === "f32") dv.setFloat32(addr, c, true);
    else if (t === "f64") dv.setFloat64(addr, c, true);
    else if (t === "i64" || t === "u64") dv.setBigInt64(addr, c, true);
    else dv.setInt32(addr, c, true);
  }

  /** Reads a value of type `t` at `addr`; owned buffers and handles are taken (freed/removed). */
  load(t, addr) {
    const cls = classOf(t);
    if (cls === "unit") return undefined;
    const dv = this.view();
    if (cls === "pair") return this.readBuffer(t, dv.getUint32(addr, true), dv.getUint32(addr + 4, true), this.isOwned(t));
    if (cls === "indirect") {
      const tag = dv.getUint32(addr, true);
      if (tag > 1) throw new RangeError(`wasmrust: invalid variant tag ${tag}`);
      const { off } = layout(t);
      if (t.option !== undefined) return tag === 0 ? null : this.load(t.option, addr + off);
      return tag === 0 ? { ok: this.load(t.result[0], addr + off) } : { err: this.load(t.result[1], addr + off) };
    }
    if (t === "f32") return dv.getFloat32(addr, true);
    if (t === "f64") return dv.getFloat64(addr, true);
    if (t === "i64" || t === "u64") return this.fromCore(t, dv.getBigInt64(addr, true));
    return this.fromCore(t, dv.getInt32(addr, true));
  }

  /** Lowers JS arguments to core arguments; returns [coreArgs, cleanup]. */
  lowerArgs(types, values) {
    const core = [];
    const cleanup = [];
    types.forEach((t, i) => {
      const v = values[i];
      const cls = classOf(t);
      if (cls === "scalar") core.push(this.toCore(t, v, cleanup));
      else if (cls === "pair") {
        const [ptr, len, bytes, align] = this.writeBuffer(t, v);
        if (!this.isOwned(t)) cleanup.push(() => this.free(ptr, bytes, align));
        core.push(ptr, len);
      } else {
        const { size, align } = layout(t);
        const area = this.alloc(size, align);
        cleanup.push(() => this.free(area, size, align));
        this.store(t, v, area, cleanup);
        core.push(area);
      }
    });
    return [core, cleanup];
  }

  /** Calls export `name` with signature `sig` (`bind` does the same with the signature read once). */
  call(name, sig, args) {
    return this.compile(name, sig)(...args);
  }

  /**
   * A JS function calling export `name` with signature `sig`. The signature is read here, once:
   * all-plain-scalar signatures call the export directly; others lower arguments, pass the
   * instance's reused return area (results up to AREA_SIZE bytes) and read the result.
   */
  compile(name, sig) {
    const params = sig.params || [];
    const result = sig.result || "unit";
    const resultClass = classOf(result);
    params.forEach(classOf); // unknown types fail at bind time, not at the first call
    const n = params.length;
    const exported = () => {
      const fn = this.exports[name];
      if (typeof fn !== "function") throw new TypeError(`wasmrust: no export named ${name}`);
      return fn;
    };
    const arity = (args) => {
      if (args.length !== n) throw new TypeError(`wasmrust: ${name} takes ${n} arguments`);
    };
    if (params.every((t) => PLAIN_ARGS.has(t)) && resultClass !== "indirect" && resultClass !== "pair") {
      if (resultClass === "unit") return (...args) => { arity(args); exported()(...args); };
      return (...args) => { arity(args); return this.fromCore(result, exported()(...args)); };
    }
    const { size, align } = resultClass === "unit" || resultClass === "scalar" ? { size: 0, align: 1 } : layout(result);
    const shared = size <= AREA_SIZE && align <= AREA_ALIGN;
    return (...args) => {
      arity(args);
      const fn = exported();
      const [core, cleanup] = this.lowerArgs(params, args);
      try {
        if (resultClass === "scalar") return this.fromCore(result, fn(...core));
        if (resultClass === "unit") return void fn(...core);
        // The shared area is safe across re-entrant calls: an export writes its result only as
        // it returns, and it is read right after.
        if (shared && this.area === 0) this.area = this.alloc(AREA_SIZE, AREA_ALIGN);
        const area = shared ? this.area : this.alloc(size, align);
        try {
          fn(...core, area);
          // Read before the argument buffers are freed: a borrowed result may point into them.
          return this.load(result, area);
        } finally {
          if (!shared) this.free(area, size, align);
        }
      } finally {
        for (let i = cleanup.length - 1; i >= 0; i--) cleanup[i]();
      }
    };
  }

  /** An object of JS functions for the exports described in `sigs` ({ name: sig }). */
  bind(sigs) {
    const api = {};
    for (const [name, sig] of Object.entries(sigs)) api[name] = this.compile(sig.export || name, sig);
    return api;
  }

  /**
   * An import module for `#[wasm::import(module = ...)]` functions: `sigs` describes them,
   * `impls` implements them in JS. Owned arguments are taken (freed), results are written into
   * blocks the module then owns.
   */
  importModule(sigs, impls) {
    const mod = {};
    for (const [name, sig] of Object.entries(sigs)) {
      const impl = impls[name];
      if (typeof impl !== "function") throw new TypeError(`wasmrust: no implementation for import ${name}`);
      const params = sig.params || [];
      const result = sig.result || "unit";
      mod[name] = (...core) => {
        let k = 0;
        const args = params.map((t) => {
          const cls = classOf(t);
          if (cls === "scalar") return this.fromCore(t, core[k++]);
          if (cls === "pair") {
            const [ptr, len] = [core[k++] >>> 0, core[k++] >>> 0];
            return this.readBuffer(t, ptr, len, this.isOwned(t));
          }
          return this.load(t, core[k++] >>> 0);
        });
        const value = impl(...args);
        const cls = classOf(result);
        if (cls === "unit") return undefined;
        if (cls === "scalar") return this.toCore(result, value, []);
        // Owned results only (the macro rejects borrowed ones): nothing to clean up.
        this.store(result, value, core[k] >>> 0, []);
        return undefined;
      };
    }
    return mod;
  }
}
