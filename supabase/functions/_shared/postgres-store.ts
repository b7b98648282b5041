// The credential store over a direct Postgres connection, for where the edge function can reach
// the database (Supabase gives edge functions SUPABASE_DB_URL): the same service-only RPCs as
// store.ts and rate-limits.ts (lookup, record uses, the shared failure counters), each one
// prepared statement on a small postgres.js pool, instead of an HTTP hop through the API gateway.
// For the cold path the lookup and the failure check go together in one statement
// (lookupWithFailures): one round trip fewer before argon2. The RPCs decide who may call them (an operator login such as SUPABASE_DB_URL's
// `postgres` is trusted, SPEC §4) and compute the status, so the rules stay in one place.
// Runs in Node and in Deno (npm:postgres).
import postgres from 'postgres';
import { parseFailureCheck, type FailureStore } from './rate-limits.ts';
import { parseLookupResult, parseRecordResult, StoreError, type CredentialStore, recordUseArgs, type LookupWithFailures, type UsageExtras } from './store.ts';

export interface PostgresStoreOptions {
  /** A postgres:// URL of a login that may call the token RPCs (SUPABASE_DB_URL). Never logged. */
  databaseUrl: string;
  /** Connections. Default 4: one lookup per exchange is short. */
  max?: number;
}

/** SQLSTATE classes after which retrying may help: connection, resources, operator intervention. */
const TRANSIENT = /^(08|53|57)/;

function storeError(rpc: string, error: unknown): StoreError {
  const code = (error as { code?: unknown } | null)?.code;
  const text = typeof code === 'string' ? code : 'no code';
  // A PostgresError carries a SQLSTATE; anything else (ECONNREFUSED, CONNECTION_CLOSED, …) is the connection.
  const isServer = (error as { name?: unknown } | null)?.name === 'PostgresError';
  return new StoreError(`${rpc} failed (${text})`, { transient: !isServer || TRANSIENT.test(text) });
}

/** A CredentialStore over SQL, the failure counters of the limits before argon2 on the same pool, and close() for the pool. */
export function createPostgresCredentialStore(
  options: PostgresStoreOptions,
): CredentialStore & { lookupWithFailures(clientId: string, addressKey: string, limit: number): Promise<LookupWithFailures>; failures: FailureStore; close(): Promise<void> } {
  const sql = postgres(options.databaseUrl, {
    max: options.max ?? 4, prepare: true, connect_timeout: 5, idle_timeout: 60, onnotice: () => {},
    connection: { application_name: 'mintid-token' },
  });
  return {
    async lookup(clientId) {
      let rows: { result: unknown }[];
      try {
        rows = await sql<{ result: unknown }[]>`select public.lookup_api_credential_for_token(_client_id => ${clientId}::text) as result`;
      } catch (error) {
        throw storeError('lookup_api_credential_for_token', error);
      }
      return parseLookupResult(rows[0]?.result);
    },
    // The key is the one failureKeys builds: 'credential:<id>' when the client_id names a
    // credential, else the caller's address key. Both functions run in one statement, lookup first.
    async lookupWithFailures(clientId, addressKey, limit) {
      let rows: { result: unknown; failures: unknown }[];
      try {
        rows = await sql<{ result: unknown; failures: unknown }[]>`
          with found as (select public.lookup_api_credential_for_token(_client_id => ${clientId}::text) as result)
          select found.result, public.check_token_auth_failures(
            _keys => array[coalesce('credential:' || (found.result -> 'credential' ->> 'credential_id'), ${addressKey}::text)],
            _limit => ${limit}::int) as failures
          from found`;
      } catch (error) {
        throw storeError('lookup_api_credential_for_token + check_token_auth_failures', error);
      }
      return { credential: parseLookupResult(rows[0]?.result), failures: parseFailureCheck(rows[0]?.failures) };
    },
    // `more` (uses of a previous secret during its grace, rejected uses; SPEC §13; the time of
    // each use) is passed only when there is some: a handful of statement texts.
    async recordUses(credentialIds, more: UsageExtras = {}) {
      // The same named arguments as the supabase-js store (recordUseArgs): id lists as uuid[],
      // the JSON objects as jsonb.
      const named = Object.entries(recordUseArgs(credentialIds, more));
      const args = named.map(([name, value], i) => `${name} => $${i + 1}::${Array.isArray(value) ? 'uuid[]' : 'text::jsonb'}`);
      const params = named.map(([, value]) => (Array.isArray(value) ? value : JSON.stringify(value)));
      let rows: { result: unknown }[];
      try {
        rows = await sql.unsafe<{ result: unknown }[]>(`select public.record_api_credential_use(${args.join(', ')}) as result`, params as never[]);
      } catch (error) {
        throw storeError('record_api_credential_use', error);
      }
      parseRecordResult(rows[0]?.result);
    },
    failures: {
      async check(keys, limit) {
        let rows: { result: unknown }[];
        try {
          rows = await sql<{ result: unknown }[]>`
            select public.check_token_auth_failures(_keys => ${keys}::text[], _limit => ${limit}::int) as result`;
        } catch (error) {
          throw storeError('check_token_auth_failures', error);
        }
        return parseFailureCheck(rows[0]?.result);
      },
      async record(keys) {
        try {
          await sql`select public.record_token_auth_failure(_keys => ${keys}::text[])`;
        } catch (error) {
          throw storeError('record_token_auth_failure', error);
        }
      },
    },
    close: () => sql.end({ timeout: 5 }),
  };
}
