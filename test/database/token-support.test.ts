// The service-only functions the token endpoint uses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../support/database.js';
import { CATEGORY, expectPgError } from '../support/errors.js';
import {
  createArgs, serviceCaller, type BrandFixture, openSeededDatabase,
} from '../support/fixtures.js';

let db: TestDatabase;
let f: BrandFixture;
beforeAll(async () => ({ db, f } = await openSeededDatabase()));
afterAll(() => db.close());

const create = async (overrides: Record<string, unknown> = {}) => {
  const args = createArgs(f.brandId, overrides);
  const { credential_id } = await db.rpc<{ credential_id: string }>(serviceCaller, 'create_api_credential_record', args);
  return { id: credential_id, args };
};
const lookup = (clientId: string) =>
  db.rpc<{ ok: true; credential: Record<string, unknown> | null }>(serviceCaller, 'lookup_api_credential_for_token', { _client_id: clientId });
const lastUsed = async (id: string) =>
  (await db.admin`select last_used_at from mintid.api_credentials where id = ${id}`)[0]!.last_used_at as Date | null;

describe('lookup_api_credential_for_token', () => {
  it('returns what verification needs, hash included, with the live status', async () => {
    const { id, args } = await create();
    expect(await lookup(args._client_id as string)).toEqual({
      ok: true,
      credential: {
        credential_id: id, brand_id: f.brandId, client_id: args._client_id, client_secret_hash: args._client_secret_hash,
        scopes: args._scopes, status: 'active', expires_at: null,
        previous_secret_hash: null, previous_secret_expires_at: null, previous_secret_active: false,
      },
    });
  });

  it('reports revoked at once, and expired at once', async () => {
    const revoked = await create();
    await db.rpc(serviceCaller, 'revoke_api_credential_record', { _brand_id: f.brandId, _credential_id: revoked.id, _reason: 'x' });
    expect((await lookup(revoked.args._client_id as string)).credential?.status).toBe('revoked');
    const expired = await create();
    await db.asOwner((tx) => tx`update mintid.api_credentials set expires_at = now() where id = ${expired.id}`);
    expect((await lookup(expired.args._client_id as string)).credential?.status).toBe('expired');
  });

  it('answers credential null for an unknown or null client id', async () => {
    expect(await lookup('no-such-client')).toEqual({ ok: true, credential: null });
    expect(await db.rpc(serviceCaller, 'lookup_api_credential_for_token', { _client_id: null })).toEqual({ ok: true, credential: null });
  });

  it('matches client ids case-sensitively', async () => {
    const { args } = await create({ _client_id: `CaseSensitive-${Date.now()}` });
    expect((await lookup((args._client_id as string).toLowerCase())).credential).toBeNull();
  });
});

describe('record_api_credential_use', () => {
  it('sets last_used_at on every credential of a batch in one call', async () => {
    const a = await create();
    const b = await create();
    const result = await db.rpc(serviceCaller, 'record_api_credential_use', { _credential_ids: [a.id, b.id] });
    expect(result).toEqual({ ok: true, updated: 2 });
    expect(await lastUsed(a.id)).toBeInstanceOf(Date);
    expect(await lastUsed(b.id)).toBeInstanceOf(Date);
  });

  it('skips revoked credentials instead of failing the batch', async () => {
    const live = await create();
    const revoked = await create();
    await db.rpc(serviceCaller, 'revoke_api_credential_record', { _brand_id: f.brandId, _credential_id: revoked.id, _reason: 'x' });
    const result = await db.rpc(serviceCaller, 'record_api_credential_use', { _credential_ids: [live.id, revoked.id] });
    expect(result).toEqual({ ok: true, updated: 1 });
    expect(await lastUsed(revoked.id)).toBeNull();
  });

  it('ignores unknown ids and an empty batch', async () => {
    expect(await db.rpc(serviceCaller, 'record_api_credential_use', { _credential_ids: [] })).toEqual({ ok: true, updated: 0 });
    expect(await db.rpc(serviceCaller, 'record_api_credential_use', { _credential_ids: ['00000000-0000-4000-8000-000000000000'] }))
      .toEqual({ ok: true, updated: 0 });
  });

  it('refuses a null batch and a batch of more than 1000 ids', async () => {
    await expectPgError(db.rpc(serviceCaller, 'record_api_credential_use', { _credential_ids: null }), {
      ...CATEGORY.invalid, reason: 'credential_ids_invalid',
    });
    const many = Array.from({ length: 1001 }, () => '00000000-0000-4000-8000-000000000000');
    await expectPgError(db.rpc(serviceCaller, 'record_api_credential_use', { _credential_ids: many }), {
      ...CATEGORY.invalid, reason: 'credential_ids_invalid',
    });
  });

  it('writes no event (a use is not a lifecycle change)', async () => {
    const { id } = await create();
    await db.rpc(serviceCaller, 'record_api_credential_use', { _credential_ids: [id] });
    const [row] = await db.admin`select count(*)::int as n from mintid.audit_records where credential_id = ${id}`;
    expect(row!.n).toBe(1);
  });

  it('refuses a user JWT even when the function is reached (defence in depth)', async () => {
    // Grant-less roles never reach it; an operator impersonating a user inside a session does.
    const call = db.as('operator', async (tx) => {
      await tx`select set_config('request.jwt.claims', ${JSON.stringify({ role: 'authenticated', sub: f.users.owner })}, true)`;
      return tx`select public.record_api_credential_use(${[]}::uuid[])`;
    });
    await expectPgError(call, { ...CATEGORY.forbidden, reason: 'service_role_required' });
  });
});
