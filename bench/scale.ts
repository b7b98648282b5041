// The scale table: the same operations on a database holding 1,000 credentials and 5,000 audit
// records, then again after bulk-loading it to 1,000,000 credentials and 5,000,000 audit records
// (generate_series in one INSERT … SELECT each, not through the RPCs; the table rules are switched
// off for the load only and restored, ENABLE ALWAYS included, before anything is measured).
// The listed brand holds the same 1,000 credentials in both cases; everything added lands in
// other brands (and 1,000 more in the work brand, whose audit chain the rotations extend), so the
// comparison shows what the table's size costs each operation.
import type { Sql } from 'postgres';
import type { BenchEnv } from './setup.js';
import { runSql } from './sql-load.js';
import { PERF_DOC, type Targets } from './targets.js';
import { markdownTable, ms, num, ratio } from './table.js';
import { postgrestScripts, rpcCalls } from './workloads.js';

export interface ScaleOptions {
  seconds: number;
  warmupSeconds: number;
  concurrency: number;
  /** Collects the targets met or missed in this run. */
  targets?: Targets;
}

const VALID_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoxMjM0NTY';
const PER_BRAND = 1000;
const AUDIT_PER_CREDENTIAL = 5;

function countFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 2 * PER_BRAND) throw new Error(`${name} must be a whole number ≥ ${2 * PER_BRAND}`);
  return value;
}

/** Credentials [from, to) of the generator: the first 1,000 in the listed brand, the rest in brands of 1,000 (one of them the work brand). */
async function load(admin: Sql, env: BenchEnv, from: number, to: number, log: (line: string) => void): Promise<void> {
  const brands = Math.ceil((to - PER_BRAND) / PER_BRAND);
  log(`scale: loading credentials ${from}…${to - 1} and ${AUDIT_PER_CREDENTIAL} audit records each…`);
  await admin.begin(async (tx) => {
    await tx.unsafe('set local session_replication_role = replica'); // foreign-key triggers off for the load
    await tx.unsafe(`insert into mintid.brands (id, name)
      select ('00000000-0000-4000-8000-' || lpad(to_hex(b), 12, '0'))::uuid, 'Scale brand ' || b
      from generate_series(1, ${brands}) b on conflict do nothing`);
    // brand of credential i: the listed brand below 1,000; the work brand for the next 1,000; then the scale brands.
    await tx.unsafe(`insert into mintid.api_credentials (id, brand_id, name, client_id, client_secret_hash, scopes, metadata, created_at, created_by)
      select ('10000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid,
             case when i < ${PER_BRAND} then $1::uuid when i < ${2 * PER_BRAND} then $2::uuid
                  else ('00000000-0000-4000-8000-' || lpad(to_hex(i / ${PER_BRAND}), 12, '0'))::uuid end,
             'Scale credential ' || i, 'scale.' || i, $3, '{products:read,orders:write}', '{"team": "scale"}',
             now() - (i || ' seconds')::interval, 'bench'
      from generate_series(${from}, ${to - 1}) i`, [env.listBrandId, env.workBrandId, VALID_HASH]);
    // Audit: per brand, seq continues after what the brand holds already.
    await tx.unsafe(`insert into mintid.audit_records (id, brand_id, seq, subject_type, subject_id, credential_id, action, actor, reason, details, occurred_at, prev_digest, digest)
      select gen_random_uuid(), c.brand_id, coalesce(h.seq, 0) + (row_number() over (partition by c.brand_id order by c.id, j)),
             'credential', c.id, c.id, case when j = 0 then 'created' else 'rotated' end, 'bench', case when j > 0 then 'scale' end,
             '{}', c.created_at + (j || ' seconds')::interval, sha256((c.id::text || (j - 1))::bytea), sha256((c.id::text || j)::bytea)
      from mintid.api_credentials c
      cross join generate_series(0, ${AUDIT_PER_CREDENTIAL - 1}) j
      left join lateral (select max(r.seq) as seq from mintid.audit_records r where r.brand_id = c.brand_id) h on true
      where c.client_id like 'scale.%' and substr(c.client_id, 7)::int between ${from} and ${to - 1}`);
  });
  log('scale: vacuum analyze…');
  await admin.unsafe('vacuum analyze mintid.api_credentials, mintid.audit_records, mintid.brands');
}

/** Switches the user triggers of the two tables off, keeping how each was enabled, and returns the undo. */
async function rulesOff(admin: Sql): Promise<() => Promise<void>> {
  const triggers = await admin<{ table: string; name: string; enabled: string }[]>`
    select c.relname as table, t.tgname as name, t.tgenabled as enabled
    from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'mintid' and c.relname in ('api_credentials', 'audit_records') and not t.tgisinternal`;
  await admin.unsafe('alter table mintid.api_credentials disable trigger user; alter table mintid.audit_records disable trigger user');
  return async () => {
    for (const t of triggers) {
      const mode = t.enabled === 'A' ? 'enable always' : t.enabled === 'R' ? 'enable replica' : t.enabled === 'D' ? 'disable' : 'enable';
      await admin.unsafe(`alter table mintid.${t.table} ${mode} trigger "${t.name.replace(/"/g, '""')}"`);
    }
  };
}

interface Measured {
  rotate: number; rotateP50: number; lookup: number; lookupP50: number; first: number; firstP50: number; deep: number; deepP50: number;
}

export async function scaleTable(env: BenchEnv, options: ScaleOptions, log: (line: string) => void): Promise<string> {
  const credentials = countFromEnv('BENCH_SCALE_CREDENTIALS', 1_000_000);
  const admin = env.admin;
  const scripts = await postgrestScripts(env, admin);
  const calls = rpcCalls(env);
  const run = (script: string, url = env.authenticatorUrl) =>
    runSql({ url, clients: options.concurrency, seconds: options.seconds, warmupSeconds: options.warmupSeconds, script });

  // A cursor deep into the listed brand (after 900 of its 1,000), hex-encoded for the script.
  const deepCursor = async (): Promise<string> => {
    const [row] = await admin<{ cursor: string }[]>`
      select mintid.issue_cursor(jsonb_build_object('list', 'credentials', 'brand', ${env.listBrandId}::uuid, 'status', null::text), c.created_at, c.id) as cursor
      from mintid.api_credentials c where c.brand_id = ${env.listBrandId} order by c.created_at desc, c.id desc offset 899 limit 1`;
    return Buffer.from(row!.cursor).toString('hex');
  };

  const measure = async (label: string, loaded: number): Promise<Measured> => {
    const cursor = await deepCursor();
    // Check the cursor is one the RPC accepts (the scope format is the listing's own).
    await admin.unsafe(`select public.list_api_credential_records(_brand_id => $1, _limit => 50, _cursor => convert_from(decode($2, 'hex'), 'UTF8'))`, [env.listBrandId, cursor]);
    log(`scale (${label}): rotate…`);
    const rotate = await run(scripts.transaction('rotate_api_credential_secret_record', false, calls.rotate));
    log(`scale (${label}): token lookup…`);
    const lookup = await run(scripts.transaction('lookup_api_credential_for_token', true,
      `select public.lookup_api_credential_for_token(_client_id => 'scale.' || :n)`).replace('\\set n random(1, 64)', `\\set n random(0, ${loaded - 1})`)
      .replace("'role', 'authenticated'", "'role', 'service_role'").replace(/"role": ?"authenticated"/, '"role":"service_role"'));
    log(`scale (${label}): list, first page…`);
    const first = await run(scripts.transaction('list_api_credential_records', true, calls.list));
    log(`scale (${label}): list, deep page…`);
    const deep = await run(scripts.transaction('list_api_credential_records', true,
      `select public.list_api_credential_records(_brand_id => '${env.listBrandId}', _limit => 50, _cursor => convert_from(decode('${cursor}', 'hex'), 'UTF8'))`));
    return { rotate: rotate.perSecond, rotateP50: rotate.p50, lookup: lookup.perSecond, lookupP50: lookup.p50, first: first.perSecond, firstP50: first.p50, deep: deep.perSecond, deepP50: deep.p50 };
  };

  const restore = await rulesOff(admin);
  try {
    await load(admin, env, 0, PER_BRAND, log);
  } finally {
    await restore();
  }
  const small = await measure('1,000', PER_BRAND);
  const restore2 = await rulesOff(admin);
  const started = Date.now();
  try {
    await load(admin, env, PER_BRAND, credentials, log);
  } finally {
    await restore2();
  }
  const loadSeconds = (Date.now() - started) / 1000;
  const large = await measure(credentials.toLocaleString('en-US'), credentials);

  const [counts] = await admin<{ credentials: string; audit: string }[]>`
    select (select count(*) from mintid.api_credentials) as credentials, (select count(*) from mintid.audit_records) as audit`;
  const sizes = await admin<{ name: string; kind: string; size: string; bytes: string }[]>`
    select c.relname as name, case c.relkind when 'i' then 'index' else 'table' end as kind,
           pg_size_pretty(pg_relation_size(c.oid)) as size, pg_relation_size(c.oid) as bytes
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'mintid' and (c.relname in ('api_credentials', 'audit_records')
      or c.oid in (select indexrelid from pg_index where indrelid in ('mintid.api_credentials'::regclass, 'mintid.audit_records'::regclass)))
    order by c.relkind desc, pg_relation_size(c.oid) desc`;

  const row = (name: string, a: number, ap: number, b: number, bp: number) =>
    [name, num(a), ms(ap), num(b), ms(bp), ratio(a, b)];
  const table = markdownTable(
    ['operation', '1k tx/s', '1k p50 ms', `${Math.round(credentials / 1000)}k tx/s`, `${Math.round(credentials / 1000)}k p50 ms`, '1k / large (target ≤ 1.2×)'],
    [
      row('rotate', small.rotate, small.rotateP50, large.rotate, large.rotateP50),
      row('token lookup', small.lookup, small.lookupP50, large.lookup, large.lookupP50),
      row('list, first page', small.first, small.firstP50, large.first, large.firstP50),
      row('list, deep page (after 900)', small.deep, small.deepP50, large.deep, large.deepP50),
    ], ['operation'],
  );
  for (const [name, a, b] of [['rotate', small.rotate, large.rotate], ['token lookup', small.lookup, large.lookup],
    ['list, first page', small.first, large.first], ['list, deep page', small.deep, large.deep]] as const) {
    options.targets?.add({
      asked: `issue 9: ${name} with ${Math.round(credentials / 1000)}k credentials within 1.2× of the 1k case`,
      got: ratio(a, b), met: a <= 1.2 * b, why: `${PERF_DOC} "Scale"`,
    });
  }
  const sizeTable = markdownTable(['relation', 'kind', 'size'], sizes.map((s) => [s.name, s.kind, s.size]), ['relation', 'kind']);
  return [
    table, '',
    `- large: ${Number(counts!.credentials).toLocaleString('en-US')} credentials and ${Number(counts!.audit).toLocaleString('en-US')} audit records, bulk-loaded in ${loadSeconds.toFixed(0)} s (INSERT … SELECT generate_series, user triggers and foreign-key triggers off for the load only, then VACUUM ANALYZE).`,
    `- ${options.concurrency} pgbench clients per cell, PostgREST's transaction shape; rotate: one of 64 credentials spread over 16 brands; lookup: lookup_api_credential_for_token as service_role for a random one of all loaded client ids (1,000, then all of the large case); list: the listed brand's 1,000 credentials, first page and the page after 900 (keyset cursor).`,
    '',
    '### Relation sizes (large case)\n',
    sizeTable,
  ].join('\n');
}
