// Rotate and revoke (SPEC §3, §5, §6): results, state conflicts, and one event per success.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../support/database.js';
import { CATEGORY, expectPgError } from '../support/errors.js';
import {
  createArgs, phc, serviceCaller, userCaller, type BrandFixture, openSeededDatabase,
} from '../support/fixtures.js';

let db: TestDatabase;
let f: BrandFixture;
beforeAll(async () => ({ db, f } = await openSeededDatabase()));
afterAll(() => db.close());

const admin = () => userCaller(f.users.admin);

async function credential(overrides: Record<string, unknown> = {}): Promise<string> {
  const result = await db.rpc<{ credential_id: string }>(admin(), 'create_api_credential_record', createArgs(f.brandId, overrides));
  return result.credential_id;
}

/** Makes a credential expired without waiting, the way time would (the owner may edit expiry). */
async function expire(id: string): Promise<void> {
  await db.asOwner((tx) => tx`update mintid.api_credentials set expires_at = now() - interval '1 second' where id = ${id}`);
}

const row = async (id: string) => (await db.admin`select * from mintid.api_credentials where id = ${id}`)[0]!;
const events = (id: string) =>
  db.admin`select action, actor, reason from mintid.audit_records where credential_id = ${id} order by occurred_at, action`;

const rotate = (id: string, overrides: Record<string, unknown> = {}) =>
  db.rpc<Record<string, unknown>>(admin(), 'rotate_api_credential_secret_record', {
    _brand_id: f.brandId, _credential_id: id, _new_secret_hash: phc(), _reason: 'scheduled rotation', ...overrides,
  });
const revoke = (id: string, overrides: Record<string, unknown> = {}) =>
  db.rpc<Record<string, unknown>>(admin(), 'revoke_api_credential_record', {
    _brand_id: f.brandId, _credential_id: id, _reason: 'integration retired', ...overrides,
  });

describe('rotate_api_credential_secret_record', () => {
  it('replaces the hash, keeps everything else, and answers {ok, credential_id, rotated_at}', async () => {
    const id = await credential({ _expires_at: new Date(Date.now() + 3_600_000).toISOString() });
    const before = await row(id);
    const next = phc();
    const result = await rotate(id, { _new_secret_hash: next });
    expect(result).toEqual({ ok: true, credential_id: id, rotated_at: expect.any(String), previous_secret_expires_at: null });
    expect(new Date(result.rotated_at as string).toString()).not.toBe('Invalid Date');
    expect(result.rotated_at).toMatch(/[+-]\d\d:\d\d$|Z$/);
    const after = await row(id);
    expect(after.client_secret_hash).toBe(next);
    expect(after.secret_rotated_by).toBe(f.users.admin);
    for (const column of ['client_id', 'scopes', 'metadata', 'expires_at', 'name', 'created_at', 'revoked_at']) {
      expect(after[column], column).toEqual(before[column]);
    }
  });

  it('writes one rotated event with the trimmed reason', async () => {
    const id = await credential();
    await rotate(id, { _reason: '  quarterly  ' });
    expect(await events(id)).toEqual([
      { action: 'created', actor: f.users.admin, reason: null },
      { action: 'rotated', actor: f.users.admin, reason: 'quarterly' },
    ]);
  });

  it('refuses a revoked credential with 409 and leaves it unchanged', async () => {
    const id = await credential();
    await revoke(id);
    const before = await row(id);
    await expectPgError(rotate(id), { ...CATEGORY.conflict, reason: 'credential_revoked' });
    expect(await row(id)).toEqual(before);
    expect((await events(id)).map((e) => e.action)).toEqual(['created', 'revoked']);
  });

  it('refuses an expired credential with 409', async () => {
    const id = await credential();
    await expire(id);
    await expectPgError(rotate(id), { ...CATEGORY.conflict, reason: 'credential_expired' });
    expect((await events(id)).map((e) => e.action)).toEqual(['created']);
  });

  it('refuses the hash already stored with 409', async () => {
    const hash = phc();
    const id = await credential({ _client_secret_hash: hash });
    await expectPgError(rotate(id, { _new_secret_hash: hash }), { ...CATEGORY.conflict, reason: 'secret_unchanged' });
  });

  it('answers a credential of another brand exactly like one that does not exist', async () => {
    const foreign = await db.rpc<{ credential_id: string }>(userCaller(f.users.otherAdmin), 'create_api_credential_record', createArgs(f.otherBrandId));
    const a = await rotate(foreign.credential_id).catch((e) => e);
    const b = await rotate('00000000-0000-4000-8000-00000000abcd').catch((e) => e);
    expect([a.code, a.message, a.detail, a.hint]).toEqual([b.code, b.message, b.detail, b.hint]);
    expect(a.detail).toBe('credential_not_found');
    expect(a.code).toBe('22023');
  });

  it.each([
    ['a null credential id', { _credential_id: null }, 'credential_id_required'],
    ['a null reason', { _reason: null }, 'reason_required'],
    ['a blank reason', { _reason: ' \t ' }, 'reason_length'],
    ['a reason of 501 characters', { _reason: 'r'.repeat(501) }, 'reason_length'],
    ['a null new hash', { _new_secret_hash: null }, 'hash_required'],
  ])('refuses %s with 400', async (_name, override, reason) => {
    const id = await credential();
    await expectPgError(rotate(id, override), { ...CATEGORY.invalid, reason });
  });

  it('checks input before state: a bad reason on a revoked credential is 400', async () => {
    const id = await credential();
    await revoke(id);
    await expectPgError(rotate(id, { _reason: '' }), { ...CATEGORY.invalid, reason: 'reason_length' });
  });
});

describe('revoke_api_credential_record', () => {
  it('revokes permanently and answers {ok, credential_id, revoked_at}', async () => {
    const id = await credential();
    const result = await revoke(id, { _reason: '  key leaked in CI logs ' });
    expect(result).toEqual({ ok: true, credential_id: id, revoked_at: expect.any(String) });
    const after = await row(id);
    expect(after.revoked_at).not.toBeNull();
    expect(after.revoked_by).toBe(f.users.admin);
    expect(after.revocation_reason).toBe('key leaked in CI logs');
    expect(await events(id)).toEqual([
      { action: 'created', actor: f.users.admin, reason: null },
      { action: 'revoked', actor: f.users.admin, reason: 'key leaked in CI logs' },
    ]);
  });

  it('accepts 500 characters of reason', async () => {
    await expect(revoke(await credential(), { _reason: 'r'.repeat(500) })).resolves.toMatchObject({ ok: true });
  });

  it('revokes an expired credential', async () => {
    const id = await credential();
    await expire(id);
    await expect(revoke(id)).resolves.toMatchObject({ ok: true });
  });

  it('refuses to revoke twice with 409 and keeps the first revocation', async () => {
    const id = await credential();
    await revoke(id, { _reason: 'first' });
    const before = await row(id);
    await expectPgError(revoke(id, { _reason: 'second' }), { ...CATEGORY.conflict, reason: 'credential_revoked' });
    expect(await row(id)).toEqual(before);
    expect((await events(id)).map((e) => e.action)).toEqual(['created', 'revoked']);
  });

  it('records service_role as the actor for the service', async () => {
    const id = await credential();
    await db.rpc(serviceCaller, 'revoke_api_credential_record', { _brand_id: f.brandId, _credential_id: id, _reason: 'offboarding' });
    expect((await row(id)).revoked_by).toBe('service_role');
  });

  it.each([
    ['a null credential id', { _credential_id: null }, 'credential_id_required'],
    ['a missing credential', { _credential_id: '00000000-0000-4000-8000-00000000beef' }, 'credential_not_found'],
    ['a null reason', { _reason: null }, 'reason_required'],
    ['an empty reason', { _reason: '' }, 'reason_length'],
  ])('refuses %s with 400', async (_name, override, reason) => {
    const id = await credential();
    await expectPgError(revoke(id, override), { ...CATEGORY.invalid, reason });
  });

  it('refuses a credential of another brand named under this brand with 400 not found', async () => {
    const foreign = await db.rpc<{ credential_id: string }>(userCaller(f.users.otherAdmin), 'create_api_credential_record', createArgs(f.otherBrandId));
    await expectPgError(revoke(foreign.credential_id), { ...CATEGORY.invalid, reason: 'credential_not_found' });
    expect((await row(foreign.credential_id)).revoked_at).toBeNull();
  });

  it('does not let the admin of another brand revoke through their own brand id', async () => {
    const id = await credential();
    await expectPgError(
      db.rpc(userCaller(f.users.otherAdmin), 'revoke_api_credential_record', { _brand_id: f.otherBrandId, _credential_id: id, _reason: 'x' }),
      { ...CATEGORY.invalid, reason: 'credential_not_found' },
    );
    expect((await row(id)).revoked_at).toBeNull();
  });
});
