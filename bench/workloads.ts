// The SQL each benchmark cell runs, written once: as a pgbench script (also run by the Node
// fallback) with PostgREST's per-request transaction (BEGIN, one set_config statement, the call,
// COMMIT), and the minimal equivalents the writing RPCs are held against (SPEC-free floor: the
// same row lock, update and one audit insert on plain tables without rules).
import type { Sql } from 'postgres';
import { roleSettings } from './postgrest-sql.js';
import type { BenchEnv } from './setup.js';

/** A fixed 16-byte salt in unpadded base64; the hash part is fresh per call. */
export const BENCH_SALT = 'c29tZXNhbHRzb21lc2FsdA';
/** A fresh format-valid argon2id PHC string, computed in SQL (pgbench has no string functions). */
export const FRESH_HASH_SQL = `'$argon2id$v=19$m=19456,t=2,p=1$${BENCH_SALT}$' || rtrim(encode(sha256(convert_to(random()::text || clock_timestamp()::text, 'UTF8')), 'base64'), '=')`;

/** '{products:read,orders:write}' without a colon followed by a letter, which pgbench would read as a variable. */
const SCOPES_SQL = `array['products' || chr(58) || 'read', 'orders' || chr(58) || 'write']`;

const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;

/** The request headers a fetch from supabase-js carries, as PostgREST puts them into request.headers. */
export function benchHeaders(env: BenchEnv): Record<string, string> {
  return {
    host: new URL(env.apiUrl).host, connection: 'keep-alive', 'content-type': 'application/json', apikey: env.anonKey,
    'content-profile': 'public', accept: '*/*', 'user-agent': 'autocannon', 'content-length': '200',
    authorization: `Bearer ${env.adminUser.jwt}`,
  };
}

export interface Scripts {
  /** `BEGIN …; select set_config(…); <call>; COMMIT;` for one call in PostgREST's way. */
  transaction(rpc: string, readOnly: boolean, call: string): string;
}

/** Builds pgbench transactions with the settings the gateway sets for the bench's admin user. */
export async function postgrestScripts(env: BenchEnv, sql: Sql): Promise<Scripts> {
  const claims = JSON.stringify({ ...env.adminUser.claims, role: 'authenticated' });
  const headers = JSON.stringify(benchHeaders(env));
  const fromRole = await roleSettings(sql, 'authenticated');
  return {
    transaction(rpc, readOnly, call) {
      const settings: [string, string][] = [
        ['search_path', '"public", "public", "extensions"'], ...fromRole, ['role', 'authenticated'],
        ['request.jwt.claims', claims], ['request.method', 'POST'], ['request.path', `/rpc/${rpc}`],
        ['request.headers', headers], ['request.cookies', '{}'],
      ];
      const set = settings.map(([k, v]) => `pg_catalog.set_config(${literal(k)}, ${literal(v)}, true)`).join(', ');
      return [
        '\\set n random(1, 64)',
        `BEGIN ISOLATION LEVEL READ COMMITTED ${readOnly ? 'READ ONLY' : 'READ WRITE'};`,
        `select ${set};`,
        `${call};`,
        'COMMIT;',
      ].join('\n') + '\n';
    },
  };
}

/** The RPC calls, as pgbench sends them (`:n` picks one of 64 rotate-pool credentials). */
export function rpcCalls(env: BenchEnv) {
  return {
    rotate: `select public.rotate_api_credential_secret_record(_brand_id => (select brand_id from bench.rotate_pool where i = :n), _credential_id => (select id from bench.rotate_pool where i = :n), _new_secret_hash => ${FRESH_HASH_SQL}, _reason => 'bench rotation')`,
    rotateOneBrand: `select public.rotate_api_credential_secret_record(_brand_id => ${literal(env.workBrandId)}, _credential_id => (select id from bench.single_pool where i = :n % 16 + 1), _new_secret_hash => ${FRESH_HASH_SQL}, _reason => 'bench rotation')`,
    create: `select public.create_api_credential_record(_brand_id => (select brand_id from bench.rotate_pool where i = :n), _name => 'Bench credential', _client_id => 'pgb.' || md5(random()::text || clock_timestamp()::text), _client_secret_hash => ${FRESH_HASH_SQL}, _scopes => ${SCOPES_SQL}, _metadata => '{"team": "erp"}')`,
    list: `select public.list_api_credential_records(_brand_id => ${literal(env.listBrandId)}, _limit => 50)`,
    minimalRotate: `select bench.minimal_rotate((select brand_id from bench.rotate_pool where i = :n), (select id from bench.rotate_pool where i = :n), ${FRESH_HASH_SQL}, 'bench rotation')`,
    minimalCreate: `select bench.minimal_create((select brand_id from bench.rotate_pool where i = :n), 'Bench credential', 'pgb.' || md5(random()::text || clock_timestamp()::text), ${FRESH_HASH_SQL}, ${SCOPES_SQL}, '{"team": "erp"}')`,
  };
}

/**
 * The floor the writing RPCs are compared with: plain copies of the credential and audit tables
 * (same columns, defaults and indexes; no triggers, no rules) and two functions doing only the
 * row lock + update + one audit insert (rotate) or insert + audit insert (create).
 */
export async function createMinimalSchema(admin: Sql, pool: { id: string; brandId: string }[], singleIds: string[]): Promise<void> {
  const [audit] = await admin<{ present: boolean }[]>`select to_regclass('mintid.audit_records') is not null as present`;
  await admin.unsafe(`
    create schema bench;
    create table bench.rotate_pool (i int primary key, id uuid not null, brand_id uuid not null);
    create table bench.single_pool (i int primary key, id uuid not null);
    create table bench.plain_credentials (like mintid.api_credentials including defaults including indexes);
    create table bench.plain_audit (
      id uuid primary key default gen_random_uuid(), brand_id uuid not null, subject_type text not null,
      subject_id uuid not null, action text not null, actor text not null, reason text,
      details jsonb not null default '{}', occurred_at timestamptz not null);
    create index on bench.plain_audit (brand_id, occurred_at desc, id desc);
    create index on bench.plain_audit (subject_id, occurred_at desc, id desc);
    create function bench.minimal_rotate(_brand_id uuid, _credential_id uuid, _hash text, _reason text) returns jsonb
    language plpgsql security definer set search_path = '' as $$
    declare _id uuid; _at timestamptz;
    begin
      select c.id into _id from bench.plain_credentials c where c.id = _credential_id and c.brand_id = _brand_id for no key update;
      _at := clock_timestamp();
      update bench.plain_credentials set client_secret_hash = _hash, secret_rotated_at = _at, secret_rotated_by = 'bench' where id = _id;
      insert into bench.plain_audit (brand_id, subject_type, subject_id, action, actor, reason, occurred_at)
      values (_brand_id, 'credential', _id, 'rotated', 'bench', _reason, _at);
      return jsonb_build_object('ok', true, 'credential_id', _id, 'rotated_at', _at);
    end $$;
    create function bench.minimal_create(_brand_id uuid, _name text, _client_id text, _hash text, _scopes text[], _metadata jsonb) returns jsonb
    language plpgsql security definer set search_path = '' as $$
    declare _id uuid;
    begin
      insert into bench.plain_credentials (brand_id, name, client_id, client_secret_hash, scopes, metadata, created_by)
      values (_brand_id, _name, _client_id, _hash, _scopes, _metadata, 'bench') returning id into _id;
      insert into bench.plain_audit (brand_id, subject_type, subject_id, action, actor, occurred_at)
      values (_brand_id, 'credential', _id, 'created', 'bench', now());
      return jsonb_build_object('ok', true, 'credential_id', _id);
    end $$;
    grant usage on schema bench to authenticated;
    grant select on bench.rotate_pool, bench.single_pool to authenticated;
    grant execute on all functions in schema bench to authenticated;
    comment on schema bench is ${literal(`benchmark scaffolding; audit table modelled on ${audit?.present ? 'mintid.audit_records' : 'mintid.api_credential_events'}`)};
  `);
  const ids = pool.map((p) => p.id);
  await admin`insert into bench.rotate_pool (i, id, brand_id)
    select i, (${ids}::uuid[])[i], (${pool.map((p) => p.brandId)}::uuid[])[i] from generate_series(1, ${pool.length}) i`;
  await admin`insert into bench.single_pool (i, id) select i, (${singleIds}::uuid[])[i] from generate_series(1, ${singleIds.length}) i`;
  await admin`insert into bench.plain_credentials select * from mintid.api_credentials where id = any(${ids}::uuid[])`;
}
