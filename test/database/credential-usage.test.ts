// Usage as data of its own (SPEC §13, issue 10 item 5): record_api_credential_use's batches of
// current, previous-secret and rejected uses, visible in list items, surviving revocation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../support/database.js';
import { CATEGORY, expectPgError } from '../support/errors.js';
import { createArgs, openSeededDatabase, phc, serviceCaller, userCaller, type BrandFixture } from '../support/fixtures.js';

let db: TestDatabase;
let f: BrandFixture;
beforeAll(async () => ({ db, f } = await openSeededDatabase()));
afterAll(() => db.close());

type Item = {
  id: string; last_used_at: string | null; previous_secret_last_used_at: string | null; last_rejected_use_at: string | null;
  rejected_use_count: number; previous_secret_expires_at: string | null; status: string;
};

async function credential(): Promise<string> {
  const { credential_id } = await db.rpc<{ credential_id: string }>(serviceCaller, 'create_api_credential_record', createArgs(f.brandId));
  return credential_id;
}
const record = (args: Record<string, unknown>) =>
  db.rpc<{ ok: true; updated: number }>(serviceCaller, 'record_api_credential_use', { _credential_ids: [], ...args });
async function item(id: string): Promise<Item> {
  const page = await db.rpc<{ items: Item[] }>(serviceCaller, 'list_api_credential_records', { _brand_id: f.brandId, _limit: 200 });
  return page.items.find((i) => i.id === id)!;
}
const revoke = (id: string) => db.rpc(serviceCaller, 'revoke_api_credential_record', { _brand_id: f.brandId, _credential_id: id, _reason: 'leaked' });

describe('record_api_credential_use', () => {
  it('starts every credential with no use and a rejected count of 0', async () => {
    expect(await item(await credential())).toMatchObject({
      last_used_at: null, previous_secret_last_used_at: null, last_rejected_use_at: null, rejected_use_count: 0,
    });
  });

  it('records uses of the previous secret: last_used_at and previous_secret_last_used_at', async () => {
    const id = await credential();
    await db.rpc(serviceCaller, 'rotate_api_credential_secret_record',
      { _brand_id: f.brandId, _credential_id: id, _new_secret_hash: phc(), _reason: 'r', _grace_seconds: 3600 });
    await record({ _previous_secret_ids: [id] });
    const i = await item(id);
    expect(i.previous_secret_last_used_at).toEqual(expect.any(String));
    expect(i.last_used_at).toBe(i.previous_secret_last_used_at);
  });

  it('counts rejected uses across batches and keeps the last time', async () => {
    const id = await credential();
    await record({ _rejected: { [id]: 3 } });
    await record({ _rejected: { [id]: 39 } });
    const i = await item(id);
    expect(i.rejected_use_count).toBe(42);
    expect(i.last_rejected_use_at).toEqual(expect.any(String));
    expect(i.last_used_at).toBeNull();
  });

  it('takes all three kinds in one batch', async () => {
    const [a, b, c] = [await credential(), await credential(), await credential()];
    await record({ _credential_ids: [a], _previous_secret_ids: [b], _rejected: { [c]: 1 } });
    expect((await item(a)).last_used_at).not.toBeNull();
    expect((await item(b)).previous_secret_last_used_at).not.toBeNull();
    expect((await item(c)).rejected_use_count).toBe(1);
  });

  it('keeps a use recorded before the revocation, and records one flushed after it (issue 10 item 5)', async () => {
    const before = await credential();
    await record({ _credential_ids: [before] });
    const usedAt = (await item(before)).last_used_at;
    await revoke(before);
    expect((await item(before)).last_used_at).toBe(usedAt);

    const late = await credential();
    await revoke(late); // the exchange happened, its flush arrives after the revocation committed
    await record({ _credential_ids: [late] });
    expect((await item(late)).last_used_at).toEqual(expect.any(String));
    // Round 1's column of the revoked row stays frozen by the table rule.
    const [row] = await db.admin`select last_used_at from mintid.api_credentials where id = ${late}`;
    expect(row!.last_used_at).toBeNull();
  });

  it('records rejected uses of a revoked credential (the point of counting them)', async () => {
    const id = await credential();
    await revoke(id);
    await record({ _rejected: { [id]: 5 } });
    expect(await item(id)).toMatchObject({ status: 'revoked', rejected_use_count: 5 });
  });

  it('ignores unknown ids of every kind', async () => {
    const nobody = '00000000-0000-4000-8000-000000000000';
    expect(await record({ _credential_ids: [nobody], _previous_secret_ids: [nobody], _rejected: { [nobody]: 1 } }))
      .toEqual({ ok: true, updated: 0 });
    const [row] = await db.admin`select count(*)::int as n from mintid.api_credential_usage where credential_id = ${nobody}`;
    expect(row!.n).toBe(0);
  });

  it.each([
    ['an array', ['x']],
    ['a string', 'x'],
    ['a key that is not a uuid', { 'not-a-uuid': 1 }],
    ['a count of 0', { '00000000-0000-4000-8000-000000000000': 0 }],
    ['a negative count', { '00000000-0000-4000-8000-000000000000': -2 }],
    ['a fractional count', { '00000000-0000-4000-8000-000000000000': 1.5 }],
    ['a count as a string', { '00000000-0000-4000-8000-000000000000': '3' }],
    ['a count above 9999999', { '00000000-0000-4000-8000-000000000000': 10_000_000 }],
  ])('refuses _rejected as %s with 400 credential_ids_invalid', async (_name, rejected) => {
    await expectPgError(record({ _rejected: rejected }), { ...CATEGORY.invalid, reason: 'credential_ids_invalid' });
  });

  it('refuses more than 1000 ids over all three kinds', async () => {
    const ids = (n: number, offset: number) => Array.from({ length: n }, (_, i) => `00000000-0000-4000-8000-${String(offset + i).padStart(12, '0')}`);
    await expectPgError(record({ _credential_ids: ids(500, 0), _previous_secret_ids: ids(400, 500), _rejected: Object.fromEntries(ids(101, 900).map((id) => [id, 1])) }),
      { ...CATEGORY.invalid, reason: 'credential_ids_invalid' });
  });

  it('refuses a null inside the id lists', async () => {
    await expectPgError(record({ _credential_ids: [null] }), { ...CATEGORY.invalid, reason: 'credential_ids_invalid' });
    await expectPgError(record({ _previous_secret_ids: [null] }), { ...CATEGORY.invalid, reason: 'credential_ids_invalid' });
  });

  it('refuses the usage table to every API role (only the definer RPCs reach it)', async () => {
    for (const role of ['anon', 'authenticated', 'service_role']) {
      const [row] = await db.admin`select has_table_privilege(${role}, 'mintid.api_credential_usage', 'select') as can`;
      expect(row!.can).toBe(false);
    }
  });
});

describe('record_api_credential_use: the time of each use (migration 20261201000960)', () => {
  const ago = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();
  const ms = (value: string | null) => (value === null ? null : new Date(value).getTime());

  it('records each kind at its own time, not at the flush', async () => {
    const id = await credential();
    await db.rpc(serviceCaller, 'rotate_api_credential_secret_record',
      { _brand_id: f.brandId, _credential_id: id, _new_secret_hash: phc(), _reason: 'r', _grace_seconds: 3600 });
    const [current, previous, rejected] = [ago(9), ago(20), ago(3)];
    await record({ _credential_ids: [id], _previous_secret_ids: [id], _rejected: { [id]: 1 },
      _used_at: { [id]: current }, _previous_used_at: { [id]: previous }, _rejected_at: { [id]: rejected } });
    const i = await item(id);
    expect(ms(i.last_used_at)).toBe(ms(current)); // the later of the current and previous uses
    expect(ms(i.previous_secret_last_used_at)).toBe(ms(previous));
    expect(ms(i.last_rejected_use_at)).toBe(ms(rejected));
  });

  it('keeps a use made before a revocation before it, when the batch arrives after it', async () => {
    const id = await credential();
    const usedAt = ago(5);
    await revoke(id);
    await record({ _credential_ids: [id], _rejected: { [id]: 1 }, _used_at: { [id]: usedAt }, _rejected_at: { [id]: ago(1) } });
    const [row] = await db.admin<{ revoked_at: Date }[]>`select revoked_at from mintid.api_credentials where id = ${id}`;
    const i = await item(id);
    expect(ms(i.last_used_at)).toBe(ms(usedAt));
    expect(ms(i.last_used_at)!).toBeLessThan(row!.revoked_at.getTime());
    expect(i.status).toBe('revoked');
  });

  it('never records a time later than now, and never moves a later time back', async () => {
    const id = await credential();
    await record({ _credential_ids: [id], _used_at: { [id]: new Date(Date.now() + 3_600_000).toISOString() } });
    const first = ms((await item(id)).last_used_at)!;
    expect(first).toBeLessThanOrEqual(Date.now() + 1000);
    await record({ _credential_ids: [id], _used_at: { [id]: ago(600) } });
    expect(ms((await item(id)).last_used_at)).toBe(first);
  });

  it('records an id without a time at now, as before', async () => {
    const [a, b] = [await credential(), await credential()];
    const aAt = ago(30);
    const before = Date.now() - 1000;
    await record({ _credential_ids: [a, b], _used_at: { [a]: aAt } });
    expect(ms((await item(a)).last_used_at)).toBe(ms(aAt));
    expect(ms((await item(b)).last_used_at)!).toBeGreaterThan(before);
  });

  it.each([
    ['an array', '_used_at', ['2026-12-01T00:00:00Z']],
    ['a key that is not a uuid', '_used_at', { 'not-a-uuid': '2026-12-01T00:00:00Z' }],
    ['a number', '_previous_used_at', { '00000000-0000-4000-8000-000000000001': 1764547200 }],
    ['a time without an offset', '_rejected_at', { '00000000-0000-4000-8000-000000000001': '2026-12-01T00:00:00' }],
    ['a date only', '_used_at', { '00000000-0000-4000-8000-000000000001': '2026-12-01' }],
    ['words', '_used_at', { '00000000-0000-4000-8000-000000000001': 'yesterday' }],
    ['infinity', '_used_at', { '00000000-0000-4000-8000-000000000001': 'infinity' }],
    ['month 13 and hour 25', '_used_at', { '00000000-0000-4000-8000-000000000001': '2026-13-01T25:00:00Z' }],
    ['year 0', '_previous_used_at', { '00000000-0000-4000-8000-000000000001': '0000-01-01T00:00:00Z' }],
  ])('refuses %s in %s with 400 used_at_invalid', async (_name, parameter, value) => {
    const id = await credential();
    await expectPgError(record({ _credential_ids: [id], [parameter]: value }), { ...CATEGORY.invalid, reason: 'used_at_invalid' });
    expect((await item(id)).last_used_at).toBeNull();
  });

  it('is for trusted callers only, like the rest of the function', async () => {
    const id = await credential();
    await expectPgError(db.rpc(userCaller(f.users.owner), 'record_api_credential_use', { _credential_ids: [id], _used_at: { [id]: ago(1) } }),
      CATEGORY.noExecute);
    expect((await item(id)).last_used_at).toBeNull();
  });
});
