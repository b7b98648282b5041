// The small OAuth edges real client libraries hit (SPEC §14): an empty `scope=` is no scope, and
// HTTP Basic may repeat its own client_id in the body — but never a second secret or another id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../support/database.js';
import { openSeededDatabase, type BrandFixture } from '../support/fixtures.js';
import { basic, buildHandlers, createCredential, tokenRequest, type TestCredential } from './helpers.js';

let db: TestDatabase;
let f: BrandFixture;
let handler: (req: Request) => Promise<Response>;
let c: TestCredential;
let other: TestCredential;
const GRANT = { grant_type: 'client_credentials' };

beforeAll(async () => {
  ({ db, f } = await openSeededDatabase());
  ({ handler } = await buildHandlers(db));
  [c, other] = await Promise.all([
    createCredential(db, f.brandId, { _scopes: ['products:read', 'orders:write'] }),
    createCredential(db, f.brandId),
  ]);
});
afterAll(() => db.close());

async function outcome(res: Response): Promise<{ status: number; error?: string; scope?: string }> {
  const body = (await res.json()) as { error?: string; scope?: string };
  return { status: res.status, ...(body.error ? { error: body.error } : { scope: body.scope }) };
}

describe('an empty scope= (simple-oauth2, openid-client send it)', () => {
  it('is no scope: the token carries every scope of the credential (body auth)', async () => {
    const res = await handler(tokenRequest({ ...GRANT, scope: '', client_id: c.clientId, client_secret: c.secret }));
    expect(await outcome(res)).toEqual({ status: 200, scope: 'products:read orders:write' });
  });

  it('is no scope with HTTP Basic too', async () => {
    const res = await handler(tokenRequest('grant_type=client_credentials&scope=', { Authorization: basic(c.clientId, c.secret) }));
    expect(await outcome(res)).toEqual({ status: 200, scope: 'products:read orders:write' });
  });

  it.each([
    ['a single space', ' '],
    ['two spaces', '  '],
    ['a tab', '\t'],
  ])('does not extend to %s: invalid_scope', async (_name, scope) => {
    const res = await handler(tokenRequest({ ...GRANT, scope, client_id: c.clientId, client_secret: c.secret }));
    expect(await outcome(res)).toEqual({ status: 400, error: 'invalid_scope' });
  });

  it('refuses two scope parameters, even empty ones: invalid_request', async () => {
    const res = await handler(tokenRequest('grant_type=client_credentials&scope=&scope=', { Authorization: basic(c.clientId, c.secret) }));
    expect(await outcome(res)).toEqual({ status: 400, error: 'invalid_request' });
  });
});

describe('HTTP Basic with a client_id in the body (requests-oauthlib include_client_id=True)', () => {
  it('accepts the same client_id as the Basic one', async () => {
    const res = await handler(tokenRequest({ ...GRANT, client_id: c.clientId }, { Authorization: basic(c.clientId, c.secret) }));
    expect(await outcome(res)).toEqual({ status: 200, scope: 'products:read orders:write' });
  });

  it('accepts it together with a scope subset', async () => {
    const res = await handler(tokenRequest({ ...GRANT, client_id: c.clientId, scope: 'orders:write' }, { Authorization: basic(c.clientId, c.secret) }));
    expect(await outcome(res)).toEqual({ status: 200, scope: 'orders:write' });
  });

  it('refuses another client_id with invalid_request', async () => {
    const res = await handler(tokenRequest({ ...GRANT, client_id: other.clientId }, { Authorization: basic(c.clientId, c.secret) }));
    expect(await outcome(res)).toEqual({ status: 400, error: 'invalid_request' });
  });

  it('refuses a client_id that differs only in case with invalid_request (client ids are case-sensitive)', async () => {
    const res = await handler(tokenRequest({ ...GRANT, client_id: c.clientId.toUpperCase() }, { Authorization: basic(c.clientId, c.secret) }));
    expect(await outcome(res)).toEqual({ status: 400, error: 'invalid_request' });
  });

  it('refuses an empty body client_id with invalid_request', async () => {
    const res = await handler(tokenRequest({ ...GRANT, client_id: '' }, { Authorization: basic(c.clientId, c.secret) }));
    expect(await outcome(res)).toEqual({ status: 400, error: 'invalid_request' });
  });

  it('refuses the same client_id twice with invalid_request', async () => {
    const res = await handler(tokenRequest(`grant_type=client_credentials&client_id=${c.clientId}&client_id=${c.clientId}`, { Authorization: basic(c.clientId, c.secret) }));
    expect(await outcome(res)).toEqual({ status: 400, error: 'invalid_request' });
  });

  it('refuses a body client_secret equal to the Basic one with invalid_request', async () => {
    const res = await handler(tokenRequest({ ...GRANT, client_id: c.clientId, client_secret: c.secret }, { Authorization: basic(c.clientId, c.secret) }));
    expect(await outcome(res)).toEqual({ status: 400, error: 'invalid_request' });
  });

  it('refuses a body client_secret alone next to Basic with invalid_request', async () => {
    const res = await handler(tokenRequest({ ...GRANT, client_secret: 'anything' }, { Authorization: basic(c.clientId, c.secret) }));
    expect(await outcome(res)).toEqual({ status: 400, error: 'invalid_request' });
  });

  it('answers a wrong Basic secret with invalid_client even when the body client_id matches', async () => {
    const res = await handler(tokenRequest({ ...GRANT, client_id: c.clientId }, { Authorization: basic(c.clientId, other.secret) }));
    expect(await outcome(res)).toEqual({ status: 401, error: 'invalid_client' });
  });
});
