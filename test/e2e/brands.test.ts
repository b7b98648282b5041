// End to end: the brands client (src/client/brands.ts) over real supabase-js and HTTP, against the
// local stack's API on a fresh database: every method, and every error class it can meet.
import '../../src/node-websocket.js';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConflictError, ForbiddenError, InvalidInputError, MintIdError, NotAuthenticatedError, TransportError,
  createBrandsClient, createCredentialsClient, type BrandsClient,
} from '../../src/index.js';
import { startTestApi, supabaseClient, userToken, type TestApi } from '../support/api.js';
import { clientId, phc } from '../support/fixtures.js';
import { freePort } from '../support/urls.js';

let t: TestApi;
let owner: BrandsClient;
let admin: BrandsClient;
let member: BrandsClient;
let otherAdmin: BrandsClient;
let service: BrandsClient;

beforeAll(async () => {
  t = await startTestApi();
  owner = createBrandsClient(t.supabaseAs(t.tokens.owner));
  admin = createBrandsClient(t.supabaseAs(t.tokens.admin));
  member = createBrandsClient(t.supabaseAs(t.tokens.member));
  otherAdmin = createBrandsClient(t.supabaseAs(t.tokens.otherAdmin));
  service = createBrandsClient(supabaseClient(t.url, t.keys.serviceRoleKey, undefined));
});
afterAll(() => t?.close());

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

/** A new signed-up user and a brands client signed in as them. */
async function signedUpUser(): Promise<{ id: string; email: string; client: BrandsClient; token: string }> {
  const id = randomUUID();
  const email = `e2e-${id.slice(0, 8)}@example.test`;
  await t.db.admin`insert into auth.users (id, email, role, aud) values (${id}, ${email}, 'authenticated', 'authenticated')`;
  const token = await userToken(id);
  return { id, email, token, client: createBrandsClient(t.supabaseAs(token)) };
}

describe('the brands client', () => {
  it('lets a new user create a brand, see it as owner, and manage its members', async () => {
    const founder = await signedUpUser();
    const colleague = await signedUpUser();
    const { brandId } = await founder.client.createBrand({ name: '  Newco  ' });
    expect((await founder.client.listMyBrands()).items).toEqual([
      { brandId, name: 'Newco', role: 'owner', createdAt: expect.any(String) },
    ]);
    expect(await founder.client.addMember({ brandId, email: colleague.email, role: 'admin' })).toEqual({ userId: colleague.id });
    expect((await founder.client.listMembers({ brandId })).items.map((m) => [m.email, m.role])).toEqual([
      [founder.email, 'owner'], [colleague.email, 'admin'],
    ]);
    expect(await founder.client.setMemberRole({ brandId, userId: colleague.id, role: 'member' })).toEqual({});
    expect((await colleague.client.listMyBrands()).items.map((b) => b.role)).toEqual(['member']);
    expect(await colleague.client.removeMember({ brandId, userId: colleague.id })).toEqual({});
    expect((await colleague.client.listMyBrands()).items).toEqual([]);
  });

  it('lets the service role create a brand for a named user', async () => {
    const user = await signedUpUser();
    const { brandId } = await service.createBrand({ name: 'Provisioned', ownerUserId: user.id });
    expect((await user.client.listMyBrands()).items.map((b) => [b.brandId, b.role])).toEqual([[brandId, 'owner']]);
  });

  it('lists the brand\'s whole trail — members and credentials — newest first, page by page', async () => {
    const founder = await signedUpUser();
    const { brandId } = await founder.client.createBrand({ name: 'Trail' });
    const colleague = await signedUpUser();
    await founder.client.addMember({ brandId, email: colleague.email, role: 'admin' });
    const credentials = createCredentialsClient(t.supabaseAs(founder.token));
    const { credentialId } = await credentials.createCredentialRecord({
      brandId, name: 'ERP', clientId: clientId(), clientSecretHash: phc(), scopes: ['products:read'],
    });
    await credentials.revokeCredential({ brandId, credentialId, reason: 'done' });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await founder.client.listBrandEvents({ brandId, limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((e) => `${e.subjectType}:${e.action}`));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(['credential:revoked', 'credential:created', 'member:member_added', 'brand:brand_created']);
  });
});

describe('errors', () => {
  it('answers anon with NotAuthenticatedError', async () => {
    const anon = createBrandsClient(t.supabaseAs(undefined));
    const error = await failure(anon.listMyBrands());
    expect(error).toBeInstanceOf(NotAuthenticatedError);
    expect(error.status).toBe(401);
  });

  it('tells an admin that managing members needs owner (ForbiddenError not_brand_owner)', async () => {
    const error = await failure(admin.addMember({ brandId: t.brandId, email: 'someone@example.test', role: 'member' }));
    expect(error).toBeInstanceOf(ForbiddenError);
    expect([error.status, error.reason]).toEqual([403, 'not_brand_owner']);
    expect(error.hint).toBe('Your role in this brand is admin; managing members needs owner. An owner can change your role.');
  });

  it('tells a member their role when they try to manage credentials', async () => {
    const credentials = createCredentialsClient(t.supabaseAs(t.tokens.member));
    const error = await failure(credentials.listCredentials({ brandId: t.brandId }));
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error.hint).toBe('Your role in this brand is member; managing credentials needs owner or admin. An owner can change your role.');
  });

  it('tells a member their role when they list members', async () => {
    const error = await failure(member.listMembers({ brandId: t.brandId }));
    expect([error.reason, error.hint?.startsWith('Your role in this brand is member;')]).toEqual(['not_brand_admin', true]);
  });

  it('answers a non-member exactly like a brand that does not exist', async () => {
    const foreign = await failure(otherAdmin.listMembers({ brandId: t.brandId }));
    const missing = await failure(otherAdmin.listMembers({ brandId: randomUUID() }));
    expect([foreign.status, foreign.reason, foreign.message, foreign.hint]).toEqual([missing.status, missing.reason, missing.message, missing.hint]);
  });

  it('refuses an unknown e-mail with InvalidInputError user_not_found', async () => {
    const error = await failure(owner.addMember({ brandId: t.brandId, email: 'nobody-at-all@example.test', role: 'member' }));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.reason).toBe('user_not_found');
  });

  it('refuses a trusted caller\'s listMyBrands with user_required', async () => {
    const error = await failure(service.listMyBrands());
    expect([error.code, error.reason]).toEqual(['invalid_input', 'user_required']);
  });

  it('refuses adding an existing member with ConflictError already_member', async () => {
    const error = await failure(owner.addMember({ brandId: t.brandId, email: 'member@example.test', role: 'admin' }));
    expect(error).toBeInstanceOf(ConflictError);
    expect([error.status, error.reason]).toEqual([409, 'already_member']);
  });

  it('refuses demoting the last owner with ConflictError last_owner', async () => {
    const founder = await signedUpUser();
    const { brandId } = await founder.client.createBrand({ name: 'Solo' });
    const error = await failure(founder.client.setMemberRole({ brandId, userId: founder.id, role: 'admin' }));
    expect([error.code, error.reason]).toEqual(['conflict', 'last_owner']);
  });

  it('refuses a role outside owner, admin, member before sending anything', async () => {
    let sent = 0;
    const counting = createBrandsClient(t.supabaseAs(t.tokens.owner, { fetch: (input, init) => { sent += 1; return fetch(input, init); } }));
    const error = await failure(counting.setMemberRole({ brandId: t.brandId, userId: t.brands.users.member, role: 'root' as never }));
    expect([error.code, error.reason, sent]).toEqual(['invalid_input', 'client_validation', 0]);
  });

  it('refuses a brand name over 200 characters before sending it', async () => {
    const error = await failure(owner.createBrand({ name: 'x'.repeat(201) }));
    expect([error.code, error.reason]).toEqual(['invalid_input', 'client_validation']);
  });

  it('fails with TransportError when nothing listens', async () => {
    const port = await freePort();
    const offline = createBrandsClient(supabaseClient(`http://127.0.0.1:${port}`, t.keys.anonKey, t.tokens.owner));
    const error = await failure(offline.listMyBrands());
    expect(error).toBeInstanceOf(TransportError);
  });
});
