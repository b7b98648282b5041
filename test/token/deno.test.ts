// The same edge functions under real Deno: `deno run` of supabase/functions/token/index.ts and
// jwks/index.ts with the import map, an end-to-end exchange over HTTP, and the token verified
// against the Deno-served JWKS. The token function reaches the database through supabase-js and
// the real gateway (the local stack's API, src/local/api.ts, over HTTP) with the service key.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startTestApi, type TestApi } from '../support/api.js';
import type { TestDatabase } from '../support/database.js';
import type { BrandFixture } from '../support/fixtures.js';
import { freePort } from '../support/urls.js';
import { generateClientSecret } from '../../src/secrets/generate.js';
import { generateSigningKey } from '../../src/secrets/signing-key.js';
import { createCredential, type TestCredential } from './helpers.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DENO = path.join(ROOT, 'node_modules/.bin/deno');
const DENO_DIR = path.join(ROOT, 'node_modules/.cache/deno');
// Deno resolves the npm: imports of deno.json from the node_modules that `npm ci` installed (the
// same pinned versions), so the test needs no download of its own: no network, no certificate
// store. Deployed functions resolve them from the registry as usual.
const DENO_FLAGS = ['--node-modules-dir=manual', '--config', 'supabase/functions/deno.json'];

let api: TestApi;
let db: TestDatabase;
let f: BrandFixture;
let credential: TestCredential;
const children: ChildProcess[] = [];
const output: string[] = [];
let tokenUrl: string;
let directTokenUrl: string;
let jwksUrl: string;
let introspectUrl: string;
let issuer: string;

function startDeno(entry: string, env: Record<string, string>): ChildProcess {
  const child = spawn(DENO, ['run', '--allow-net', '--allow-env', '--allow-read', ...DENO_FLAGS, entry], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DENO_DIR, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  children.push(child);
  return child;
}

async function waitUntilServing(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`deno exited with ${child.exitCode}:\n${output.join('')}`);
    try {
      await fetch(url, { method: 'OPTIONS' });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(`deno did not serve ${url} within ${timeoutMs} ms:\n${output.join('')}`);
}

beforeAll(async () => {
  mkdirSync(DENO_DIR, { recursive: true });
  api = await startTestApi();
  ({ db, brands: f } = api);
  credential = await createCredential(db, f.brandId, { _scopes: ['products:read', 'orders:write'] });
  const [tokenPort, jwksPort] = [await freePort(), await freePort()];
  const keys = JSON.stringify([await generateSigningKey(), await generateSigningKey()]);
  const common = { SUPABASE_URL: api.url, SUPABASE_SERVICE_ROLE_KEY: api.keys.serviceRoleKey, MINTID_SIGNING_KEYS: keys };
  const token = startDeno('supabase/functions/token/index.ts', { ...common, PORT: String(tokenPort), MINTID_USAGE_FLUSH_SECONDS: '1' });
  const jwks = startDeno('supabase/functions/jwks/index.ts', { ...common, PORT: String(jwksPort) });
  // The same function reading credentials over SUPABASE_DB_URL (postgres.js under Deno), with a
  // SUPABASE_URL where nothing listens: every answer must come from the direct store.
  const directPort = await freePort();
  const direct = startDeno('supabase/functions/token/index.ts', {
    ...common, SUPABASE_URL: `http://127.0.0.1:${await freePort()}`, SUPABASE_DB_URL: db.urls.operator, PORT: String(directPort),
  });
  directTokenUrl = `http://127.0.0.1:${directPort}/`;
  const introspectPort = await freePort();
  // The token's issuer is <SUPABASE_URL>/functions/v1/token for both functions, so they agree.
  const introspect = startDeno('supabase/functions/introspect/index.ts', { ...common, PORT: String(introspectPort) });
  introspectUrl = `http://127.0.0.1:${introspectPort}/`;
  tokenUrl = `http://127.0.0.1:${tokenPort}/`;
  issuer = `${common.SUPABASE_URL}/functions/v1/token`;
  jwksUrl = `http://127.0.0.1:${jwksPort}/`;
  await Promise.all([
    waitUntilServing(tokenUrl, token, 120_000), waitUntilServing(jwksUrl, jwks, 120_000), waitUntilServing(introspectUrl, introspect, 120_000),
    waitUntilServing(directTokenUrl, direct, 120_000),
  ]);
}, 180_000);

afterAll(async () => {
  await Promise.all(children.map((child) => new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => { child.kill('SIGKILL'); }, 5_000).unref();
  })));
  await api?.close();
});

const exchange = (body: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(tokenUrl, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(body) });

describe('the token and jwks functions under Deno', () => {
  it('issue a token over HTTP that verifies against the Deno-served JWKS', async () => {
    const res = await exchange({ grant_type: 'client_credentials', scope: 'orders:write' }, {
      Authorization: `Basic ${Buffer.from(`${credential.clientId}:${credential.secret}`).toString('base64')}`,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { access_token: string; expires_in: number; scope: string; token_type: string };
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 600, scope: 'orders:write' });
    const { payload, protectedHeader } = await jwtVerify(body.access_token, createRemoteJWKSet(new URL(jwksUrl)), {
      issuer, audience: 'mintid', algorithms: ['ES256'],
    });
    expect(protectedHeader.typ).toBe('at+jwt');
    expect(payload).toMatchObject({ sub: credential.clientId, client_id: credential.clientId, brand_id: f.brandId, credential_id: credential.credentialId });
    expect(payload.exp! - payload.iat!).toBe(600);
  });

  it('issue a token with the credential read over SUPABASE_DB_URL (postgres.js under Deno), no gateway reachable', async () => {
    const res = await fetch(directTokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${Buffer.from(`${credential.clientId}:${credential.secret}`).toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBe(200);
    const { access_token: token } = (await res.json()) as { access_token: string };
    // Its issuer follows its own SUPABASE_URL; the signature and audience are what matter here.
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(jwksUrl)), { audience: 'mintid', algorithms: ['ES256'] });
    expect(payload).toMatchObject({ client_id: credential.clientId, credential_id: credential.credentialId });
  });

  it('answers an unknown client over SUPABASE_DB_URL with the same invalid_client bytes', async () => {
    const form = (id: string) => new URLSearchParams({ grant_type: 'client_credentials', client_id: id, client_secret: generateClientSecret() });
    const viaDb = await fetch(directTokenUrl, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form('mintid_ci_nobody') });
    const viaGateway = await exchange(Object.fromEntries(form('mintid_ci_nobody')));
    expect(viaDb.status).toBe(401);
    expect(await viaDb.text()).toBe(await viaGateway.text());
  });

  it('answers a wrong secret with the same invalid_client as an unknown client', async () => {
    const wrong = await exchange({ grant_type: 'client_credentials', client_id: credential.clientId, client_secret: generateClientSecret() });
    const unknown = await exchange({ grant_type: 'client_credentials', client_id: 'mintid_ci_nobody', client_secret: generateClientSecret() });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(await wrong.text()).toBe(await unknown.text());
  });

  it('answers other methods with 405 and serves the JWKS with both keys', async () => {
    const res = await fetch(tokenUrl);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST, OPTIONS');
    const jwks = (await (await fetch(jwksUrl)).json()) as { keys: { kid: string; d?: string }[] };
    expect(jwks.keys).toHaveLength(2);
    expect(jwks.keys.every((k) => k.d === undefined)).toBe(true);
  });

  it('serve the RFC 8414 metadata under the token function and introspect its tokens (service key as Bearer)', async () => {
    const metadata = (await (await fetch(`${tokenUrl}.well-known/openid-configuration`)).json()) as { issuer: string; introspection_endpoint: string };
    expect(metadata.issuer).toBe(issuer);
    expect(metadata.introspection_endpoint).toBe(`${api.url}/functions/v1/introspect`);
    const res = await exchange({ grant_type: 'client_credentials', client_id: credential.clientId, client_secret: credential.secret });
    const { access_token: token } = (await res.json()) as { access_token: string };
    const ask = (bearer: string) => fetch(introspectUrl, {
      method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Bearer ${bearer}` },
      body: new URLSearchParams({ token }),
    });
    const active = await ask(api.keys.serviceRoleKey);
    expect(active.status).toBe(200);
    expect(await active.json()).toMatchObject({ active: true, client_id: credential.clientId, brand_id: f.brandId });
    expect((await ask(api.keys.anonKey)).status).toBe(401);
  });

  it('records last_used_at through the gateway\'s record_api_credential_use within seconds', async () => {
    await expect.poll(async () => {
      const [row] = await db.admin<{ last_used_at: Date | null }[]>`select last_used_at from mintid.api_credentials where id = ${credential.credentialId}`;
      return row!.last_used_at;
    }, { timeout: 10_000 }).toBeInstanceOf(Date);
  });

  it('type-check under Deno (deno check of both adapters and the shared surface)', async () => {
    const child = spawn(DENO, ['check', ...DENO_FLAGS,
      'supabase/functions/token/index.ts', 'supabase/functions/jwks/index.ts', 'supabase/functions/introspect/index.ts',
      'supabase/functions/_shared/mod.ts'], {
      cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DENO_DIR, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' },
    });
    let text = '';
    child.stderr.on('data', (d: Buffer) => { text += d.toString(); });
    child.stdout.on('data', (d: Buffer) => { text += d.toString(); });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, text).toBe(0);
  }, 120_000);

  it('limits failed authentications under Deno too: 429 after 10 of one client_id, counted in the database', async () => {
    const target = await createCredential(db, f.brandId);
    const wrong = () => exchange({ grant_type: 'client_credentials', client_id: target.clientId, client_secret: generateClientSecret() });
    for (let i = 0; i < 10; i += 1) expect((await wrong()).status).toBe(401);
    const blocked = await wrong();
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const [row] = await db.admin<{ n: number }[]>`
      select cardinality(failed_at) as n from mintid.token_auth_failures where key = ${`credential:${target.credentialId}`}`;
    expect(row!.n).toBe(10);
  });

  it('logged nothing secret', () => {
    const text = output.join('');
    expect(text).not.toContain(credential.secret);
    expect(text).not.toContain(credential.hash);
  });
});
