// `wasm_test` runner for the node profile: node 20, WASI preview 1 through
// `node:wasi` for modules that import it.
//   node node_test.mjs MODULE.wasm [--js-imports FILE.mjs] [FILTER...] [--exact] [--ignored|--include-ignored]
// FILE.mjs (wasm_test's `js_imports`) default-exports `(state) => importObject`;
// `state.instance` is the instance once it exists (for its memory).
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { WASI } from 'node:wasi';
import { runTests, selection } from './harness.mjs';

const NODE_MAJOR = 20;

async function main() {
  let [path, ...rest] = process.argv.slice(2);
  if (!path) throw new Error('usage: node_test.mjs MODULE.wasm [--js-imports FILE.mjs] [FILTER...]');
  let jsImports = () => ({});
  if (rest[0] === '--js-imports') {
    jsImports = (await import(pathToFileURL(resolve(rest[1])).href)).default;
    rest = rest.slice(2);
  }
  const major = Number(process.versions.node.split('.')[0]);
  if (major < NODE_MAJOR) {
    throw new Error(`node ${process.versions.node} is too old for the node profile (needs ${NODE_MAJOR}+); tools/setup.sh installs it`);
  }
  const bytes = readFileSync(path);
  const module = new WebAssembly.Module(bytes);
  const usesWasi = WebAssembly.Module.imports(module).some((i) => i.module === 'wasi_snapshot_preview1');
  const scratch = mkdtempSync(join(process.env.TEST_TMPDIR || tmpdir(), 'wasm-test-'));
  let serial = 0;
  const code = await runTests(module, {
    bytes,
    opts: selection(rest, process.env),
    print: (line) => process.stdout.write(line + '\n'),
    imports: (state) => {
      if (!usesWasi) return jsImports(state);
      // Each instance gets its own WASI with stdout/stderr in one file, shown on failure.
      state.outPath = join(scratch, `out-${serial++}`);
      state.outFd = openSync(state.outPath, 'w+');
      state.wasi = new WASI({ version: 'preview1', args: [path], env: {}, stdout: state.outFd, stderr: state.outFd, returnOnExit: true });
      return { ...jsImports(state), wasi_snapshot_preview1: state.wasi.wasiImport };
    },
    afterInstantiate: (instance, state) => {
      if (state.wasi) state.wasi.initialize(instance);
    },
    captured: (state) => {
      if (!state.outPath) return '';
      closeSync(state.outFd);
      return readFileSync(state.outPath, 'utf8');
    },
  });
  console.log(`(node ${process.versions.node}, V8 ${process.versions.v8})`);
  rmSync(scratch, { recursive: true, force: true });
  process.exitCode = code;
}

main().catch((e) => {
  console.error(`error: ${e.message}`);
  process.exitCode = 1;
});
