import { randomUUID } from 'node:crypto';
import postgres, { type Sql, type TransactionSql } from 'postgres';
import { inject } from 'vitest';
import { databaseUrl } from './urls.js';

/** A caller as PostgREST would present it: the role it switches to and the JWT claims it sets. */
export interface ApiCaller {
  role: string;
  /** JWT claims; PostgREST adds/overwrites `role`. null = leave request.jwt.claims unset. */
  claims: Record<string, unknown> | null;
}
/** An ApiCaller, or a direct SQL-console session of the operator login (no role, no claims). */
export type Caller = ApiCaller | 'operator';

export type Tx = TransactionSql<Record<string, never>>;

export interface TestDatabase {
  name: string;
  /** Superuser pool on this test database. */
  admin: Sql;
  /** Operator (SQL console) pool. */
  operator: Sql;
  /** Pool logged in as `authenticator`, like PostgREST. */
  api: Sql;
  /** The role that owns the tables and functions. */
  ownerRole: string;
  /** Connection URLs of this database: superuser, operator, the `authenticator` login and the local auth login. */
  urls: { admin: string; operator: string; authenticator: string; authAdmin: string };
  /** Runs fn in one transaction as the caller, with PostgREST's per-request settings. */
  as<T>(caller: Caller, fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Calls public.<fn> with named arguments as the caller; resolves to the JSON result. */
  rpc<T = Record<string, unknown>>(caller: Caller, fn: string, args: Record<string, unknown>): Promise<T>;
  /** Runs fn in one transaction as the table owner (a superuser session that SET ROLEs to it). */
  asOwner<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const quiet = { onnotice: () => {} } as const;

/** Calls public.<fn> with named arguments (as PostgREST does) inside the given transaction. */
export async function callRpc<T>(tx: Tx, fn: string, args: Record<string, unknown>): Promise<T> {
  const keys = Object.keys(args);
  const named = keys.map((key, i) => `"${key}" => $${i + 1}`).join(', ');
  const rows = await tx.unsafe(`select public."${fn}"(${named}) as result`, keys.map((k) => args[k]) as never[]);
  return rows[0]!.result as T;
}

/** Creates this test file's own database from the run's template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const config = inject('database');
  const name = `mintid_t_${config.runId}_${randomUUID().slice(0, 8)}`;
  const bootstrap = postgres(config.adminUrl, { max: 1, ...quiet });
  await bootstrap.unsafe(`create database ${name} template ${config.template}`);
  await bootstrap.end();

  const urls = {
    admin: databaseUrl(config.adminUrl, name),
    operator: databaseUrl(config.operatorUrl, name),
    authenticator: databaseUrl(config.adminUrl, name, { user: 'authenticator', password: config.authenticatorPassword }),
    authAdmin: databaseUrl(config.adminUrl, name, { user: 'supabase_auth_admin', password: config.authAdminPassword }),
  };
  const admin = postgres(urls.admin, { max: 4, ...quiet });
  const operator = postgres(urls.operator, { max: 4, ...quiet });
  const api = postgres(urls.authenticator, { max: 12, ...quiet });

  const as = <T>(caller: Caller, fn: (tx: Tx) => Promise<T>): Promise<T> => {
    if (caller === 'operator') return operator.begin((tx) => fn(tx as Tx)) as Promise<T>;
    return api.begin(async (tx) => {
      const claims = caller.claims === null ? null : JSON.stringify({ ...caller.claims, role: caller.role });
      // PostgREST's order: search_path, role, request.jwt.claims, method, path, headers, cookies.
      await tx`select set_config('search_path', '"public", "extensions"', true),
                      set_config('role', ${caller.role}, true),
                      set_config('request.jwt.claims', ${claims ?? ''}, true),
                      set_config('request.method', 'POST', true),
                      set_config('request.path', '/rpc/test', true),
                      set_config('request.headers', '{}', true),
                      set_config('request.cookies', '{}', true)`;
      return fn(tx as Tx);
    }) as Promise<T>;
  };

  const rpc = <T>(caller: Caller, fn: string, args: Record<string, unknown>): Promise<T> =>
    as(caller, (tx) => callRpc<T>(tx, fn, args));

  const asOwner = <T>(fn: (tx: Tx) => Promise<T>): Promise<T> =>
    admin.begin(async (tx) => {
      await tx.unsafe(`set local role "${config.ownerRole}"`);
      return fn(tx as Tx);
    }) as Promise<T>;

  return {
    name,
    admin,
    operator,
    api,
    ownerRole: config.ownerRole,
    urls,
    as,
    rpc,
    asOwner,
    close: async () => {
      await Promise.all([admin.end(), operator.end(), api.end()]);
      const cleanup = postgres(config.adminUrl, { max: 1, ...quiet });
      await cleanup.unsafe(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}
