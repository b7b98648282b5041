// Brand secrets (SPEC §12) in SQL terms: input rules, state, Vault effects, audit records, table
// rules, and that no value or ciphertext leaves through a user-facing result, record or error.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../support/database.js';
import { CATEGORY, expectNotLeaked, expectPgError } from '../support/errors.js';
import { openSeededDatabase, serviceCaller, userCaller, type BrandFixture } from '../support/fixtures.js';

let db: TestDatabase;
let f: BrandFixture;
beforeAll(async () => ({ db, f } = await openSeededDatabase()));
afterAll(() => db.close());

const admin = () => userCaller(f.users.admin);
let counter = 0;
const uniqueName = (prefix = 'secret') => `${prefix} ${process.pid}.${++counter}`;

async function create(overrides: Record<string, unknown> = {}): Promise<string> {
  const result = await db.rpc<{ secret_id: string }>(admin(), 'create_brand_secret', {
    _brand_id: f.brandId, _name: uniqueName(), _value: 'initial value', ...overrides,
  });
  return result.secret_id;
}

async function read(secretId: string, brandId = f.brandId) {
  return db.rpc<{ ok: boolean; secret_id: string; name: string; value: string }>(serviceCaller, 'read_brand_secret', {
    _brand_id: brandId, _secret_id: secretId,
  });
}

async function row(secretId: string) {
  const [r] = await db.admin`select * from mintid.brand_secrets where id = ${secretId}`;
  return r!;
}

async function listItems(brandId = f.brandId) {
  const page = await db.rpc<{ items: Record<string, unknown>[] }>(admin(), 'list_brand_secrets', { _brand_id: brandId, _limit: 200 });
  return page.items;
}

async function records(secretId: string) {
  return db.admin`select action, actor, reason, details from mintid.audit_records
    where subject_type = 'secret' and subject_id = ${secretId} order by occurred_at, seq`;
}

describe('create_brand_secret', () => {
  it('creates a secret that lists with its name and description, never its value', async () => {
    const name = uniqueName('Stripe');
    const id = await create({ _name: `  ${name}  `, _value: 'sk_live_abc', _description: '  for payouts ' });
    const item = (await listItems()).find((i) => i.id === id);
    expect(item).toEqual({
      id, name, description: 'for payouts', created_at: expect.any(String), updated_at: expect.any(String), last_accessed_at: null,
    });
    expect((await read(id)).value).toBe('sk_live_abc');
  });

  it('stores a missing description as the empty string', async () => {
    const id = await create();
    expect((await row(id)).description).toBe('');
  });

  it('keeps the value exactly as given: any UTF-8, spaces and newlines included, up to 16384 bytes', async () => {
    for (const value of [' padded ', 'multi\nline\r\n', '🔑 ключ 鍵', 'é'.repeat(8192), 'x'.repeat(16384)]) {
      const id = await create({ _value: value });
      expect((await read(id)).value).toBe(value);
    }
  });

  it('accepts a name of 100 characters of every allowed kind', async () => {
    const name = `A-b_c.d 9${'z'.repeat(91)}`;
    expect(name.length).toBe(100);
    const id = await create({ _name: name });
    expect((await row(id)).name).toBe(name);
  });

  const badNames: [string, unknown, string][] = [
    ['null', null, 'name_required'],
    ['blank', ' \t\n ', 'name_required'],
    ['101 characters', 'n'.repeat(101), 'name_invalid'],
    ['a slash', 'a/b', 'name_invalid'],
    ['a tab inside', 'a\tb', 'name_invalid'],
    ['non-ASCII letters', 'clé', 'name_invalid'],
    ['a colon', 'stripe:key', 'name_invalid'],
  ];
  it.each(badNames)('refuses a name that is %s (400 %s)', async (_label, name, reason) => {
    await expectPgError(
      db.rpc(admin(), 'create_brand_secret', { _brand_id: f.brandId, _name: name, _value: 'v' }),
      { ...CATEGORY.invalid, reason: reason },
    );
  });

  const badValues: [string, unknown][] = [
    ['null', null],
    ['empty', ''],
    ['16385 bytes', 'x'.repeat(16385)],
    ['8193 two-byte characters (16386 bytes)', 'é'.repeat(8193)],
  ];
  it.each(badValues)('refuses a value that is %s (400 value_invalid) without echoing it', async (_label, value) => {
    const error = await expectPgError(
      db.rpc(admin(), 'create_brand_secret', { _brand_id: f.brandId, _name: uniqueName(), _value: value }),
      { ...CATEGORY.invalid, reason: 'value_invalid' },
    );
    if (typeof value === 'string' && value) expectNotLeaked(error, value.slice(0, 64));
  });

  it('accepts a description of 500 characters and refuses 501 (400 description_too_long)', async () => {
    await create({ _description: 'd'.repeat(500) });
    await expectPgError(create({ _description: 'd'.repeat(501) }), { ...CATEGORY.invalid, reason: 'description_too_long' });
  });

  it('refuses a name already taken in the brand, ignoring case (409 secret_name_taken), and creates no Vault row', async () => {
    const name = uniqueName('Shop API');
    await create({ _name: name });
    const [before] = await db.admin`select count(*)::int as n from vault.secrets`;
    for (const taken of [name.toLowerCase(), name.toUpperCase(), ` ${name} `]) {
      const error = await expectPgError(create({ _name: taken, _value: 'conflicting-value-xyz' }), {
        ...CATEGORY.conflict, reason: 'secret_name_taken',
      });
      expectNotLeaked(error, 'conflicting-value-xyz');
    }
    const [after] = await db.admin`select count(*)::int as n from vault.secrets`;
    expect(after!.n).toBe(before!.n);
  });

  it('allows the same name in another brand', async () => {
    const name = uniqueName('Shared name');
    await create({ _name: name });
    const other = await db.rpc<{ secret_id: string }>(userCaller(f.users.otherAdmin), 'create_brand_secret', {
      _brand_id: f.otherBrandId, _name: name, _value: 'other brand',
    });
    expect(other.secret_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers 400 before 409: a bad value with a taken name is value_invalid', async () => {
    const name = uniqueName();
    await create({ _name: name });
    await expectPgError(create({ _name: name, _value: '' }), { ...CATEGORY.invalid, reason: 'value_invalid' });
  });

  it('stores the value in Vault under a name of its own, not the brand\'s name for it', async () => {
    const name = uniqueName('Vault name');
    const id = await create({ _name: name });
    const [vault] = await db.admin`select v.name, v.description from vault.secrets v
      join mintid.brand_secrets s on s.vault_secret_id = v.id where s.id = ${id}`;
    expect(vault!.name).toBe(`mintid_brand_secret_${id}`);
    expect(vault!.description).not.toContain(name);
  });

  it('writes one secret_created record with the actor and no details', async () => {
    const id = await create();
    expect(await records(id)).toEqual([{ action: 'secret_created', actor: f.users.admin, reason: null, details: {} }]);
  });

  it('serialises two concurrent creates of one name: one succeeds, one answers 409', async () => {
    const name = uniqueName('Race');
    const a = postgres(db.urls.authenticator, { max: 1, onnotice: () => {} });
    const b = postgres(db.urls.authenticator, { max: 1, onnotice: () => {} });
    try {
      const call = (sql: postgres.Sql, value: string) => sql.begin(async (tx) => {
        await tx`select set_config('role', 'service_role', true), set_config('request.jwt.claims', '{"role":"service_role"}', true)`;
        const [r] = await tx`select public.create_brand_secret(${f.brandId}::uuid, ${name}, ${value}) as result`;
        await tx`select pg_sleep(0.1)`;
        return r!.result;
      });
      const results = await Promise.allSettled([call(a, 'race-a'), call(b, 'race-b')]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(rejected.reason.code).toBe('PT409');
      expect(rejected.reason.detail).toBe('secret_name_taken');
      const [count] = await db.admin`select count(*)::int as n from mintid.brand_secrets where brand_id = ${f.brandId} and lower(name) = lower(${name})`;
      expect(count!.n).toBe(1);
      const [orphans] = await db.admin`select count(*)::int as n from vault.secrets v
        where v.name like 'mintid_brand_secret_%' and not exists (select 1 from mintid.brand_secrets s where s.vault_secret_id = v.id)`;
      expect(orphans!.n).toBe(0);
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  });
});

describe('update_brand_secret', () => {
  it('renames, keeping the id and the value', async () => {
    const id = await create({ _value: 'kept' });
    const name = uniqueName('Renamed');
    const result = await db.rpc(admin(), 'update_brand_secret', { _brand_id: f.brandId, _secret_id: id, _name: name });
    expect(result).toEqual({ ok: true, secret_id: id, updated_at: expect.any(String) });
    expect(await read(id)).toEqual({ ok: true, secret_id: id, name, value: 'kept' });
  });

  it('replaces the value in the same Vault row, re-encrypted', async () => {
    const id = await create({ _value: 'old value' });
    const before = await row(id);
    const [cipherBefore] = await db.admin`select secret from vault.secrets where id = ${before.vault_secret_id}`;
    await db.rpc(admin(), 'update_brand_secret', { _brand_id: f.brandId, _secret_id: id, _value: 'new value' });
    const after = await row(id);
    expect(after.vault_secret_id).toBe(before.vault_secret_id);
    const [cipherAfter] = await db.admin`select secret from vault.secrets where id = ${after.vault_secret_id}`;
    expect(cipherAfter!.secret).not.toBe(cipherBefore!.secret);
    expect((await read(id)).value).toBe('new value');
    expect((after.updated_at as Date).getTime()).toBeGreaterThan((before.updated_at as Date).getTime());
  });

  it('changes the description, and clears it with the empty string', async () => {
    const id = await create({ _description: 'first' });
    await db.rpc(admin(), 'update_brand_secret', { _brand_id: f.brandId, _secret_id: id, _description: ' second ' });
    expect((await row(id)).description).toBe('second');
    await db.rpc(admin(), 'update_brand_secret', { _brand_id: f.brandId, _secret_id: id, _description: '' });
    expect((await row(id)).description).toBe('');
  });

  it('leaves what is null unchanged', async () => {
    const name = uniqueName();
    const id = await create({ _name: name, _value: 'v1', _description: 'd1' });
    await db.rpc(admin(), 'update_brand_secret', { _brand_id: f.brandId, _secret_id: id, _value: 'v2' });
    expect(await row(id)).toMatchObject({ name, description: 'd1' });
  });

  it('records which fields changed, never what to', async () => {
    const id = await create();
    await db.rpc(admin(), 'update_brand_secret', {
      _brand_id: f.brandId, _secret_id: id, _name: uniqueName(), _value: 'audited-new-value', _description: 'x',
    });
    await db.rpc(serviceCaller, 'update_brand_secret', { _brand_id: f.brandId, _secret_id: id, _value: 'second-new-value' });
    const trail = await records(id);
    expect(trail.map((r) => [r.action, r.actor, r.details])).toEqual([
      ['secret_created', f.users.admin, {}],
      ['secret_updated', f.users.admin, { changed: ['name', 'value', 'description'] }],
      ['secret_updated', 'service_role', { changed: ['value'] }],
    ]);
    expect(JSON.stringify(trail)).not.toContain('audited-new-value');
  });

  it('allows a case-only rename of the secret itself', async () => {
    const name = uniqueName('case only');
    const id = await create({ _name: name });
    await db.rpc(admin(), 'update_brand_secret', { _brand_id: f.brandId, _secret_id: id, _name: name.toUpperCase() });
    expect((await row(id)).name).toBe(name.toUpperCase());
  });

  it('refuses a rename to another secret\'s name, ignoring case (409 secret_name_taken)', async () => {
    const taken = uniqueName('Taken');
    await create({ _name: taken });
    const id = await create();
    await expectPgError(
      db.rpc(admin(), 'update_brand_secret', { _brand_id: f.brandId, _secret_id: id, _name: taken.toLowerCase(), _value: 'leak-me-not' }),
      { ...CATEGORY.conflict, reason: 'secret_name_taken' },
    );
    expect((await read(id)).value).toBe('initial value');
  });

  it('answers 400 nothing_to_update when every field is null', async () => {
    const id = await create();
    await expectPgError(db.rpc(admin(), 'update_brand_secret', { _brand_id: f.brandId, _secret_id: id }), {
      ...CATEGORY.invalid, reason: 'nothing_to_update',
    });
  });

  it('answers 400 secret_id_required without a secret id', async () => {
    await expectPgError(db.rpc(admin(), 'update_brand_secret', { _brand_id: f.brandId, _name: 'x' }), {
      ...CATEGORY.invalid, reason: 'secret_id_required',
    });
  });

  it('validates every given field (400)', async () => {
    const id = await create();
    const call = (args: Record<string, unknown>) => db.rpc(admin(), 'update_brand_secret', { _brand_id: f.brandId, _secret_id: id, ...args });
    await expectPgError(call({ _name: 'bad/name' }), { ...CATEGORY.invalid, reason: 'name_invalid' });
    await expectPgError(call({ _name: '   ' }), { ...CATEGORY.invalid, reason: 'name_required' });
    await expectPgError(call({ _value: '' }), { ...CATEGORY.invalid, reason: 'value_invalid' });
    await expectPgError(call({ _value: 'x'.repeat(16385) }), { ...CATEGORY.invalid, reason: 'value_invalid' });
    await expectPgError(call({ _description: 'd'.repeat(501) }), { ...CATEGORY.invalid, reason: 'description_too_long' });
    expect(await records(id)).toHaveLength(1);
  });

  it('answers an unknown secret, another brand\'s secret and a deleted one identically (400 secret_not_found)', async () => {
    const foreign = (await db.rpc<{ secret_id: string }>(serviceCaller, 'create_brand_secret', {
      _brand_id: f.otherBrandId, _name: uniqueName(), _value: 'v',
    })).secret_id;
    const deleted = await create();
    await db.rpc(admin(), 'delete_brand_secret', { _brand_id: f.brandId, _secret_id: deleted });
    const errors = [];
    for (const id of ['00000000-0000-4000-8000-000000000000', foreign, deleted]) {
      const error = await expectPgError(db.rpc(admin(), 'update_brand_secret', { _brand_id: f.brandId, _secret_id: id, _name: 'x' }), {
        ...CATEGORY.invalid, reason: 'secret_not_found',
      });
      errors.push([error.message, error.detail, error.hint]);
    }
    expect(errors[1]).toEqual(errors[0]);
    expect(errors[2]).toEqual(errors[0]);
    expect((await read(foreign, f.otherBrandId)).value).toBe('v');
  });
});

describe('races between separate connections', () => {
  /** Runs fn as the service role in its own connection's transaction, holding it open briefly. */
  async function asService<T>(sql: postgres.Sql, text: string, params: unknown[]): Promise<T> {
    return sql.begin(async (tx) => {
      await tx`select set_config('role', 'service_role', true), set_config('request.jwt.claims', '{"role":"service_role"}', true)`;
      const [r] = await tx.unsafe(text, params as never[]);
      await tx`select pg_sleep(0.1)`;
      return r!.result as T;
    }) as Promise<T>;
  }

  it('two concurrent renames of different secrets to one name: one succeeds, one answers 409', async () => {
    const [a, b] = [await create(), await create()];
    const target = uniqueName('Rename race');
    const one = postgres(db.urls.authenticator, { max: 1, onnotice: () => {} });
    const two = postgres(db.urls.authenticator, { max: 1, onnotice: () => {} });
    try {
      const rename = (sql: postgres.Sql, id: string) => asService(sql,
        'select public.update_brand_secret($1::uuid, $2::uuid, $3) as result', [f.brandId, id, target]);
      const results = await Promise.allSettled([rename(one, a), rename(two, b)]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect([rejected.reason.code, rejected.reason.detail]).toEqual(['PT409', 'secret_name_taken']);
    } finally {
      await Promise.all([one.end(), two.end()]);
    }
  });

  it('a read racing a delete either returns the value or answers secret_not_found, never a destroyed value', async () => {
    const id = await create({ _value: 'racing value' });
    const one = postgres(db.urls.authenticator, { max: 1, onnotice: () => {} });
    const two = postgres(db.urls.authenticator, { max: 1, onnotice: () => {} });
    try {
      const [deleted, read] = await Promise.allSettled([
        asService(one, 'select public.delete_brand_secret($1::uuid, $2::uuid) as result', [f.brandId, id]),
        asService<{ value: string }>(two, 'select public.read_brand_secret($1::uuid, $2::uuid) as result', [f.brandId, id]),
      ]);
      expect(deleted.status).toBe('fulfilled');
      if (read.status === 'fulfilled') expect(read.value.value).toBe('racing value');
      else expect([read.reason.code, read.reason.detail]).toEqual(['22023', 'secret_not_found']);
      await expectPgError(db.rpc(serviceCaller, 'read_brand_secret', { _brand_id: f.brandId, _secret_id: id }), {
        ...CATEGORY.invalid, reason: 'secret_not_found',
      });
    } finally {
      await Promise.all([one.end(), two.end()]);
    }
  });
});

describe('delete_brand_secret', () => {
  it('destroys the Vault row, keeps the record for the audit trail and frees the name', async () => {
    const name = uniqueName('Doomed');
    const id = await create({ _name: name, _value: 'to be destroyed' });
    const vaultId = (await row(id)).vault_secret_id as string;
    const result = await db.rpc(admin(), 'delete_brand_secret', { _brand_id: f.brandId, _secret_id: id });
    expect(result).toEqual({ ok: true, secret_id: id, deleted_at: expect.any(String) });
    const [vault] = await db.admin`select count(*)::int as n from vault.secrets where id = ${vaultId}`;
    expect(vault!.n).toBe(0);
    expect(await row(id)).toMatchObject({ name, vault_secret_id: null, deleted_by: f.users.admin });
    expect((await records(id)).map((r) => r.action)).toEqual(['secret_created', 'secret_deleted']);
    expect((await listItems()).some((i) => i.id === id)).toBe(false);
    await create({ _name: name });
  });

  it('answers a second delete, a read and an update of the deleted secret with 400 secret_not_found', async () => {
    const id = await create();
    await db.rpc(admin(), 'delete_brand_secret', { _brand_id: f.brandId, _secret_id: id });
    await expectPgError(db.rpc(admin(), 'delete_brand_secret', { _brand_id: f.brandId, _secret_id: id }), {
      ...CATEGORY.invalid, reason: 'secret_not_found',
    });
    await expectPgError(read(id), { ...CATEGORY.invalid, reason: 'secret_not_found' });
  });

  it('answers another brand\'s secret with 400 secret_not_found and leaves it alone', async () => {
    const foreign = (await db.rpc<{ secret_id: string }>(serviceCaller, 'create_brand_secret', {
      _brand_id: f.otherBrandId, _name: uniqueName(), _value: 'still here',
    })).secret_id;
    await expectPgError(db.rpc(admin(), 'delete_brand_secret', { _brand_id: f.brandId, _secret_id: foreign }), {
      ...CATEGORY.invalid, reason: 'secret_not_found',
    });
    expect((await read(foreign, f.otherBrandId)).value).toBe('still here');
  });
});

describe('read_brand_secret', () => {
  it('returns the value to the service role and stamps last_accessed_at', async () => {
    const id = await create({ _value: 'server side' });
    expect((await row(id)).last_accessed_at).toBeNull();
    expect(await read(id)).toMatchObject({ ok: true, secret_id: id, value: 'server side' });
    const item = (await listItems()).find((i) => i.id === id)!;
    expect(item.last_accessed_at).toEqual(expect.any(String));
    expect(await records(id)).toHaveLength(1);
  });

  it('returns the value to a SQL-console operator', async () => {
    const id = await create({ _value: 'operator read' });
    const result = await db.rpc<{ value: string }>('operator', 'read_brand_secret', { _brand_id: f.brandId, _secret_id: id });
    expect(result.value).toBe('operator read');
  });

  it('answers a secret of another brand, named with the other brand, as not found', async () => {
    const id = await create();
    await expectPgError(read(id, f.otherBrandId), { ...CATEGORY.invalid, reason: 'secret_not_found' });
  });

  it('answers a brand that does not exist with 400 brand_not_found and a missing id with secret_id_required', async () => {
    await expectPgError(read('00000000-0000-4000-8000-000000000000', '00000000-0000-4000-8000-000000000000'), {
      ...CATEGORY.invalid, reason: 'brand_not_found',
    });
    await expectPgError(db.rpc(serviceCaller, 'read_brand_secret', { _brand_id: f.brandId }), {
      ...CATEGORY.invalid, reason: 'secret_id_required',
    });
  });

  it('answers 409 secret_value_missing when the Vault row was removed behind its back', async () => {
    const id = await create();
    await db.admin`delete from vault.secrets where id = (select vault_secret_id from mintid.brand_secrets where id = ${id})`;
    await expectPgError(read(id), { ...CATEGORY.conflict, reason: 'secret_value_missing' });
  });
});

describe('list_brand_secrets', () => {
  it('pages newest first with a cursor bound to the brand', async () => {
    const { db: own, f: g } = await openSeededDatabase();
    try {
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        ids.push((await own.rpc<{ secret_id: string }>(serviceCaller, 'create_brand_secret', {
          _brand_id: g.brandId, _name: `page ${i}`, _value: `v${i}`,
        })).secret_id);
      }
      const first = await own.rpc<{ items: { id: string }[]; next_cursor: string }>(serviceCaller, 'list_brand_secrets', { _brand_id: g.brandId, _limit: 3 });
      const second = await own.rpc<{ items: { id: string }[]; next_cursor: string | null }>(serviceCaller, 'list_brand_secrets', {
        _brand_id: g.brandId, _limit: 3, _cursor: first.next_cursor,
      });
      expect([...first.items, ...second.items].map((i) => i.id)).toEqual([...ids].reverse());
      expect(second.next_cursor).toBeNull();
      await expectPgError(own.rpc(serviceCaller, 'list_brand_secrets', { _brand_id: g.otherBrandId, _cursor: first.next_cursor }), {
        ...CATEGORY.invalid, reason: 'cursor_invalid',
      });
      await expectPgError(own.rpc(serviceCaller, 'list_api_credential_records', { _brand_id: g.brandId, _cursor: first.next_cursor }), {
        ...CATEGORY.invalid, reason: 'cursor_invalid',
      });
      await expectPgError(own.rpc(serviceCaller, 'list_brand_secrets', { _brand_id: g.brandId, _limit: 0 }), {
        ...CATEGORY.invalid, reason: 'limit_out_of_range',
      });
      await expectPgError(own.rpc(serviceCaller, 'list_brand_secrets', { _brand_id: g.brandId, _limit: 201 }), {
        ...CATEGORY.invalid, reason: 'limit_out_of_range',
      });
    } finally {
      await own.close();
    }
  });
});

describe('no value or ciphertext leaves through a user-facing path', () => {
  it('appears in no result, listing, audit record or error of the user-facing RPCs', async () => {
    const value = `leak-canary-${Date.now()}-value`;
    const replaced = `leak-canary-${Date.now()}-replaced`;
    const name = uniqueName('Canary');
    const outputs: unknown[] = [];
    const id = (await db.rpc<{ secret_id: string }>(admin(), 'create_brand_secret', {
      _brand_id: f.brandId, _name: name, _value: value,
    })).secret_id;
    const [vaultRow] = await db.admin`select v.secret from vault.secrets v join mintid.brand_secrets s on s.vault_secret_id = v.id where s.id = ${id}`;
    const ciphertext = vaultRow!.secret as string;
    outputs.push(await db.rpc(admin(), 'list_brand_secrets', { _brand_id: f.brandId, _limit: 200 }));
    outputs.push(await db.rpc(admin(), 'update_brand_secret', { _brand_id: f.brandId, _secret_id: id, _value: replaced }));
    outputs.push(await db.rpc(admin(), 'list_brand_secrets', { _brand_id: f.brandId, _limit: 200 }));
    outputs.push(await db.rpc(admin(), 'create_brand_secret', { _brand_id: f.brandId, _name: name, _value: value }).catch((e) => ({ ...e })));
    outputs.push(await db.rpc(userCaller(f.users.member), 'create_brand_secret', { _brand_id: f.brandId, _name: 'x', _value: value }).catch((e) => ({ ...e })));
    outputs.push(await db.rpc(admin(), 'update_brand_secret', { _brand_id: f.brandId, _secret_id: id, _name: 'bad/name', _value: value }).catch((e) => ({ ...e })));
    outputs.push(await db.rpc(userCaller(f.users.admin), 'read_brand_secret', { _brand_id: f.brandId, _secret_id: id }).catch((e) => ({ ...e })));
    outputs.push(await records(id));
    outputs.push(await db.rpc(admin(), 'delete_brand_secret', { _brand_id: f.brandId, _secret_id: id }));
    const events = await db.rpc<{ items: { subject_type: string; subject_id: string; action: string; details: unknown }[] }>(
      admin(), 'list_brand_events', { _brand_id: f.brandId, _limit: 200 });
    expect(events.items.filter((e) => e.subject_id === id).map((e) => [e.subject_type, e.action, e.details])).toEqual([
      ['secret', 'secret_deleted', {}], ['secret', 'secret_updated', { changed: ['value'] }], ['secret', 'secret_created', {}],
    ]);
    outputs.push(events);
    outputs.push(await db.admin`select * from mintid.brand_secrets where id = ${id}`);
    const text = JSON.stringify(outputs);
    for (const needle of [value, replaced, ciphertext, ciphertext.slice(0, 24)]) expect(text).not.toContain(needle);
  });
});

describe('table rules', () => {
  it('give the API roles no privilege on the table', async () => {
    for (const role of ['anon', 'authenticated', 'service_role']) {
      const [r] = await db.admin`select has_table_privilege(${role}, 'mintid.brand_secrets', 'select, insert, update, delete') as any_privilege,
        has_schema_privilege(${role}, 'mintid', 'usage') as usage`;
      expect(r, role).toEqual({ any_privilege: false, usage: false });
    }
  });

  it('refuse deleting a row, even as the owner (409 secret_delete_forbidden)', async () => {
    const id = await create();
    await expectPgError(db.asOwner((tx) => tx`delete from mintid.brand_secrets where id = ${id}`), {
      ...CATEGORY.conflict, reason: 'secret_delete_forbidden',
    });
    await expectPgError(db.asOwner((tx) => tx`truncate mintid.brand_secrets`), { ...CATEGORY.conflict, reason: 'secret_delete_forbidden' });
  });

  it('refuse moving a secret to another brand or changing its Vault reference', async () => {
    const id = await create();
    await expectPgError(db.asOwner((tx) => tx`update mintid.brand_secrets set brand_id = ${f.otherBrandId} where id = ${id}`), {
      ...CATEGORY.conflict, reason: 'secret_identity_immutable',
    });
    await expectPgError(db.asOwner((tx) => tx`update mintid.brand_secrets set vault_secret_id = gen_random_uuid() where id = ${id}`), {
      ...CATEGORY.conflict, reason: 'secret_identity_immutable',
    });
  });

  it('refuse any change of a deleted secret (409 secret_deleted)', async () => {
    const id = await create();
    await db.rpc(admin(), 'delete_brand_secret', { _brand_id: f.brandId, _secret_id: id });
    await expectPgError(db.asOwner((tx) => tx`update mintid.brand_secrets set deleted_at = null, deleted_by = null where id = ${id}`), {
      ...CATEGORY.conflict, reason: 'secret_deleted',
    });
  });

  it('hold even under session_replication_role = replica', async () => {
    const id = await create();
    await expectPgError(db.admin.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      await tx`delete from mintid.brand_secrets where id = ${id}`;
    }), { ...CATEGORY.conflict, reason: 'secret_delete_forbidden' });
  });
});
