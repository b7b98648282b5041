// End to end: the token endpoint as the local stack serves it (src/local/api.ts) over real HTTP,
// with the production supabase-js store reaching PostgREST through the gateway. Credentials are
// managed with the typed client; tokens are verified against the served JWKS.
import '../../src/node-websocket.js';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCredentialsClient, generateClientSecret, type CredentialsClient, type IssuedCredential } from '../../src/index.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { basic } from '../token/helpers.js';

let t: TestApi;
let admin: CredentialsClient;
let tokenUrl: string;
let jwksUrl: string;
let issuer: string;

beforeAll(async () => {
  t = await startTestApi();
  admin = createCredentialsClient(t.supabaseAs(t.tokens.admin));
  tokenUrl = `${t.url}/functions/v1/token`;
  jwksUrl = `${t.url}/functions/v1/jwks`;
  issuer = tokenUrl;
  // Observes (never alters) every write of last_used_at, to tell batched from per-request writes.
  await t.db.admin.unsafe(`
    create table mintid.e2e_last_used_writes (credential_id uuid not null, written_at timestamptz not null default clock_timestamp());
    create function mintid.e2e_note_last_used() returns trigger language plpgsql security definer set search_path = '' as $$
    begin
      if new.last_used_at is distinct from old.last_used_at then
        insert into mintid.e2e_last_used_writes (credential_id) values (new.id);
      end if;
      return new;
    end $$;
    create trigger e2e_note_last_used after update on mintid.api_credentials
      for each row execute function mintid.e2e_note_last_used();`);
});
afterAll(() => t?.close());

const SCOPES = ['products:read', 'orders:write'];

const issue = (extra: { expiresAt?: Date } = {}): Promise<IssuedCredential> =>
  admin.createCredential({ brandId: t.brandId, name: 'Shop backend', scopes: SCOPES, ...extra });

/** POST to the token endpoint over HTTP; no apikey, no Supabase JWT. */
function post(form: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(tokenUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
}

/** client_credentials with HTTP Basic (RFC 6749 §2.3.1). */
const exchangeBasic = (c: { clientId: string; clientSecret: string }, form: Record<string, string> = {}) =>
  post({ grant_type: 'client_credentials', ...form }, { Authorization: basic(c.clientId, c.clientSecret) });

/** client_credentials with the credentials in the body. */
const exchangeBody = (c: { clientId: string; clientSecret: string }, form: Record<string, string> = {}) =>
  post({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret, ...form });

interface TokenBody { access_token: string; token_type: string; expires_in: number; scope: string }

async function lastUsedAt(credentialId: string): Promise<Date | null> {
  const [row] = await t.db.admin<{ last_used_at: Date | null }[]>`
    select last_used_at from mintid.api_credentials where id = ${credentialId}`;
  return row!.last_used_at;
}

async function expectInvalidClient(res: Response, basicUsed: boolean): Promise<void> {
  expect(res.status).toBe(401);
  expect(await res.json()).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed.' });
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(res.headers.get('www-authenticate')).toBe(basicUsed ? 'Basic realm="mintid"' : null);
}

describe('issuing tokens through the gateway', () => {
  it('issues a token for HTTP Basic client authentication that verifies against the served JWKS', async () => {
    const credential = await issue();
    const res = await exchangeBasic(credential);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as TokenBody;
    expect(body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 600, scope: 'products:read orders:write' });

    const { payload, protectedHeader } = await jwtVerify(body.access_token, createRemoteJWKSet(new URL(jwksUrl)), {
      issuer, audience: 'mintid', algorithms: ['ES256'],
    });
    expect(protectedHeader).toMatchObject({ alg: 'ES256', kid: t.kid, typ: 'at+jwt' });
    expect(payload).toMatchObject({
      iss: `${t.url}/functions/v1/token`, aud: 'mintid', sub: credential.clientId, client_id: credential.clientId,
      brand_id: t.brandId, credential_id: credential.credentialId, scope: 'products:read orders:write',
    });
    expect(payload.exp! - payload.iat!).toBe(600);
    expect(payload.jti).toEqual(expect.any(String));
  });

  it('issues a token for client_id and client_secret in the body', async () => {
    const credential = await issue();
    const res = await exchangeBody(credential);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as TokenBody;
    const { payload } = await jwtVerify(body.access_token, createRemoteJWKSet(new URL(jwksUrl)), { issuer, audience: 'mintid' });
    expect(payload).toMatchObject({ sub: credential.clientId, credential_id: credential.credentialId, brand_id: t.brandId });
  });

  it('narrows the token to a requested subset of the scopes', async () => {
    const credential = await issue();
    const res = await exchangeBasic(credential, { scope: 'orders:write' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as TokenBody;
    expect(body.scope).toBe('orders:write');
    const { payload } = await jwtVerify(body.access_token, createRemoteJWKSet(new URL(jwksUrl)), { issuer, audience: 'mintid' });
    expect(payload.scope).toBe('orders:write');
  });

  it('needs no apikey on the token and JWKS endpoints', async () => {
    const jwks = await fetch(jwksUrl);
    expect(jwks.status).toBe(200);
    const { keys } = (await jwks.json()) as { keys: { kid: string; d?: string; alg?: string }[] };
    expect(keys.map((k) => k.kid)).toEqual([t.kid]);
    expect(keys.every((k) => k.d === undefined)).toBe(true);
    const token = await exchangeBody(await issue());
    expect(token.status).toBe(200);
  });

  it('signs with the kid the JWKS publishes', async () => {
    const body = (await (await exchangeBasic(await issue())).json()) as TokenBody;
    expect(decodeProtectedHeader(body.access_token).kid).toBe(t.kid);
  });
});

describe('refusals', () => {
  it('answers a wrong secret with invalid_client and the Basic challenge', async () => {
    const credential = await issue();
    await expectInvalidClient(await exchangeBasic({ clientId: credential.clientId, clientSecret: generateClientSecret() }), true);
  });

  it('answers a wrong secret in the body with invalid_client and no challenge', async () => {
    const credential = await issue();
    await expectInvalidClient(await exchangeBody({ clientId: credential.clientId, clientSecret: generateClientSecret() }), false);
  });

  it('answers an unknown client exactly like a wrong secret', async () => {
    const credential = await issue();
    const wrong = await exchangeBody({ clientId: credential.clientId, clientSecret: generateClientSecret() });
    const unknown = await exchangeBody({ clientId: 'mintid_ci_nobody_here', clientSecret: generateClientSecret() });
    expect(unknown.status).toBe(wrong.status);
    expect(await unknown.text()).toBe(await wrong.text());
  });

  it('answers a request without client authentication with invalid_client', async () => {
    await expectInvalidClient(await post({ grant_type: 'client_credentials' }), false);
  });

  it('refuses Basic and body credentials together with invalid_request', async () => {
    const credential = await issue();
    const res = await exchangeBasic(credential, { client_id: credential.clientId, client_secret: credential.clientSecret });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
  });

  it('refuses a grant other than client_credentials with unsupported_grant_type', async () => {
    const credential = await issue();
    const res = await exchangeBasic(credential, { grant_type: 'password' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('unsupported_grant_type');
  });

  it('refuses a scope the credential does not hold with invalid_scope', async () => {
    const credential = await issue();
    const res = await exchangeBasic(credential, { scope: 'products:read billing:write' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_scope');
  });

  it('refuses a JSON body with invalid_request', async () => {
    const credential = await issue();
    const res = await fetch(tokenUrl, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: credential.clientId, client_secret: credential.clientSecret }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
  });

  it.each(['GET', 'PUT', 'DELETE', 'PATCH'])('answers %s with 405 and Allow: POST, OPTIONS', async (method) => {
    const res = await fetch(tokenUrl, { method });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST, OPTIONS');
  });
});

describe('the credential lifecycle, seen by the token endpoint', () => {
  it('refuses a revoked credential on the very next exchange, although its secret was just verified', async () => {
    const credential = await issue();
    expect((await exchangeBasic(credential)).status).toBe(200);
    await admin.revokeCredential({ brandId: t.brandId, credentialId: credential.credentialId, reason: 'leaked' });
    await expectInvalidClient(await exchangeBasic(credential), true);
    await expectInvalidClient(await exchangeBody(credential), false);
  });

  it('refuses a credential revoked before it was ever used', async () => {
    const credential = await issue();
    await admin.revokeCredential({ brandId: t.brandId, credentialId: credential.credentialId, reason: 'not needed' });
    await expectInvalidClient(await exchangeBasic(credential), true);
  });

  it('refuses the old secret and accepts the new one right after a rotation', async () => {
    const credential = await issue();
    expect((await exchangeBasic(credential)).status).toBe(200);
    const rotated = await admin.rotateSecret({ brandId: t.brandId, credentialId: credential.credentialId, reason: 'scheduled' });
    await expectInvalidClient(await exchangeBasic(credential), true);
    const res = await exchangeBasic({ clientId: credential.clientId, clientSecret: rotated.clientSecret });
    expect(res.status).toBe(200);
    const { payload } = await jwtVerify(((await res.json()) as TokenBody).access_token, createRemoteJWKSet(new URL(jwksUrl)), {
      issuer, audience: 'mintid',
    });
    expect(payload.credential_id).toBe(credential.credentialId);
  });

  it('refuses an expired credential, although its secret was just verified', async () => {
    const credential = await issue({ expiresAt: new Date(Date.now() + 3_600_000) });
    expect((await exchangeBasic(credential)).status).toBe(200);
    await t.db.asOwner((tx) => tx`
      update mintid.api_credentials set expires_at = now() - interval '1 second' where id = ${credential.credentialId}`);
    await expectInvalidClient(await exchangeBasic(credential), true);
  });
});

describe('last_used_at', () => {
  it('stays null until the first exchange', async () => {
    const credential = await issue();
    await expectInvalidClient(await exchangeBasic({ clientId: credential.clientId, clientSecret: generateClientSecret() }), true);
    expect(await lastUsedAt(credential.credentialId)).toBeNull();
  });

  it('becomes visible within seconds of an exchange, through the client as well', async () => {
    const credential = await issue();
    expect((await exchangeBasic(credential)).status).toBe(200);
    await expect.poll(() => lastUsedAt(credential.credentialId), { timeout: 10_000, interval: 200 }).toBeInstanceOf(Date);
    const { items } = await admin.listCredentials({ brandId: t.brandId, limit: 200 });
    expect(items.find((i) => i.id === credential.credentialId)?.lastUsedAt).toEqual(expect.any(String));
  });

  it('is written in batches, not once per request', async () => {
    const credential = await issue();
    const exchanges = 20;
    for (let i = 0; i < exchanges; i += 1) expect((await exchangeBody(credential)).status).toBe(200);
    await expect.poll(() => lastUsedAt(credential.credentialId), { timeout: 10_000, interval: 200 }).toBeInstanceOf(Date);
    const [row] = await t.db.admin<{ writes: number }[]>`
      select count(*)::int as writes from mintid.e2e_last_used_writes where credential_id = ${credential.credentialId}`;
    expect(row!.writes).toBeGreaterThanOrEqual(1);
    expect(row!.writes).toBeLessThan(exchanges);
  });
});
