// `wasm_test` runner for the browser profile: the test module runs in a page
// of headless Chromium (Debian's `chromium`), served on 127.0.0.1 with
// COOP/COEP headers so SharedArrayBuffer (and with it wasm threads) is
// available. Chromium is driven over the DevTools protocol on a pipe
// (--remote-debugging-pipe): no WebSocket client, no browser download.
//   node browser_test.mjs MODULE.wasm [--js-imports FILE.mjs] [FILTER...] [--exact] [--ignored|--include-ignored]
// FILE.mjs is served to the page as the module's JS imports (see node_test.mjs).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, isAbsolute, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { selection } from './harness.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const CHROMIUM = process.env.WASMRUST_CHROMIUM || '/usr/bin/chromium';
const TIMEOUT_MS = Number(process.env.WASMRUST_BROWSER_TIMEOUT_MS || 120000);

// The tests run on the page's main thread, except a threaded module's: those run in a module
// worker (TEST_WORKER), as threaded apps do, since a page's main thread must not wait for
// other threads (a join spins until they finish).
const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>wasm_test</title>
<script type="module">
import { runTests } from './harness.mjs';
import { THREAD_MODULE } from './crates/wasm/js/threads.mjs';
import jsImports from './imports.mjs';
const done = (code) => console.log('__wasmrust_done ' + code);
try {
  const opts = JSON.parse(new URLSearchParams(location.search).get('opts'));
  const bytes = new Uint8Array(await (await fetch('./test.wasm')).arrayBuffer());
  const module = await WebAssembly.compile(bytes);
  const threaded = WebAssembly.Module.imports(module).some((i) => i.module === THREAD_MODULE);
  console.log('(' + navigator.userAgent.match(/Chrom\\S+/)[0] + ', cross-origin isolated: ' + self.crossOriginIsolated + (threaded ? ', tests on a worker' : '') + ')');
  if (threaded) {
    const worker = new Worker('./test-worker.mjs', { type: 'module' });
    worker.onmessage = (e) => (e.data.line !== undefined ? console.log(e.data.line) : done(e.data.code));
    worker.onerror = (e) => { console.log('error: ' + e.message); done(1); };
    worker.postMessage({ bytes, opts });
  } else {
    done(await runTests(module, { bytes, opts, print: (line) => console.log(line), imports: jsImports }));
  }
} catch (e) {
  console.log('error: ' + e.message);
  done(1);
}
</script>
`;

const TEST_WORKER = `import { runTests } from './harness.mjs';
import jsImports from './imports.mjs';
self.onmessage = async ({ data: { bytes, opts } }) => {
  let code = 1;
  try {
    code = await runTests(await WebAssembly.compile(bytes), { bytes, opts, print: (line) => self.postMessage({ line }), imports: jsImports });
  } catch (e) {
    self.postMessage({ line: 'error: ' + e.message });
  }
  self.postMessage({ code });
};
`;

const TYPES = { '.mjs': 'text/javascript; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm', '.json': 'application/json' };

/** A file of the test's runfiles (the working directory) under /files/, or undefined. */
function runfile(pathname) {
  if (!pathname.startsWith('/files/')) return undefined;
  const rel = normalize(decodeURIComponent(pathname.slice('/files/'.length)));
  if (rel.startsWith('..') || isAbsolute(rel) || !existsSync(rel)) return undefined;
  return [TYPES[extname(rel)] || 'application/octet-stream', readFileSync(rel)];
}

function serve(wasm, jsImports) {
  const files = {
    '/': ['text/html; charset=utf-8', PAGE],
    '/harness.mjs': ['text/javascript; charset=utf-8', readFileSync(join(HERE, 'harness.mjs'))],
    '/test-worker.mjs': ['text/javascript; charset=utf-8', TEST_WORKER],
    // The thread host harness.mjs imports, from the crate's JS helper (../../crates/wasm/js).
    ...Object.fromEntries(['threads.mjs', 'thread-worker.mjs'].map((f) =>
      [`/crates/wasm/js/${f}`, ['text/javascript; charset=utf-8', readFileSync(join(HERE, '../../crates/wasm/js', f))]])),
    '/test.wasm': ['application/wasm', wasm],
    '/imports.mjs': ['text/javascript; charset=utf-8', jsImports
      ? `export { default } from './files/${jsImports.split('/').map(encodeURIComponent).join('/')}';\n`
      : 'export default () => ({});\n'],
  };
  const server = createServer((req, res) => {
    const pathname = new URL(req.url, 'http://x').pathname;
    const file = files[pathname] || runfile(pathname);
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    res.setHeader('Cache-Control', 'no-store');
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': file[0] }).end(file[1]);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** A DevTools-protocol session over Chromium's fd 3 (in) / fd 4 (out) pipe. */
class Cdp {
  constructor(child) {
    this.out = child.stdio[3];
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = [];
    let buffer = '';
    child.stdio[4].on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let end;
      while ((end = buffer.indexOf('\0')) >= 0) {
        const message = JSON.parse(buffer.slice(0, end));
        buffer = buffer.slice(end + 1);
        if (message.id && this.pending.has(message.id)) {
          const { resolve, reject } = this.pending.get(message.id);
          this.pending.delete(message.id);
          if (message.error) reject(new Error(`${message.error.message} (DevTools)`));
          else resolve(message.result);
        } else {
          for (const listener of this.listeners) listener(message);
        }
      }
    });
  }

  send(method, params = {}, sessionId = undefined) {
    const id = this.nextId++;
    this.out.write(JSON.stringify({ id, method, params, sessionId }) + '\0');
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }
}

async function main() {
  let [path, ...rest] = process.argv.slice(2);
  if (!path) throw new Error('usage: browser_test.mjs MODULE.wasm [--js-imports FILE.mjs] [FILTER...]');
  // The page imports the JS imports module from /files/, which serves the
  // test's runfiles, so its relative imports (helpers in `data`) resolve.
  let jsImports = null;
  if (rest[0] === '--js-imports') {
    jsImports = rest[1];
    rest = rest.slice(2);
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install Debian's \`chromium\` package (tools/setup.sh does) or set WASMRUST_CHROMIUM`);
  }
  const opts = selection(rest, process.env);
  const server = await serve(readFileSync(path), jsImports);
  // A short path: Chromium puts Unix sockets in its TMPDIR, and Bazel's
  // TEST_TMPDIR is longer than a socket path may be.
  const profileDir = mkdtempSync(join('/tmp', 'wasmrust-chromium-'));
  const child = spawn(CHROMIUM, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-extensions',
    '--disable-quic', `--user-data-dir=${profileDir}`, '--remote-debugging-pipe', 'about:blank',
  ], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
    detached: true,
    // Chromium's own temporary files go inside the profile, removed below.
    env: { ...process.env, TMPDIR: profileDir },
  });
  let chromiumLog = '';
  child.stderr.on('data', (d) => { chromiumLog += d; });
  // A Chromium that dies early shows up as a broken pipe: report its log.
  for (const fd of [3, 4]) child.stdio[fd].on('error', () => {});
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const cdp = new Cdp(child);
  // Chromium's own shutdown ends its renderer and utility processes; killing
  // the process group is the fallback. The profile directory is removed only
  // after every process that writes to it is gone.
  const cleanup = async () => {
    server.close();
    cdp.send('Browser.close').catch(() => {});
    let timer;
    const timeout = new Promise((resolve) => { timer = setTimeout(resolve, 5000); });
    await Promise.race([exited, timeout]);
    clearTimeout(timer);
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // The group is already gone.
    }
    await exited;
  };
  try {
    const code = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no result from Chromium after ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
      exited.then((status) => reject(new Error(`Chromium exited (${status}) before the tests finished:\n${chromiumLog}`)));
      cdp.listeners.push((message) => {
        if (message.method === 'Runtime.consoleAPICalled') {
          const line = message.params.args.map((a) => a.value ?? a.description ?? '').join(' ');
          const done = /^__wasmrust_done (\d+)$/.exec(line);
          if (done) {
            clearTimeout(timer);
            resolve(Number(done[1]));
          } else {
            process.stdout.write(line + '\n');
          }
        } else if (message.method === 'Target.attachedToTarget') {
          // A worker (the test worker, a thread): show its console too, and its own workers'.
          const worker = message.params.sessionId;
          cdp.send('Runtime.enable', {}, worker).catch(() => {});
          cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: true }, worker).catch(() => {});
        } else if (message.method === 'Runtime.exceptionThrown') {
          clearTimeout(timer);
          reject(new Error(`uncaught exception in the test page: ${message.params.exceptionDetails.exception?.description ?? message.params.exceptionDetails.text}`));
        }
      });
      (async () => {
        const { targetId } = await cdp.send('Target.createTarget', { url: 'about:blank' });
        const { sessionId } = await cdp.send('Target.attachToTarget', { targetId, flatten: true });
        await cdp.send('Runtime.enable', {}, sessionId);
        await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: true }, sessionId);
        const url = `http://127.0.0.1:${server.address().port}/?opts=${encodeURIComponent(JSON.stringify(opts))}`;
        await cdp.send('Page.navigate', { url }, sessionId);
      })().catch(reject);
    });
    process.exitCode = code;
  } finally {
    await cleanup();
    try {
      rmSync(profileDir, { recursive: true, force: true, maxRetries: 5 });
    } catch (e) {
      console.error(`warning: could not remove Chromium's profile ${profileDir}: ${e.message}`);
    }
  }
}

main().catch((e) => {
  console.error(`error: ${e.message}`);
  process.exitCode = 1;
});
