// list_api_credential_records and list_api_credential_events: keyset pagination newest first,
// cursors only as issued, no hash in any item.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../support/database.js';
import { CATEGORY, expectPgError } from '../support/errors.js';
import {
  createArgs, serviceCaller, userCaller, type BrandFixture, openSeededDatabase,
} from '../support/fixtures.js';

let db: TestDatabase;
let f: BrandFixture;
beforeAll(async () => ({ db, f } = await openSeededDatabase()));
afterAll(() => db.close());

interface Page<T> { ok: true; items: T[]; next_cursor: string | null }
interface Item { id: string; status: string; created_at: string; [key: string]: unknown }

const list = (args: Record<string, unknown>) =>
  db.rpc<Page<Item>>(userCaller(f.users.admin), 'list_api_credential_records', { _brand_id: f.brandId, ...args });
const listEvents = (args: Record<string, unknown>) =>
  db.rpc<Page<Item>>(userCaller(f.users.admin), 'list_api_credential_events', { _brand_id: f.brandId, ...args });
const create = async (brandId = f.brandId, caller = serviceCaller) =>
  (await db.rpc<{ credential_id: string }>(caller, 'create_api_credential_record', createArgs(brandId))).credential_id;

async function allPages(fetch: (cursor: string | null) => Promise<Page<Item>>, between?: () => Promise<void>): Promise<Item[]> {
  const seen: Item[] = [];
  let cursor: string | null = null;
  do {
    const page = await fetch(cursor);
    seen.push(...page.items);
    cursor = page.next_cursor;
    if (between) await between();
  } while (cursor);
  return seen;
}

describe('list_api_credential_records', () => {
  it('returns compact items with exactly the contract fields and never a hash', async () => {
    await create();
    const page = await list({ _limit: 200 });
    expect(page.ok).toBe(true);
    expect(page.items.length).toBeGreaterThan(0);
    for (const item of page.items) {
      expect(Object.keys(item).sort()).toEqual([
        'client_id', 'created_at', 'expires_at', 'id', 'last_rejected_use_at', 'last_used_at', 'metadata', 'name',
        'previous_secret_expires_at', 'previous_secret_last_used_at', 'rejected_use_count', 'revocation_reason',
        'revocation_reason_code', 'revoked_at', 'scopes', 'secret_rotated_at', 'status',
      ]);
    }
    const text = JSON.stringify(page);
    expect(text).not.toContain('$argon2');
    expect(text).not.toContain('hash');
  });

  it('pages newest first with no duplicates or gaps while credentials are being inserted', async () => {
    const brand = f.otherBrandId;
    const existing = new Set<string>();
    for (let i = 0; i < 23; i += 1) existing.add(await create(brand));
    const listOther = (cursor: string | null) => db.rpc<Page<Item>>(serviceCaller, 'list_api_credential_records',
      { _brand_id: brand, _limit: 5, _cursor: cursor });
    const inserted: string[] = [];
    const seen = await allPages(listOther, async () => { inserted.push(await create(brand)); });
    const ids = seen.map((i) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of existing) expect(ids).toContain(id);
    // Newest first: created_at then id, descending.
    for (let i = 1; i < seen.length; i += 1) {
      const [a, b] = [seen[i - 1]!, seen[i]!];
      expect(a.created_at > b.created_at || (a.created_at === b.created_at && a.id > b.id)).toBe(true);
    }
    // Rows inserted after the first page sort before the cursor and are not returned later.
    for (const id of inserted) expect(ids).not.toContain(id);
  });

  it('breaks created_at ties by id across page boundaries', async () => {
    const brandId = '11111111-2222-4333-8444-555555555555';
    await db.admin`insert into mintid.brands (id, name) values (${brandId}, 'Ties')`;
    // Seven credentials created in one transaction share created_at.
    await db.as(serviceCaller, async (tx) => {
      for (let i = 0; i < 7; i += 1) {
        const args = createArgs(brandId);
        await tx`select public.create_api_credential_record(${brandId}, ${args._name as string}, ${args._client_id as string},
          ${args._client_secret_hash as string}, ${args._scopes as string[]})`;
      }
    });
    const seen = await allPages((cursor) => db.rpc<Page<Item>>(serviceCaller, 'list_api_credential_records',
      { _brand_id: brandId, _limit: 3, _cursor: cursor }));
    expect(seen).toHaveLength(7);
    expect(new Set(seen.map((i) => i.created_at)).size).toBe(1);
    expect(seen.map((i) => i.id)).toEqual([...seen.map((i) => i.id)].sort().reverse());
  });

  it('answers next_cursor null on the last page and on an exact fit', async () => {
    const brandId = '11111111-2222-4333-8444-666666666666';
    await db.admin`insert into mintid.brands (id, name) values (${brandId}, 'Exact')`;
    for (let i = 0; i < 4; i += 1) await create(brandId);
    const page = await db.rpc<Page<Item>>(serviceCaller, 'list_api_credential_records', { _brand_id: brandId, _limit: 4 });
    expect(page.items).toHaveLength(4);
    expect(page.next_cursor).toBeNull();
    const first = await db.rpc<Page<Item>>(serviceCaller, 'list_api_credential_records', { _brand_id: brandId, _limit: 3 });
    expect(first.next_cursor).toEqual(expect.any(String));
    const last = await db.rpc<Page<Item>>(serviceCaller, 'list_api_credential_records', { _brand_id: brandId, _limit: 3, _cursor: first.next_cursor });
    expect(last.items).toHaveLength(1);
    expect(last.next_cursor).toBeNull();
  });

  it('answers an empty brand with no items', async () => {
    const brandId = '11111111-2222-4333-8444-777777777777';
    await db.admin`insert into mintid.brands (id, name) values (${brandId}, 'Empty')`;
    expect(await db.rpc(serviceCaller, 'list_api_credential_records', { _brand_id: brandId })).toEqual({ ok: true, items: [], next_cursor: null });
  });

  it('filters by status: active, expired, revoked', async () => {
    const active = await create();
    const expired = await create();
    const revoked = await create();
    await db.asOwner((tx) => tx`update mintid.api_credentials set expires_at = now() - interval '1 minute' where id = ${expired}`);
    await db.rpc(serviceCaller, 'revoke_api_credential_record', { _brand_id: f.brandId, _credential_id: revoked, _reason: 'x' });
    const byStatus = async (status: string) => (await allPages((cursor) => list({ _status: status, _limit: 200, _cursor: cursor })));
    const [a, e, r] = await Promise.all([byStatus('active'), byStatus('expired'), byStatus('revoked')]);
    expect(a.map((i) => i.id)).toContain(active);
    expect(e.map((i) => i.id)).toEqual(expect.arrayContaining([expired]));
    expect(r.map((i) => i.id)).toContain(revoked);
    expect(a.every((i) => i.status === 'active')).toBe(true);
    expect(e.every((i) => i.status === 'expired')).toBe(true);
    expect(r.every((i) => i.status === 'revoked' && i.revocation_reason !== null)).toBe(true);
    expect(a.map((i) => i.id)).not.toContain(expired);
  });

  it.each([
    ['an unknown status', { _status: 'deleted' }, 'status_invalid'],
    ['a limit of 0', { _limit: 0 }, 'limit_out_of_range'],
    ['a limit of 201', { _limit: 201 }, 'limit_out_of_range'],
    ['a null limit', { _limit: null }, 'limit_out_of_range'],
    ['a made-up cursor', { _cursor: 'bm90LWEtY3Vyc29y.AAAAAAAAAAAAAAAAAAAAAA' }, 'cursor_invalid'],
    ['garbage as cursor', { _cursor: '!!!' }, 'cursor_invalid'],
    ['an empty cursor', { _cursor: '' }, 'cursor_invalid'],
  ])('refuses %s with 400', async (_name, args, reason) => {
    await expectPgError(list(args), { ...CATEGORY.invalid, reason });
  });

  it('refuses a cursor whose payload was altered', async () => {
    for (let i = 0; i < 3; i += 1) await create();
    const { next_cursor } = await list({ _limit: 1 });
    const [payload, tag] = next_cursor!.split('.');
    const decoded = Buffer.from(payload!, 'base64url').toString('utf8').replace(/"at": "[^"]+"/, '"at": "2999-01-01T00:00:00+00:00"');
    const forged = `${Buffer.from(decoded).toString('base64url')}.${tag}`;
    await expectPgError(list({ _limit: 1, _cursor: forged }), { ...CATEGORY.invalid, reason: 'cursor_invalid' });
  });

  it('refuses a cursor issued for another status filter or another brand', async () => {
    for (let i = 0; i < 3; i += 1) await create();
    const { next_cursor } = await list({ _limit: 1 });
    await expectPgError(list({ _limit: 1, _status: 'active', _cursor: next_cursor }), { ...CATEGORY.invalid, reason: 'cursor_invalid' });
    await expectPgError(db.rpc(serviceCaller, 'list_api_credential_records', { _brand_id: f.otherBrandId, _cursor: next_cursor }), {
      ...CATEGORY.invalid, reason: 'cursor_invalid',
    });
  });

  it('refuses an events cursor on the credentials list', async () => {
    await create();
    await create();
    const events = await listEvents({ _limit: 1 });
    await expectPgError(list({ _cursor: events.next_cursor }), { ...CATEGORY.invalid, reason: 'cursor_invalid' });
  });

  it('lets a member list nothing (403) even with a valid cursor', async () => {
    for (let i = 0; i < 2; i += 1) await create();
    const { next_cursor } = await list({ _limit: 1 });
    await expectPgError(db.rpc(userCaller(f.users.member), 'list_api_credential_records', { _brand_id: f.brandId, _cursor: next_cursor }),
      CATEGORY.forbidden);
  });
});

describe('list_api_credential_events', () => {
  it('lists the brand\'s events newest first with exactly the contract fields', async () => {
    const id = await create();
    await db.rpc(serviceCaller, 'revoke_api_credential_record', { _brand_id: f.brandId, _credential_id: id, _reason: 'gone' });
    const page = await listEvents({ _credential_id: id });
    expect(page.items.map((e) => e.action)).toEqual(['revoked', 'created']);
    for (const item of page.items) {
      expect(Object.keys(item).sort()).toEqual(['action', 'actor', 'credential_id', 'id', 'occurred_at', 'reason', 'reason_code']);
    }
    // A revocation carries its reason code (default unspecified, SPEC §13); other events none.
    expect(page.items.map((e) => e.reason_code)).toEqual(['unspecified', null]);
    expect(page.items[0]).toMatchObject({ credential_id: id, actor: 'service_role', reason: 'gone' });
  });

  it('pages all events of the brand without duplicates or gaps', async () => {
    for (let i = 0; i < 6; i += 1) await create();
    const [row] = await db.admin`select count(*)::int as total from mintid.audit_records where brand_id = ${f.brandId}`;
    const total = row!.total as number;
    const seen = await allPages((cursor) => listEvents({ _limit: 4, _cursor: cursor }));
    expect(seen).toHaveLength(total);
    expect(new Set(seen.map((e) => e.id)).size).toBe(total);
  });

  it('shows no events of another brand\'s credential', async () => {
    const foreign = await create(f.otherBrandId);
    expect((await listEvents({ _credential_id: foreign })).items).toEqual([]);
  });

  it('refuses a cursor issued for another credential filter', async () => {
    const id = await create();
    await db.rpc(serviceCaller, 'rotate_api_credential_secret_record', {
      _brand_id: f.brandId, _credential_id: id, _new_secret_hash: createArgs(f.brandId)._client_secret_hash, _reason: 'r',
    });
    const { next_cursor } = await listEvents({ _credential_id: id, _limit: 1 });
    await expectPgError(listEvents({ _cursor: next_cursor }), { ...CATEGORY.invalid, reason: 'cursor_invalid' });
  });

  it.each([[0], [201]])('refuses a limit of %i', async (limit) => {
    await expectPgError(listEvents({ _limit: limit }), { ...CATEGORY.invalid, reason: 'limit_out_of_range' });
  });
});
