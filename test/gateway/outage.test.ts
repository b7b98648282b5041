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
