// Rotation with overlap (SPEC §13) in SQL terms: the previous secret's window, its early end, the
// table rule that it never grows, and the audit records that say so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../support/database.js';
import { CATEGORY, expectNotLeaked, expectPgError } from '../support/errors.js';
import { createArgs, openSeededDatabase, phc, serviceCaller, userCaller, type BrandFixture } from '../support/fixtures.js';

let db: TestDatabase;
let f: BrandFixture;
beforeAll(async () => ({ db, f } = await openSeededDatabase()));
afterAll(() => db.close());

async function credential(overrides: Record<string, unknown> = {}): Promise<{ id: string; hash: string }> {
  const args = createArgs(f.brandId, overrides);
  const { credential_id } = await db.rpc<{ credential_id: string }>(serviceCaller, 'create_api_credential_record', args);
  return { id: credential_id, hash: args._client_secret_hash as string };
}

const rotate = (id: string, extra: Record<string, unknown> = {}) =>
  db.rpc<{ ok: true; rotated_at: string; previous_secret_expires_at: string | null }>(userCaller(f.users.admin),
    'rotate_api_credential_secret_record', { _brand_id: f.brandId, _credential_id: id, _new_secret_hash: phc(), _reason: 'routine', ...extra });
const endGrace = (id: string, extra: Record<string, unknown> = {}) =>
  db.rpc<{ ok: true; previous_secret_expires_at: string }>(userCaller(f.users.admin), 'end_api_credential_rotation_grace',
    { _brand_id: f.brandId, _credential_id: id, _reason: 'cut over', ...extra });

async function row(id: string) {
  const [r] = await db.admin<{ client_secret_hash: string; previous_secret_hash: string | null; previous_secret_expires_at: Date | null }[]>`
    select client_secret_hash, previous_secret_hash, previous_secret_expires_at from mintid.api_credentials where id = ${id}`;
  return r!;
}
async function records(id: string) {
  return db.admin<{ action: string; reason: string | null; details: Record<string, unknown>; occurred_at: Date }[]>`
    select action, reason, details, occurred_at from mintid.audit_records where credential_id = ${id} order by seq`;
}
const seconds = (a: string | Date, b: string | Date) => (new Date(a).getTime() - new Date(b).getTime()) / 1000;

describe('rotate_api_credential_secret_record with _grace_seconds', () => {
  it('keeps the replaced hash as the previous secret until rotation + grace, and answers that end', async () => {
    const c = await credential();
    const result = await rotate(c.id, { _grace_seconds: 3600 });
    expect(seconds(result.previous_secret_expires_at!, result.rotated_at)).toBe(3600);
    const r = await row(c.id);
    expect(r.previous_secret_hash).toBe(c.hash);
    expect(r.previous_secret_expires_at!.toISOString()).toBe(new Date(result.previous_secret_expires_at!).toISOString());
  });

  it('stops the grace at the credential\'s expiry when that comes first', async () => {
    const expiresAt = new Date(Date.now() + 600_000);
    const c = await credential({ _expires_at: expiresAt.toISOString() });
    const result = await rotate(c.id, { _grace_seconds: 86_400 });
    expect(new Date(result.previous_secret_expires_at!).getTime()).toBe(expiresAt.getTime());
  });

  it('answers previous_secret_expires_at null without a grace (0, omitted or null), and keeps the old hash for rejected-use detection', async () => {
    for (const extra of [{ _grace_seconds: 0 }, {}, { _grace_seconds: null }]) {
      const c = await credential();
      expect((await rotate(c.id, extra)).previous_secret_expires_at).toBeNull();
      expect(await row(c.id)).toMatchObject({ previous_secret_hash: c.hash, previous_secret_expires_at: null });
    }
  });

  it('accepts the upper bound of seven days', async () => {
    const c = await credential();
    const result = await rotate(c.id, { _grace_seconds: 604_800 });
    expect(seconds(result.previous_secret_expires_at!, result.rotated_at)).toBe(604_800);
  });

  it.each([[-1], [604_801], [2_147_483_647]])('refuses _grace_seconds %s with 400 grace_seconds_out_of_range, changing nothing', async (grace) => {
    const c = await credential();
    await expectPgError(rotate(c.id, { _grace_seconds: grace }), { ...CATEGORY.invalid, reason: 'grace_seconds_out_of_range' });
    expect(await row(c.id)).toMatchObject({ client_secret_hash: c.hash, previous_secret_hash: null });
    expect((await records(c.id)).map((e) => e.action)).toEqual(['created']);
  });

  it('checks the grace before the state: a bad grace on a revoked credential is 400, not 409', async () => {
    const c = await credential();
    await db.rpc(serviceCaller, 'revoke_api_credential_record', { _brand_id: f.brandId, _credential_id: c.id, _reason: 'x' });
    await expectPgError(rotate(c.id, { _grace_seconds: -5 }), { ...CATEGORY.invalid, reason: 'grace_seconds_out_of_range' });
  });

  it('lets a member be refused with 403 before the grace is looked at', async () => {
    const c = await credential();
    await expectPgError(db.rpc(userCaller(f.users.member), 'rotate_api_credential_secret_record',
      { _brand_id: f.brandId, _credential_id: c.id, _new_secret_hash: phc(), _reason: 'x', _grace_seconds: -1 }), CATEGORY.forbidden);
  });

  it('records the grace in the rotated audit record', async () => {
    const c = await credential();
    const result = await rotate(c.id, { _grace_seconds: 120 });
    const [, rotated] = await records(c.id);
    expect(rotated!.action).toBe('rotated');
    expect(rotated!.details).toEqual({ grace_seconds: 120, previous_secret_expires_at: result.previous_secret_expires_at });
  });

  it('a second rotation during a grace replaces the previous secret and ends the first grace at once (one previous at most)', async () => {
    const c = await credential();
    await rotate(c.id, { _grace_seconds: 3600 });
    const middle = (await row(c.id)).client_secret_hash;
    const second = await rotate(c.id);
    expect(second.previous_secret_expires_at).toBeNull();
    expect(await row(c.id)).toMatchObject({ previous_secret_hash: middle, previous_secret_expires_at: null });
    const last = (await records(c.id)).at(-1)!;
    expect(last.details).toEqual({ grace_seconds: 0, grace_ended: true });
  });

  it('never echoes the new hash in a refusal', async () => {
    const c = await credential();
    const hash = phc();
    const error = await expectPgError(rotate(c.id, { _new_secret_hash: hash, _grace_seconds: 999_999 }), CATEGORY.invalid);
    expectNotLeaked(error, hash);
  });
});

describe('end_api_credential_rotation_grace', () => {
  it('ends an open grace now and records rotation_grace_ended with the reason', async () => {
    const c = await credential();
    const rotated = await rotate(c.id, { _grace_seconds: 3600 });
    const ended = await endGrace(c.id);
    expect(ended).toMatchObject({ ok: true, credential_id: c.id });
    expect(Math.abs(seconds(ended.previous_secret_expires_at, new Date()))).toBeLessThan(60);
    expect((await row(c.id)).previous_secret_expires_at!.toISOString()).toBe(new Date(ended.previous_secret_expires_at).toISOString());
    const last = (await records(c.id)).at(-1)!;
    expect(last).toMatchObject({ action: 'rotation_grace_ended', reason: 'cut over', details: { scheduled_expires_at: rotated.previous_secret_expires_at } });
    expect(last.occurred_at.toISOString()).toBe(new Date(ended.previous_secret_expires_at).toISOString());
  });

  it('answers 409 no_rotation_grace for a credential never rotated', async () => {
    const c = await credential();
    await expectPgError(endGrace(c.id), { ...CATEGORY.conflict, reason: 'no_rotation_grace' });
  });

  it('answers 409 no_rotation_grace after a rotation without grace', async () => {
    const c = await credential();
    await rotate(c.id);
    await expectPgError(endGrace(c.id), { ...CATEGORY.conflict, reason: 'no_rotation_grace' });
  });

  it('answers 409 no_rotation_grace the second time, and writes one record only', async () => {
    const c = await credential();
    await rotate(c.id, { _grace_seconds: 3600 });
    await endGrace(c.id);
    await expectPgError(endGrace(c.id), { ...CATEGORY.conflict, reason: 'no_rotation_grace' });
    expect((await records(c.id)).filter((e) => e.action === 'rotation_grace_ended')).toHaveLength(1);
  });

  it('answers 409 no_rotation_grace once the grace has run out', async () => {
    const c = await credential();
    await rotate(c.id, { _grace_seconds: 3600 });
    // Time passing without sleeping: the owner may move a grace earlier (never later).
    await db.asOwner((tx) => tx`update mintid.api_credentials set previous_secret_expires_at = now() - interval '1 second' where id = ${c.id}`);
    await expectPgError(endGrace(c.id), { ...CATEGORY.conflict, reason: 'no_rotation_grace' });
  });

  it('answers 409 credential_revoked for a revoked credential', async () => {
    const c = await credential();
    await rotate(c.id, { _grace_seconds: 3600 });
    await db.rpc(serviceCaller, 'revoke_api_credential_record', { _brand_id: f.brandId, _credential_id: c.id, _reason: 'x' });
    await expectPgError(endGrace(c.id), { ...CATEGORY.conflict, reason: 'credential_revoked' });
  });

  it('answers 400 for a missing credential id, a missing reason, and a credential of another brand', async () => {
    const c = await credential();
    await expectPgError(endGrace(c.id, { _credential_id: null }), { ...CATEGORY.invalid, reason: 'credential_id_required' });
    await expectPgError(endGrace(c.id, { _reason: '  ' }), { ...CATEGORY.invalid, reason: 'reason_length' });
    await expectPgError(endGrace(c.id, { _reason: null }), { ...CATEGORY.invalid, reason: 'reason_required' });
    const foreign = await db.rpc<{ credential_id: string }>(serviceCaller, 'create_api_credential_record', createArgs(f.otherBrandId));
    await expectPgError(endGrace(foreign.credential_id), { ...CATEGORY.invalid, reason: 'credential_not_found' });
  });
});

describe('the previous-secret table rule (the SQL console included)', () => {
  it('refuses to stretch a grace, even as the owner', async () => {
    const c = await credential();
    await rotate(c.id, { _grace_seconds: 60 });
    await expectPgError(db.asOwner((tx) => tx`update mintid.api_credentials set previous_secret_expires_at = previous_secret_expires_at + interval '1 day' where id = ${c.id}`),
      { ...CATEGORY.conflict, reason: 'previous_secret_immutable' });
  });

  it('refuses to open a grace where a rotation gave none', async () => {
    const c = await credential();
    await rotate(c.id);
    await expectPgError(db.asOwner((tx) => tx`update mintid.api_credentials set previous_secret_expires_at = now() + interval '1 day' where id = ${c.id}`),
      { ...CATEGORY.conflict, reason: 'previous_secret_immutable' });
  });

  it('refuses to plant a previous secret that no rotation replaced (a backdoor secret)', async () => {
    const c = await credential();
    const planted = phc();
    const error = await expectPgError(db.asOwner((tx) => tx`update mintid.api_credentials set previous_secret_hash = ${planted}, previous_secret_expires_at = now() + interval '1 day' where id = ${c.id}`),
      { ...CATEGORY.conflict, reason: 'previous_secret_immutable' });
    expectNotLeaked(error, planted);
  });

  it('refuses a previous secret on INSERT', async () => {
    const hash = phc();
    await expectPgError(db.asOwner((tx) => tx`insert into mintid.api_credentials (brand_id, name, client_id, client_secret_hash, scopes, created_by, previous_secret_hash)
      values (${f.brandId}, 'x', ${`planted-${Date.now()}`}, ${hash}, ${['a:b']}, 'postgres', ${phc()})`), { ...CATEGORY.conflict, reason: 'previous_secret_immutable' });
  });

  it('refuses a plaintext previous secret with the hash rules, without echoing it', async () => {
    const c = await credential();
    await rotate(c.id, { _grace_seconds: 60 });
    const error = await expectPgError(db.asOwner((tx) => tx`update mintid.api_credentials set previous_secret_hash = 'plaintext-secret-123' where id = ${c.id}`),
      CATEGORY.invalid);
    expectNotLeaked(error, 'plaintext-secret-123');
  });

  it('refuses a grace end without a previous secret', async () => {
    const c = await credential();
    await expectPgError(db.asOwner((tx) => tx`update mintid.api_credentials set previous_secret_expires_at = now() where id = ${c.id}`),
      { ...CATEGORY.invalid, reason: 'previous_secret_incomplete' });
  });

  it('lets the owner end a grace early (moving it earlier is allowed)', async () => {
    const c = await credential();
    await rotate(c.id, { _grace_seconds: 3600 });
    await db.asOwner((tx) => tx`update mintid.api_credentials set previous_secret_expires_at = now() where id = ${c.id}`);
    expect((await row(c.id)).previous_secret_expires_at).toBeInstanceOf(Date);
  });
});
