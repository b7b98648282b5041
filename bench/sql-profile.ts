// Where an RPC's time goes inside PostgreSQL, as the gateway calls it: the bench world on an
// embedded server with pg_stat_statements (track = all, track_planning = on) and
// track_functions = all, one RPC over HTTP at concurrency 1 for BENCH_SECONDS (default 5), then
// the statements (top level and nested, per call: execution and planning µs, how often planned)
// and the functions (total and self µs per call). `npm run bench:sql-profile -- rotate|create|list`.
//
// Concurrency 1 on purpose: the figures are then costs, not lock waits.
import { cpus, loadavg } from 'node:os';
import { phc } from '../test/support/fixtures.js';
import { runHttp } from './http-load.js';
import { inParallel } from './measure.js';
import { createPostgrestCaller } from './postgrest-sql.js';
import { createArgs, createCredential, httpHeaders } from './rpc.js';
import { setUp } from './setup.js';
import { markdownTable, num } from './table.js';

const what = process.argv[2] ?? 'rotate';
if (!['rotate', 'create', 'list'].includes(what)) {
  console.error('usage: npm run bench:sql-profile -- rotate|create|list');
  process.exit(2);
}
if (process.env.DATABASE_URL) {
  console.error('bench:sql-profile needs its own embedded server (pg_stat_statements is preloaded at start): unset DATABASE_URL');
  process.exit(2);
}
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const env = await setUp((line) => process.stderr.write(`… ${line}\n`), {
  serverSettings: {
    shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'all',
    'pg_stat_statements.track_planning': 'on', track_functions: 'all',
  },
});
try {
  const call = await createPostgrestCaller(env);
  const headers = httpHeaders(env);
  const run = `${Date.now().toString(36)}`;
  let n = 0;
  const brandOf = (i: number) => env.tenantBrandIds[i % env.tenantBrandIds.length]!;
  const pool = await inParallel(Array.from({ length: 64 }, (_, i) => i), 8, async (i) =>
    ({ id: await createCredential(call, createArgs(brandOf(i), `prof.${run}.${i}`, phc())), brandId: brandOf(i) }));
  await inParallel(Array.from({ length: 300 }), 8, () => createCredential(call, createArgs(env.listBrandId, `prof.${run}.l${(n += 1)}`, phc())));
  const rpc = { rotate: 'rotate_api_credential_secret_record', create: 'create_api_credential_record', list: 'list_api_credential_records' }[what]!;
  const body = () => {
    n += 1;
    if (what === 'rotate') {
      const p = pool[n % pool.length]!;
      return JSON.stringify({ _brand_id: p.brandId, _credential_id: p.id, _new_secret_hash: phc(), _reason: 'profile' });
    }
    if (what === 'create') return JSON.stringify(createArgs(brandOf(n), `prof.${run}.c${n}`, phc()));
    return JSON.stringify({ _brand_id: env.listBrandId, _limit: 50 });
  };
  const load = { url: `${env.apiUrl}/rest/v1/rpc/${rpc}`, connections: 1, warmupSeconds: 0, next: () => ({ method: 'POST', headers, body: body() }) };
  await runHttp({ ...load, seconds: 1 });
  await env.admin`create extension if not exists pg_stat_statements`;
  await env.admin`select pg_stat_statements_reset(), pg_stat_reset()`;
  const cell = await runHttp({ ...load, seconds });
  await new Promise((resolve) => setTimeout(resolve, 700)); // function statistics are sent at the end of each transaction, with a delay
  const calls = cell.count;
  const statements = await env.admin<{ calls: string; exec: number; plan: number; plans: string; toplevel: boolean; query: string }[]>`
    select calls, total_exec_time / calls * 1000 as exec, total_plan_time / calls * 1000 as plan, plans, toplevel,
           left(regexp_replace(query, '\\s+', ' ', 'g'), 90) as query
    from pg_stat_statements
    where dbid = (select oid from pg_database where datname = current_database()) and calls >= ${Math.floor(calls / 2)}
    order by total_exec_time + total_plan_time desc limit 25`;
  const functions = await env.admin<{ fn: string; calls: string; total: number; self: number }[]>`
    select schemaname || '.' || funcname as fn, calls, total_time / calls * 1000 as total, self_time / calls * 1000 as self
    from pg_stat_user_functions where calls >= ${Math.floor(calls / 2)} order by self_time desc limit 25`;
  const us = (v: number) => v.toFixed(1);
  console.log(`# Where \`${rpc}\` spends its time in PostgreSQL\n`);
  console.log(`- ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(2)).join(' / ')}; ${num(cell.perSecond)} req/s over HTTP at concurrency 1, ${calls} calls in ${seconds} s; pg_stat_statements (track = all) and track_functions = all add their own overhead\n`);
  console.log(markdownTable(['statement', 'level', 'calls', 'exec µs/call', 'plan µs/call', 'planned'],
    statements.map((s) => [`\`${s.query.replace(/\|/g, '\\|').replace(/`/g, "'")}\``, s.toplevel ? 'top' : 'nested', s.calls, us(s.exec), us(s.plan), s.plans]),
    ['statement', 'level']));
  console.log('\n' + markdownTable(['function', 'calls', 'total µs/call', 'self µs/call'],
    functions.map((f) => [f.fn, f.calls, us(f.total), us(f.self)]), ['function']));
} finally {
  await env.close();
}
