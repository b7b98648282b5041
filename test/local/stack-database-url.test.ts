// SPEC §8: given a DATABASE_URL of a privileged login, `npm start` prepares everything itself —
// platform objects, migrations, demo data, and the `authenticator` login the gateway uses.
// Roles are cluster-wide and this gives `authenticator` a new password, so the test runs against
// a PostgreSQL server of its own, not the one the other test files share.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../src/local/embedded.js';
import '../../src/node-websocket.js';
import { parseLocalEnv } from '../../src/local/config.js';
import { DEMO_BRAND_ID } from '../../src/local/keys.js';
import { startStack, type Stack } from '../../src/local/stack.js';
import { databaseUrl, freePort } from '../support/urls.js';

const name = 'mintid_app';
/** A database of its own needs a JWT secret of its own (the demo one is refused, SPEC §8). */
const JWT_SECRET = 'stack-database-url-test-secret-0123456789abcdef';
let server: EmbeddedServer;
let stateDir: string;
let stack: Stack;
const config = { get adminUrl() { return server.adminUrl; } };

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), 'mintid-stack-'));
  server = await startEmbeddedPostgres({ dataDir: path.join(stateDir, 'server'), port: await freePort(), durable: false });
  const admin = postgres(config.adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  stack = await startStack(parseLocalEnv({
    DATABASE_URL: databaseUrl(config.adminUrl, name), MINTID_PORT: String(await freePort()), MINTID_STATE_DIR: stateDir,
    MINTID_JWT_SECRET: JWT_SECRET,
  }));
});
afterAll(async () => {
  await stack?.stop();
  await server?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

const rpc = (fn: string, body: unknown, token: string) => fetch(`${stack.url}/rest/v1/rpc/${fn}`, {
  method: 'POST', body: JSON.stringify(body),
  headers: { apikey: stack.keys.anonKey, Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
});

describe('npm start against a DATABASE_URL', () => {
  it('serves the RPCs for the seeded demo brand', async () => {
    expect(stack.seeded).toBe(true);
    const response = await rpc('list_api_credential_records', { _brand_id: DEMO_BRAND_ID }, stack.keys.userTokens.admin);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, items: [], next_cursor: null });
  });

  it('refuses the demo member (403) and the anon key (401) as hosted Supabase would', async () => {
    expect((await rpc('list_api_credential_records', { _brand_id: DEMO_BRAND_ID }, stack.keys.userTokens.member)).status).toBe(403);
    expect((await rpc('list_api_credential_records', { _brand_id: DEMO_BRAND_ID }, stack.keys.anonKey)).status).toBe(401);
  });

  it('gives the authenticator login a random password kept owner-only in the state directory', async () => {
    const file = path.join(stateDir, 'authenticator-password');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const { readFile } = await import('node:fs/promises');
    const password = (await readFile(file, 'utf8')).trim();
    expect(password.length).toBeGreaterThanOrEqual(32);
    const login = postgres(databaseUrl(config.adminUrl, name, { user: 'authenticator', password }), { max: 1, onnotice: () => {} });
    const [row] = await login`select current_user as user, session_user as session`;
    await login.end();
    expect(row).toEqual({ user: 'authenticator', session: 'authenticator' });
  });

  it('keeps the signing key owner-only in the state directory', async () => {
    expect(stack.signingKeyCreated).toBe(true);
    expect((await stat(path.join(stateDir, 'signing-keys.json'))).mode & 0o777).toBe(0o600);
  });

  it('adds the demo data only once', async () => {
    const again = await startStack(parseLocalEnv({
      DATABASE_URL: databaseUrl(config.adminUrl, name), MINTID_PORT: String(await freePort()), MINTID_STATE_DIR: stateDir,
    MINTID_JWT_SECRET: JWT_SECRET,
    }));
    try {
      expect(again.seeded).toBe(false);
      expect(again.signingKeyCreated).toBe(false);
    } finally {
      await again.stop();
    }
  });
});
