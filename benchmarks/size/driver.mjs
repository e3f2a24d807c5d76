// Loads one benchmark module (any toolchain) with the same import object,
// checks its answers against references computed here, runs the program's
// workload, and prints one JSON line:
//   {"program", "file", "initial_pages", "max_pages", "peak_pages", "sha256_ms"?}
// A wrong answer is an error: the message goes to stderr and the exit code is 1.
//
// Usage: node driver.mjs PROGRAM FILE.wasm
//        node driver.mjs PROGRAM GLUE.js   (wasm-bindgen --target nodejs output;
//                                           the module is GLUE_bg.wasm beside it)
//   PROGRAM: add | hello | strings | sha256 | json
// A wasm-bindgen module is called through its glue, with JS values (strings,
// Uint8Arrays) instead of pointers; the inputs and the expected answers are the same.
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { resolve } from "node:path";

const [program, file] = process.argv.slice(2);
if (!program || !file) {
  console.error("usage: node driver.mjs PROGRAM FILE.wasm|GLUE.js");
  process.exit(2);
}
const glue = file.endsWith(".js");
const bytes = readFileSync(glue ? file.replace(/\.js$/, "_bg.wasm") : file);

class Mismatch extends Error {}
function expect(what, got, want) {
  if (got !== want) {
    throw new Mismatch(`${program} (${file}): ${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
}

// ---- Declared memory limits, read from the binary (the JS API does not expose them).
function memoryLimits(buf) {
  let p = 8;
  const leb = () => {
    let result = 0, shift = 0, b;
    do {
      b = buf[p++];
      result += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    return result;
  };
  const limits = () => {
    const flags = leb();
    const initial = leb();
    const max = flags & 1 ? leb() : null;
    return { initial, max };
  };
  const name = () => {
    const n = leb();
    const s = buf.subarray(p, p + n).toString();
    p += n;
    return s;
  };
  while (p < buf.length) {
    const id = buf[p++];
    const size = leb();
    const end = p + size;
    if (id === 2) {
      for (let i = leb(); i > 0; i--) {
        name();
        name();
        const kind = buf[p++];
        if (kind === 0) leb();
        else if (kind === 1) { p++; limits(); }
        else if (kind === 2) return limits();
        else if (kind === 3) { p += 2; }
        else throw new Error(`import kind ${kind}`);
      }
    } else if (id === 5) {
      if (leb() > 0) return limits();
    }
    p = end;
  }
  return { initial: 0, max: null };
}

// ---- The one import object every module gets.
let logged = [];
let memory;
const text = new TextDecoder("utf-8", { fatal: true });
const imports = {
  env: {
    // hello: the host's log(ptr, len)
    log(ptr, len) {
      logged.push(text.decode(new Uint8Array(memory.buffer, ptr >>> 0, len >>> 0)));
    },
    // AssemblyScript's abort(message, file, line, column)
    abort(_msg, _file, line, col) {
      throw new Error(`abort at ${line}:${col}`);
    },
  },
  // Nothing here should call WASI; a module that imports it only to exit gets a trap.
  wasi_snapshot_preview1: new Proxy({}, {
    get: (_, name) => () => { throw new Error(`unexpected WASI call ${String(name)}`); },
  }),
};

let x;
if (glue) {
  // hello's `#[wasm_bindgen] extern "C" { fn log(text: &str); }` calls a global `log`.
  globalThis.log = (s) => logged.push(s);
  // The glue keeps its instance to itself; catch it on the way to read the memory.
  const Instance = WebAssembly.Instance;
  let instance;
  WebAssembly.Instance = function (m, i) {
    instance = new Instance(m, i);
    return instance;
  };
  x = createRequire(import.meta.url)(resolve(file));
  WebAssembly.Instance = Instance;
  memory = instance.exports.memory;
} else {
  const module = new WebAssembly.Module(bytes);
  const wanted = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    if (!imports[imp.module] || (imp.module === "env" && !imports.env[imp.name])) {
      throw new Error(`${file}: unexpected import ${imp.module}.${imp.name}`);
    }
    (wanted[imp.module] ??= {})[imp.name] = imports[imp.module][imp.name];
  }
  x = new WebAssembly.Instance(module, wanted).exports;
  memory = x.memory;
}
if (!(memory instanceof WebAssembly.Memory)) throw new Error(`${file}: no exported memory`);
if (typeof x._initialize === "function") x._initialize();

const u8 = () => new Uint8Array(memory.buffer);
const enc = new TextEncoder();

function put(data) {
  const ptr = x.alloc(data.length) >>> 0;
  if (data.length > 0 && ptr === 0) throw new Mismatch(`${program}: alloc(${data.length}) returned 0`);
  if (data.length > 0) u8().set(data, ptr); // a zero-length buffer may have any address
  return ptr;
}

// Deterministic pseudo-random numbers (xorshift32).
let seed = 0x9e3779b9;
function rand() {
  seed ^= seed << 13; seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5; seed >>>= 0;
  return seed;
}

const result = { program, file };

// ---- Programs
const programs = {
  add() {
    expect("add(2, 3)", x.add(2, 3), 5);
    expect("add(-7, 4)", x.add(-7, 4), -3);
    expect("add(2^31-1, 1)", x.add(0x7fffffff, 1), -0x80000000);
    for (let i = 0; i < 100000; i++) {
      const a = rand() | 0, b = rand() | 0;
      expect(`add(${a}, ${b})`, x.add(a, b), (a + b) | 0);
    }
  },

  hello() {
    for (let i = 0; i < 1000; i++) {
      logged = [];
      x.run();
      expect("log calls", logged.length, 1);
      expect("logged text", logged[0], "Hello, world!");
    }
  },

  strings() {
    const reverse = (s) => s.split(/[ \t\n\r\f]+/).filter(Boolean).reverse().join(" ");
    const vocabulary = ["alpha", "beta", "gamma", "δέλτα", "日本語", "x", "emoji😀", "long-word-with-dashes", "q"];
    const seps = [" ", "  ", "\t", "\n", " \r\n "];
    let big = "";
    for (let i = 0; i < 20000; i++) {
      big += vocabulary[rand() % vocabulary.length] + seps[rand() % seps.length];
    }
    const cases = ["the quick brown fox", "  leading and   trailing  ", "", "one", " ", "héllo wörld 日本語 ok", "tabs\tand\nnewlines\r\nhere", big];
    const once = (s) => {
      if (glue) {
        expect(`reverse_words(${JSON.stringify(s.slice(0, 40))}...)`, x.reverse_words(s), reverse(s));
        return;
      }
      const data = enc.encode(s);
      const ptr = put(data);
      const out = x.reverse_words(ptr, data.length) >>> 0;
      const len = x.result_len() >>> 0;
      const got = text.decode(u8().slice(out, out + len));
      x.dealloc(ptr, data.length);
      x.dealloc(out, len);
      expect(`reverse_words(${JSON.stringify(s.slice(0, 40))}...)`, got, reverse(s));
    };
    for (const s of cases) once(s);
    for (let round = 0; round < 20; round++) once(big);
  },

  sha256() {
    const hash = (data) => {
      if (glue) return Buffer.from(x.sha256(data)).toString("hex");
      const ptr = put(data);
      const out = x.sha256(ptr, data.length) >>> 0;
      const hex = Buffer.from(u8().slice(out, out + 32)).toString("hex");
      x.dealloc(ptr, data.length);
      return hex;
    };
    const ref = (data) => createHash("sha256").update(data).digest("hex");
    const inputs = [enc.encode(""), enc.encode("abc"),
      enc.encode("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")];
    for (let n = 0; n <= 200; n++) {
      inputs.push(Uint8Array.from({ length: n }, () => rand() & 0xff));
    }
    for (const data of inputs) expect(`sha256 of ${data.length} bytes`, hash(data), ref(data));
    // Timed: 1 MiB the host fills once, hashed 16 times per run; median of 7 runs.
    // Through wasm-bindgen's glue, each call copies the 1 MiB into linear memory
    // (the glue's way of passing a Uint8Array) and the digest out.
    const size = 1 << 20;
    const big = Uint8Array.from({ length: size }, (_, i) => (i * 31 + 7) & 0xff);
    const ptr = glue ? 0 : put(big);
    const call = glue ? () => x.sha256(big) : () => x.sha256(ptr, size) >>> 0;
    const hex = (out) => Buffer.from(glue ? out : u8().slice(out, out + 32)).toString("hex");
    const want = ref(big);
    for (let i = 0; i < 3; i++) call(); // warm-up (tier-up)
    const runs = [];
    for (let r = 0; r < 7; r++) {
      const t0 = process.hrtime.bigint();
      let out = 0;
      for (let i = 0; i < 16; i++) out = call();
      runs.push(Number(process.hrtime.bigint() - t0) / 1e6);
      expect("sha256 of 1 MiB", hex(out), want);
    }
    if (!glue) x.dealloc(ptr, size);
    runs.sort((a, b) => a - b);
    result.sha256_ms = Number(runs[3].toFixed(1)); // 16 MiB
  },

  json() {
    // Reference tokenizer: the same lexical grammar as the programs.
    const kinds = "{}[]:,";
    const re = /[ \t\n\r]*(?:([{}\[\]:,])|("(?:[^"\\\x00-\x1f]|\\["\\\/bfnrt]|\\u[0-9a-fA-F]{4})*")|(-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)|(true)|(false)|(null))/y;
    const reference = (s) => {
      const counts = new Array(11).fill(0);
      re.lastIndex = 0;
      let total = 0;
      for (;;) {
        const at = re.lastIndex;
        const m = re.exec(s);
        if (!m) {
          re.lastIndex = at;
          if (/^[ \t\n\r]*$/.test(s.slice(at))) return { total, counts };
          return { total: -1, counts };
        }
        const kind = m[1] ? kinds.indexOf(m[1]) : m[2] ? 6 : m[3] ? 7 : m[4] ? 8 : m[5] ? 9 : 10;
        counts[kind]++;
        total++;
      }
    };
    const run = (s) => {
      if (glue) return { total: x.tokenize(s), counts: Array.from({ length: 11 }, (_, k) => x.count(k) >>> 0) };
      const data = enc.encode(s);
      const ptr = put(data);
      const total = x.tokenize(ptr, data.length);
      x.dealloc(ptr, data.length);
      const counts = Array.from({ length: 11 }, (_, k) => x.count(k) >>> 0);
      return { total, counts };
    };
    // A generated document: nested objects and arrays, escapes, numbers of every shape.
    const words = ["id", "name", "tags", "väl\\u00e9ue", "esc\\\"aped", "tab\\tnew\\nline", "slash\\/", "日本", ""];
    const numbers = ["0", "-0", "12", "-3.25", "6.02e23", "1E-7", "-9.5e+3", "123456789", "0.5"];
    const value = (depth) => {
      const r = rand() % (depth > 4 ? 5 : 7);
      if (r === 0) return numbers[rand() % numbers.length];
      if (r === 1) return `"${words[rand() % words.length]}"`;
      if (r === 2) return ["true", "false", "null"][rand() % 3];
      if (r === 3 || r === 4) return numbers[rand() % numbers.length];
      if (r === 5) {
        const n = rand() % 6;
        return "[" + Array.from({ length: n }, () => value(depth + 1)).join(rand() % 2 ? "," : " ,\n ") + "]";
      }
      const n = rand() % 6;
      return "{" + Array.from({ length: n }, () => `"${words[rand() % words.length]}" : ${value(depth + 1)}`).join(",\n\t") + "}";
    };
    let doc = "[";
    while (doc.length < 200000) doc += value(0) + ",\r\n";
    doc += "null]";
    const cases = ["", "  ", "{}", "[1, 2, 3]", '{"a": [true, false, null], "b": -1.5e10}', "01", "] 1 :",
      // lexical errors
      "tru", "nul", "falsy", '"abc', '"bad \\q escape"', '"\\u12G4"', '"ctrl \u0001"', "-", "1.", "1e", "1e+", "@", "{'a': 1}",
      doc];
    for (const s of cases) {
      const want = reference(s);
      const got = run(s);
      expect(`tokenize(${JSON.stringify(s.slice(0, 30))})`, got.total, want.total);
      if (want.total >= 0) expect(`counts(${JSON.stringify(s.slice(0, 30))})`, got.counts.join(","), want.counts.join(","));
    }
    for (let round = 0; round < 10; round++) {
      expect("tokenize(doc)", run(doc).total, reference(doc).total);
    }
  },
};

try {
  if (!programs[program]) throw new Error(`unknown program ${program}`);
  const limits = memoryLimits(bytes);
  programs[program]();
  result.initial_pages = limits.initial;
  result.max_pages = limits.max;
  result.peak_pages = memory.buffer.byteLength / 65536;
  console.log(JSON.stringify(result));
} catch (e) {
  console.error(`error: ${e instanceof Mismatch ? "wrong answer: " : ""}${e.message}`);
  process.exit(1);
}
