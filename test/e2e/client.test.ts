// End to end: the typed client over real supabase-js and real HTTP, against the local stack's API
// (src/local/api.ts) on a fresh database. Every method for every trusted caller, every error class.
import '../../src/node-websocket.js';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConflictError, ForbiddenError, InvalidInputError, MintIdError, NotAuthenticatedError, TransportError, UnexpectedError,
  createCredentialsClient, isWellFormedClientSecret, toMintIdError, type CredentialsClient,
} from '../../src/index.js';
import { hashClientSecret, verifyClientSecret } from '../../src/secrets/hash.js';
import { TEST_JWT_SECRET, nowSeconds, signJwt, startTestApi, supabaseClient, userToken, type TestApi } from '../support/api.js';
import { clientId, createArgs, phc } from '../support/fixtures.js';
import { freePort } from '../support/urls.js';

let t: TestApi;
let admin: CredentialsClient;
let owner: CredentialsClient;
let service: CredentialsClient;
let member: CredentialsClient;
let otherAdmin: CredentialsClient;

const serviceSupabase = (api: TestApi, fetchImpl?: typeof fetch) =>
  supabaseClient(api.url, api.keys.serviceRoleKey, undefined, fetchImpl);

beforeAll(async () => {
  t = await startTestApi();
  admin = createCredentialsClient(t.supabaseAs(t.tokens.admin));
  owner = createCredentialsClient(t.supabaseAs(t.tokens.owner));
  service = createCredentialsClient(serviceSupabase(t));
  member = createCredentialsClient(t.supabaseAs(t.tokens.member));
  otherAdmin = createCredentialsClient(t.supabaseAs(t.tokens.otherAdmin));
});
afterAll(() => t?.close());

/** Awaits a rejection and returns the MintIdError (fails the test when it resolved or threw something else). */
async function failure(promise: Promise<unknown>): Promise<MintIdError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, 'expected the call to fail').toBeInstanceOf(MintIdError);
  return caught as MintIdError;
}

/** The stored hash of a credential (read as superuser; never printed). */
async function storedHash(credentialId: string): Promise<string> {
  const [row] = await t.db.admin<{ client_secret_hash: string }[]>`
    select client_secret_hash from mintid.api_credentials where id = ${credentialId}`;
  return row!.client_secret_hash;
}

const createParams = (brandId: string, extra: Record<string, unknown> = {}) => ({
  brandId, name: 'ERP sync', scopes: ['products:read', 'orders:write'], metadata: { team: 'erp' }, ...extra,
});

/** A credential created by the service role (cheap: a well-formed random hash). */
async function seededCredential(brandId = t.brandId): Promise<string> {
  const { credentialId } = await service.createCredentialRecord({ ...createParams(brandId), clientId: clientId(), clientSecretHash: phc() });
  return credentialId;
}

/** Makes a credential expired by moving expires_at into the past as the table owner (the table guard allows it). */
async function expire(credentialId: string): Promise<void> {
  await t.db.asOwner((tx) => tx`update mintid.api_credentials set expires_at = now() - interval '1 second' where id = ${credentialId}`);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe.each([
  { name: 'an admin', who: () => admin, actor: () => t.brands.users.admin },
  { name: 'an owner', who: () => owner, actor: () => t.brands.users.owner },
  { name: 'the service role', who: () => service, actor: () => 'service_role' },
])('the typed client as $name', ({ who, actor }) => {
  it('creates a credential with a well-formed secret whose stored hash verifies', async () => {
    const issued = await who().createCredential(createParams(t.brandId));
    expect(issued.credentialId).toMatch(UUID);
    expect(issued.clientId).toMatch(/^mintid_ci_[A-Za-z0-9]{22}$/);
    expect(isWellFormedClientSecret(issued.clientSecret)).toBe(true);
    const hash = await storedHash(issued.credentialId);
    expect(hash.startsWith('$argon2id$v=19$')).toBe(true);
    expect(await verifyClientSecret(hash, issued.clientSecret)).toBe(true);
  });

  it('creates a credential from a hash it computed, with the client id it chose', async () => {
    const id = clientId('own');
    const hash = await hashClientSecret('a-secret-only-this-test-knows');
    const created = await who().createCredentialRecord({ ...createParams(t.brandId), clientId: id, clientSecretHash: hash });
    expect(created).toEqual({ credentialId: expect.stringMatching(UUID) });
    const { items } = await who().listCredentials({ brandId: t.brandId, limit: 200 });
    expect(items.find((i) => i.id === created.credentialId)).toMatchObject({ clientId: id, status: 'active', revokedAt: null });
  });

  it('lists credentials as compact items without any hash', async () => {
    const issued = await who().createCredential(createParams(t.brandId, { name: 'Listed' }));
    const page = await who().listCredentials({ brandId: t.brandId, status: 'active', limit: 200 });
    const item = page.items.find((i) => i.id === issued.credentialId);
    expect(item).toEqual({
      id: issued.credentialId, name: 'Listed', clientId: issued.clientId, scopes: ['products:read', 'orders:write'],
      metadata: { team: 'erp' }, status: 'active', createdAt: expect.any(String), expiresAt: null, secretRotatedAt: null,
      revokedAt: null, revocationReason: null, lastUsedAt: null,
      revocationReasonCode: null, previousSecretExpiresAt: null, previousSecretLastUsedAt: null, lastRejectedUseAt: null,
      rejectedUseCount: 0,
    });
    expect(JSON.stringify(page)).not.toContain('$argon2id$');
  });

  it('rotates a secret: the new one verifies, the old one no longer does', async () => {
    const issued = await who().createCredential(createParams(t.brandId));
    const rotated = await who().rotateSecret({ brandId: t.brandId, credentialId: issued.credentialId, reason: 'scheduled rotation' });
    expect(rotated.credentialId).toBe(issued.credentialId);
    expect(Number.isNaN(Date.parse(rotated.rotatedAt))).toBe(false);
    expect(isWellFormedClientSecret(rotated.clientSecret)).toBe(true);
    expect(rotated.clientSecret).not.toBe(issued.clientSecret);
    const hash = await storedHash(issued.credentialId);
    expect(await verifyClientSecret(hash, rotated.clientSecret)).toBe(true);
    expect(await verifyClientSecret(hash, issued.clientSecret)).toBe(false);
  });

  it('rotates to a hash it computed', async () => {
    const credentialId = await seededCredential();
    const newHash = await hashClientSecret('the-next-secret-of-this-test');
    const rotated = await who().rotateSecretRecord({ brandId: t.brandId, credentialId, newSecretHash: newHash, reason: 'rotate' });
    expect(rotated).toEqual({ credentialId, rotatedAt: expect.any(String), previousSecretExpiresAt: null });
    expect(await storedHash(credentialId)).toBe(newHash);
  });

  it('revokes a credential, which then lists as revoked with its reason', async () => {
    const credentialId = await seededCredential();
    const revoked = await who().revokeCredential({ brandId: t.brandId, credentialId, reason: 'laptop stolen' });
    expect(revoked).toEqual({ credentialId, revokedAt: expect.any(String) });
    const { items } = await who().listCredentials({ brandId: t.brandId, status: 'revoked', limit: 200 });
    expect(items.find((i) => i.id === credentialId)).toMatchObject({ status: 'revoked', revocationReason: 'laptop stolen' });
  });

  it('lists the events of a credential, newest first, with the caller as actor', async () => {
    const issued = await who().createCredential(createParams(t.brandId));
    await who().rotateSecret({ brandId: t.brandId, credentialId: issued.credentialId, reason: 'rotate' });
    await who().revokeCredential({ brandId: t.brandId, credentialId: issued.credentialId, reason: 'done' });
    const page = await who().listEvents({ brandId: t.brandId, credentialId: issued.credentialId });
    expect(page.nextCursor).toBeNull();
    expect(page.items.map((e) => e.action)).toEqual(['revoked', 'rotated', 'created']);
    expect(page.items.every((e) => e.actor === actor() && e.credentialId === issued.credentialId)).toBe(true);
    expect(page.items.map((e) => e.reason)).toEqual(['done', 'rotate', null]);
  });
});

describe('no plaintext secret leaves the process', () => {
  it('sends only hashes: no request URL, header or body carries the generated secrets', async () => {
    const sent: string[] = [];
    const recording: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      const headers = [...request.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n');
      sent.push(`${request.method} ${request.url}\n${headers}\n${await request.clone().text()}`);
      return fetch(request);
    };
    const client = createCredentialsClient(t.supabaseAs(t.tokens.admin, { fetch: recording }));
    const issued = await client.createCredential(createParams(t.brandId));
    const rotated = await client.rotateSecret({ brandId: t.brandId, credentialId: issued.credentialId, reason: 'rotate' });
    await client.listCredentials({ brandId: t.brandId });
    await client.revokeCredential({ brandId: t.brandId, credentialId: issued.credentialId, reason: 'done' });

    expect(sent).toHaveLength(4);
    // The recorder saw the traffic: both hashes went out, once each.
    expect(sent.filter((text) => text.includes('$argon2id$v=19$'))).toHaveLength(2);
    for (const text of sent) {
      expect(text.includes(issued.clientSecret)).toBe(false);
      expect(text.includes(rotated.clientSecret)).toBe(false);
    }
  });
});

describe('pagination', () => {
  it('follows nextCursor through every credential exactly once, newest first', async () => {
    const brandId = randomUUID();
    await t.db.admin.begin(async (tx) => {
      await tx`insert into mintid.brands (id, name) values (${brandId}, 'Paged')`;
      await tx`insert into mintid.brand_members (brand_id, user_id, role) values (${brandId}, ${t.brands.users.admin}, 'admin')`;
    });
    const created: string[] = [];
    for (let i = 0; i < 7; i += 1) created.push(await seededCredential(brandId));

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await admin.listCredentials({ brandId, limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor ?? undefined;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(7);
    expect(new Set(seen)).toEqual(new Set(created));
    expect(seen).toEqual([...created].reverse());
  });

  it('follows nextCursor through every event exactly once', async () => {
    const credentialId = await seededCredential();
    for (let i = 0; i < 4; i += 1) {
      await admin.rotateSecretRecord({ brandId: t.brandId, credentialId, newSecretHash: phc(), reason: `rotation ${i}` });
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await admin.listEvents({ brandId: t.brandId, credentialId, limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((e) => e.reason ?? e.action));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(['rotation 3', 'rotation 2', 'rotation 1', 'rotation 0', 'created']);
  });
});

/** Every method of the client with valid parameters for the main brand. */
function everyMethod(brandId: () => string, credentialId: () => string) {
  return [
    { method: 'createCredential', call: (c: CredentialsClient) => c.createCredential(createParams(brandId())) },
    {
      method: 'createCredentialRecord',
      call: (c: CredentialsClient) => c.createCredentialRecord({ ...createParams(brandId()), clientId: clientId(), clientSecretHash: phc() }),
    },
    { method: 'rotateSecret', call: (c: CredentialsClient) => c.rotateSecret({ brandId: brandId(), credentialId: credentialId(), reason: 'r' }) },
    {
      method: 'rotateSecretRecord',
      call: (c: CredentialsClient) => c.rotateSecretRecord({ brandId: brandId(), credentialId: credentialId(), newSecretHash: phc(), reason: 'r' }),
    },
    { method: 'revokeCredential', call: (c: CredentialsClient) => c.revokeCredential({ brandId: brandId(), credentialId: credentialId(), reason: 'r' }) },
    { method: 'listCredentials', call: (c: CredentialsClient) => c.listCredentials({ brandId: brandId() }) },
    { method: 'listEvents', call: (c: CredentialsClient) => c.listEvents({ brandId: brandId() }) },
  ];
}

describe('401 NotAuthenticatedError', () => {
  let target: string;
  beforeAll(async () => {
    target = await seededCredential();
  });
  const methods = everyMethod(() => t.brandId, () => target);

  it.each(methods)('anon key only: $method is refused by PostgREST with 42501', async ({ call }) => {
    const error = await failure(call(createCredentialsClient(t.supabaseAs(undefined))));
    expect(error).toBeInstanceOf(NotAuthenticatedError);
    expect(error.code).toBe('not_authenticated');
    expect(error.status).toBe(401);
    expect(error.postgrestCode).toBe('42501');
    expect(error.message).toMatch(/^permission denied for function /);
  });

  it.each(methods)('an expired user JWT: $method answers PGRST303', async ({ call }) => {
    const expired = await userToken(t.brands.users.admin, { exp: nowSeconds() - 3600 });
    const error = await failure(call(createCredentialsClient(t.supabaseAs(expired))));
    expect(error).toBeInstanceOf(NotAuthenticatedError);
    expect(error.status).toBe(401);
    expect(error.postgrestCode).toBe('PGRST303');
    expect(error.message).toBe('JWT expired');
  });

  it.each(methods)('a JWT signed with another secret: $method answers PGRST301', async ({ call }) => {
    const forged = await userToken(t.brands.users.admin, { secret: `${TEST_JWT_SECRET}-but-not-this-one` });
    const error = await failure(call(createCredentialsClient(t.supabaseAs(forged))));
    expect(error).toBeInstanceOf(NotAuthenticatedError);
    expect(error.status).toBe(401);
    expect(error.postgrestCode).toBe('PGRST301');
  });

  it.each(methods)('an authenticated JWT without sub: $method answers PT401 jwt_sub_missing', async ({ call }) => {
    const noSub = await signJwt({ role: 'authenticated', aud: 'authenticated', exp: nowSeconds() + 600 });
    const error = await failure(call(createCredentialsClient(t.supabaseAs(noSub))));
    expect(error).toBeInstanceOf(NotAuthenticatedError);
    expect(error.status).toBe(401);
    expect(error.postgrestCode).toBe('PT401');
    expect(error.reason).toBe('jwt_sub_missing');
    expect(error.message.startsWith('Not authenticated')).toBe(true);
  });

  it('an unknown apikey is refused by the gateway before any SQL', async () => {
    const client = createCredentialsClient(t.supabaseAs(t.tokens.admin, { apiKey: 'not-a-project-key' }));
    const error = await failure(client.listCredentials({ brandId: t.brandId }));
    expect(error).toBeInstanceOf(NotAuthenticatedError);
    expect(error.status).toBe(401);
    expect(error.message).toBe('Invalid API key');
  });
});

describe('403 ForbiddenError', () => {
  let target: string;
  beforeAll(async () => {
    target = await seededCredential();
  });
  const methods = everyMethod(() => t.brandId, () => target);

  it.each(methods)('a member: $method is forbidden', async ({ call }) => {
    const error = await failure(call(member));
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error.code).toBe('forbidden');
    expect(error.status).toBe(403);
    expect(error.reason).toBe('not_brand_admin');
    expect(error.message.startsWith('Forbidden')).toBe(true);
  });

  it.each(methods)('an admin of another brand: $method is forbidden', async ({ call }) => {
    const error = await failure(call(otherAdmin));
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error.status).toBe(403);
    expect(error.reason).toBe('not_brand_admin');
  });

  it('a brand that does not exist answers a user exactly like a brand they do not administer', async () => {
    const missing = await failure(admin.listCredentials({ brandId: randomUUID() }));
    const foreign = await failure(admin.listCredentials({ brandId: t.otherBrandId }));
    expect(missing).toBeInstanceOf(ForbiddenError);
    expect(missing.status).toBe(403);
    expect([missing.postgrestCode, missing.message, missing.reason, missing.hint])
      .toEqual([foreign.postgrestCode, foreign.message, foreign.reason, foreign.hint]);
  });

  it('a member sending bad input still gets 403 (authorization before input)', async () => {
    const { data, error, status } = await t.supabaseAs(t.tokens.member).rpc('create_api_credential_record',
      createArgs(t.brandId, { _client_secret_hash: 'plaintext-secret', _scopes: ['NOT A SCOPE'] }));
    expect(data).toBeNull();
    const mapped = toMintIdError(error!, status);
    expect(mapped).toBeInstanceOf(ForbiddenError);
    expect(mapped.reason).toBe('not_brand_admin');
  });
});

describe('400 InvalidInputError', () => {
  it('a trusted caller naming a brand that does not exist gets brand_not_found', async () => {
    const error = await failure(service.listCredentials({ brandId: randomUUID() }));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.code).toBe('invalid_input');
    expect(error.status).toBe(400);
    expect(error.postgrestCode).toBe('22023');
    expect(error.reason).toBe('brand_not_found');
    expect(error.message.startsWith('Invalid input')).toBe(true);
  });

  it.each([
    { what: 'a scope not of the form resource:action', params: { scopes: ['Products'] } },
    { what: 'duplicate scopes', params: { scopes: ['products:read', 'products:read'] } },
    { what: 'a blank name', params: { name: '   ' } },
    { what: 'a brand id that is not a uuid', params: { brandId: 'acme' } },
    { what: 'a client id with a space', params: { clientId: 'has space' } },
  ])('the client refuses $what before sending anything (status 0, client_validation)', async ({ params }) => {
    let requests = 0;
    const counting: typeof fetch = (input, init) => {
      requests += 1;
      return fetch(input, init);
    };
    const client = createCredentialsClient(t.supabaseAs(t.tokens.admin, { fetch: counting }));
    const error = await failure(client.createCredential({ ...createParams(t.brandId), ...params }));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.status).toBe(0);
    expect(error.reason).toBe('client_validation');
    expect(error.message.startsWith('Invalid input')).toBe(true);
    expect(requests).toBe(0);
  });

  it('the client refuses a plaintext secret in place of a hash without sending it', async () => {
    const error = await failure(admin.createCredentialRecord({ ...createParams(t.brandId), clientId: clientId(), clientSecretHash: 'hunter2-plaintext' }));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.status).toBe(0);
    expect(error.reason).toBe('client_validation');
    expect(error.message).not.toContain('hunter2-plaintext');
  });

  it('the server refuses an expiry in the past (expires_at_not_future)', async () => {
    const error = await failure(admin.createCredential(createParams(t.brandId, { expiresAt: new Date(Date.now() - 60_000) })));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.status).toBe(400);
    expect(error.reason).toBe('expires_at_not_future');
  });

  it('the server refuses metadata above 8 KiB (metadata_too_large)', async () => {
    const error = await failure(admin.createCredential(createParams(t.brandId, { metadata: { blob: 'x'.repeat(9000) } })));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.status).toBe(400);
    expect(error.reason).toBe('metadata_too_large');
  });

  it('the server refuses a credential id that is not in the brand (credential_not_found)', async () => {
    const foreign = await seededCredential(t.otherBrandId);
    const unknown = await failure(admin.revokeCredential({ brandId: t.brandId, credentialId: randomUUID(), reason: 'r' }));
    const other = await failure(admin.revokeCredential({ brandId: t.brandId, credentialId: foreign, reason: 'r' }));
    expect(unknown).toBeInstanceOf(InvalidInputError);
    expect(unknown.status).toBe(400);
    expect(unknown.reason).toBe('credential_not_found');
    expect([other.status, other.message, other.reason, other.hint]).toEqual([unknown.status, unknown.message, unknown.reason, unknown.hint]);
  });

  it('the server refuses a cursor it did not issue (cursor_invalid)', async () => {
    const error = await failure(admin.listCredentials({ brandId: t.brandId, cursor: 'made-up.cursor' }));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.status).toBe(400);
    expect(error.reason).toBe('cursor_invalid');
  });

  it('the server refuses a cursor of another listing (cursor_invalid)', async () => {
    const credentialId = await seededCredential();
    await admin.rotateSecretRecord({ brandId: t.brandId, credentialId, newSecretHash: phc(), reason: 'r' });
    const events = await admin.listEvents({ brandId: t.brandId, credentialId, limit: 1 });
    expect(events.nextCursor).not.toBeNull();
    const error = await failure(admin.listCredentials({ brandId: t.brandId, cursor: events.nextCursor! }));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.reason).toBe('cursor_invalid');
  });

  it.each([
    { what: 'a plaintext secret', fn: 'create_api_credential_record', args: () => createArgs(t.brandId, { _client_secret_hash: 'hunter2-plaintext' }), reason: 'hash_not_argon2id' },
    { what: 'an argon2id hash with too little memory', fn: 'create_api_credential_record', args: () => createArgs(t.brandId, { _client_secret_hash: phc({ m: 4096 }) }), reason: 'hash_params_out_of_range' },
    { what: 'an invalid scope', fn: 'create_api_credential_record', args: () => createArgs(t.brandId, { _scopes: ['Products'] }), reason: 'scope_invalid' },
    { what: 'a blank name', fn: 'create_api_credential_record', args: () => createArgs(t.brandId, { _name: '   ' }), reason: 'name_length' },
    { what: 'a null name', fn: 'create_api_credential_record', args: () => createArgs(t.brandId, { _name: null }), reason: 'name_required' },
    { what: 'metadata that is an array', fn: 'create_api_credential_record', args: () => createArgs(t.brandId, { _metadata: [1, 2] }), reason: 'metadata_not_object' },
    { what: 'a bad client id', fn: 'create_api_credential_record', args: () => createArgs(t.brandId, { _client_id: 'a b' }), reason: 'client_id_invalid' },
    { what: 'an unknown status filter', fn: 'list_api_credential_records', args: () => ({ _brand_id: t.brandId, _status: 'sleeping' }), reason: 'status_invalid' },
    { what: 'a page size above 200', fn: 'list_api_credential_records', args: () => ({ _brand_id: t.brandId, _limit: 500 }), reason: 'limit_out_of_range' },
  ])('raw supabase.rpc with $what maps to InvalidInputError $reason', async ({ fn, args, reason }) => {
    const { data, error, status } = await t.supabaseAs(t.tokens.admin).rpc(fn, args());
    expect(data).toBeNull();
    expect(status).toBe(400);
    const mapped = toMintIdError(error!, status);
    expect(mapped).toBeInstanceOf(InvalidInputError);
    expect(mapped.postgrestCode).toBe('22023');
    expect(mapped.reason).toBe(reason);
    expect(mapped.message.startsWith('Invalid input')).toBe(true);
    expect(mapped.hint).toBeTruthy();
  });

  it('never echoes a refused plaintext secret in the error', async () => {
    const plaintext = 'correct-horse-battery-staple-plaintext';
    const { error } = await t.supabaseAs(t.tokens.admin).rpc('create_api_credential_record', createArgs(t.brandId, { _client_secret_hash: plaintext }));
    expect(error?.code).toBe('22023');
    expect(JSON.stringify(error)).not.toContain(plaintext);
  });
});

describe('409 ConflictError', () => {
  it('refuses a client id that is already taken, in any brand (client_id_taken)', async () => {
    const id = clientId('taken');
    await service.createCredentialRecord({ ...createParams(t.otherBrandId), clientId: id, clientSecretHash: phc() });
    const error = await failure(admin.createCredential(createParams(t.brandId, { clientId: id })));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.code).toBe('conflict');
    expect(error.status).toBe(409);
    expect(error.postgrestCode).toBe('PT409');
    expect(error.reason).toBe('client_id_taken');
    expect(error.message.startsWith('Conflict')).toBe(true);
  });

  it('refuses to revoke a revoked credential (credential_revoked)', async () => {
    const credentialId = await seededCredential();
    await admin.revokeCredential({ brandId: t.brandId, credentialId, reason: 'first' });
    const error = await failure(admin.revokeCredential({ brandId: t.brandId, credentialId, reason: 'second' }));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.status).toBe(409);
    expect(error.reason).toBe('credential_revoked');
  });

  it('refuses to rotate a revoked credential (credential_revoked)', async () => {
    const credentialId = await seededCredential();
    await owner.revokeCredential({ brandId: t.brandId, credentialId, reason: 'gone' });
    const error = await failure(owner.rotateSecret({ brandId: t.brandId, credentialId, reason: 'too late' }));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.reason).toBe('credential_revoked');
  });

  it('refuses to rotate an expired credential (credential_expired) but lets it be revoked', async () => {
    const credentialId = await seededCredential();
    await expire(credentialId);
    const error = await failure(admin.rotateSecret({ brandId: t.brandId, credentialId, reason: 'too late' }));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.status).toBe(409);
    expect(error.reason).toBe('credential_expired');
    await expect(admin.revokeCredential({ brandId: t.brandId, credentialId, reason: 'clean up' })).resolves.toMatchObject({ credentialId });
  });

  it('refuses to rotate to the hash already stored (secret_unchanged)', async () => {
    const hash = phc();
    const { credentialId } = await admin.createCredentialRecord({ ...createParams(t.brandId), clientId: clientId(), clientSecretHash: hash });
    const error = await failure(admin.rotateSecretRecord({ brandId: t.brandId, credentialId, newSecretHash: hash, reason: 'same' }));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.reason).toBe('secret_unchanged');
    expect(await storedHash(credentialId)).toBe(hash);
  });
});

describe('TransportError', () => {
  it('a client pointed at a closed port fails with status 0', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const client = createCredentialsClient(t.supabaseAs(t.tokens.admin, { url: closed }));
    const error = await failure(client.listCredentials({ brandId: t.brandId }));
    expect(error).toBeInstanceOf(TransportError);
    expect(error.code).toBe('transport');
    expect(error.status).toBe(0);
  });

  it('createCredential against a closed port fails without returning a secret', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const client = createCredentialsClient(serviceSupabase({ ...t, url: closed }));
    const error = await failure(client.createCredential(createParams(t.brandId)));
    expect(error).toBeInstanceOf(TransportError);
    expect(error.status).toBe(0);
  });
});

describe('UnexpectedError', () => {
  it('a client configured for a schema without these functions gets a 404 it cannot map to the contract', async () => {
    const wrongSchema = createCredentialsClient({
      rpc: (fn, args) => t.supabaseAs(t.tokens.admin).schema('graphql_public').rpc(fn, args),
    });
    const error = await failure(wrongSchema.listCredentials({ brandId: t.brandId }));
    expect(error).toBeInstanceOf(UnexpectedError);
    expect(error.code).toBe('unexpected');
    expect(error.status).toBe(404);
    expect(error.postgrestCode).toBe('PGRST202');
  });
});

describe('a real 5xx from the database', () => {
  // The `authenticated` role carries a lock_timeout on this database (PostgREST applies role
  // settings per request; the gateway loads them with its schema cache at start). A revoke that
  // waits for a row lock another session holds then fails with 55P03, which PostgREST answers 500.
  let locked: TestApi;
  beforeAll(async () => {
    locked = await startTestApi({
      prepareDatabase: (db) => db.admin.unsafe(`alter role authenticated in database ${db.name} set lock_timeout = '200ms'`),
    });
  });
  afterAll(() => locked?.close());

  it('surfaces as UnexpectedError with status 500, and nothing was half-written', async () => {
    const { credentialId } = await createCredentialsClient(serviceSupabase(locked))
      .createCredentialRecord({ ...createParams(locked.brandId), clientId: clientId(), clientSecretHash: phc() });
    const client = createCredentialsClient(locked.supabaseAs(locked.tokens.admin));
    const error = await locked.db.admin.begin(async (tx) => {
      await tx`select 1 from mintid.api_credentials where id = ${credentialId} for update`;
      return failure(client.revokeCredential({ brandId: locked.brandId, credentialId, reason: 'blocked' }));
    });
    expect(error).toBeInstanceOf(UnexpectedError);
    expect(error.status).toBe(500);
    expect(error.postgrestCode).toBe('55P03');
    const events = await client.listEvents({ brandId: locked.brandId, credentialId });
    expect(events.items.map((e) => e.action)).toEqual(['created']);
    await expect(client.revokeCredential({ brandId: locked.brandId, credentialId, reason: 'unblocked' }))
      .resolves.toMatchObject({ credentialId });
  });
});
