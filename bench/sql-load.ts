// SQL load: pgbench from the system's PostgreSQL when it is installed (`-M prepared`, closed
// loop, per-transaction latency log), else a Node fallback that runs the same script through
// postgres.js. One script format for both: `\set name random(lo, hi)` lines, then one SQL
// statement per line, each ending with `;` (`:name` is replaced by the variable).
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { percentile, runFor, type Cell } from './measure.js';

export interface SqlLoad {
  /** A connection URL (its password is passed through PGPASSWORD, never on the command line). */
  url: string;
  clients: number;
  seconds: number;
  warmupSeconds: number;
  script: string;
}

/** pgbench's version line, or null when it is not on the PATH (or BENCH_NO_PGBENCH is set). */
export function pgbenchVersion(): string | null {
  if (process.env.BENCH_NO_PGBENCH) return null;
  try {
    return execFileSync('pgbench', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

let stopped = false;
const children = new Set<import('node:child_process').ChildProcess>();

/** Ends running pgbench processes (Ctrl-C). */
export function stopSqlLoad(): void {
  stopped = true;
  for (const child of children) child.kill('SIGINT');
}

function connectionArgs(url: string): { args: string[]; env: NodeJS.ProcessEnv } {
  const u = new URL(url);
  return {
    args: ['-h', u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username)],
    env: { ...process.env, PGPASSWORD: decodeURIComponent(u.password), PGDATABASE: u.pathname.slice(1) },
  };
}

function runPgbench(load: SqlLoad, seconds: number, file: string, logPrefix?: string): Promise<string> {
  const { args, env } = connectionArgs(load.url);
  const threads = Math.min(load.clients, 2);
  const argv = ['-n', '-M', 'prepared', '-c', String(load.clients), '-j', String(threads), '-T', String(Math.max(1, Math.round(seconds))),
    '-f', file, ...(logPrefix ? ['-l', `--log-prefix=${logPrefix}`] : []), ...args];
  return new Promise((resolve, reject) => {
    const child = execFile('pgbench', argv, { env, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      children.delete(child);
      if (stopped) return reject(new Error('interrupted'));
      // pgbench exits 2 when some transactions failed; its stderr names the SQL error (no secrets in our scripts).
      if (error) return reject(new Error(`pgbench failed: ${stderr.trim().split('\n').slice(-3).join(' | ') || error.message}`));
      resolve(stdout);
    });
    children.add(child);
  });
}

async function withPgbench(load: SqlLoad): Promise<Cell> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mintid-pgbench-'));
  try {
    const file = path.join(dir, 'script.sql');
    await writeFile(file, load.script);
    if (load.warmupSeconds > 0) await runPgbench(load, load.warmupSeconds, file);
    const out = await runPgbench(load, load.seconds, file, path.join(dir, 'log'));
    const tps = /tps = ([0-9.]+) \(without initial connection time\)/.exec(out);
    const failed = /number of failed transactions: (\d+)/.exec(out);
    if (failed && Number(failed[1]) > 0) throw new Error(`pgbench: ${failed[1]} transactions failed`);
    const latencies: number[] = [];
    for (const name of await readdir(dir)) {
      if (!name.startsWith('log')) continue;
      for (const line of (await readFile(path.join(dir, name), 'utf8')).split('\n')) {
        const fields = line.split(' ');
        if (fields.length >= 3) latencies.push(Number(fields[2]) / 1000);
      }
    }
    latencies.sort((a, b) => a - b);
    return {
      count: latencies.length,
      perSecond: tps ? Number(tps[1]) : NaN,
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      exhausted: false,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface ParsedScript {
  variables: { name: string; lo: number; hi: number }[];
  statements: string[];
}

function parseScript(script: string): ParsedScript {
  const variables: ParsedScript['variables'] = [];
  const statements: string[] = [];
  for (const raw of script.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('--')) continue;
    const set = /^\\set (\w+) random\((\d+), *(\d+)\)$/.exec(line);
    if (set) variables.push({ name: set[1]!, lo: Number(set[2]), hi: Number(set[3]) });
    else if (line.startsWith('\\')) throw new Error(`the Node fallback does not understand ${line}`);
    else statements.push(line.replace(/;$/, ''));
  }
  return { variables, statements };
}

/** The fallback: the script's statements one after another on one reserved connection per client. */
async function withNode(load: SqlLoad): Promise<Cell> {
  const { variables, statements } = parseScript(load.script);
  const sql = postgres(load.url, { max: load.clients, prepare: true, fetch_types: false, onnotice: () => {} });
  try {
    return await runFor(async () => {
      const values = new Map(variables.map((v) => [v.name, String(v.lo + Math.floor(Math.random() * (v.hi - v.lo + 1)))]));
      const reserved = await sql.reserve();
      try {
        for (const statement of statements) {
          await reserved.unsafe(statement.replace(/:(\w+)/g, (match, name: string) => values.get(name) ?? match));
        }
      } finally {
        reserved.release();
      }
    }, { concurrency: load.clients, seconds: load.seconds, warmupSeconds: load.warmupSeconds });
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Runs the script under load: pgbench when installed, else the Node fallback. */
export function runSql(load: SqlLoad): Promise<Cell> {
  return pgbenchVersion() ? withPgbench(load) : withNode(load);
}
