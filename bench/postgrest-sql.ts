// An RPC called straight in SQL the way PostgREST (and our gateway, src/gateway/transaction.ts)
// calls it: one transaction, one `select set_config(...)` statement with the per-request settings,
// then the call. The baseline the HTTP numbers are compared with.
import type { Sql } from 'postgres';
import type { BenchEnv } from './setup.js';

export interface SqlCall {
  /** `select public.<rpc>(...) as result` with $n parameters. */
  text: string;
  params: unknown[];
}

/** `role`'s settings from pg_db_role_setting (e.g. statement_timeout), as the gateway's schema cache loads them. */
export async function roleSettings(sql: Sql, role: string): Promise<[string, string][]> {
  const rows = await sql.unsafe<{ name: string; value: string }[]>(`
    select split_part(c.setting, '=', 1) as name, substr(c.setting, strpos(c.setting, '=') + 1) as value
      from pg_catalog.pg_db_role_setting s
      join pg_catalog.pg_roles r on r.oid = s.setrole
      cross join lateral unnest(s.setconfig) as c(setting)
     where r.rolname = $1
       and s.setdatabase in (0, (select oid from pg_catalog.pg_database where datname = current_database()))
     order by s.setdatabase`, [role]);
  return rows.map((r) => [r.name, r.value]);
}

/**
 * Calls RPCs as the bench's admin user would through PostgREST: role `authenticated`, the JWT's
 * claims, POST /rpc/<name>, and request headers like those a fetch from supabase-js carries.
 */
export async function createPostgrestCaller(env: BenchEnv) {
  const settingsOfRole = await roleSettings(env.authenticator, 'authenticated');
  const host = new URL(env.apiUrl).host;
  const headers = {
    host, connection: 'keep-alive', 'content-type': 'application/json', apikey: env.anonKey,
    'content-profile': 'public', accept: '*/*', 'accept-language': '*', 'sec-fetch-mode': 'cors',
    'user-agent': 'node', 'accept-encoding': 'gzip, deflate', 'content-length': '200',
    authorization: `Bearer ${env.adminUser.jwt}`,
  };
  const claims = JSON.stringify({ ...env.adminUser.claims, role: 'authenticated' });

  return async function call(rpc: string, readOnly: boolean, call: SqlCall): Promise<unknown> {
    const settings: [string, string][] = [
      ['search_path', '"public", "public", "extensions"'],
      ...settingsOfRole,
      ['role', 'authenticated'],
      ['request.jwt.claims', claims],
      ['request.method', 'POST'],
      ['request.path', `/rpc/${rpc}`],
      ['request.headers', JSON.stringify(headers)],
      ['request.cookies', '{}'],
    ];
    const settingsSql = `select ${settings.map((_, i) => `pg_catalog.set_config($${2 * i + 1}, $${2 * i + 2}, true)`).join(', ')}`;
    return env.authenticator.begin(`isolation level read committed ${readOnly ? 'read only' : 'read write'}`, async (tx) => {
      await tx.unsafe(settingsSql, settings.flat());
      const [row] = await tx.unsafe<{ result: unknown }[]>(call.text, call.params as never[]);
      const result = typeof row?.result === 'string' ? JSON.parse(row.result) as unknown : row?.result;
      if ((result as { ok?: unknown } | undefined)?.ok !== true) throw new Error(`${rpc} in SQL did not answer ok`);
      return result;
    });
  };
}

export type PostgrestCaller = Awaited<ReturnType<typeof createPostgrestCaller>>;
