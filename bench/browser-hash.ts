// In-browser argon2id timing (m=19456 t=2 p=1): the console's own Web Worker (dist/console/), in
// the system Chromium via playwright-core, N sequential secrets generated + hashed.
// Run: npx tsx bench/browser-hash.ts   (BENCH_BROWSER_HASHES=20, MINTID_CHROMIUM=/path)
import { readdir } from 'node:fs/promises';
import { chromium } from 'playwright-core';
import { listenHttp } from '../src/gateway/server.js';
import { consoleDistDir, ensureConsoleBuilt } from '../src/local/console-build.js';
import { createConsoleHandler } from '../src/local/console-files.js';
import { findChromium } from '../test/console/harness.js';

const runs = Number(process.env.BENCH_BROWSER_HASHES ?? 20);
const executablePath = findChromium();
if (!executablePath) {
  console.log('no Chromium found: install one (apt-get install -y chromium) or set MINTID_CHROMIUM');
  process.exit(0);
}
await ensureConsoleBuilt(console.log);
const worker = (await readdir(`${consoleDistDir()}/assets`)).find((f) => f.startsWith('hash-worker-'));
const serve = createConsoleHandler({ distDir: consoleDistDir(), config: { supabaseUrl: 'http://127.0.0.1:9', anonKey: 'x', signUp: false, demoAccounts: [] } });
const server = await listenHttp(async (req) => (await serve(req)) ?? new Response('not found', { status: 404 }), 0, '127.0.0.1');
const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
try {
  const page = await browser.newPage();
  await page.goto(`${server.url}/console/`);
  // Plain JavaScript text: tsx's helpers must not leak into the page.
  const script = `(async ({ url, n }) => {
    const w = new Worker(url, { type: 'module' });
    const once = (id) => new Promise((resolve, reject) => {
      w.onmessage = (e) => {
        if (e.data.id !== id) return;
        if (e.data.stage === 'done') resolve(e.data.hashMs);
        if (e.data.stage === 'error') reject(new Error(e.data.message));
      };
      w.postMessage({ id, withClientId: false });
    });
    const out = [];
    for (let i = 0; i <= n; i += 1) out.push(await once(i + 1)); // the first one includes WASM compilation
    return { version: navigator.userAgent, times: out };
  })(${JSON.stringify({ url: `${server.url}/console/assets/${worker}`, n: runs })})`;
  const { version, times } = await page.evaluate(script) as { version: string; times: number[] };
  const [first, ...rest] = times;
  const sorted = [...rest].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  console.log(`${version}`);
  console.log(`argon2id m=19456 t=2 p=1 in the console's Web Worker (hash-wasm), ${rest.length} hashes after a first one of ${first!.toFixed(0)} ms:`);
  console.log(`  p50 ${q(0.5).toFixed(0)} ms, p90 ${q(0.9).toFixed(0)} ms, min ${sorted[0]!.toFixed(0)} ms, max ${sorted[sorted.length - 1]!.toFixed(0)} ms`);
} finally {
  await browser.close();
  await server.close();
}
