import type { Sql } from 'postgres';
import { pgrst } from './errors.js';
import type { AuthResult } from './jwt.js';
import type { CallTarget } from './resolve.js';
import type { RpcRequest } from './rpc-request.js';
import type { SchemaCacheData } from './schema-cache.js';

/** Everything one call transaction needs. */
export interface CallPlan {
  request: RpcRequest;
  target: CallTarget;
  auth: AuthResult;
  /** The original request's headers (cookie excluded later) and the Authorization the gateway forwards. */
  headers: Headers;
  authorization: string | undefined;
  singular: boolean;
  count: boolean;
  extraSearchPath: string[];
  maxRows: number;
}

/** What the main query returns. */
export interface CallResult {
  /** Total rows when `Prefer: count=exact` was asked, else null. */
  total: number | null;
  pageTotal: number;
  /** The JSON body exactly as PostgreSQL rendered it. */
  body: string;
  /** Set by the function through `response.status` / `response.headers`. */
  status: number | null;
  headers: [string, string][];
}

const ISOLATION = new Set(['read uncommitted', 'read committed', 'repeatable read', 'serializable']);
export const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The Cookie header as PostgREST's `request.cookies` object. */
function cookies(header: string | null): Record<string, string> {
  const result: Record<string, string> = {};
  for (const pair of (header ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at > 0) result[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return result;
}

/** The transaction-local settings, in PostgREST's order (POSTGREST.md §3 step 2). */
export function requestSettings(plan: CallPlan, cache: SchemaCacheData): [string, string][] {
  const { request, auth, target } = plan;
  const headers: Record<string, string> = {};
  plan.headers.forEach((value, key) => {
    if (key !== 'cookie') headers[key] = value;
  });
  if (plan.authorization !== undefined) headers.authorization = plan.authorization;
  return [
    ['search_path', [request.schema, ...plan.extraSearchPath].map(ident).join(', ')],
    ...(cache.roleSettings.get(auth.role) ?? []),
    ['role', auth.role],
    ['request.jwt.claims', auth.claimsJson],
    ['request.method', request.method],
    ['request.path', `/rpc/${request.name}`],
    ['request.headers', JSON.stringify(headers)],
    ['request.cookies', JSON.stringify(cookies(plan.headers.get('cookie')))],
    ...target.routine.hoisted,
  ];
}

/** The main statement: call once, page, count, render JSON, read the response GUCs. */
export function mainQuery(plan: CallPlan): string {
  const { routine, rawBody } = plan.target;
  const fn = `${ident(routine.schema)}.${ident(routine.name)}`;
  const types = new Map(routine.params.map((p) => [p.name, p.type]));
  let from: string;
  if (rawBody) from = `${fn}($1::text::${routine.params[0]!.type}) pgrst_call`;
  else if (plan.request.keys.length === 0) from = `${fn}() pgrst_call`;
  else {
    // Sorted: the statement text (a prepared statement per connection) does not depend on key order.
    const keys = [...plan.request.keys].sort();
    const columns = keys.map((k) => `${ident(k)} ${types.get(k)}`).join(', ');
    const named = keys.map((k) => `${ident(k)} := pgrst_args.${ident(k)}`).join(', ');
    from = `pg_catalog.json_to_record($1::text::json) as pgrst_args(${columns}), lateral ${fn}(${named}) pgrst_call`;
  }
  const composite = routine.returns === 'composite';
  const source = composite ? `select pgrst_call.* from ${from}` : `select pgrst_call.pgrst_scalar from ${from}(pgrst_scalar)`;
  const value = composite ? '_t' : '_t.pgrst_scalar';
  const asArray = routine.setof && !plan.singular;
  const body = asArray
    ? `coalesce(pg_catalog.json_agg(${value})::text, '[]')`
    : `coalesce((pg_catalog.json_agg(${value}) -> 0)::text, 'null')`;
  // Limit and offset are parameters after the argument, so paging reuses one prepared statement.
  const next = rawBody || plan.request.keys.length > 0 ? 2 : 1;
  const page = routine.setof ? ` limit $${next}::int8 offset $${next + 1}::int8` : '';
  return `with pgrst_source as (${source})
select ${plan.count ? '(select pg_catalog.count(*) from pgrst_source)' : 'null'}::int8 as total,
       pg_catalog.count(*)::int8 as page_total, ${body} as body,
       nullif(pg_catalog.current_setting('response.headers', true), '') as response_headers,
       nullif(pg_catalog.current_setting('response.status', true), '') as response_status
  from (select * from pgrst_source${page}) _t`;
}

/** `response.status` and `response.headers` as the function set them (PGRST112 / PGRST111 when malformed). */
function responseGucs(status: string | null, headers: string | null): { status: number | null; headers: [string, string][] } {
  let code: number | null = null;
  if (status !== null) {
    code = /^\d{3}$/.test(status.trim()) ? Number(status.trim()) : NaN;
    if (!(code >= 100 && code <= 599)) throw pgrst(500, 'PGRST112', 'response.status guc must be a valid status code');
  }
  const list: [string, string][] = [];
  if (headers !== null) {
    const invalid = () => pgrst(500, 'PGRST111', 'response.headers guc must be a JSON array composed of objects with a single key and a string value');
    let parsed: unknown;
    try {
      parsed = JSON.parse(headers);
    } catch {
      throw invalid();
    }
    if (!Array.isArray(parsed)) throw invalid();
    for (const item of parsed) {
      const entries = typeof item === 'object' && item !== null && !Array.isArray(item) ? Object.entries(item) : [];
      if (entries.length !== 1 || typeof entries[0]![1] !== 'string') throw invalid();
      list.push(entries[0] as [string, string]);
    }
  }
  return { status: code, headers: list };
}

/** The main query's parameters, matching mainQuery's placeholders. */
export function mainParameters(plan: CallPlan): string[] {
  const { routine, rawBody } = plan.target;
  const params: string[] = [];
  if (rawBody) params.push(plan.request.bodyJson);
  else if (plan.request.keys.length > 0) params.push(plan.request.argsJson);
  if (routine.setof) params.push(String(Math.min(plan.request.limit ?? plan.maxRows, plan.maxRows)), String(plan.request.offset));
  return params;
}

/**
 * postgres.js's unsafe() sends an unnamed statement (parsed and planned on every call) unless it
 * is asked to prepare. The settings and main statements are few distinct texts (one per settings
 * count, one per routine and key set), so they are named prepared statements on each connection.
 */
const PREPARED = { prepare: true } as const;

type MainRow = { total: string | null; page_total: string; body: string; response_headers: string | null; response_status: string | null };

/** The settings statement for a number of settings, made once per count. */
const settingsStatements: string[] = [];
function settingsStatement(count: number): string {
  return settingsStatements[count] ??=
    `select ${Array.from({ length: count }, (_, i) => `pg_catalog.set_config($${2 * i + 1}, $${2 * i + 2}, true)`).join(', ')}`;
}

/** The PGRST116/PGRST103 checks, which must roll the transaction back when they fail. */
function postChecks(plan: CallPlan, result: CallResult): void {
  if (plan.singular && plan.target.routine.setof && result.pageTotal !== 1) {
    throw pgrst(406, 'PGRST116', 'Cannot coerce the result to a single JSON object', `The result contains ${result.pageTotal} rows`);
  }
  if (result.total !== null && plan.request.offset > result.total) {
    throw pgrst(416, 'PGRST103', 'Requested range not satisfiable',
      `An offset of ${plan.request.offset} was requested, but there are only ${result.total} rows.`);
  }
}

/**
 * Runs one RPC in its own transaction, as PostgREST does: READ ONLY for GET/HEAD and for
 * STABLE/IMMUTABLE functions, the function's or role's isolation level, the settings statement,
 * the call, then the checks that roll back (PGRST116, PGRST103).
 *
 * One round trip: on a reserved connection BEGIN, the settings, the call and COMMIT are sent
 * without waiting for each other (postgres.js pipelines them; each is its own extended-protocol
 * message group, all prepared statements after their first use on the connection). When the
 * call fails, the server answers the pipelined COMMIT with a rollback, so nothing of a failed call
 * stays. Only a call whose answer can still be refused after it ran (single-object Accept on a
 * set-returning function, or an exact count) waits for the answer and then commits or rolls back.
 */
export async function runCall(sql: Sql, plan: CallPlan, cache: SchemaCacheData): Promise<CallResult> {
  const { routine } = plan.target;
  const readOnly = plan.request.method !== 'POST' || routine.volatility !== 'volatile';
  const roleIsolation = cache.roleSettings.get(plan.auth.role)?.find(([k]) => k === 'default_transaction_isolation')?.[1];
  const isolation = [routine.isolation, roleIsolation].map((v) => v?.toLowerCase()).find((v) => v && ISOLATION.has(v)) ?? 'read committed';
  const settings = requestSettings(plan, cache);
  const checked = (plan.singular && routine.setof) || plan.count;

  const tx = await sql.reserve();
  // When the connection dies, every statement of the reservation rejects, also those postgres.js
  // parked in the reservation's own queue (scripts/patch-postgres.mjs; unpatched 3.4.9 never settles
  // them, so the allSettled below would wait forever). A connection that died under the call is
  // already back in the pool's closed queue (to be reconnected); it is not released (the patched
  // release() would ignore it; unpatched, it would put a dead connection among the open ones).
  let reusable = true;
  try {
    const begin = tx.unsafe(`begin isolation level ${isolation} ${readOnly ? 'read only' : 'read write'}`);
    const set = tx.unsafe(settingsStatement(settings.length), settings.flat(), PREPARED);
    const main = tx.unsafe<MainRow[]>(mainQuery(plan), mainParameters(plan), PREPARED);
    const end = checked ? null : tx.unsafe('commit');
    // Every promise is settled before anything is thrown, so none rejects unobserved.
    const [b, s, m, e] = await Promise.allSettled([begin, set, main, end]);
    const failure = [b, s, m, e].find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
    if (failure) {
      reusable = [b, s, m, e].every((r) => r.status === 'fulfilled' || isStatementError(r.reason));
      if (checked && reusable) await tx.unsafe('rollback').catch(() => {
        reusable = false;
      });
      throw failure.reason;
    }
    const row = (m as PromiseFulfilledResult<MainRow[]>).value[0]!;
    const result: CallResult = {
      total: row.total === null ? null : Number(row.total),
      pageTotal: Number(row.page_total),
      body: row.body,
      status: null,
      headers: [],
    };
    if (checked) {
      try {
        postChecks(plan, result);
      } catch (error) {
        await tx.unsafe('rollback').catch(() => {
          reusable = false;
        });
        throw error;
      }
      await tx.unsafe('commit').catch((error: unknown) => {
        if (!isStatementError(error)) reusable = false;
        throw error;
      });
    }
    // As in PostgREST, the response GUCs are read after the transaction (PGRST111/112 do not roll back).
    return { ...result, ...responseGucs(row.response_status, row.response_headers) };
  } finally {
    if (reusable) tx.release();
  }
}

/** An error the server raised for a statement, after which the session goes on (not FATAL, not a lost connection). */
function isStatementError(error: unknown): boolean {
  const e = error as { name?: unknown; severity?: unknown } | null;
  return e?.name === 'PostgresError' && e.severity === 'ERROR';
}
