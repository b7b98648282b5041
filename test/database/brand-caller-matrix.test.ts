// The shared security suite (SPEC §4, §9) over the brand and member RPCs: every caller class
// against every RPC, the 403 that names a member's role, and no existence oracle for non-members.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callRpc, type TestDatabase } from '../support/database.js';
import { CATEGORY, expectPgError, type PgErrorShape } from '../support/errors.js';
import {
  anonCaller, CALLER_CLASSES, createArgs, openSeededDatabase, serviceCaller, userCaller, type BrandFixture,
} from '../support/fixtures.js';

let db: TestDatabase;
let f: BrandFixture;
beforeAll(async () => ({ db, f } = await openSeededDatabase()));
afterAll(() => db.close());

const MISSING_BRAND = '00000000-0000-4000-8000-00000000b0b0';

/** A new user of the project (not a member of any brand). */
async function newUser(): Promise<{ id: string; email: string }> {
  const id = randomUUID();
  const email = `user-${id.slice(0, 8)}@example.test`;
  await db.admin`insert into auth.users (id, email, role, aud) values (${id}, ${email}, 'authenticated', 'authenticated')`;
  return { id, email };
}
/** A new member of the fixture brand with the role. */
async function newMember(role = 'member'): Promise<string> {
  const { id } = await newUser();
  await db.admin`insert into mintid.brand_members (brand_id, user_id, role) values (${f.brandId}, ${id}, ${role}::mintid.brand_role)`;
  return id;
}

type Expect = 'ok' | '401' | 'no EXECUTE' | { code: string; reason: string };
const ownerOnly = { code: '42501', reason: 'not_brand_owner' };
const adminOnly = { code: '42501', reason: 'not_brand_admin' };
const userRequired = { code: '22023', reason: 'user_required' };

interface BrandRpc {
  fn: string;
  args: (trusted: boolean) => Promise<Record<string, unknown>>;
  /** Outcome per caller class name where it differs from the class's default. */
  outcomes: Record<string, Expect>;
  keys: string[];
  /** Whether the RPC names a brand (then: no oracle, brand_not_found for trusted callers). */
  brand: boolean;
}

const rpcs: BrandRpc[] = [
  {
    fn: 'create_brand',
    args: async (trusted) => ({ _name: 'New brand', ...(trusted ? { _owner_user_id: (await newUser()).id } : {}) }),
    outcomes: { 'a member': 'ok', 'an admin of another brand': 'ok' },
    keys: ['brand_id', 'ok'],
    brand: false,
  },
  {
    fn: 'list_my_brands',
    args: async () => ({}),
    outcomes: { 'a member': 'ok', 'an admin of another brand': 'ok', service_role: userRequired, 'a SQL-console operator': userRequired },
    keys: ['items', 'ok'],
    brand: false,
  },
  {
    fn: 'list_brand_members',
    args: async () => ({ _brand_id: f.brandId }),
    outcomes: { 'a member': adminOnly, 'an admin of another brand': adminOnly },
    keys: ['items', 'ok'],
    brand: true,
  },
  {
    fn: 'add_brand_member',
    args: async () => ({ _brand_id: f.brandId, _email: (await newUser()).email, _role: 'member' }),
    outcomes: { 'a member': ownerOnly, 'an admin of another brand': ownerOnly, 'an admin': ownerOnly },
    keys: ['ok', 'user_id'],
    brand: true,
  },
  {
    fn: 'set_brand_member_role',
    args: async () => ({ _brand_id: f.brandId, _user_id: await newMember(), _role: 'admin' }),
    outcomes: { 'a member': ownerOnly, 'an admin of another brand': ownerOnly, 'an admin': ownerOnly },
    keys: ['ok'],
    brand: true,
  },
  {
    fn: 'remove_brand_member',
    args: async () => ({ _brand_id: f.brandId, _user_id: await newMember() }),
    outcomes: { 'a member': ownerOnly, 'an admin of another brand': ownerOnly, 'an admin': ownerOnly },
    keys: ['ok'],
    brand: true,
  },
  {
    fn: 'list_brand_events',
    args: async () => ({ _brand_id: f.brandId }),
    outcomes: { 'a member': adminOnly, 'an admin of another brand': adminOnly },
    keys: ['items', 'next_cursor', 'ok'],
    brand: true,
  },
];

const errorOf = (promise: Promise<unknown>): Promise<PgErrorShape> => promise.then(
  () => { throw new Error('expected the call to fail'); },
  (error: PgErrorShape) => error,
);

describe.each(rpcs)('$fn', ({ fn, args, outcomes, keys }) => {
  it.each(CALLER_CLASSES)('answers $name as the contract says', async ({ caller, outcome, name }) => {
    const expected: Expect = outcomes[name] ?? (outcome === '403' ? adminOnly : outcome);
    const c = caller(f);
    const call = db.rpc(c, fn, await args(c === 'operator' || c === serviceCaller));
    if (expected === 'ok') {
      const result = await call;
      expect(result.ok, name).toBe(true);
      expect(Object.keys(result).sort()).toEqual(keys);
    } else if (expected === '401') {
      await expectPgError(call, CATEGORY.unauthenticated);
    } else if (expected === 'no EXECUTE') {
      await expectPgError(call, CATEGORY.noExecute);
    } else {
      await expectPgError(call, expected);
    }
  });

  it('refuses a JWT role that disagrees with the session role', async () => {
    const a = await args(false);
    const call = db.as({ role: 'authenticated', claims: null }, async (tx) => {
      await tx`select set_config('request.jwt.claims', '{"role":"service_role"}', true)`;
      return callRpc(tx, fn, a);
    });
    await expectPgError(call, { ...CATEGORY.unauthenticated, reason: 'role_mismatch' });
  });
});

describe.each(rpcs.filter((rpc) => rpc.brand))('$fn on a brand', ({ fn, args }) => {
  it('answers a brand that does not exist exactly like a brand the user is not a member of', async () => {
    const a = await args(false);
    const missing = await errorOf(db.rpc(userCaller(f.users.otherAdmin), fn, { ...a, _brand_id: MISSING_BRAND }));
    const foreign = await errorOf(db.rpc(userCaller(f.users.otherAdmin), fn, a));
    expect(missing.code).toBe('42501');
    expect([missing.message, missing.detail, missing.hint]).toEqual([foreign.message, foreign.detail, foreign.hint]);
    expect(foreign.hint).not.toMatch(/your role/i);
  });

  it('refuses a trusted caller naming a brand that does not exist with 400 brand_not_found', async () => {
    await expectPgError(db.rpc(serviceCaller, fn, { ...(await args(true)), _brand_id: MISSING_BRAND }), {
      ...CATEGORY.invalid, reason: 'brand_not_found',
    });
  });

  it('answers an omitted _brand_id with 403 for a user and 400 brand_id_required for a trusted caller', async () => {
    const { _brand_id: _omitted, ...rest } = await args(true);
    await expectPgError(db.rpc(anonCaller, fn, rest), CATEGORY.noExecute);
    await expectPgError(db.rpc(userCaller(f.users.owner), fn, rest), CATEGORY.forbidden);
    await expectPgError(db.rpc('operator', fn, rest), { ...CATEGORY.invalid, reason: 'brand_id_required' });
  });
});

describe('a 403 names the role a member holds and the role needed', () => {
  it('tells a member what managing credentials needs (round-1 credential RPCs too)', async () => {
    const error = await expectPgError(db.rpc(userCaller(f.users.member), 'create_api_credential_record', createArgs(f.brandId)), {
      ...CATEGORY.forbidden, reason: 'not_brand_admin',
    });
    expect(error.hint).toBe('Your role in this brand is member; managing credentials needs owner or admin. An owner can change your role.');
  });

  it.each([
    ['revoke_api_credential_record', { _credential_id: randomUUID(), _reason: 'x' }],
    ['list_api_credential_records', {}],
    ['list_api_credential_events', {}],
  ] as [string, Record<string, unknown>][])('says the same for %s', async (fn, extra) => {
    const error = await expectPgError(db.rpc(userCaller(f.users.member), fn, { _brand_id: f.brandId, ...extra }), CATEGORY.forbidden);
    expect(error.hint).toMatch(/^Your role in this brand is member; managing credentials needs owner or admin\./);
  });

  it('tells an admin that managing members needs owner', async () => {
    const error = await expectPgError(db.rpc(userCaller(f.users.admin), 'add_brand_member',
      { _brand_id: f.brandId, _email: 'x@example.test', _role: 'member' }), { ...CATEGORY.forbidden, reason: 'not_brand_owner' });
    expect(error.hint).toBe('Your role in this brand is admin; managing members needs owner. An owner can change your role.');
    expect(error.message).toBe('Forbidden: only an owner of the brand may manage its members');
  });

  it('tells a member that reading the audit trail needs owner or admin', async () => {
    const error = await expectPgError(db.rpc(userCaller(f.users.member), 'list_brand_events', { _brand_id: f.brandId }), CATEGORY.forbidden);
    expect(error.hint).toMatch(/^Your role in this brand is member; reading the audit trail needs owner or admin\./);
  });

  it('tells a non-member nothing about the brand, not even that it exists', async () => {
    const error = await expectPgError(db.rpc(userCaller(f.users.otherAdmin), 'create_api_credential_record', createArgs(f.brandId)),
      { ...CATEGORY.forbidden, reason: 'not_brand_admin' });
    expect(error.hint).toBe('Ask an owner of the brand for the admin role, or check the brand id.');
  });

  it('answers a member sending bad input with the 403, not the 400', async () => {
    const error = await expectPgError(db.rpc(userCaller(f.users.member), 'add_brand_member',
      { _brand_id: f.brandId, _email: null, _role: 'emperor' }), { ...CATEGORY.forbidden, reason: 'not_brand_owner' });
    expect(error.hint).toMatch(/member/);
  });
});
