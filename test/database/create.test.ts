import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../support/database.js';
import { CATEGORY, expectPgError } from '../support/errors.js';
import {
  clientId, createArgs, serviceCaller, userCaller, type BrandFixture, openSeededDatabase,
} from '../support/fixtures.js';

let db: TestDatabase;
let f: BrandFixture;
beforeAll(async () => ({ db, f } = await openSeededDatabase()));
afterAll(() => db.close());

const create = (args: Record<string, unknown>) =>
  db.rpc<Record<string, unknown>>(userCaller(f.users.admin), 'create_api_credential_record', args);

async function storedRow(id: string) {
  const [row] = await db.admin`select * from mintid.api_credentials where id = ${id}`;
  return row!;
}

describe('create_api_credential_record', () => {
  it('creates an active credential and answers {ok, credential_id}', async () => {
    const args = createArgs(f.brandId, { _name: '  ERP sync  ', _expires_at: new Date(Date.now() + 86_400_000).toISOString() });
    const result = await create(args);
    expect(result).toEqual({ ok: true, credential_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const row = await storedRow(result.credential_id as string);
    expect(row.name).toBe('ERP sync');
    expect(row.client_id).toBe(args._client_id);
    expect(row.scopes).toEqual(['products:read', 'orders:write']);
    expect(row.metadata).toEqual({ team: 'erp' });
    expect(row.created_by).toBe(f.users.admin);
    expect(row.revoked_at).toBeNull();
  });

  it('reads a null _metadata as {} and an omitted one as {}', async () => {
    const nullMeta = await create(createArgs(f.brandId, { _metadata: null }));
    const { _metadata: _omitted, ...rest } = createArgs(f.brandId);
    const omitted = await create(rest);
    expect((await storedRow(nullMeta.credential_id as string)).metadata).toEqual({});
    expect((await storedRow(omitted.credential_id as string)).metadata).toEqual({});
  });

  it('accepts names of 1 and 120 characters after trimming', async () => {
    await expect(create(createArgs(f.brandId, { _name: ' x ' }))).resolves.toMatchObject({ ok: true });
    await expect(create(createArgs(f.brandId, { _name: 'n'.repeat(120) }))).resolves.toMatchObject({ ok: true });
  });

  it('accepts client ids of 3 and 128 characters with every allowed character', async () => {
    await expect(create(createArgs(f.brandId, { _client_id: `a.${Date.now() % 10}` }))).resolves.toMatchObject({ ok: true });
    const long = `Az09._-${'x'.repeat(121)}`;
    expect(long).toHaveLength(128);
    await expect(create(createArgs(f.brandId, { _client_id: long }))).resolves.toMatchObject({ ok: true });
  });

  it('accepts 50 distinct scopes of 3 and 64 characters', async () => {
    const scopes = Array.from({ length: 50 }, (_, i) => `r${i}:w`);
    await expect(create(createArgs(f.brandId, { _scopes: scopes }))).resolves.toMatchObject({ ok: true });
    const longest = `a:${'b'.repeat(62)}`;
    await expect(create(createArgs(f.brandId, { _scopes: ['a:b', longest, 'orders.items:write'] }))).resolves.toMatchObject({ ok: true });
  });

  it('accepts metadata of exactly 8192 bytes', async () => {
    const filler = 'x'.repeat(8192 - '{"k": ""}'.length);
    const result = await create(createArgs(f.brandId, { _metadata: { k: filler } }));
    expect(Buffer.byteLength(JSON.stringify((await storedRow(result.credential_id as string)).metadata).replace(':', ': '))).toBe(8192);
  });

  it('writes exactly one created event with the actor', async () => {
    const result = await create(createArgs(f.brandId));
    const events = await db.admin`select action, actor, reason, brand_id from mintid.audit_records where credential_id = ${result.credential_id as string}`;
    expect(events).toEqual([{ action: 'created', actor: f.users.admin, reason: null, brand_id: f.brandId }]);
  });

  it('records service_role and the operator login as actors', async () => {
    const byService = await db.rpc<{ credential_id: string }>(serviceCaller, 'create_api_credential_record', createArgs(f.brandId));
    const byOperator = await db.rpc<{ credential_id: string }>('operator', 'create_api_credential_record', createArgs(f.brandId));
    const [operatorLogin] = await db.operator`select session_user as login`;
    expect((await storedRow(byService.credential_id)).created_by).toBe('service_role');
    expect((await storedRow(byOperator.credential_id)).created_by).toBe(operatorLogin!.login);
  });
});

describe('create_api_credential_record refuses bad input with 400', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['a null name', { _name: null }, 'name_required'],
    ['a blank name', { _name: '   ' }, 'name_length'],
    ['a name of 121 characters', { _name: 'n'.repeat(121) }, 'name_length'],
    ['a null client id', { _client_id: null }, 'client_id_required'],
    ['a client id of 2 characters', { _client_id: 'ab' }, 'client_id_invalid'],
    ['a client id of 129 characters', { _client_id: 'c'.repeat(129) }, 'client_id_invalid'],
    ['a client id with a space', { _client_id: 'erp sync' }, 'client_id_invalid'],
    ['a client id with a slash', { _client_id: 'erp/sync' }, 'client_id_invalid'],
    ['null scopes', { _scopes: null }, 'scopes_required'],
    ['no scopes', { _scopes: [] }, 'scopes_count'],
    ['51 scopes', { _scopes: Array.from({ length: 51 }, (_, i) => `r${i}:w`) }, 'scopes_count'],
    ['a scope without an action', { _scopes: ['products'] }, 'scope_invalid'],
    ['an upper-case scope', { _scopes: ['Products:read'] }, 'scope_invalid'],
    ['a scope starting with a digit', { _scopes: ['1products:read'] }, 'scope_invalid'],
    ['a scope of 65 characters', { _scopes: [`a:${'b'.repeat(63)}`] }, 'scope_invalid'],
    ['a null scope entry', { _scopes: ['products:read', null] }, 'scope_invalid'],
    ['repeated scopes', { _scopes: ['products:read', 'products:read'] }, 'scopes_not_distinct'],
    ['array metadata', { _metadata: [1, 2] }, 'metadata_not_object'],
    ['scalar metadata', { _metadata: 42 }, 'metadata_not_object'],
    ['metadata of 8193 bytes', { _metadata: { k: 'x'.repeat(8193 - '{"k": ""}'.length) } }, 'metadata_too_large'],
    ['an expiry in the past', { _expires_at: '2020-01-01T00:00:00Z' }, 'expires_at_not_future'],
    ['an expiry a second ago', { _expires_at: new Date(Date.now() - 1000).toISOString() }, 'expires_at_not_future'],
    ['a null secret hash', { _client_secret_hash: null }, 'hash_required'],
    ['a plaintext secret', { _client_secret_hash: 'mintid_supersecretvalue' }, 'hash_not_argon2id'],
  ];
  it.each(cases)('refuses %s', async (_name, override, reason) => {
    await expectPgError(create(createArgs(f.brandId, override)), { ...CATEGORY.invalid, reason });
  });

  it('answers a member who sends bad input with 403, not 400', async () => {
    await expectPgError(
      db.rpc(userCaller(f.users.member), 'create_api_credential_record', createArgs(f.brandId, { _name: null })),
      { ...CATEGORY.forbidden, reason: 'not_brand_admin' },
    );
  });

  it('checks input before state: a taken client id with a bad name is 400', async () => {
    const taken = createArgs(f.brandId);
    await create(taken);
    await expectPgError(create({ ...createArgs(f.brandId, { _name: '' }), _client_id: taken._client_id }), {
      ...CATEGORY.invalid, reason: 'name_length',
    });
  });

  it('writes no event and no row when input is refused', async () => {
    const args = createArgs(f.brandId, { _scopes: [] });
    await create(args).catch(() => undefined);
    const [counts] = await db.admin`
      select (select count(*) from mintid.api_credentials where client_id = ${args._client_id as string})::int as rows`;
    expect(counts!.rows).toBe(0);
  });
});

describe('create_api_credential_record refuses a taken client id with 409', () => {
  it('in the same brand', async () => {
    const args = createArgs(f.brandId);
    await create(args);
    await expectPgError(create(createArgs(f.brandId, { _client_id: args._client_id })), { ...CATEGORY.conflict, reason: 'client_id_taken' });
  });

  it('in another brand', async () => {
    const args = createArgs(f.brandId);
    await create(args);
    await expectPgError(
      db.rpc(userCaller(f.users.otherAdmin), 'create_api_credential_record', createArgs(f.otherBrandId, { _client_id: args._client_id })),
      { ...CATEGORY.conflict, reason: 'client_id_taken' },
    );
  });

  it('case-sensitively: a client id differing only in case is another client id', async () => {
    const id = clientId('Case');
    await create(createArgs(f.brandId, { _client_id: id }));
    await expect(create(createArgs(f.brandId, { _client_id: id.toLowerCase() }))).resolves.toMatchObject({ ok: true });
  });

  it('writes no second event for the refused duplicate', async () => {
    const args = createArgs(f.brandId);
    const first = await create(args);
    await create(createArgs(f.brandId, { _client_id: args._client_id })).catch(() => undefined);
    const [row] = await db.admin`select count(*)::int as n from mintid.audit_records where credential_id = ${first.credential_id as string}`;
    expect(row!.n).toBe(1);
  });
});
