// Revocation reason codes and revoking many at once (SPEC §13) in SQL terms.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../support/database.js';
import { CATEGORY, expectPgError } from '../support/errors.js';
import { createArgs, openSeededDatabase, phc, serviceCaller, userCaller, type BrandFixture } from '../support/fixtures.js';

let db: TestDatabase;
let f: BrandFixture;
beforeAll(async () => ({ db, f } = await openSeededDatabase()));
afterAll(() => db.close());

const CODES = ['unspecified', 'key_compromise', 'superseded', 'integration_retired', 'policy_violation', 'unused'];

async function credential(overrides: Record<string, unknown> = {}, brandId = f.brandId): Promise<string> {
  const { credential_id } = await db.rpc<{ credential_id: string }>(serviceCaller, 'create_api_credential_record', createArgs(brandId, overrides));
  return credential_id;
}
const admin = () => userCaller(f.users.admin);
const revoke = (id: string, extra: Record<string, unknown> = {}) =>
  db.rpc(admin(), 'revoke_api_credential_record', { _brand_id: f.brandId, _credential_id: id, _reason: 'leaked', ...extra });
const revokeMany = (args: Record<string, unknown>) =>
  db.rpc<{ ok: true; revoked: number; credential_ids: string[]; reason_code: string }>(admin(), 'revoke_api_credential_records',
    { _brand_id: f.brandId, _reason: 'integration retired', ...args });

async function state(ids: string[]) {
  return db.admin<{ id: string; revoked_at: Date | null; revocation_reason_code: string | null }[]>`
    select id, revoked_at, revocation_reason_code from mintid.api_credentials where id = any (${ids}::uuid[]) order by id`;
}
async function revokedRecords(ids: string[]) {
  return db.admin<{ credential_id: string; details: { reason_code?: string }; reason: string; occurred_at: Date }[]>`
    select credential_id, details, reason, occurred_at from mintid.audit_records
    where credential_id = any (${ids}::uuid[]) and action = 'revoked' order by credential_id`;
}
async function listItem(id: string) {
  const page = await db.rpc<{ items: Record<string, unknown>[] }>(serviceCaller, 'list_api_credential_records', { _brand_id: f.brandId, _limit: 200 });
  return page.items.find((i) => i.id === id)!;
}

describe('revoke_api_credential_record with _reason_code', () => {
  it.each(CODES)('stores %s on the credential, in the audit record and in the list item', async (code) => {
    const id = await credential();
    await revoke(id, { _reason_code: code });
    expect((await state([id]))[0]!.revocation_reason_code).toBe(code);
    expect((await revokedRecords([id]))[0]!.details.reason_code).toBe(code);
    expect(await listItem(id)).toMatchObject({ status: 'revoked', revocation_reason_code: code });
    const events = await db.rpc<{ items: { action: string; reason_code: string | null }[] }>(serviceCaller, 'list_api_credential_events',
      { _brand_id: f.brandId, _credential_id: id });
    expect(events.items[0]).toMatchObject({ action: 'revoked', reason_code: code });
  });

  it('defaults to unspecified when omitted or null', async () => {
    const a = await credential();
    const b = await credential();
    await revoke(a);
    await revoke(b, { _reason_code: null });
    expect((await state([a, b])).map((r) => r.revocation_reason_code)).toEqual(['unspecified', 'unspecified']);
  });

  it('gives active credentials no reason code in the list', async () => {
    expect((await listItem(await credential())).revocation_reason_code).toBeNull();
  });

  it.each([['KEY_COMPROMISE'], ['compromised'], [''], [' unused'], ['unused '], ['key_compromise; drop table x']])(
    'refuses %j with 400 reason_code_invalid and revokes nothing', async (code) => {
      const id = await credential();
      await expectPgError(revoke(id, { _reason_code: code }), { ...CATEGORY.invalid, reason: 'reason_code_invalid' });
      expect((await state([id]))[0]!.revoked_at).toBeNull();
    });

  it('checks the code before the state: a bad code for an already revoked credential is 400', async () => {
    const id = await credential();
    await revoke(id);
    await expectPgError(revoke(id, { _reason_code: 'nope' }), { ...CATEGORY.invalid, reason: 'reason_code_invalid' });
  });

  it('lets a member be refused with 403 before the code is looked at', async () => {
    const id = await credential();
    await expectPgError(db.rpc(userCaller(f.users.member), 'revoke_api_credential_record',
      { _brand_id: f.brandId, _credential_id: id, _reason: 'x', _reason_code: 'nope' }), CATEGORY.forbidden);
  });

  it('ends an open rotation grace at once, and says so in the audit record', async () => {
    const id = await credential();
    await db.rpc(serviceCaller, 'rotate_api_credential_secret_record',
      { _brand_id: f.brandId, _credential_id: id, _new_secret_hash: phc(), _reason: 'routine', _grace_seconds: 3600 });
    await revoke(id, { _reason_code: 'key_compromise' });
    const [row] = await db.admin`select previous_secret_expires_at, revoked_at from mintid.api_credentials where id = ${id}`;
    expect(row!.previous_secret_expires_at.getTime()).toBe(row!.revoked_at.getTime());
    expect((await revokedRecords([id]))[0]!.details).toEqual({ reason_code: 'key_compromise', grace_ended: true });
  });

  it('refuses a reason code on an active credential in the table, and a made-up one, even as the owner', async () => {
    const id = await credential();
    await expectPgError(db.asOwner((tx) => tx`update mintid.api_credentials set revocation_reason_code = 'unused' where id = ${id}`),
      { ...CATEGORY.invalid, reason: 'revocation_incomplete' });
    await expectPgError(db.asOwner((tx) => tx`update mintid.api_credentials
      set revoked_at = now(), revoked_by = 'postgres', revocation_reason = 'x', revocation_reason_code = 'because' where id = ${id}`),
      { ...CATEGORY.invalid, reason: 'reason_code_invalid' });
  });
});

describe('revoke_api_credential_records', () => {
  it('revokes the given ids, one audit record each with the code, all at one instant', async () => {
    const ids = [await credential(), await credential(), await credential()];
    const result = await revokeMany({ _credential_ids: ids, _reason_code: 'superseded' });
    expect(result).toMatchObject({ ok: true, revoked: 3, reason_code: 'superseded' });
    expect([...result.credential_ids].sort()).toEqual([...ids].sort());
    const rows = await state(ids);
    expect(rows.every((r) => r.revocation_reason_code === 'superseded')).toBe(true);
    expect(new Set(rows.map((r) => r.revoked_at!.getTime())).size).toBe(1);
    const records = await revokedRecords(ids);
    expect(records).toHaveLength(3);
    expect(records.every((r) => r.details.reason_code === 'superseded' && r.reason === 'integration retired')).toBe(true);
  });

  it('revokes every not yet revoked credential whose metadata contains the selector, and only those', async () => {
    const tag = `erp-${Date.now()}`;
    const matching = [await credential({ _metadata: { integration: tag, region: 'eu' } }), await credential({ _metadata: { integration: tag } })];
    const other = await credential({ _metadata: { integration: 'shop' } });
    const foreign = await credential({ _metadata: { integration: tag } }, f.otherBrandId);
    const already = await credential({ _metadata: { integration: tag } });
    await revoke(already);
    const result = await revokeMany({ _metadata_contains: { integration: tag } });
    expect(result.revoked).toBe(2);
    expect([...result.credential_ids].sort()).toEqual([...matching].sort());
    expect((await state([other]))[0]!.revoked_at).toBeNull();
    const [foreignRow] = await db.admin`select revoked_at from mintid.api_credentials where id = ${foreign}`;
    expect(foreignRow!.revoked_at).toBeNull();
    expect(await revokedRecords([already])).toHaveLength(1);
  });

  it('skips ids that are already revoked (no second record) and answers what it revoked', async () => {
    const [a, b] = [await credential(), await credential()];
    await revoke(a);
    const result = await revokeMany({ _credential_ids: [a, b, b] });
    expect(result).toMatchObject({ revoked: 1, credential_ids: [b] });
    expect(await revokedRecords([a])).toHaveLength(1);
  });

  it('answers revoked: 0 when nothing matches the metadata', async () => {
    expect(await revokeMany({ _metadata_contains: { integration: `nothing-${Date.now()}` } })).toMatchObject({ revoked: 0, credential_ids: [] });
  });

  it('accepts 1000 ids', async () => {
    const ids = await Promise.all(Array.from({ length: 5 }, () => credential()));
    const padded = [...ids, ...Array.from({ length: 995 }, () => ids[0]!)];
    expect((await revokeMany({ _credential_ids: padded })).revoked).toBe(5);
  });

  it.each([
    ['no selector', {}],
    ['both selectors', { _credential_ids: ['00000000-0000-4000-8000-000000000000'], _metadata_contains: { a: 1 } }],
    ['an empty id list', { _credential_ids: [] }],
    ['an empty metadata object (it would match everything)', { _metadata_contains: {} }],
  ])('refuses %s with 400 selector_required', async (_name, args) => {
    await expectPgError(revokeMany(args), { ...CATEGORY.invalid, reason: 'selector_required' });
  });

  it('refuses metadata that is not an object with 400 metadata_not_object', async () => {
    await expectPgError(revokeMany({ _metadata_contains: ['erp'] }), { ...CATEGORY.invalid, reason: 'metadata_not_object' });
  });

  it('refuses more than 1000 distinct ids with 400 too_many_credentials', async () => {
    const ids = Array.from({ length: 1001 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    await expectPgError(revokeMany({ _credential_ids: ids }), { ...CATEGORY.invalid, reason: 'too_many_credentials' });
  });

  it('refuses more than 1000 matching credentials with 400 too_many_credentials, revoking none', async () => {
    const tag = `bulk-${Date.now()}`;
    await db.asOwner((tx) => tx`insert into mintid.api_credentials (brand_id, name, client_id, client_secret_hash, scopes, metadata, created_by)
      select ${f.brandId}, 'bulk', ${tag} || '-' || g, ${phc()}, array['products:read'], jsonb_build_object('batch', ${tag}::text), 'postgres'
      from generate_series(1, 1001) g`);
    await expectPgError(revokeMany({ _metadata_contains: { batch: tag } }), { ...CATEGORY.invalid, reason: 'too_many_credentials' });
    const [row] = await db.admin`select count(*)::int as n from mintid.api_credentials where metadata @> ${db.admin.json({ batch: tag })} and revoked_at is not null`;
    expect(row!.n).toBe(0);
  });

  it('refuses an unknown id with 400 credential_not_found and revokes none of the others (all or nothing)', async () => {
    const ids = [await credential(), await credential()];
    await expectPgError(revokeMany({ _credential_ids: [...ids, '00000000-0000-4000-8000-000000000000'] }),
      { ...CATEGORY.invalid, reason: 'credential_not_found' });
    expect((await state(ids)).every((r) => r.revoked_at === null)).toBe(true);
    expect(await revokedRecords(ids)).toHaveLength(0);
  });

  it('refuses an id of another brand exactly like an unknown one', async () => {
    const mine = await credential();
    const foreign = await credential({}, f.otherBrandId);
    const a = await revokeMany({ _credential_ids: [mine, foreign] }).catch((e) => e);
    const b = await revokeMany({ _credential_ids: [mine, '00000000-0000-4000-8000-000000000000'] }).catch((e) => e);
    expect([a.code, a.message, a.detail, a.hint]).toEqual([b.code, b.message, b.detail, b.hint]);
    expect((await state([mine]))[0]!.revoked_at).toBeNull();
  });

  it('refuses a null inside the id list with 400 credential_ids_invalid', async () => {
    await expectPgError(revokeMany({ _credential_ids: [await credential(), null] }), { ...CATEGORY.invalid, reason: 'credential_ids_invalid' });
  });

  it('refuses a missing reason and a bad reason code with 400', async () => {
    const id = await credential();
    await expectPgError(revokeMany({ _credential_ids: [id], _reason: null }), { ...CATEGORY.invalid, reason: 'reason_required' });
    await expectPgError(revokeMany({ _credential_ids: [id], _reason_code: 'bad' }), { ...CATEGORY.invalid, reason: 'reason_code_invalid' });
  });

  it('answers a member with 403 before looking at the selector', async () => {
    await expectPgError(db.rpc(userCaller(f.users.member), 'revoke_api_credential_records', { _brand_id: f.brandId, _reason: 'x' }),
      { ...CATEGORY.forbidden, reason: 'not_brand_admin' });
  });
});
