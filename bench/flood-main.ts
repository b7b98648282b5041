// `npx tsx bench/flood-main.ts`: only the flood table of `npm run bench` (same knobs: BENCH_SECONDS,
// BENCH_WARMUP_SECONDS, DATABASE_URL), for a quick look without the other tables.
import { loadavg } from 'node:os';
import { floodTable } from './flood.js';
import { setUp } from './setup.js';

const log = (line: string) => process.stderr.write(`… ${line}\n`);
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 0.5);
const env = await setUp(log);
try {
  const before = loadavg().map((l) => l.toFixed(2)).join(' / ');
  console.log(await floodTable(env, { seconds, warmupSeconds }, log));
  console.log(`\n_load average at start: ${before}; at end: ${loadavg().map((l) => l.toFixed(2)).join(' / ')}._`);
} finally {
  await env.close();
}
