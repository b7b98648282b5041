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
import { BlockList, withLocalBlocks } from '../../supabase/functions/_shared/rate-limits.ts';
import { basic, buildHandlers, createCredential, sqlCredentialStore, tokenRequest, type TestCredential } from './helpers.js';

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

  it('counts failed authentications over the same connection: 429 after 10 wrong secrets, no gateway reachable', async () => {
    const victim = await createCredential(db, f.brandId, { _scopes: ['products:read'] });
    const token = await createTokenFunction({ env: { ...(await baseEnv()), SUPABASE_DB_URL: db.urls.operator }, verifySecret: verifyClientSecret, log: () => {} });
    try {
      const wrong = () => token.handler(tokenRequest({ grant_type: 'client_credentials' }, { Authorization: basic(victim.clientId, 'mintid_wrong') }));
      for (let i = 0; i < 10; i += 1) expect((await wrong()).status).toBe(401);
      const blocked = await wrong();
      expect(blocked.status).toBe(429);
      expect(blocked.headers.get('retry-after')).toMatch(/^[1-9][0-9]*$/);
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

describe('the cold path in one round trip (lookupWithFailures)', () => {
  const WRONG = 'mintid_wrong-secret-of-the-right-shape';
  const record = (key: string, times = 10) =>
    Promise.all(Array.from({ length: times }, () => db.rpc(serviceCaller, 'record_token_auth_failure', { _keys: [key] })));

  it('answers the lookup and the credential\'s failure count together', async () => {
    const c = await createCredential(db, f.brandId);
    const found = await store.lookupWithFailures(c.clientId, 'address:198.51.100.90', 10);
    expect(found.credential).toEqual(await sqlCredentialStore(db).lookup(c.clientId));
    expect(found.failures).toEqual({ blocked: false, retryAfterSeconds: 0 });
    await record(`credential:${c.credentialId}`);
    const blocked = await store.lookupWithFailures(c.clientId, 'address:198.51.100.90', 10);
    expect(blocked.failures.blocked).toBe(true);
    expect(blocked.failures.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  });

  it('counts an unknown client_id against the address key it is given, and only that one', async () => {
    await record('address:198.51.100.91');
    expect(await store.lookupWithFailures('mintid_ci_nobody_here', 'address:198.51.100.91', 10))
      .toEqual({ credential: null, failures: { blocked: true, retryAfterSeconds: expect.any(Number) } });
    expect((await store.lookupWithFailures('mintid_ci_nobody_here', 'address:198.51.100.92', 10)).failures.blocked).toBe(false);
  });

  it('never counts a known client_id against the caller\'s address', async () => {
    const c = await createCredential(db, f.brandId);
    await record('address:198.51.100.93');
    expect((await store.lookupWithFailures(c.clientId, 'address:198.51.100.93', 10)).failures.blocked).toBe(false);
  });

  it('refuses an address key the endpoint would never build, as a non-transient StoreError without the input', async () => {
    const error = await store.lookupWithFailures('mintid_ci_nobody_there', 'address:not an ip', 10).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).transient).toBe(false);
    expect((error as StoreError).message).not.toContain('not an ip');
  });

  it('refuses a login that may not call the token RPCs, naming only the RPCs and the code', async () => {
    const untrusted = createPostgresCredentialStore({ databaseUrl: db.urls.authenticator });
    try {
      const error = await untrusted.lookupWithFailures(active.clientId, 'address:198.51.100.94', 10).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).transient).toBe(false);
      expect((error as StoreError).message).toMatch(/^lookup_api_credential_for_token \+ check_token_auth_failures failed \(\w+\)$/);
    } finally {
      await untrusted.close();
    }
  });

  /** The token handler over the direct store with local blocks, counting every store call. */
  async function counted(options: { blocks?: boolean } = {}) {
    const calls = { lookup: 0, lookupWithFailures: 0, check: 0, record: 0 };
    const counting = {
      lookup: (clientId: string) => { calls.lookup += 1; return store.lookup(clientId); },
      recordUses: store.recordUses,
      lookupWithFailures: (clientId: string, key: string, limit: number) => { calls.lookupWithFailures += 1; return store.lookupWithFailures(clientId, key, limit); },
    };
    const failures = {
      check: (keys: string[], limit: number) => { calls.check += 1; return store.failures.check(keys, limit); },
      record: (keys: string[]) => { calls.record += 1; return store.failures.record(keys); },
    };
    const blocks = options.blocks === false ? undefined : new BlockList();
    const built = await buildHandlers(db, {
      store: counting,
      limits: { failures: blocks ? withLocalBlocks(failures, blocks) : failures, failuresPerMinute: 10, ...(blocks ? { blocks } : {}) },
    });
    return { ...built, calls };
  }
  const exchange = (c: TestCredential, secret = c.secret, address = '198.51.100.95') =>
    tokenRequest({ grant_type: 'client_credentials' }, { Authorization: basic(c.clientId, secret), 'X-Forwarded-For': address });

  it('makes a cold exchange two round trips (lookup with the failure count, status re-read) and a warm one one', async () => {
    const { handler, calls } = await counted();
    const c = await createCredential(db, f.brandId);
    expect((await handler(exchange(c))).status).toBe(200);
    expect(calls).toEqual({ lookup: 1, lookupWithFailures: 1, check: 0, record: 0 });
    expect((await handler(exchange(c))).status).toBe(200);
    expect(calls).toEqual({ lookup: 2, lookupWithFailures: 1, check: 0, record: 0 });
  });

  it('reads the failure count apart for a wrong secret of a client_id the cache knows, and records the failure', async () => {
    const { handler, calls, verifications } = await counted();
    const c = await createCredential(db, f.brandId);
    expect((await handler(exchange(c))).status).toBe(200);
    expect((await handler(exchange(c, WRONG))).status).toBe(401);
    expect(calls).toEqual({ lookup: 2, lookupWithFailures: 1, check: 1, record: 1 });
    expect(verifications.filter((h) => h === c.hash)).toHaveLength(2);
  });

  it('answers 429 from the count read with the lookup, without argon2, and notes the block for the next request', async () => {
    const c = await createCredential(db, f.brandId);
    await record(`credential:${c.credentialId}`);
    const { handler, calls, verifications } = await counted();
    const refused = await handler(exchange(c));
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^[1-9][0-9]*$/);
    expect(verifications).toEqual([]);
    expect((await handler(exchange(c))).status).toBe(429);
    expect(calls).toEqual({ lookup: 0, lookupWithFailures: 1, check: 0, record: 0 }); // the second one: refused before any lookup
  });

  it('answers an unknown client_id after its dummy verification, counted against the address in the same round trip', async () => {
    const { handler, calls, verifications } = await counted();
    const unknown = { clientId: 'mintid_ci_never_created', secret: WRONG, credentialId: '', hash: '' };
    expect((await handler(exchange(unknown, WRONG, '198.51.100.96'))).status).toBe(401);
    expect(calls).toEqual({ lookup: 0, lookupWithFailures: 1, check: 0, record: 1 });
    expect(verifications).toHaveLength(1);
  });

  it('looks up alone without local blocks (nothing says whether the request is cold)', async () => {
    const { handler, calls } = await counted({ blocks: false });
    const c = await createCredential(db, f.brandId);
    expect((await handler(exchange(c))).status).toBe(200);
    expect(calls).toEqual({ lookup: 2, lookupWithFailures: 0, check: 1, record: 0 });
  });
});
