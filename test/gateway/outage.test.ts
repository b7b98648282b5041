// A database outage under a running gateway: 503 with Retry-After, then recovery without restart.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway/index.js';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../src/local/embedded.js';
import { migrate } from '../../src/local/migrate.js';
import { databaseUrl, freePort } from '../support/urls.js';
import { eventually, fixtureSql, JWT_SECRET, sign } from './helpers.js';

let dataRoot: string;
let port: number;
let server: EmbeddedServer | undefined;
let gateway: Gateway;
let anonKey: string;

// One superuser password for the server's whole life: it is restarted on the same data directory.
const password = randomBytes(24).toString('base64url');
const start = async () => startEmbeddedPostgres({ dataDir: path.join(dataRoot, 'db'), port, durable: false, password });
const call = (fn: string) => gateway.fetch(new Request(`http://localhost/rest/v1/rpc/${fn}`, { headers: { apikey: anonKey } }));

beforeAll(async () => {
  dataRoot = await mkdtemp(path.join(tmpdir(), 'mintid-gateway-outage-'));
  port = await freePort();
  server = await start();
  await migrate({ databaseUrl: server.adminUrl, authenticatorPassword: 'postgres', ownerPassword: 'postgres' });
  const admin = postgres(server.adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(await fixtureSql());
  await admin.unsafe(`create function test_api.sleep_then(_seconds float8) returns int language sql volatile
      as $$ select pg_catalog.pg_sleep(_seconds); select 1 $$;
    grant execute on function test_api.sleep_then(float8) to anon`);
  await admin.end();
  anonKey = await sign({ role: 'anon' });
  gateway = await createGateway({
    databaseUrl: databaseUrl(server.adminUrl, 'postgres', { user: 'authenticator', password: 'postgres' }),
    jwtSecret: JWT_SECRET,
    apiKeys: [anonKey],
    schemas: ['test_api'],
    poolSize: 2,
  });
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  await server?.stop();
  if (dataRoot) await rm(dataRoot, { recursive: true, force: true });
}, 60_000);

// A backend that dies while a pipelined call is on it (src/gateway/transaction.ts sends BEGIN, the
// settings, the call and COMMIT at once on a reserved connection). On a connection where a
// statement is new, postgres.js sends it described first and parks the statements after it in
// the reservation's own queue; before scripts/patch-postgres.mjs made reserve() own its
// connection, nothing settled those when the connection closed, so the request never answered
// (test/abuse/faults.test.ts hung), and a release of the dead connection would lose a pool slot.
describe('a connection dying mid-pipeline', () => {
  const sleepThen = () => gateway.fetch(new Request('http://localhost/rest/v1/rpc/sleep_then', {
    method: 'POST', headers: { apikey: anonKey, 'Content-Type': 'application/json' }, body: JSON.stringify({ _seconds: 30 }),
  }));
  const within = <T>(promise: Promise<T>, ms: number) => Promise.race([promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms))]);

  it('answers 503 + Retry-After, releases the reservation, and the next requests succeed (every pool slot)', async () => {
    const admin = postgres(server!.adminUrl, { max: 1, onnotice: () => {} });
    try {
      // More times than the pool has connections (2): a lost slot would leave the pool empty.
      for (let round = 0; round < 3; round += 1) {
        const pending = sleepThen();
        let killed = 0;
        await eventually(async () => {
          const rows = await admin<{ killed: boolean }[]>`select pg_catalog.pg_terminate_backend(pid) as killed
            from pg_catalog.pg_stat_activity where application_name = 'mintid-gateway' and query like '%sleep_then%' and state = 'active'`;
          killed = rows.length;
          return killed > 0;
        });
        expect(killed).toBe(1);
        const res = await within(pending, 10_000);
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
        await res.text();
        for (let i = 0; i < 3; i += 1) {
          const ok = await within(call('no_args'), 10_000);
          expect(ok.status).toBe(200);
          expect(await ok.text()).toBe('42');
        }
      }
    } finally {
      await admin.end();
    }
  }, 60_000);
});

describe('database outage', () => {
  it('answers 200 while the database is up', async () => {
    const res = await call('no_args');
    expect(res.status).toBe(200);
  });

  it('answers 503 with Retry-After and a PostgREST body while the database is down', async () => {
    await server!.stop();
    server = undefined;
    // The first call may still see the dying connection; every call while down is a 503.
    for (let i = 0; i < 3; i += 1) {
      const res = await call('no_args');
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      const body = JSON.parse(await res.text()) as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual(['code', 'details', 'hint', 'message']);
      expect(String(body.code)).toMatch(/^(PGRST00[01]|57P01)$/);
    }
    const settled = JSON.parse(await (await call('no_args')).text()) as Record<string, unknown>;
    expect(settled).toMatchObject({ code: 'PGRST000', message: 'Database connection error. Retry later.' });
    expect(JSON.stringify(settled)).not.toContain('postgres:');
  });

  it('still answers requests that need no database (apikey refusals, preflights)', async () => {
    const res = await gateway.fetch(new Request('http://localhost/rest/v1/rpc/no_args'));
    expect(res.status).toBe(401);
  });

  it('recovers by itself when the database returns, without a restart', async () => {
    server = await start();
    await eventually(async () => (await call('no_args')).status === 200);
    expect(await (await call('no_args')).text()).toBe('42');
  }, 60_000);

  it('listens for schema reloads again after the outage', async () => {
    const admin = postgres(server!.adminUrl, { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(`create function test_api.after_outage() returns int language sql immutable as $$ select 7 $$;
        grant execute on function test_api.after_outage() to anon`);
      await eventually(async () => {
        await admin.unsafe(`notify pgrst, 'reload schema'`);
        return (await call('after_outage')).status === 200;
      });
    } finally {
      await admin.end();
    }
  }, 60_000);
});
