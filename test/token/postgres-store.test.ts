// The direct-Postgres credential store (supabase/functions/_shared/postgres-store.ts): the same
// answers as the RPCs through the gateway, one prepared statement per call, chosen by
// createTokenFunction when SUPABASE_DB_URL is set; refusals and outages as StoreErrors.
import '../../src/node-websocket.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/urls.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { seedBrands, serviceCaller, type BrandFixture } from '../support/fixtures.js';
import { verifyClientSecret } from '../../src/secrets/hash.js';
import { generateSigningKey } from '../../src/secrets/signing-key.js';
import { createTokenFunction } from '../../supabase/functions/_shared/functions.ts';
import { EnvError } from '../../supabase/functions/_shared/env.ts';
import { createPostgresCredentialStore } from '../../supabase/functions/_shared/postgres-store.ts';
import { StoreError } from '../../supabase/functions/_shared/store.ts';
import { basic, createCredential, sqlCredentialStore, tokenRequest, type TestCredential } from './helpers.js';

let db: TestDatabase;
let f: BrandFixture;
let active: TestCredential;
let store: ReturnType<typeof createPostgresCredentialStore>;

beforeAll(async () => {
  db = await createTestDatabase();
  f = await seedBrands(db);
  active = await createCredential(db, f.brandId, { _scopes: ['products:read', 'orders:write'] });
  store = createPostgresCredentialStore({ databaseUrl: db.urls.operator });
});
afterAll(async () => {
  await store?.close();
  await db?.close();
});

describe('the direct-Postgres credential store', () => {
  it('answers a lookup exactly as the RPC through the service role does', async () => {
    const expected = await sqlCredentialStore(db).lookup(active.clientId);
    expect(await store.lookup(active.clientId)).toEqual(expected);
    expect(expected?.secretHash).toBe(active.hash);
  });

  it('answers null for an unknown client_id', async () => {
    expect(await store.lookup('mintid_ci_nobody_at_all')).toBeNull();
  });

  it('reads the status on every lookup: revoked right after the revocation commits', async () => {
    const victim = await createCredential(db, f.brandId);
    expect((await store.lookup(victim.clientId))?.status).toBe('active');
    await db.rpc(serviceCaller, 'revoke_api_credential_record', { _brand_id: f.brandId, _credential_id: victim.credentialId, _reason: 'test' });
    expect((await store.lookup(victim.clientId))?.status).toBe('revoked');
  });

  it('records uses: last_used_at is set', async () => {
    await store.recordUses([active.credentialId]);
    const [row] = await db.admin<{ used: boolean }[]>`select last_used_at is not null as used from mintid.api_credentials where id = ${active.credentialId}`;
    expect(row?.used).toBe(true);
  });

  it('refuses a login that may not call the token RPCs with a non-transient StoreError naming only the RPC and code', async () => {
    const untrusted = createPostgresCredentialStore({ databaseUrl: db.urls.authenticator });
    try {
      const error = await untrusted.lookup(active.clientId).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).transient).toBe(false);
      expect((error as StoreError).message).toMatch(/^lookup_api_credential_for_token failed \(\w+\)$/);
      expect((error as StoreError).message).not.toContain(active.clientId);
    } finally {
      await untrusted.close();
    }
  });

  it('answers an unreachable database with a transient StoreError', async () => {
    const url = new URL(db.urls.operator);
    url.port = String(await freePort());
    const gone = createPostgresCredentialStore({ databaseUrl: url.href });
    try {
      const error = await gone.lookup(active.clientId).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).transient).toBe(true);
      expect((error as StoreError).message).not.toContain(url.password);
    } finally {
      await gone.close();
    }
  });
});

describe('createTokenFunction with SUPABASE_DB_URL', () => {
  const baseEnv = async () => ({
    SUPABASE_URL: 'http://127.0.0.1:9/unused', SUPABASE_SERVICE_ROLE_KEY: 'unused-service-key',
    MINTID_SIGNING_KEYS: JSON.stringify([await generateSigningKey()]),
  });

  it('reads credentials directly (no gateway reachable at SUPABASE_URL) and issues a token', async () => {
    const token = await createTokenFunction({ env: { ...(await baseEnv()), SUPABASE_DB_URL: db.urls.operator }, verifySecret: verifyClientSecret });
    try {
      expect(token.store).toBe('postgres');
      const res = await token.handler(tokenRequest({ grant_type: 'client_credentials' }, { Authorization: basic(active.clientId, active.secret) }));
      expect(res.status).toBe(200);
      expect((await res.json() as { token_type: string }).token_type).toBe('Bearer');
    } finally {
      await token.close();
    }
  });

  it('keeps the supabase-js store without SUPABASE_DB_URL', async () => {
    const token = await createTokenFunction({ env: await baseEnv(), verifySecret: verifyClientSecret });
    expect(token.store).toBe('supabase-js');
    await token.close();
  });

  it('refuses a SUPABASE_DB_URL that is not a postgres URL, naming the variable and never the value', async () => {
    const error = await createTokenFunction({ env: { ...(await baseEnv()), SUPABASE_DB_URL: 'http://user:hunter2@db/x' }, verifySecret: verifyClientSecret })
      .then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(EnvError);
    expect((error as EnvError).message).toContain('SUPABASE_DB_URL');
    expect((error as EnvError).message).not.toContain('hunter2');
  });

  it('answers temporarily_unavailable while the database cannot be reached', async () => {
    const url = new URL(db.urls.operator);
    url.port = String(await freePort());
    const token = await createTokenFunction({ env: { ...(await baseEnv()), SUPABASE_DB_URL: url.href }, verifySecret: verifyClientSecret, log: () => {} });
    try {
      const res = await token.handler(tokenRequest({ grant_type: 'client_credentials' }, { Authorization: basic(active.clientId, active.secret) }));
      expect(res.status).toBe(503);
      expect((await res.json() as { error: string }).error).toBe('temporarily_unavailable');
    } finally {
      await token.close();
    }
  });
});
