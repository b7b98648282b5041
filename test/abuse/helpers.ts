// Shared parts of the abuse tests: the failure store over the real database, raw HTTP requests
// (chunked bodies without Content-Length, which fetch only sends for streams), and small fixtures.
import { request as httpRequest } from 'node:http';
import type { TestDatabase } from '../support/database.js';
import { serviceCaller } from '../support/fixtures.js';
import { parseFailureCheck, type FailureStore } from '../../supabase/functions/_shared/rate-limits.ts';

/** The shared failure counters over the real database: the two RPCs as service_role through SQL. */
export function sqlFailureStore(db: TestDatabase): FailureStore & { checks: number; records: number } {
  const store = {
    checks: 0,
    records: 0,
    async check(keys: string[], limit: number) {
      store.checks += 1;
      return parseFailureCheck(await db.rpc(serviceCaller, 'check_token_auth_failures', { _keys: keys, _limit: limit }));
    },
    async record(keys: string[]) {
      store.records += 1;
      await db.rpc(serviceCaller, 'record_token_auth_failure', { _keys: keys });
    },
  };
  return store;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Bytes of the body this client managed to hand to the socket before the answer came. */
  sent: number;
}

/**
 * Sends a request whose body is `chunks` with Transfer-Encoding: chunked (no Content-Length),
 * stopping once the server has answered. Resolves with the answer; a server that closes the
 * connection after answering (it will not read the rest) is fine.
 */
export function chunkedRequest(url: string, options: { method?: string; headers?: Record<string, string>; chunk: string; count: number }): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = httpRequest(url, { method: options.method ?? 'POST', headers: { ...options.headers, 'Transfer-Encoding': 'chunked' } }, (res) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, sent }));
      res.on('error', reject);
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    let i = 0;
    const pump = () => {
      while (i < options.count && !answered) {
        i += 1;
        sent += Buffer.byteLength(options.chunk);
        if (!req.write(options.chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      if (!answered) req.end();
    };
    pump();
  });
}

/** A string of JSON nesting `depth` arrays. */
export const nestedArrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/** A JSON object `{"_brand_id": …}` whose value nests `depth` objects in total (the outer one included). */
export const nestedObject = (depth: number) => `${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`;
