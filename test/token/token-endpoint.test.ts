// The token endpoint's RFC 6749 behaviour against a real database and real argon2 hashes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { seedBrands, serviceCaller, type BrandFixture } from '../support/fixtures.js';
import { generateClientSecret } from '../../src/secrets/generate.js';
import { hashClientSecret } from '../../src/secrets/hash.js';
import {
  AUDIENCE, ISSUER, TTL, basic, buildHandlers, createCredential, formEncode, testKeys, tokenRequest, type TestCredential,
} from './helpers.js';

let db: TestDatabase;
let f: BrandFixture;
let handler: (req: Request) => Promise<Response>;
let jwksHandler: (req: Request) => Promise<Response>;
let verifications: string[];
let logs: string[];
let active: TestCredential;
let revoked: TestCredential;
let expiredSoon: TestCredential;

const GRANT = { grant_type: 'client_credentials' };

beforeAll(async () => {
  db = await createTestDatabase();
  f = await seedBrands(db);
  ({ handler, jwksHandler, verifications, logs } = await buildHandlers(db));
  [active, revoked, expiredSoon] = await Promise.all([
    createCredential(db, f.brandId, { _scopes: ['products:read', 'orders:write', 'orders.items:read'] }),
    createCredential(db, f.brandId),
    createCredential(db, f.brandId, { _expires_at: new Date(Date.now() + 1500).toISOString() }),
  ]);
  await db.rpc(serviceCaller, 'revoke_api_credential_record', { _brand_id: f.brandId, _credential_id: revoked.credentialId, _reason: 'test' });
  await new Promise((resolve) => setTimeout(resolve, 1600)); // let expiredSoon expire
});
afterAll(() => db.close());

const bodyAuth = (c: { clientId: string; secret: string }, extra: Record<string, string> = {}) =>
  tokenRequest({ ...GRANT, client_id: c.clientId, client_secret: c.secret, ...extra });

function headerList(res: Response): [string, string][] {
  const list: [string, string][] = [];
  res.headers.forEach((value, name) => list.push([name, value]));
  return list;
}

async function errorOf(res: Response): Promise<{ status: number; error: string; description: string }> {
  const body = (await res.json()) as { error: string; error_description: string };
  return { status: res.status, error: body.error, description: body.error_description };
}

describe('methods and CORS', () => {
  it.each(['GET', 'PUT', 'DELETE', 'PATCH', 'HEAD'])('answers %s with 405 and Allow: POST, OPTIONS', async (method) => {
    const res = await handler(tokenRequest({}, {}, method));
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST, OPTIONS');
  });

  it('answers a CORS preflight with 204 and the allowed methods and headers', async () => {
    const res = await handler(new Request('http://127.0.0.1/functions/v1/token', {
      method: 'OPTIONS', headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'POST' },
    }));
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toBe('POST, OPTIONS');
    expect(res.headers.get('access-control-allow-headers')).toContain('authorization');
  });

  it('adds CORS headers to errors and successes', async () => {
    expect((await handler(tokenRequest({}))).headers.get('access-control-allow-origin')).toBe('*');
    expect((await handler(bodyAuth(active))).headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('request errors (RFC 6749 §5.2)', () => {
  it('refuses a JSON body with 400 invalid_request', async () => {
    const res = await handler(new Request('http://127.0.0.1/token', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...GRANT, client_id: active.clientId, client_secret: active.secret }),
    }));
    expect(await errorOf(res)).toMatchObject({ status: 400, error: 'invalid_request' });
  });

  it('refuses a body without a content type with 400 invalid_request', async () => {
    const res = await handler(new Request('http://127.0.0.1/token', { method: 'POST', body: 'grant_type=client_credentials' }));
    expect(await errorOf(res)).toMatchObject({ status: 400, error: 'invalid_request' });
  });

  it('accepts the form media type with a charset parameter and in upper case', async () => {
    const res = await handler(tokenRequest(new URLSearchParams({ ...GRANT, client_id: active.clientId, client_secret: active.secret }).toString(),
      { 'Content-Type': 'Application/X-WWW-Form-Urlencoded; charset=UTF-8' }));
    expect(res.status).toBe(200);
  });

  it('refuses a missing grant_type with invalid_request', async () => {
    const res = await handler(tokenRequest({ client_id: active.clientId, client_secret: active.secret }));
    expect(await errorOf(res)).toMatchObject({ status: 400, error: 'invalid_request' });
  });

  it.each(['authorization_code', 'password', 'refresh_token', 'urn:ietf:params:oauth:grant-type:jwt-bearer'])(
    'refuses grant_type=%s with unsupported_grant_type', async (grantType) => {
      const res = await handler(tokenRequest({ grant_type: grantType, client_id: active.clientId, client_secret: active.secret }));
      expect(await errorOf(res)).toMatchObject({ status: 400, error: 'unsupported_grant_type' });
    });

  it('refuses a repeated grant_type with invalid_request', async () => {
    const res = await handler(tokenRequest(`grant_type=client_credentials&grant_type=client_credentials&client_id=${active.clientId}&client_secret=${active.secret}`));
    expect(await errorOf(res)).toMatchObject({ status: 400, error: 'invalid_request' });
  });

  it('refuses a repeated client_secret with invalid_request', async () => {
    const res = await handler(tokenRequest(`grant_type=client_credentials&client_id=${active.clientId}&client_secret=${active.secret}&client_secret=x`));
    expect(await errorOf(res)).toMatchObject({ status: 400, error: 'invalid_request' });
  });

  it('refuses Basic and body credentials together with invalid_request', async () => {
    const res = await handler(tokenRequest(
      { ...GRANT, client_id: active.clientId, client_secret: active.secret },
      { Authorization: basic(active.clientId, active.secret) },
    ));
    expect(await errorOf(res)).toMatchObject({ status: 400, error: 'invalid_request' });
  });

  it('refuses Basic plus a different client_id in the body with invalid_request (SPEC §14)', async () => {
    const res = await handler(tokenRequest({ ...GRANT, client_id: revoked.clientId }, { Authorization: basic(active.clientId, active.secret) }));
    expect(await errorOf(res)).toMatchObject({ status: 400, error: 'invalid_request' });
  });

  it('refuses an oversized body with 413 invalid_request', async () => {
    const res = await handler(tokenRequest({ ...GRANT, client_id: active.clientId, client_secret: active.secret, pad: 'x'.repeat(20_000) }));
    expect(await errorOf(res)).toMatchObject({ status: 413, error: 'invalid_request' });
  });
});

describe('client authentication failures', () => {
  it('answers no client authentication with 401 invalid_client and no WWW-Authenticate', async () => {
    const res = await handler(tokenRequest(GRANT));
    expect(await errorOf(res)).toMatchObject({ status: 401, error: 'invalid_client' });
    expect(res.headers.get('www-authenticate')).toBeNull();
  });

  it('answers a client_id without a secret with 401 invalid_client', async () => {
    const res = await handler(tokenRequest({ ...GRANT, client_id: active.clientId }));
    expect(await errorOf(res)).toMatchObject({ status: 401, error: 'invalid_client' });
  });

  it('ignores a Bearer Authorization header (supabase-js sends the anon key) and uses the body credentials', async () => {
    const res = await handler(tokenRequest({ ...GRANT, client_id: active.clientId, client_secret: active.secret }, { Authorization: 'Bearer anon.jwt.here' }));
    expect(res.status).toBe(200);
  });

  it.each([
    ['not base64', 'Basic !!!'],
    ['no colon', `Basic ${Buffer.from('just-an-id').toString('base64')}`],
    ['an empty secret', `Basic ${Buffer.from('someone:').toString('base64')}`],
    ['a malformed %XX escape', `Basic ${Buffer.from('some%ZZone:secret').toString('base64')}`],
    ['invalid UTF-8', `Basic ${Buffer.from([0x61, 0x3a, 0xff, 0xfe]).toString('base64')}`],
  ])('answers a Basic header with %s with 401 invalid_client and WWW-Authenticate', async (_name, header) => {
    const res = await handler(tokenRequest(GRANT, { Authorization: header }));
    expect(await errorOf(res)).toMatchObject({ status: 401, error: 'invalid_client' });
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="mintid"');
  });

  const failures: [string, () => { clientId: string; secret: string }][] = [
    ['an unknown client', () => ({ clientId: 'mintid_ci_doesNotExist000000', secret: generateClientSecret() })],
    ['a wrong secret', () => ({ clientId: active.clientId, secret: generateClientSecret() })],
    ['a revoked credential', () => revoked],
    ['an expired credential', () => expiredSoon],
  ];

  it('gives the same bytes and headers for unknown client, wrong secret, revoked and expired (body auth)', async () => {
    const answers = await Promise.all(failures.map(async ([, who]) => {
      const res = await handler(bodyAuth(who()));
      return { status: res.status, body: await res.text(), headers: headerList(res) };
    }));
    expect(answers[0]!.status).toBe(401);
    expect(JSON.parse(answers[0]!.body)).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed.' });
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(answers[0]!.headers.find(([name]) => name === 'www-authenticate')).toBeUndefined();
  });

  it('gives the same bytes for the same failures over Basic, with WWW-Authenticate: Basic realm="mintid"', async () => {
    const answers = await Promise.all(failures.map(async ([, who]) => {
      const { clientId, secret } = who();
      const res = await handler(tokenRequest(GRANT, { Authorization: basic(clientId, secret) }));
      return { status: res.status, body: await res.text(), headers: headerList(res) };
    }));
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(answers[0]!.status).toBe(401);
    expect(answers[0]!.headers).toContainEqual(['www-authenticate', 'Basic realm="mintid"']);
  });

  it('pays an argon2 verification for an unknown client (against the dummy hash)', async () => {
    const before = verifications.length;
    await handler(bodyAuth({ clientId: 'mintid_ci_unknown_for_cost', secret: generateClientSecret() }));
    expect(verifications.length).toBe(before + 1);
  });

  it.each(failures)('never echoes the secret or stored hash for %s', async (_name, who) => {
    const c = who();
    const res = await handler(bodyAuth(c));
    const text = await res.text();
    expect(text).not.toContain(c.secret);
    if ('hash' in c) expect(text).not.toContain((c as TestCredential).hash);
  });
});

describe('success', () => {
  it('issues a Bearer token with all the credential scopes by default, not cached', async () => {
    const res = await handler(bodyAuth(active));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('pragma')).toBe('no-cache');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = await res.json();
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: TTL, scope: 'products:read orders:write orders.items:read' });
  });

  it('issues a JWT that verifies against the JWKS handler output with every claim', async () => {
    const res = await handler(tokenRequest(GRANT, { Authorization: basic(active.clientId, active.secret) }));
    const { access_token: token } = (await res.json()) as { access_token: string };
    const jwks = await (await jwksHandler(new Request('http://127.0.0.1/functions/v1/jwks'))).json();
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks), {
      issuer: ISSUER, audience: AUDIENCE, algorithms: ['ES256'], typ: 'at+jwt',
    });
    const { keys } = await testKeys();
    expect(protectedHeader).toEqual({ alg: 'ES256', kid: keys.signer.kid, typ: 'at+jwt' });
    expect(payload).toMatchObject({
      iss: ISSUER, aud: AUDIENCE, sub: active.clientId, client_id: active.clientId, brand_id: f.brandId,
      credential_id: active.credentialId, scope: 'products:read orders:write orders.items:read',
    });
    expect(payload.exp! - payload.iat!).toBe(TTL);
    expect(Math.abs(payload.iat! - Date.now() / 1000)).toBeLessThan(30);
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('gives every token its own jti', async () => {
    const tokens = await Promise.all([1, 2, 3].map(async () => ((await (await handler(bodyAuth(active))).json()) as { access_token: string }).access_token));
    const jtis = tokens.map((t) => JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString()).jti);
    expect(new Set(jtis).size).toBe(3);
    expect(decodeProtectedHeader(tokens[0]!).kid).toBe((await testKeys()).keys.signer.kid);
  });

  it('accepts Basic credentials whose client_id and secret contain reserved characters (form-encoded, then base64)', async () => {
    const clientId = `odd.client_${Date.now()}-x`;
    const created = await createCredential(db, f.brandId, { _client_id: clientId });
    // A secret with characters that form encoding changes: space, +, %, :, &, =, /, non-ASCII.
    const secret = 'a b+c%d:e&f=g/h€';
    await db.rpc(serviceCaller, 'rotate_api_credential_secret_record', {
      _brand_id: f.brandId, _credential_id: created.credentialId, _new_secret_hash: await hashClientSecret(secret), _reason: 'test',
    });
    expect(formEncode(secret)).toBe('a+b%2Bc%25d%3Ae%26f%3Dg%2Fh%E2%82%AC');
    const res = await handler(tokenRequest(GRANT, { Authorization: basic(clientId, secret) }));
    expect(res.status).toBe(200);
    // The same secret sent raw (not form-encoded) inside Basic is a different secret: '+' would mean a space.
    const raw = `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`;
    const refused = await handler(tokenRequest(GRANT, { Authorization: raw }));
    expect(refused.status).toBe(401);
  });
});

describe('scope', () => {
  it('narrows the token to a requested subset', async () => {
    const res = await handler(bodyAuth(active, { scope: 'orders:write' }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { scope: string; access_token: string };
    expect(body.scope).toBe('orders:write');
    expect(JSON.parse(Buffer.from(body.access_token.split('.')[1]!, 'base64url').toString()).scope).toBe('orders:write');
  });

  it('keeps a requested subset in request order and drops repeats', async () => {
    const body = (await (await handler(bodyAuth(active, { scope: 'orders.items:read products:read orders.items:read' }))).json()) as { scope: string };
    expect(body.scope).toBe('orders.items:read products:read');
  });

  it.each([
    ['a scope the credential lacks', 'products:write'],
    ['one granted and one not', 'products:read admin:all'],
    ['a double space', 'products:read  orders:write'],
    ['a trailing space', 'products:read '],
    ['a tab separator', 'products:read\torders:write'],
    ['a prefix of a granted scope', 'products'],
  ])('refuses %s with 400 invalid_scope', async (_name, scope) => {
    const res = await handler(bodyAuth(active, { scope }));
    expect(await errorOf(res)).toMatchObject({ status: 400, error: 'invalid_scope' });
  });

  it('answers invalid_client, not invalid_scope, when authentication fails too', async () => {
    const res = await handler(bodyAuth({ clientId: active.clientId, secret: generateClientSecret() }, { scope: 'admin:all' }));
    expect(await errorOf(res)).toMatchObject({ status: 401, error: 'invalid_client' });
  });
});

describe('logging', () => {
  it('wrote no log line during ordinary failures and successes', () => {
    expect(logs).toEqual([]);
  });
});
