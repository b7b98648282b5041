// SPEC §12's own example, end to end through the real gateway: a server-side step keeps, as a
// brand secret, an integration's client secret and performs a client_secret_post exchange with it
// at our own /functions/v1/token. The value is then replaced (and the secret renamed) and the next
// exchange uses the new value, with the step's reference (brand id + secret id) unchanged. The
// step runs in Node (in-process) and under real Deno (supabase/functions/_shared/brand-secrets.ts).
import '../../src/node-websocket.js';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretsClient, type SecretsClient } from '../../src/index.js';
import { generateClientSecret } from '../../src/secrets/generate.js';
import { hashClientSecret } from '../../src/secrets/hash.js';
import {
  BrandSecretError, brandSecretReaderFromEnv, createBrandSecretReader, type BrandSecretReader, type BrandSecretRef,
} from '../../supabase/functions/_shared/brand-secrets.ts';
import { startTestApi, type TestApi } from '../support/api.js';
import { serviceCaller } from '../support/fixtures.js';
import { createCredential, type TestCredential } from '../token/helpers.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DENO = path.join(ROOT, 'node_modules/.bin/deno');
const DENO_DIR = path.join(ROOT, 'node_modules/.cache/deno');
const DENO_FLAGS = ['--node-modules-dir=manual', '--config', 'supabase/functions/deno.json'];

let t: TestApi;
let admin: SecretsClient;
let reader: BrandSecretReader;
let credential: TestCredential;
let ref: BrandSecretRef;
let tokenUrl: string;

beforeAll(async () => {
  mkdirSync(DENO_DIR, { recursive: true });
  t = await startTestApi();
  tokenUrl = `${t.url}/functions/v1/token`;
  admin = createSecretsClient(t.supabaseAs(t.tokens.admin));
  reader = createBrandSecretReader({ supabaseUrl: t.url, serviceRoleKey: t.keys.serviceRoleKey });
  credential = await createCredential(t.db, t.brandId, { _scopes: ['orders:read'] });
  const { secretId } = await admin.createBrandSecret({
    brandId: t.brandId, name: 'ERP client secret', value: credential.secret, description: 'client_secret_post to the token endpoint',
  });
  ref = { brandId: t.brandId, secretId };
}, 60_000);
afterAll(() => t?.close());

/** The server-side step: read the client secret by reference, exchange it by client_secret_post. */
async function step(secretRef: BrandSecretRef): Promise<Response> {
  const secret = await reader.read(secretRef);
  return fetch(tokenUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: credential.clientId, client_secret: secret.value }),
  });
}

/** Rotates the credential to a fresh secret (hash computed here) and returns the new secret. */
async function rotateCredential(): Promise<string> {
  const secret = generateClientSecret();
  await t.db.rpc(serviceCaller, 'rotate_api_credential_secret_record', {
    _brand_id: t.brandId, _credential_id: credential.credentialId, _new_secret_hash: await hashClientSecret(secret), _reason: 'quarterly',
  });
  return secret;
}

function runDenoStep(): Promise<{ code: number | null; out: string }> {
  const child = spawn(DENO, ['run', '--allow-net', '--allow-env', '--allow-read', ...DENO_FLAGS, 'test/e2e/fixtures/client-secret-post-step.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DENO_DIR, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1',
      SUPABASE_URL: t.url, SUPABASE_SERVICE_ROLE_KEY: t.keys.serviceRoleKey, BRAND_ID: ref.brandId, SECRET_ID: ref.secretId,
      CLIENT_ID: credential.clientId, TOKEN_URL: tokenUrl,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out })));
}

describe('a server-side step using a brand secret by reference', () => {
  it('exchanges the stored client secret by client_secret_post for a token that verifies against the JWKS', async () => {
    const response = await step(ref);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { access_token: string; scope: string };
    expect(body.scope).toBe('orders:read');
    const { payload } = await jwtVerify(body.access_token, createRemoteJWKSet(new URL(`${t.url}/functions/v1/jwks`)), {
      issuer: tokenUrl, audience: 'mintid',
    });
    expect(payload).toMatchObject({ client_id: credential.clientId, brand_id: t.brandId });
  });

  it('uses the new value after it is replaced and the secret renamed, with the reference unchanged', async () => {
    const before = { ...ref };
    const newSecret = await rotateCredential();
    // The integration's secret changed; the brand secret still holds the old one.
    expect((await step(ref)).status).toBe(401);
    await admin.updateBrandSecret({ ...ref, name: 'ERP client secret 2026-Q4', value: newSecret });
    expect(ref).toEqual(before);
    const response = await step(ref);
    expect(response.status).toBe(200);
    expect((await reader.read(ref)).name).toBe('ERP client secret 2026-Q4');
    const listed = (await admin.listBrandSecrets({ brandId: t.brandId })).items.find((i) => i.id === ref.secretId)!;
    expect(listed.lastAccessedAt).not.toBeNull();
  });

  it('runs the same step under Deno, before and after another replacement', async () => {
    const first = await runDenoStep();
    expect(first.code, first.out).toBe(0);
    expect(JSON.parse(first.out.trim().split('\n').pop()!)).toMatchObject({ status: 200, token_type: 'Bearer', scope: 'orders:read' });
    const newSecret = await rotateCredential();
    await admin.updateBrandSecret({ ...ref, value: newSecret, name: 'ERP client secret Deno' });
    const second = await runDenoStep();
    expect(second.code, second.out).toBe(0);
    const outcome = JSON.parse(second.out.trim().split('\n').pop()!) as { status: number; secret_name: string; logged: string };
    expect(outcome).toMatchObject({ status: 200, secret_name: 'ERP client secret Deno' });
    // JSON.stringify of what the reader returned shows the id and name only.
    expect(outcome.logged).not.toContain(newSecret);
    expect(second.out).not.toContain(newSecret);
  }, 120_000);
});

describe('the reader', () => {
  it('keeps the value out of JSON, spreading and string conversion of what it returns', async () => {
    const secret = await reader.read(ref);
    expect(secret.value.length).toBeGreaterThan(10);
    for (const shown of [JSON.stringify(secret), JSON.stringify({ ...secret }), String(Object.keys(secret))]) {
      expect(shown).not.toContain(secret.value);
    }
  });

  it('is refused for a user token in place of the service key (403), naming no value', async () => {
    // The anon key as apikey and the owner's access token as the bearer, as a frontend would send.
    const asOwner: typeof fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      headers.set('Authorization', `Bearer ${t.tokens.owner}`);
      return fetch(input, { ...init, headers });
    };
    const asUser = createBrandSecretReader({ supabaseUrl: t.url, serviceRoleKey: t.keys.anonKey, fetch: asOwner });
    const error = await asUser.read(ref).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrandSecretError);
    expect((error as BrandSecretError).status).toBe(403);
    expect((error as BrandSecretError).transient).toBe(false);
  });

  it('is refused for the anon key (401)', async () => {
    const asAnon = createBrandSecretReader({ supabaseUrl: t.url, serviceRoleKey: t.keys.anonKey });
    const error = (await asAnon.read(ref).catch((e: unknown) => e)) as BrandSecretError;
    expect(error.status).toBe(401);
  });

  it('answers an unknown secret with reason secret_not_found', async () => {
    const error = (await reader.read({ brandId: t.brandId, secretId: '00000000-0000-4000-8000-000000000000' }).catch((e: unknown) => e)) as BrandSecretError;
    expect([error.status, error.reason]).toEqual([400, 'secret_not_found']);
  });

  it('refuses a reference that is no pair of ids before sending', async () => {
    const error = (await reader.read({ brandId: t.brandId, secretId: 'ERP client secret' }).catch((e: unknown) => e)) as BrandSecretError;
    expect([error.status, error.reason]).toEqual([0, 'client_validation']);
  });

  it('answers an unreachable server as transient, with no stack as reason', async () => {
    const away = createBrandSecretReader({ supabaseUrl: 'http://127.0.0.1:1', serviceRoleKey: t.keys.serviceRoleKey });
    const error = (await away.read(ref).catch((e: unknown) => e)) as BrandSecretError;
    expect(error).toBeInstanceOf(BrandSecretError);
    expect([error.status, error.reason, error.transient]).toEqual([0, null, true]);
  });

  it('names the missing variables, never their values, when built from a bad environment', () => {
    expect(() => brandSecretReaderFromEnv({ SUPABASE_URL: 'not a url', SUPABASE_SERVICE_ROLE_KEY: '' }))
      .toThrow(/SUPABASE_URL, SUPABASE_SERVICE_ROLE_KEY/);
    expect(() => brandSecretReaderFromEnv({ SUPABASE_URL: 'not a url', SUPABASE_SERVICE_ROLE_KEY: 'k' })).not.toThrow(/k/);
  });
});
