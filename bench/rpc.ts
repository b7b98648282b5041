// The RPC table: rotate, create and list through the gateway over real HTTP (as supabase-js sends
// them) next to the same RPCs called directly in SQL with PostgREST's per-request settings.
import { phc } from '../test/support/fixtures.js';
import { inParallel, runFor, type Cell, type RunOptions } from './measure.js';
import { createPostgrestCaller, type PostgrestCaller, type SqlCall } from './postgrest-sql.js';
import type { BenchEnv } from './setup.js';
import { markdownTable, ms, num, ratio } from './table.js';

export interface RpcBenchOptions {
  seconds: number;
  warmupSeconds: number;
  concurrencies: number[];
  /** Credentials in the listed brand. */
  listSize: number;
  /** Active credentials the rotations go round-robin over. */
  rotatePool: number;
}

interface RpcCase {
  label: string;
  rpc: string;
  readOnly: boolean;
  /** Fresh arguments for one call (the JSON body supabase-js would send). */
  args(): Record<string, unknown>;
  /** The same arguments as a direct SQL call. */
  sql(args: Record<string, unknown>): SqlCall;
}

const SCOPES = ['products:read', 'orders:write'];
const METADATA = { team: 'erp' };
const CREATE_SQL = `select public.create_api_credential_record(_brand_id => $1::uuid, _name => $2::text, _client_id => $3::text,
  _client_secret_hash => $4::text, _scopes => $5::text[], _metadata => $6::jsonb) as result`;
const ROTATE_SQL = `select public.rotate_api_credential_secret_record(_brand_id => $1::uuid, _credential_id => $2::uuid,
  _new_secret_hash => $3::text, _reason => $4::text) as result`;
const LIST_SQL = 'select public.list_api_credential_records(_brand_id => $1::uuid, _limit => $2::int) as result';

export function createArgs(brandId: string, clientId: string, hash: string, name = 'Bench credential'): Record<string, unknown> {
  return { _brand_id: brandId, _name: name, _client_id: clientId, _client_secret_hash: hash, _scopes: SCOPES, _metadata: METADATA };
}

export function createSql(args: Record<string, unknown>): SqlCall {
  return {
    text: CREATE_SQL,
    // postgres.js serializes by the parameter types the server describes: an object for jsonb; with
    // fetch_types off (as in the gateway) it has no text[] serializer, so the array goes as a literal.
    params: [args._brand_id, args._name, args._client_id, args._client_secret_hash,
      `{${(args._scopes as string[]).join(',')}}`, args._metadata],
  };
}

/** Creates a credential as the bench admin through the SQL path; returns its id. */
export async function createCredential(call: PostgrestCaller, args: Record<string, unknown>): Promise<string> {
  const result = await call('create_api_credential_record', false, createSql(args)) as { credential_id: string };
  return result.credential_id;
}

/** POSTs to /rest/v1/rpc/<rpc> like supabase-js; anything but 200 with `ok: true` throws (status and error code only). */
export function httpCaller(env: BenchEnv) {
  const headers = {
    apikey: env.anonKey,
    Authorization: `Bearer ${env.adminUser.jwt}`,
    'Content-Type': 'application/json',
    'Content-Profile': 'public',
  };
  return async (rpc: string, args: Record<string, unknown>): Promise<void> => {
    const response = await fetch(`${env.apiUrl}/rest/v1/rpc/${rpc}`, { method: 'POST', headers, body: JSON.stringify(args) });
    const text = await response.text();
    let body: { ok?: unknown; code?: unknown } | undefined;
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      body = undefined;
    }
    if (response.status !== 200 || body?.ok !== true) {
      throw new Error(`${rpc} over HTTP answered ${response.status} (code ${String(body?.code ?? 'none')})`);
    }
  };
}

export async function rpcTable(env: BenchEnv, options: RpcBenchOptions, log: (line: string) => void): Promise<string> {
  const sqlCall = await createPostgrestCaller(env);
  const http = httpCaller(env);
  const runId = Date.now().toString(36);
  let created = 0;
  const nextClientId = () => `bench.${runId}.${(created += 1)}`;

  log(`seeding ${options.listSize} credentials to list and ${options.rotatePool} to rotate…`);
  await inParallel(Array.from({ length: options.listSize }), 8, () =>
    createCredential(sqlCall, createArgs(env.listBrandId, nextClientId(), phc(), 'Listed credential')));
  const rotateIds = await inParallel(Array.from({ length: options.rotatePool }), 8, () =>
    createCredential(sqlCall, createArgs(env.workBrandId, nextClientId(), phc(), 'Rotated credential')));
  let rotation = 0;

  const cases: RpcCase[] = [
    {
      label: 'rotate', rpc: 'rotate_api_credential_secret_record', readOnly: false,
      args: () => {
        rotation += 1;
        return { _brand_id: env.workBrandId, _credential_id: rotateIds[rotation % rotateIds.length], _new_secret_hash: phc(), _reason: 'bench rotation' };
      },
      sql: (a) => ({ text: ROTATE_SQL, params: [a._brand_id, a._credential_id, a._new_secret_hash, a._reason] as string[] }),
    },
    {
      label: 'create', rpc: 'create_api_credential_record', readOnly: false,
      args: () => createArgs(env.workBrandId, nextClientId(), phc()),
      sql: createSql,
    },
    {
      label: 'list', rpc: 'list_api_credential_records', readOnly: true,
      args: () => ({ _brand_id: env.listBrandId, _limit: 50 }),
      sql: (a) => ({ text: LIST_SQL, params: [a._brand_id as string, a._limit as number] }),
    },
  ];

  const rows: string[][] = [];
  for (const c of cases) {
    for (const concurrency of options.concurrencies) {
      const run: RunOptions = { concurrency, seconds: options.seconds, warmupSeconds: options.warmupSeconds };
      log(`${c.label} × ${concurrency}: HTTP…`);
      const overHttp: Cell = await runFor(() => http(c.rpc, c.args()), run);
      log(`${c.label} × ${concurrency}: SQL…`);
      const inSql: Cell = await runFor(async () => {
        await sqlCall(c.rpc, c.readOnly, c.sql(c.args()));
      }, run);
      rows.push([c.label, String(concurrency), num(overHttp.perSecond), ms(overHttp.p50), ms(overHttp.p99),
        num(inSql.perSecond), ms(inSql.p50), ms(inSql.p99), ratio(overHttp.perSecond, inSql.perSecond)]);
    }
  }
  const table = markdownTable(
    ['rpc', 'concurrency', 'HTTP req/s', 'HTTP p50 ms', 'HTTP p99 ms', 'SQL req/s', 'SQL p50 ms', 'SQL p99 ms', 'HTTP/SQL throughput'],
    rows, ['rpc'],
  );
  const notes = [
    `- rotate: each call rotates the next of ${options.rotatePool} active credentials (round-robin) to a fresh format-valid argon2id PHC string, so workers rarely wait on one row lock (at concurrency 32 two calls can meet on a row now and then).`,
    '- create: a unique client id per call, into one brand (each call also writes its audit event).',
    `- list: \`list_api_credential_records\` with \`_limit: 50\` (first page) over a brand holding ${options.listSize} credentials.`,
    `- HTTP: \`fetch\` (undici, keep-alive) → gateway (apikey, HS256 JWT, PostgREST call) in a worker thread of the bench process → pool of ${env.authenticatorPoolSize} \`authenticator\` connections.`,
    `- SQL: postgres.js pool of ${env.authenticatorPoolSize} \`authenticator\` connections with the gateway's pool options; per call one transaction: the \`select set_config(...)\` statement (search_path, role settings, role \`authenticated\`, request.jwt.claims, method, path, headers, cookies), then \`select public.<rpc>(...)\`.`,
  ];
  return `${table}\n\n${notes.join('\n')}`;
}
