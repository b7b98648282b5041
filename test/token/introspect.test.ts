// Token introspection (RFC 7662, SPEC §14) against a real database, real argon2 and real keys:
// who may ask, what is active, and that a revocation answers `active: false` on the next request.
import { SignJWT, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../support/database.js';
import { openSeededDatabase, serviceCaller, type BrandFixture } from '../support/fixtures.js';
import { generateClientSecret } from '../../src/secrets/generate.js';
import {
  AUDIENCE, ISSUER, TEST_SERVICE_KEY, basic, buildHandlers, buildIntrospect, createCredential, introspectRequest,
  manualClock, testKeys, tokenRequest, type TestCredential,
} from './helpers.js';

let db: TestDatabase;
let f: BrandFixture;
let issue: (req: Request) => Promise<Response>;
let introspect: (req: Request) => Promise<Response>;
let logs: string[];
/** A resource server of brand A with the introspection scope, one without it, one of brand B with it. */
let rs: TestCredential;
let rsNoScope: TestCredential;
let rsOther: TestCredential;
let integration: TestCredential;
let otherIntegration: TestCredential;

beforeAll(async () => {
  ({ db, f } = await openSeededDatabase());
  ({ handler: issue } = await buildHandlers(db));
  ({ handler: introspect, logs } = await buildIntrospect(db));
  [rs, rsNoScope, rsOther, integration, otherIntegration] = await Promise.all([
    createCredential(db, f.brandId, { _scopes: ['mintid:introspect'] }),
    createCredential(db, f.brandId, { _scopes: ['products:read'] }),
    createCredential(db, f.otherBrandId, { _scopes: ['mintid:introspect'] }),
    createCredential(db, f.brandId, { _scopes: ['products:read', 'orders:write'] }),
    createCredential(db, f.otherBrandId, { _scopes: ['products:read'] }),
  ]);
});
afterAll(() => db.close());

async function tokenOf(c: { clientId: string; secret: string }, scope?: string): Promise<string> {
  const res = await issue(tokenRequest({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) }, { Authorization: basic(c.clientId, c.secret) }));
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

const asService = (token: string) => introspectRequest({ token }, { Authorization: `Bearer ${TEST_SERVICE_KEY}` });
const asBasic = (caller: TestCredential, token: string) => introspectRequest({ token }, { Authorization: basic(caller.clientId, caller.secret) });

async function answer(req: Request): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await introspect(req);
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

describe('an active token', () => {
  it('is described to the service key with the RFC 7662 members and MintID ids, not cached', async () => {
    const token = await tokenOf(integration, 'orders:write');
    const { status, body, headers } = await answer(asService(token));
    expect(status).toBe(200);
    expect(headers.get('cache-control')).toBe('no-store');
    expect(body).toMatchObject({
      active: true, scope: 'orders:write', client_id: integration.clientId, sub: integration.clientId, token_type: 'Bearer',
      iss: ISSUER, aud: AUDIENCE, brand_id: f.brandId, credential_id: integration.credentialId,
    });
    expect(typeof body.exp).toBe('number');
    expect(typeof body.iat).toBe('number');
    expect(body.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('is described to the service key for any brand', async () => {
    expect((await answer(asService(await tokenOf(otherIntegration)))).body.active).toBe(true);
  });

  it('is described to a credential with mintid:introspect over HTTP Basic, for its own brand', async () => {
    expect((await answer(asBasic(rs, await tokenOf(integration)))).body).toMatchObject({ active: true, client_id: integration.clientId });
  });

  it('is described to a credential with mintid:introspect over client_secret_post', async () => {
    const req = introspectRequest({ token: await tokenOf(integration), client_id: rs.clientId, client_secret: rs.secret });
    expect((await answer(req)).body.active).toBe(true);
  });

  it('is described to a credential presenting its own access token with mintid:introspect as Bearer', async () => {
    const bearer = await tokenOf(rs);
    const req = introspectRequest({ token: await tokenOf(integration) }, { Authorization: `Bearer ${bearer}` });
    expect((await answer(req)).body.active).toBe(true);
  });

  it('accepts a token_type_hint and ignores it', async () => {
    const req = introspectRequest({ token: await tokenOf(integration), token_type_hint: 'refresh_token' }, { Authorization: `Bearer ${TEST_SERVICE_KEY}` });
    expect((await answer(req)).body.active).toBe(true);
  });
});

describe('revocation and expiry, seen at once', () => {
  it('answers active: false on the first request after the revocation committed', async () => {
    const c = await createCredential(db, f.brandId);
    const token = await tokenOf(c);
    expect((await answer(asService(token))).body.active).toBe(true);
    await db.rpc(serviceCaller, 'revoke_api_credential_record', { _brand_id: f.brandId, _credential_id: c.credentialId, _reason: 'leaked' });
    expect((await answer(asService(token))).body).toEqual({ active: false });
  });

  it('answers active: false once the credential has expired, though the token has not', async () => {
    const c = await createCredential(db, f.brandId, { _expires_at: new Date(Date.now() + 3_600_000).toISOString() });
    const token = await tokenOf(c);
    await db.asOwner((tx) => tx`update mintid.api_credentials set expires_at = now() where id = ${c.credentialId}`);
    expect((await answer(asService(token))).body).toEqual({ active: false });
  });

  it('keeps a token active across a rotation of its credential (tokens belong to the credential, not the secret)', async () => {
    const c = await createCredential(db, f.brandId);
    const token = await tokenOf(c);
    const { phc } = await import('../support/fixtures.js');
    await db.rpc(serviceCaller, 'rotate_api_credential_secret_record', {
      _brand_id: f.brandId, _credential_id: c.credentialId, _new_secret_hash: phc(), _reason: 'routine',
    });
    expect((await answer(asService(token))).body.active).toBe(true);
  });
});

describe('inactive tokens: only {"active": false}', () => {
  it.each([
    ['an empty-looking garbage string', () => 'not-a-jwt'],
    ['three dots of nothing', () => '..'],
    ['a token with a flipped signature', async () => {
      const token = await tokenOf(integration);
      const [h, p, s] = token.split('.');
      return `${h}.${p}.${s!.startsWith('A') ? 'B' : 'A'}${s!.slice(1)}`;
    }],
    ['a token signed by another key with the same kid', async () => {
      const { privateKey } = await generateKeyPair('ES256');
      const kid = (await testKeys()).keys.signer.kid;
      return new SignJWT({ client_id: integration.clientId, brand_id: f.brandId, credential_id: integration.credentialId, scope: 'products:read' })
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' }).setIssuer(ISSUER).setAudience(AUDIENCE).setSubject(integration.clientId)
        .setIssuedAt().setExpirationTime('5m').setJti(crypto.randomUUID()).sign(privateKey);
    }],
    ['an unsigned (alg none) token', () => {
      const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const now = Math.floor(Date.now() / 1000);
      return `${enc({ alg: 'none', typ: 'at+jwt' })}.${enc({ iss: ISSUER, aud: AUDIENCE, sub: integration.clientId, client_id: integration.clientId, brand_id: f.brandId, credential_id: integration.credentialId, scope: 'x:y', iat: now, exp: now + 60, jti: 'x' })}.`;
    }],
    ['a token of another issuer', async () => {
      const { keys } = await testKeys();
      return new SignJWT({ client_id: integration.clientId, brand_id: f.brandId, credential_id: integration.credentialId, scope: 'products:read' })
        .setProtectedHeader({ alg: 'ES256', kid: keys.signer.kid, typ: 'at+jwt' }).setIssuer('https://evil.example/token').setAudience(AUDIENCE)
        .setSubject(integration.clientId).setIssuedAt().setExpirationTime('5m').setJti(crypto.randomUUID()).sign(keys.signer.key);
    }],
    ['a token whose credential_id is not its client\'s', async () => {
      const { keys } = await testKeys();
      return new SignJWT({ client_id: integration.clientId, brand_id: f.brandId, credential_id: rs.credentialId, scope: 'products:read' })
        .setProtectedHeader({ alg: 'ES256', kid: keys.signer.kid, typ: 'at+jwt' }).setIssuer(ISSUER).setAudience(AUDIENCE)
        .setSubject(integration.clientId).setIssuedAt().setExpirationTime('5m').setJti(crypto.randomUUID()).sign(keys.signer.key);
    }],
    ['a token of an unknown client', async () => {
      const { keys } = await testKeys();
      return new SignJWT({ client_id: 'mintid_ci_nobody', brand_id: f.brandId, credential_id: crypto.randomUUID(), scope: 'products:read' })
        .setProtectedHeader({ alg: 'ES256', kid: keys.signer.kid, typ: 'at+jwt' }).setIssuer(ISSUER).setAudience(AUDIENCE)
        .setSubject('mintid_ci_nobody').setIssuedAt().setExpirationTime('5m').setJti(crypto.randomUUID()).sign(keys.signer.key);
    }],
  ])('%s', async (_name, make) => {
    const { status, body } = await answer(asService(await make()));
    expect(status).toBe(200);
    expect(body).toEqual({ active: false });
  });

  it('an expired token (the introspection clock past exp)', async () => {
    const token = await tokenOf(integration);
    const clock = manualClock();
    const { handler } = await buildIntrospect(db, { clock });
    expect(((await (await handler(asService(token))).json()) as { active: boolean }).active).toBe(true);
    clock.advance(601_000);
    expect(await (await handler(asService(token))).json()).toEqual({ active: false });
  });

  it('a token of another brand, asked by a credential: same answer as an unknown token', async () => {
    const foreign = await answer(asBasic(rs, await tokenOf(otherIntegration)));
    const garbage = await answer(asBasic(rs, 'garbage'));
    expect([foreign.status, foreign.body]).toEqual([garbage.status, garbage.body]);
    expect(foreign.body).toEqual({ active: false });
    // …while the other brand's resource server sees it.
    expect((await answer(asBasic(rsOther, await tokenOf(otherIntegration)))).body.active).toBe(true);
  });
});

describe('who may ask', () => {
  it('refuses no authentication with 401 invalid_client', async () => {
    const { status, body } = await answer(introspectRequest({ token: 'x' }));
    expect([status, body.error]).toEqual([401, 'invalid_client']);
  });

  it.each([
    ['a wrong service key', 'Bearer not-the-service-key'],
    ['the service key with a suffix', `Bearer ${TEST_SERVICE_KEY}x`],
    ['a revoked-looking garbage JWT', 'Bearer eyJhbGciOiJFUzI1NiJ9.e30.AAAA'],
  ])('refuses %s with 401 invalid_token and a Bearer challenge', async (_name, authorization) => {
    const { status, body, headers } = await answer(introspectRequest({ token: 'x' }, { Authorization: authorization }));
    expect([status, body.error]).toEqual([401, 'invalid_token']);
    expect(headers.get('www-authenticate')).toBe('Bearer realm="mintid", error="invalid_token"');
  });

  it.each([
    ['Bearer with nothing after it', 'Bearer '],
    ['Bearer alone', 'Bearer'],
  ])('refuses %s (an unset variable) with 401 invalid_token saying the token is missing', async (_name, authorization) => {
    const { status, body, headers } = await answer(introspectRequest({ token: 'x' }, { Authorization: authorization }));
    expect([status, body.error]).toEqual([401, 'invalid_token']);
    expect(body.error_description).toBe('The Authorization header says Bearer but carries no token.');
    expect(headers.get('www-authenticate')).toBe('Bearer realm="mintid", error="invalid_token"');
  });

  it('refuses an access token without mintid:introspect with 401 insufficient_scope', async () => {
    const bearer = await tokenOf(integration);
    const { status, body, headers } = await answer(introspectRequest({ token: bearer }, { Authorization: `Bearer ${bearer}` }));
    expect([status, body.error]).toEqual([401, 'insufficient_scope']);
    expect(headers.get('www-authenticate')).toContain('insufficient_scope');
  });

  it('refuses a credential without mintid:introspect with 401 insufficient_scope', async () => {
    const { status, body } = await answer(asBasic(rsNoScope, await tokenOf(integration)));
    expect([status, body.error]).toEqual([401, 'insufficient_scope']);
  });

  it('refuses a wrong secret and an unknown client alike with 401 invalid_client', async () => {
    const wrong = await introspect(introspectRequest({ token: 'x' }, { Authorization: basic(rs.clientId, generateClientSecret()) }));
    const unknown = await introspect(introspectRequest({ token: 'x' }, { Authorization: basic('mintid_ci_nobody', generateClientSecret()) }));
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toBe(await unknown.text());
    expect(wrong.headers.get('www-authenticate')).toBe('Basic realm="mintid"');
  });

  it('refuses a revoked caller credential with 401 invalid_client, and its access token with invalid_token', async () => {
    const caller = await createCredential(db, f.brandId, { _scopes: ['mintid:introspect'] });
    const bearer = await tokenOf(caller);
    await db.rpc(serviceCaller, 'revoke_api_credential_record', { _brand_id: f.brandId, _credential_id: caller.credentialId, _reason: 'retired' });
    expect((await answer(asBasic(caller, 'x'))).body.error).toBe('invalid_client');
    expect((await answer(introspectRequest({ token: 'x' }, { Authorization: `Bearer ${bearer}` }))).body.error).toBe('invalid_token');
  });

  it('refuses Basic plus a body client_secret with 400 invalid_request', async () => {
    const req = introspectRequest({ token: 'x', client_secret: rs.secret }, { Authorization: basic(rs.clientId, rs.secret) });
    expect((await answer(req)).status).toBe(400);
  });
});

describe('request errors', () => {
  it('refuses a missing token with 400 invalid_request', async () => {
    const { status, body } = await answer(introspectRequest({}, { Authorization: `Bearer ${TEST_SERVICE_KEY}` }));
    expect([status, body.error]).toEqual([400, 'invalid_request']);
  });

  it('refuses a repeated token with 400 invalid_request', async () => {
    const { status } = await answer(introspectRequest('token=a&token=b', { Authorization: `Bearer ${TEST_SERVICE_KEY}` }));
    expect(status).toBe(400);
  });

  it('refuses a JSON body with 400 invalid_request', async () => {
    const res = await introspect(new Request('http://127.0.0.1/functions/v1/introspect', {
      method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TEST_SERVICE_KEY}` }, body: '{"token":"x"}',
    }));
    expect(res.status).toBe(400);
  });

  // SPEC §15: forms are bounded before they are read, whether or not Content-Length is sent.
  it('refuses a chunked body past 16 KiB with 413, without reading the rest of it', async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      // 4 MiB in all, so a reader that does not stop still finishes (and the test fails, not hangs).
      pull(controller) {
        pulled += 1;
        if (pulled > 1024) controller.close();
        else controller.enqueue(new TextEncoder().encode(`token=${'a'.repeat(4090)}&`));
      },
    });
    const req = new Request('http://127.0.0.1/functions/v1/introspect', {
      method: 'POST', body: endless, duplex: 'half',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Bearer ${TEST_SERVICE_KEY}` },
    } as RequestInit);
    const res = await introspect(req);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
    expect(pulled).toBeLessThan(64);
  });

  it('refuses a declared Content-Length past 16 KiB with 413', async () => {
    const req = introspectRequest({ token: 'a'.repeat(17 * 1024) }, {
      Authorization: `Bearer ${TEST_SERVICE_KEY}`, 'Content-Length': String(17 * 1024 + 6),
    });
    expect((await introspect(req)).status).toBe(413);
  });

  it.each(['GET', 'PUT', 'DELETE'])('answers %s with 405 and Allow: POST, OPTIONS', async (method) => {
    const res = await introspect(introspectRequest({}, {}, method));
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST, OPTIONS');
  });

  it('answers a CORS preflight with 204', async () => {
    expect((await introspect(introspectRequest({}, {}, 'OPTIONS'))).status).toBe(204);
  });

  it('logged nothing during ordinary requests', () => {
    expect(logs).toEqual([]);
  });
});
