// argon2id at MintID's default parameters: node-argon2 (native, libuv pool) vs @node-rs/argon2
// (native, napi-rs) vs hash-wasm (WASM, what the Deno edge function and browsers use).
// Run standalone: `npx tsx bench/argon2.ts [iterations]`.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import nodeArgon2 from 'argon2';
import * as rsArgon2 from '@node-rs/argon2';
import { argon2Verify, argon2id } from 'hash-wasm';
import { ARGON2_PARAMS } from '../src/secrets/phc.js';

export interface Row {
  library: string;
  operation: string;
  'ops/s': number;
  'p50 ms': number;
  'p99 ms': number;
}

interface Contender {
  library: string;
  hash(secret: string): Promise<string>;
  verify(phc: string, secret: string): Promise<boolean>;
}

const { memoryCost, timeCost, parallelism, saltLength, hashLength } = ARGON2_PARAMS;

const contenders: Contender[] = [
  {
    library: 'argon2 (node-argon2)',
    hash: (secret) => nodeArgon2.hash(secret, { type: nodeArgon2.argon2id, memoryCost, timeCost, parallelism, hashLength }),
    verify: (phc, secret) => nodeArgon2.verify(phc, secret),
  },
  {
    library: '@node-rs/argon2',
    // Algorithm.Argon2id = 2 (a const enum, which isolatedModules cannot inline).
    hash: (secret) => rsArgon2.hash(secret, { algorithm: 2, memoryCost, timeCost, parallelism, outputLen: hashLength }),
    verify: (phc, secret) => rsArgon2.verify(phc, secret),
  },
  {
    library: 'hash-wasm (WASM)',
    hash: (secret) => argon2id({
      password: secret, salt: crypto.getRandomValues(new Uint8Array(saltLength)),
      iterations: timeCost, parallelism, memorySize: memoryCost, hashLength, outputType: 'encoded',
    }),
    verify: (phc, secret) => argon2Verify({ password: secret, hash: phc }),
  },
];

interface Timing {
  opsPerSecond: number;
  p50: number;
  p99: number;
}

function summarise(times: number[], totalMs: number): Timing {
  times.sort((a, b) => a - b);
  const pick = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)]!;
  return { opsPerSecond: (times.length * 1000) / totalMs, p50: pick(0.5), p99: pick(0.99) };
}

/** Sequential: one operation at a time, after a short warm-up. */
async function measure(iterations: number, op: () => Promise<unknown>): Promise<Timing> {
  for (let i = 0; i < 3; i += 1) await op();
  const times: number[] = [];
  const started = performance.now();
  for (let i = 0; i < iterations; i += 1) {
    const t0 = performance.now();
    await op();
    times.push(performance.now() - t0);
  }
  return summarise(times, performance.now() - started);
}

/** Like measure, with `concurrency` operations in flight (what a busy token endpoint sees). */
async function measureConcurrent(total: number, concurrency: number, op: () => Promise<unknown>): Promise<Timing> {
  let next = 0;
  const times: number[] = [];
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) {
      next += 1;
      const t0 = performance.now();
      await op();
      times.push(performance.now() - t0);
    }
  }));
  return summarise(times, performance.now() - started);
}

const round = (n: number, digits = 1) => Number(n.toFixed(digits));

/** One row per library and operation: sequential hash, sequential verify, and verify with 8 in flight. */
export async function benchArgon2(iterations = 30): Promise<Row[]> {
  const rows: Row[] = [];
  const secret = 'mintid_benchmark-secret-not-a-real-one';
  for (const c of contenders) {
    const phc = await c.hash(secret);
    const hashed = await measure(iterations, () => c.hash(secret));
    const verified = await measure(iterations, async () => {
      if (!(await c.verify(phc, secret))) throw new Error(`${c.library} failed to verify its own hash`);
    });
    const parallel = await measureConcurrent(iterations * 2, 8, () => c.verify(phc, secret));
    const row = (operation: string, t: Timing): Row =>
      ({ library: c.library, operation, 'ops/s': round(t.opsPerSecond), 'p50 ms': round(t.p50), 'p99 ms': round(t.p99) });
    rows.push(row('hash', hashed), row('verify', verified), row('verify, 8 in flight', parallel));
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const iterations = Number(process.argv[2] ?? 30);
  console.log(`argon2id m=${memoryCost} t=${timeCost} p=${parallelism}, ${saltLength}-byte salt, ${hashLength}-byte hash; ${iterations} iterations`);
  console.table(await benchArgon2(iterations));
}
