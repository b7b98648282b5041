// `npx tsx bench/flood-main.ts`: only the flood table of `npm run bench` (same knobs: BENCH_SECONDS,
// BENCH_WARMUP_SECONDS, DATABASE_URL), for a quick look without the other tables.
import { floodTable } from './flood.js';
import { setUp } from './setup.js';

const log = (line: string) => process.stderr.write(`… ${line}\n`);
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 0.5);
const env = await setUp(log);
try {
  console.log(await floodTable(env, { seconds, warmupSeconds }, log));
} finally {
  await env.close();
}
