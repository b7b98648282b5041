// The shared security suite: every caller class of SPEC §4 against every RPC.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callRpc, type Caller, type TestDatabase } from '../support/database.js';
import { CATEGORY, expectPgError } from '../support/errors.js';
import {
  anonCaller, CALLER_CLASSES, createArgs, noClaimsCaller, noSubCaller, openSeededDatabase, phc, serviceCaller, userCaller,
  type BrandFixture,
} from '../support/fixtures.js';

let db: TestDatabase;
let f: BrandFixture;
beforeAll(async () => ({ db, f } = await openSeededDatabase()));
afterAll(() => db.close());

/** A fresh active credential of the brand, created by the service role. */
async function freshCredential(): Promise<string> {
  const created = await db.rpc<{ credential_id: string }>(serviceCaller, 'create_api_credential_record', createArgs(f.brandId));
  return created.credential_id;
}

const rpcs: { fn: string; args: () => Promise<Record<string, unknown>>; ok: (result: Record<string, unknown>) => void }[] = [
  {
    fn: 'create_api_credential_record',
    args: async () => createArgs(f.brandId),
    ok: (r) => expect(Object.keys(r).sort()).toEqual(['credential_id', 'ok']),
  },
  {
    fn: 'revoke_api_credential_record',
    args: async () => ({ _brand_id: f.brandId, _credential_id: await freshCredential(), _reason: 'leaked' }),
    ok: (r) => expect(Object.keys(r).sort()).toEqual(['credential_id', 'ok', 'revoked_at']),
  },
  {
    fn: 'rotate_api_credential_secret_record',
    args: async () => ({ _brand_id: f.brandId, _credential_id: await freshCredential(), _new_secret_hash: phc(), _reason: 'routine' }),
    ok: (r) => expect(Object.keys(r).sort()).toEqual(['credential_id', 'ok', 'previous_secret_expires_at', 'rotated_at']),
  },
  {
    fn: 'revoke_api_credential_records',
    args: async () => ({ _brand_id: f.brandId, _credential_ids: [await freshCredential()], _reason: 'retired', _reason_code: 'superseded' }),
    ok: (r) => expect(Object.keys(r).sort()).toEqual(['credential_ids', 'ok', 'reason_code', 'revoked', 'revoked_at']),
  },
  {
    fn: 'end_api_credential_rotation_grace',
    args: async () => {
      const id = await freshCredential();
      await db.rpc(serviceCaller, 'rotate_api_credential_secret_record',
        { _brand_id: f.brandId, _credential_id: id, _new_secret_hash: phc(), _reason: 'routine', _grace_seconds: 3600 });
      return { _brand_id: f.brandId, _credential_id: id, _reason: 'cut over' };
    },
    ok: (r) => expect(Object.keys(r).sort()).toEqual(['credential_id', 'ok', 'previous_secret_expires_at']),
  },
  {
    fn: 'list_api_credential_records',
    args: async () => ({ _brand_id: f.brandId }),
    ok: (r) => expect(Object.keys(r).sort()).toEqual(['items', 'next_cursor', 'ok']),
  },
  {
    fn: 'list_api_credential_events',
    args: async () => ({ _brand_id: f.brandId }),
    ok: (r) => expect(Object.keys(r).sort()).toEqual(['items', 'next_cursor', 'ok']),
  },
];

describe.each(rpcs)('$fn', ({ fn, args, ok }) => {
  it.each(CALLER_CLASSES)('answers $name with $outcome', async ({ caller, outcome, name }) => {
    const call = db.rpc(caller(f), fn, await args());
    if (outcome === 'ok') {
      const result = await call;
      expect(result.ok, name).toBe(true);
      ok(result);
    } else if (outcome === '401') {
      await expectPgError(call, CATEGORY.unauthenticated);
    } else if (outcome === '403') {
      await expectPgError(call, { ...CATEGORY.forbidden, reason: 'not_brand_admin' });
    } else {
      await expectPgError(call, CATEGORY.noExecute);
    }
  });

  it('answers a brand that does not exist like a foreign brand for users', async () => {
    const a = await args();
    const missing = await db.rpc(userCaller(f.users.admin), fn, { ...a, _brand_id: '00000000-0000-4000-8000-000000000000' }).catch((e) => e);
    const foreign = await db.rpc(userCaller(f.users.admin), fn, { ...a, _brand_id: f.otherBrandId }).catch((e) => e);
    expect([missing.code, missing.message, missing.detail, missing.hint]).toEqual([foreign.code, foreign.message, foreign.detail, foreign.hint]);
    expect(missing.code).toBe('42501');
  });

  it('refuses a trusted caller naming a brand that does not exist with 400 brand_not_found', async () => {
    const a = await args();
    await expectPgError(db.rpc(serviceCaller, fn, { ...a, _brand_id: '00000000-0000-4000-8000-000000000000' }), {
      ...CATEGORY.invalid, reason: 'brand_not_found',
    });
  });

  it('answers an omitted required parameter in contract order: anon, member, then admin', async () => {
    const a = await args();
    const required = Object.keys(a).find((k) => !['_metadata', '_expires_at', '_status', '_limit', '_cursor', '_credential_id', '_brand_id'].includes(k))
      ?? '_brand_id';
    const { [required]: _omitted, ...rest } = a;
    await expectPgError(db.rpc(anonCaller, fn, rest), CATEGORY.noExecute);
    await expectPgError(db.rpc(userCaller(f.users.member), fn, rest), { ...CATEGORY.forbidden, reason: 'not_brand_admin' });
    if (required === '_brand_id') {
      await expectPgError(db.rpc(userCaller(f.users.admin), fn, rest), { ...CATEGORY.forbidden, reason: 'not_brand_admin' });
      await expectPgError(db.rpc(serviceCaller, fn, rest), { ...CATEGORY.invalid, reason: 'brand_id_required' });
    } else {
      await expectPgError(db.rpc(userCaller(f.users.admin), fn, rest), CATEGORY.invalid);
    }
  });

  it('refuses a JWT role that disagrees with the session role', async () => {
    const a = await args();
    const call = db.as({ role: 'authenticated', claims: null }, async (tx) => {
      await tx`select set_config('request.jwt.claims', '{"role":"service_role"}', true)`;
      return callRpc(tx, fn, a);
    });
    await expectPgError(call, { ...CATEGORY.unauthenticated, reason: 'role_mismatch' });
  });
});

describe('service-only token functions', () => {
  const denied: [string, Caller][] = [
    ['anon', anonCaller],
    ['no claims', noClaimsCaller],
    ['authenticated without sub', noSubCaller],
    ['member', userCaller('00000000-0000-4000-8000-000000000001')],
  ];
  it.each(denied)('lookup_api_credential_for_token is not executable by %s', async (_name, caller) => {
    await expectPgError(db.rpc(caller, 'lookup_api_credential_for_token', { _client_id: 'abc' }), CATEGORY.noExecute);
  });
  it.each(denied)('record_api_credential_use is not executable by %s', async (_name, caller) => {
    await expectPgError(db.rpc(caller, 'record_api_credential_use', { _credential_ids: [] }), CATEGORY.noExecute);
  });
  it('is not executable by a brand owner either', async () => {
    await expectPgError(db.rpc(userCaller(f.users.owner), 'lookup_api_credential_for_token', { _client_id: 'abc' }), CATEGORY.noExecute);
  });
  it.each([['service_role', serviceCaller], ['SQL-console operator', 'operator']] as [string, Caller][])(
    'answers %s', async (_name, caller) => {
      const result = await db.rpc(caller, 'lookup_api_credential_for_token', { _client_id: 'no-such-client' });
      expect(result).toEqual({ ok: true, credential: null });
    });
});
