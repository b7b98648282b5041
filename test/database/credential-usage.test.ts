// Usage as data of its own (SPEC §13, issue 10 item 5): record_api_credential_use's batches of
// current, previous-secret and rejected uses, visible in list items, surviving revocation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../support/database.js';
import { CATEGORY, expectPgError } from '../support/errors.js';
import { createArgs, openSeededDatabase, phc, serviceCaller, type BrandFixture } from '../support/fixtures.js';

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
