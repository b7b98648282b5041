// Brands and members (SPEC §9): results, input rules, last-owner protection (also under a race),
// audit records through the shared trail, and list_brand_events as the brand's one trail.
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller, TestDatabase } from '../support/database.js';
import { CATEGORY, expectPgError } from '../support/errors.js';
import { createArgs, openSeededDatabase, phc, serviceCaller, userCaller, type BrandFixture } from '../support/fixtures.js';

let db: TestDatabase;
let f: BrandFixture;
beforeAll(async () => ({ db, f } = await openSeededDatabase()));
afterAll(() => db.close());

async function newUser(email?: string): Promise<{ id: string; email: string }> {
  const id = randomUUID();
  const address = email ?? `user-${id.slice(0, 8)}@example.test`;
  await db.admin`insert into auth.users (id, email, role, aud) values (${id}, ${address}, 'authenticated', 'authenticated')`;
  return { id, email: address };
}
/** A new brand created by a new user, who is its owner. */
async function ownBrand(name = 'Own brand'): Promise<{ brandId: string; owner: string }> {
  const { id: owner } = await newUser();
  const { brand_id } = await db.rpc<{ brand_id: string }>(userCaller(owner), 'create_brand', { _name: name });
  return { brandId: brand_id, owner };
}
const records = (brandId: string) => db.admin<{ subject_type: string; subject_id: string; action: string; actor: string; details: Record<string, unknown> }[]>`
  select subject_type, subject_id::text, action, actor, details from mintid.audit_records where brand_id = ${brandId} order by seq`;
const membership = async (brandId: string, userId: string) =>
  (await db.admin`select role::text from mintid.brand_members where brand_id = ${brandId} and user_id = ${userId}`)[0]?.role ?? null;
const owners = async (brandId: string) =>
  (await db.admin`select count(*)::int as n from mintid.brand_members where brand_id = ${brandId} and role = 'owner'`)[0]!.n as number;

describe('create_brand', () => {
  it('makes the signed-in user the owner and records brand_created', async () => {
    const { id } = await newUser();
    const result = await db.rpc<{ ok: boolean; brand_id: string }>(userCaller(id), 'create_brand', { _name: '  Fresh Co  ' });
    expect(result).toEqual({ ok: true, brand_id: expect.any(String) });
    expect(await membership(result.brand_id, id)).toBe('owner');
    const [brand] = await db.admin`select name from mintid.brands where id = ${result.brand_id}`;
    expect(brand!.name).toBe('Fresh Co');
    expect(await records(result.brand_id)).toEqual([
      { subject_type: 'brand', subject_id: result.brand_id, action: 'brand_created', actor: id, details: { name: 'Fresh Co', owner_user_id: id } },
    ]);
  });

  it('accepts _owner_user_id equal to the caller', async () => {
    const { id } = await newUser();
    const result = await db.rpc<{ brand_id: string }>(userCaller(id), 'create_brand', { _name: 'Mine', _owner_user_id: id });
    expect(await membership(result.brand_id, id)).toBe('owner');
  });

  it('lets the service role create a brand for a named user, recorded as service_role', async () => {
    const { id } = await newUser();
    const result = await db.rpc<{ brand_id: string }>(serviceCaller, 'create_brand', { _name: 'Backoffice', _owner_user_id: id });
    expect(await membership(result.brand_id, id)).toBe('owner');
    expect((await records(result.brand_id))[0]!.actor).toBe('service_role');
  });

  it('refuses a user naming another user as owner with 403 owner_not_caller', async () => {
    const { id } = await newUser();
    await expectPgError(db.rpc(userCaller(id), 'create_brand', { _name: 'Theirs', _owner_user_id: f.users.owner }), {
      ...CATEGORY.forbidden, reason: 'owner_not_caller',
    });
  });

  it('refuses a trusted caller without _owner_user_id', async () => {
    await expectPgError(db.rpc(serviceCaller, 'create_brand', { _name: 'Nobody\'s' }), { ...CATEGORY.invalid, reason: 'owner_user_id_required' });
  });

  it('refuses a trusted caller naming a user that does not exist', async () => {
    await expectPgError(db.rpc('operator', 'create_brand', { _name: 'Ghost', _owner_user_id: randomUUID() }), {
      ...CATEGORY.invalid, reason: 'user_not_found',
    });
  });

  it('refuses a signed-in user whose account does not exist', async () => {
    await expectPgError(db.rpc(userCaller(randomUUID()), 'create_brand', { _name: 'Ghost' }), { ...CATEGORY.invalid, reason: 'user_not_found' });
  });

  it.each([
    ['a missing name', undefined, 'name_required'],
    ['a blank name', ' \t\n ', 'name_required'],
    ['a name of 201 characters', 'x'.repeat(201), 'name_length'],
  ])('refuses %s', async (_what, name, reason) => {
    const { id } = await newUser();
    await expectPgError(db.rpc(userCaller(id), 'create_brand', name === undefined ? {} : { _name: name }), { ...CATEGORY.invalid, reason });
  });

  it('accepts a name of exactly 200 characters after trimming', async () => {
    const { id } = await newUser();
    const result = await db.rpc<{ ok: boolean }>(userCaller(id), 'create_brand', { _name: ` ${'é'.repeat(200)} ` });
    expect(result.ok).toBe(true);
  });

  it('creates nothing and records nothing when it fails', async () => {
    const [before] = await db.admin`select (select count(*) from mintid.brands)::int as b, (select count(*) from mintid.audit_records)::int as r`;
    await db.rpc(serviceCaller, 'create_brand', { _name: 'x'.repeat(201), _owner_user_id: f.users.owner }).catch(() => undefined);
    const [after] = await db.admin`select (select count(*) from mintid.brands)::int as b, (select count(*) from mintid.audit_records)::int as r`;
    expect(after).toEqual(before);
  });
});

describe('list_my_brands', () => {
  it('lists every membership of the caller with the role, by name', async () => {
    const { id } = await newUser();
    const b = await db.rpc<{ brand_id: string }>(userCaller(id), 'create_brand', { _name: 'Beta' });
    const a = await db.rpc<{ brand_id: string }>(userCaller(id), 'create_brand', { _name: 'Alpha' });
    await db.rpc(serviceCaller, 'add_brand_member', { _brand_id: f.brandId, _email: (await db.admin`select email from auth.users where id = ${id}`)[0]!.email, _role: 'member' });
    const result = await db.rpc<{ items: Record<string, unknown>[] }>(userCaller(id), 'list_my_brands', {});
    expect(result.items.map((i) => [i.name, i.role])).toEqual([['Acme', 'member'], ['Alpha', 'owner'], ['Beta', 'owner']]);
    expect(result.items[1]).toEqual({ brand_id: a.brand_id, name: 'Alpha', role: 'owner', created_at: expect.any(String) });
    expect(result.items.map((i) => i.brand_id)).toContain(b.brand_id);
  });

  it('answers an empty list for a user without brands', async () => {
    const { id } = await newUser();
    expect(await db.rpc(userCaller(id), 'list_my_brands', {})).toEqual({ ok: true, items: [] });
  });

  it('shows no brand the caller is not a member of', async () => {
    const result = await db.rpc<{ items: { brand_id: string }[] }>(userCaller(f.users.otherAdmin), 'list_my_brands', {});
    expect(result.items.map((i) => i.brand_id)).toEqual([f.otherBrandId]);
  });
});

describe('list_brand_members', () => {
  it('lists user id, e-mail, role and added_at, owners first', async () => {
    const result = await db.rpc<{ items: Record<string, unknown>[] }>(userCaller(f.users.admin), 'list_brand_members', { _brand_id: f.brandId });
    expect(result.items[0]).toEqual({ user_id: f.users.owner, email: 'owner@example.test', role: 'owner', added_at: expect.any(String) });
    expect(result.items.map((i) => i.role)).toEqual([...result.items.map((i) => i.role)].sort((x, y) =>
      ['owner', 'admin', 'member'].indexOf(x as string) - ['owner', 'admin', 'member'].indexOf(y as string)));
    expect(result.items.map((i) => i.user_id)).not.toContain(f.users.otherAdmin);
  });
});

describe('add_brand_member', () => {
  it('adds the user with that e-mail (any case, trimmed) and records member_added', async () => {
    const { brandId, owner } = await ownBrand();
    const user = await newUser(`Mixed.Case-${randomUUID().slice(0, 6)}@Example.test`);
    const result = await db.rpc(userCaller(owner), 'add_brand_member', { _brand_id: brandId, _email: `  ${user.email.toUpperCase()} `, _role: 'admin' });
    expect(result).toEqual({ ok: true, user_id: user.id });
    expect(await membership(brandId, user.id)).toBe('admin');
    expect((await records(brandId)).at(-1)).toEqual({ subject_type: 'member', subject_id: user.id, action: 'member_added', actor: owner, details: { role: 'admin' } });
  });

  it('refuses an unknown e-mail with 400 user_not_found', async () => {
    const { brandId, owner } = await ownBrand();
    await expectPgError(db.rpc(userCaller(owner), 'add_brand_member', { _brand_id: brandId, _email: 'nobody@example.test', _role: 'member' }), {
      ...CATEGORY.invalid, reason: 'user_not_found',
    });
  });

  it('refuses someone already a member with 409 already_member, whatever the role asked', async () => {
    await expectPgError(db.rpc(userCaller(f.users.owner), 'add_brand_member', { _brand_id: f.brandId, _email: 'member@example.test', _role: 'admin' }), {
      ...CATEGORY.conflict, reason: 'already_member',
    });
    expect(await membership(f.brandId, f.users.member)).toBe('member');
  });

  it.each([
    ['a role outside owner, admin, member', { _role: 'superuser' }, 'role_invalid'],
    ['a missing role', { _role: null }, 'role_invalid'],
    ['a role in upper case', { _role: 'ADMIN' }, 'role_invalid'],
    ['a missing e-mail', { _email: null }, 'email_required'],
    ['a blank e-mail', { _email: '   ' }, 'email_required'],
    ['an e-mail without @', { _email: 'not-an-address' }, 'email_invalid'],
  ])('refuses %s', async (_what, override, reason) => {
    const { brandId, owner } = await ownBrand();
    const user = await newUser();
    await expectPgError(db.rpc(userCaller(owner), 'add_brand_member', { _brand_id: brandId, _email: user.email, _role: 'member', ...override }), {
      ...CATEGORY.invalid, reason,
    });
    expect(await membership(brandId, user.id)).toBeNull();
  });

  it('records nothing when it fails', async () => {
    const { brandId, owner } = await ownBrand();
    const before = (await records(brandId)).length;
    await db.rpc(userCaller(owner), 'add_brand_member', { _brand_id: brandId, _email: 'nobody@example.test', _role: 'member' }).catch(() => undefined);
    expect((await records(brandId)).length).toBe(before);
  });
});

describe('set_brand_member_role', () => {
  it('changes the role and records member_role_changed with role and previous_role', async () => {
    const { brandId, owner } = await ownBrand();
    const user = await newUser();
    await db.rpc(userCaller(owner), 'add_brand_member', { _brand_id: brandId, _email: user.email, _role: 'member' });
    expect(await db.rpc(userCaller(owner), 'set_brand_member_role', { _brand_id: brandId, _user_id: user.id, _role: 'owner' })).toEqual({ ok: true });
    expect(await membership(brandId, user.id)).toBe('owner');
    expect((await records(brandId)).at(-1)).toMatchObject({ action: 'member_role_changed', subject_id: user.id, details: { role: 'owner', previous_role: 'member' } });
  });

  it('changes nothing and records nothing when the role is already held', async () => {
    const { brandId, owner } = await ownBrand();
    const before = (await records(brandId)).length;
    expect(await db.rpc(userCaller(owner), 'set_brand_member_role', { _brand_id: brandId, _user_id: owner, _role: 'owner' })).toEqual({ ok: true });
    expect((await records(brandId)).length).toBe(before);
  });

  it('refuses to demote the last owner with 409 last_owner', async () => {
    const { brandId, owner } = await ownBrand();
    await expectPgError(db.rpc(userCaller(owner), 'set_brand_member_role', { _brand_id: brandId, _user_id: owner, _role: 'admin' }), {
      ...CATEGORY.conflict, reason: 'last_owner',
    });
    expect(await membership(brandId, owner)).toBe('owner');
  });

  it('refuses the last owner\'s demotion from a trusted caller too', async () => {
    const { brandId, owner } = await ownBrand();
    await expectPgError(db.rpc(serviceCaller, 'set_brand_member_role', { _brand_id: brandId, _user_id: owner, _role: 'member' }), {
      ...CATEGORY.conflict, reason: 'last_owner',
    });
  });

  it('lets an owner step down when another owner remains', async () => {
    const { brandId, owner } = await ownBrand();
    const second = await newUser();
    await db.rpc(userCaller(owner), 'add_brand_member', { _brand_id: brandId, _email: second.email, _role: 'owner' });
    await db.rpc(userCaller(owner), 'set_brand_member_role', { _brand_id: brandId, _user_id: owner, _role: 'admin' });
    expect(await membership(brandId, owner)).toBe('admin');
  });

  it.each([
    ['a user who is not a member', () => randomUUID(), 'admin', CATEGORY.invalid, 'member_not_found'],
    ['a missing user id', () => null, 'admin', CATEGORY.invalid, 'user_id_required'],
    ['an invalid role', () => f.users.member, 'root', CATEGORY.invalid, 'role_invalid'],
  ] as [string, () => string | null, string, { code: string }, string][])('refuses %s', async (_what, user, role, category, reason) => {
    await expectPgError(db.rpc(userCaller(f.users.owner), 'set_brand_member_role', { _brand_id: f.brandId, _user_id: user(), _role: role }), {
      ...category, reason,
    });
  });

  it('refuses a member of another brand as not a member of this one', async () => {
    await expectPgError(db.rpc(userCaller(f.users.owner), 'set_brand_member_role', { _brand_id: f.brandId, _user_id: f.users.otherAdmin, _role: 'member' }), {
      ...CATEGORY.invalid, reason: 'member_not_found',
    });
    expect(await membership(f.otherBrandId, f.users.otherAdmin)).toBe('admin');
  });
});

describe('remove_brand_member', () => {
  it('lets an owner remove a member and records member_removed with the role held', async () => {
    const { brandId, owner } = await ownBrand();
    const user = await newUser();
    await db.rpc(userCaller(owner), 'add_brand_member', { _brand_id: brandId, _email: user.email, _role: 'admin' });
    expect(await db.rpc(userCaller(owner), 'remove_brand_member', { _brand_id: brandId, _user_id: user.id })).toEqual({ ok: true });
    expect(await membership(brandId, user.id)).toBeNull();
    expect((await records(brandId)).at(-1)).toMatchObject({ action: 'member_removed', subject_id: user.id, actor: owner, details: { role: 'admin' } });
  });

  it.each(['member', 'admin'])('lets a %s remove themself', async (role) => {
    const { brandId, owner } = await ownBrand();
    const user = await newUser();
    await db.rpc(userCaller(owner), 'add_brand_member', { _brand_id: brandId, _email: user.email, _role: role });
    expect(await db.rpc(userCaller(user.id), 'remove_brand_member', { _brand_id: brandId, _user_id: user.id })).toEqual({ ok: true });
    expect((await records(brandId)).at(-1)).toMatchObject({ action: 'member_removed', actor: user.id });
  });

  it('refuses the last owner removing themself with 409 last_owner', async () => {
    const { brandId, owner } = await ownBrand();
    await expectPgError(db.rpc(userCaller(owner), 'remove_brand_member', { _brand_id: brandId, _user_id: owner }), {
      ...CATEGORY.conflict, reason: 'last_owner',
    });
    expect(await membership(brandId, owner)).toBe('owner');
  });

  it('refuses a trusted caller removing the last owner', async () => {
    const { brandId, owner } = await ownBrand();
    await expectPgError(db.rpc('operator', 'remove_brand_member', { _brand_id: brandId, _user_id: owner }), { ...CATEGORY.conflict, reason: 'last_owner' });
  });

  it('refuses a member removing another member with 403 naming their role', async () => {
    const error = await expectPgError(db.rpc(userCaller(f.users.member), 'remove_brand_member', { _brand_id: f.brandId, _user_id: f.users.admin }), {
      ...CATEGORY.forbidden, reason: 'not_brand_owner',
    });
    expect(error.hint).toMatch(/^Your role in this brand is member; managing members needs owner\./);
    expect(await membership(f.brandId, f.users.admin)).toBe('admin');
  });

  it('answers a non-member "removing themself" like a brand that does not exist', async () => {
    const { id } = await newUser();
    const here = await expectPgError(db.rpc(userCaller(id), 'remove_brand_member', { _brand_id: f.brandId, _user_id: id }), CATEGORY.forbidden);
    const nowhere = await expectPgError(db.rpc(userCaller(id), 'remove_brand_member', { _brand_id: randomUUID(), _user_id: id }), CATEGORY.forbidden);
    expect([here.detail, here.message, here.hint]).toEqual([nowhere.detail, nowhere.message, nowhere.hint]);
    expect(here.detail).toBe('not_brand_owner');
  });

  it('refuses a user who is not a member with 400 member_not_found', async () => {
    await expectPgError(db.rpc(userCaller(f.users.owner), 'remove_brand_member', { _brand_id: f.brandId, _user_id: randomUUID() }), {
      ...CATEGORY.invalid, reason: 'member_not_found',
    });
  });

  it('refuses a missing user id with 400 user_id_required', async () => {
    await expectPgError(db.rpc(userCaller(f.users.owner), 'remove_brand_member', { _brand_id: f.brandId }), {
      ...CATEGORY.invalid, reason: 'user_id_required',
    });
  });

  it('takes the credential rights away at once', async () => {
    const { brandId, owner } = await ownBrand();
    const user = await newUser();
    await db.rpc(userCaller(owner), 'add_brand_member', { _brand_id: brandId, _email: user.email, _role: 'admin' });
    await db.rpc(userCaller(user.id), 'list_api_credential_records', { _brand_id: brandId });
    await db.rpc(userCaller(owner), 'remove_brand_member', { _brand_id: brandId, _user_id: user.id });
    await expectPgError(db.rpc(userCaller(user.id), 'list_api_credential_records', { _brand_id: brandId }), { ...CATEGORY.forbidden, reason: 'not_brand_admin' });
  });
});

describe('last-owner protection under races', () => {
  /** Runs one RPC on its own connection, as PostgREST would for the user. */
  async function onOwnConnection(user: string, fn: string, args: Record<string, unknown>): Promise<{ ok: boolean; code?: string; reason?: string }> {
    const sql = postgres(db.urls.authenticator, { max: 1, onnotice: () => {} });
    try {
      await sql.begin(async (tx) => {
        await tx`select set_config('role', 'authenticated', true),
                        set_config('request.jwt.claims', ${JSON.stringify({ ...userCaller(user).claims, role: 'authenticated' })}, true)`;
        const keys = Object.keys(args);
        await tx.unsafe(`select public.${fn}(${keys.map((k, i) => `"${k}" => $${i + 1}`).join(', ')})`, keys.map((k) => args[k]) as never[]);
        await tx`select pg_sleep(0.05)`; // hold the locks a moment so the other call really overlaps
      });
      return { ok: true };
    } catch (error) {
      const e = error as { code: string; detail: string };
      return { ok: false, code: e.code, reason: e.detail };
    } finally {
      await sql.end();
    }
  }

  it('never leaves a brand without an owner when two owners demote each other at once', async () => {
    for (let round = 0; round < 4; round += 1) {
      const { brandId, owner: a } = await ownBrand();
      const b = await newUser();
      await db.rpc(userCaller(a), 'add_brand_member', { _brand_id: brandId, _email: b.email, _role: 'owner' });
      const outcomes = await Promise.all([
        onOwnConnection(a, 'set_brand_member_role', { _brand_id: brandId, _user_id: b.id, _role: 'admin' }),
        onOwnConnection(b.id, 'set_brand_member_role', { _brand_id: brandId, _user_id: a, _role: 'admin' }),
      ]);
      expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
      const loser = outcomes.find((o) => !o.ok)!;
      // The loser lost the owner role to the winner before its turn came: 403 (or 409 had it kept it).
      expect(['42501:not_brand_owner', 'PT409:last_owner']).toContain(`${loser.code}:${loser.reason}`);
      expect(await owners(brandId)).toBe(1);
    }
  });

  it('never leaves a brand without an owner when two owners remove themselves at once', async () => {
    const { brandId, owner: a } = await ownBrand();
    const b = await newUser();
    await db.rpc(userCaller(a), 'add_brand_member', { _brand_id: brandId, _email: b.email, _role: 'owner' });
    const outcomes = await Promise.all([
      onOwnConnection(a, 'remove_brand_member', { _brand_id: brandId, _user_id: a }),
      onOwnConnection(b.id, 'remove_brand_member', { _brand_id: brandId, _user_id: b.id }),
    ]);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    expect(outcomes.find((o) => !o.ok)).toMatchObject({ code: 'PT409', reason: 'last_owner' });
    expect(await owners(brandId)).toBe(1);
  });

  it('adds a user once when two owners add them at once: one success, one 409 already_member', async () => {
    const { brandId, owner: a } = await ownBrand();
    const b = await newUser();
    await db.rpc(userCaller(a), 'add_brand_member', { _brand_id: brandId, _email: b.email, _role: 'owner' });
    const c = await newUser();
    const outcomes = await Promise.all([a, b.id].map((who) =>
      onOwnConnection(who, 'add_brand_member', { _brand_id: brandId, _email: c.email, _role: 'member' })));
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    expect(outcomes.find((o) => !o.ok)).toMatchObject({ code: 'PT409', reason: 'already_member' });
    expect((await records(brandId)).filter((r) => r.action === 'member_added' && r.subject_id === c.id)).toHaveLength(1);
  });
});

describe('list_brand_events', () => {
  type Item = Record<string, unknown>;
  const list = (caller: Caller, brandId: string, extra: Record<string, unknown> = {}) =>
    db.rpc<{ items: Item[]; next_cursor: string | null }>(caller, 'list_brand_events', { _brand_id: brandId, ...extra });

  it('shows membership and credential records in one trail, newest first, with the contract fields', async () => {
    const { brandId, owner } = await ownBrand();
    const user = await newUser();
    await db.rpc(userCaller(owner), 'add_brand_member', { _brand_id: brandId, _email: user.email, _role: 'admin' });
    const { credential_id } = await db.rpc<{ credential_id: string }>(userCaller(user.id), 'create_api_credential_record', createArgs(brandId));
    await db.rpc(userCaller(user.id), 'rotate_api_credential_secret_record', { _brand_id: brandId, _credential_id: credential_id, _new_secret_hash: phc(), _reason: 'routine' });
    await db.rpc(userCaller(owner), 'set_brand_member_role', { _brand_id: brandId, _user_id: user.id, _role: 'member' });
    const page = await list(userCaller(owner), brandId);
    expect(page.items.map((i) => `${i.subject_type}:${i.action}`)).toEqual([
      'member:member_role_changed', 'credential:rotated', 'credential:created', 'member:member_added', 'brand:brand_created',
    ]);
    expect(page.next_cursor).toBeNull();
    for (const item of page.items) {
      expect(Object.keys(item).sort()).toEqual(['action', 'actor', 'details', 'id', 'occurred_at', 'reason', 'reason_code', 'subject_id', 'subject_type']);
    }
    expect(page.items[1]).toMatchObject({ subject_id: credential_id, actor: user.id, reason: 'routine', reason_code: null });
    expect(page.items[0]).toMatchObject({ details: { role: 'member', previous_role: 'admin' } });
    expect(JSON.stringify(page)).not.toMatch(/argon2id|fingerprint|digest/);
  });

  it('pages the whole trail without duplicates or gaps', async () => {
    const { brandId, owner } = await ownBrand();
    for (let i = 0; i < 5; i += 1) await db.rpc(userCaller(owner), 'create_api_credential_record', createArgs(brandId));
    const seen: Item[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Item[]; next_cursor: string | null } = await list(userCaller(owner), brandId, { _limit: 2, ...(cursor ? { _cursor: cursor } : {}) });
      seen.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(6);
    expect(new Set(seen.map((i) => i.id)).size).toBe(6);
  });

  it('shows nothing of another brand', async () => {
    const { brandId, owner } = await ownBrand();
    const page = await list(userCaller(owner), brandId);
    const [row] = await db.admin`select count(*)::int as n from mintid.audit_records where brand_id = ${brandId}`;
    expect(page.items).toHaveLength(row!.n as number);
  });

  it.each([
    ['a limit of 0', { _limit: 0 }, 'limit_out_of_range'],
    ['a limit of 201', { _limit: 201 }, 'limit_out_of_range'],
    ['a made-up cursor', { _cursor: 'abc.def' }, 'cursor_invalid'],
  ])('refuses %s', async (_what, extra, reason) => {
    await expectPgError(list(userCaller(f.users.admin), f.brandId, extra), { ...CATEGORY.invalid, reason });
  });

  it('refuses a cursor issued for another brand and one issued by the credential event list', async () => {
    const { brandId, owner } = await ownBrand();
    for (let i = 0; i < 2; i += 1) await db.rpc(userCaller(owner), 'create_api_credential_record', createArgs(brandId));
    const { next_cursor } = await list(userCaller(owner), brandId, { _limit: 1 });
    await expectPgError(list(serviceCaller, f.brandId, { _cursor: next_cursor }), { ...CATEGORY.invalid, reason: 'cursor_invalid' });
    const events = await db.rpc<{ next_cursor: string }>(userCaller(owner), 'list_api_credential_events', { _brand_id: brandId, _limit: 1 });
    await expectPgError(list(userCaller(owner), brandId, { _cursor: events.next_cursor }), { ...CATEGORY.invalid, reason: 'cursor_invalid' });
  });
});
