// Revocation, rotation and expiry take effect on the very next exchange, even with the verify
// cache; last_used_at is recorded in batches, not per request; nothing secret reaches a log line.
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../support/database.js';
import { serviceCaller, type BrandFixture, openSeededDatabase } from '../support/fixtures.js';
import { generateClientSecret } from '../../src/secrets/generate.js';
import { hashClientSecret } from '../../src/secrets/hash.js';
import { createUsageRecorder } from '../../supabase/functions/_shared/usage-recorder.ts';
import { VerifyCache } from '../../supabase/functions/_shared/verify-cache.ts';
import { StoreError, type CredentialStore } from '../../supabase/functions/_shared/store.ts';
import { buildHandlers, createCredential, manualClock, sqlCredentialStore, tokenRequest, type TestCredential } from './helpers.js';

let db: TestDatabase;
let f: BrandFixture;

beforeAll(async () => ({ db, f } = await openSeededDatabase()));
afterAll(() => db.close());

const exchange = (c: { clientId: string; secret: string }) =>
  tokenRequest({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.secret });

async function lastUsedAt(credentialId: string): Promise<Date | null> {
  const [row] = await db.admin<{ last_used_at: Date | null }[]>`select last_used_at from mintid.api_credentials where id = ${credentialId}`;
  return row!.last_used_at;
}

describe('the verify cache', () => {
  it('skips argon2 for a repeated exchange with the same secret', async () => {
    const { handler, verifications } = await buildHandlers(db);
    const c = await createCredential(db, f.brandId);
    expect((await handler(exchange(c))).status).toBe(200);
    expect((await handler(exchange(c))).status).toBe(200);
    expect(verifications.filter((h) => h === c.hash)).toHaveLength(1);
  });

  it('still looks the credential up on every request (twice when argon2 ran: the status is read again before signing)', async () => {
    const { handler, store } = await buildHandlers(db);
    const c = await createCredential(db, f.brandId);
    await handler(exchange(c));
    await handler(exchange(c));
    await handler(exchange(c));
    expect(store.lookups).toBe(4);
  });

  it('verifies again with argon2 after the window has passed', async () => {
    const clock = manualClock();
    const { handler, verifications } = await buildHandlers(db, { clock, cache: new VerifyCache({ clock, ttlMs: 60_000 }) });
    const c = await createCredential(db, f.brandId);
    await handler(exchange(c));
    clock.advance(61_000);
    expect((await handler(exchange(c))).status).toBe(200);
    expect(verifications.filter((h) => h === c.hash)).toHaveLength(2);
  });

  it('does not answer a wrong secret from the cache', async () => {
    const { handler } = await buildHandlers(db);
    const c = await createCredential(db, f.brandId);
    await handler(exchange(c));
    expect((await handler(exchange({ clientId: c.clientId, secret: generateClientSecret() }))).status).toBe(401);
  });
});

describe('revocation', () => {
  it('refuses a revoked credential on the very next request, although its secret is cached', async () => {
    const { handler } = await buildHandlers(db);
    const c = await createCredential(db, f.brandId);
    expect((await handler(exchange(c))).status).toBe(200);
    expect((await handler(exchange(c))).status).toBe(200); // answered from the cache
    await db.rpc(serviceCaller, 'revoke_api_credential_record', { _brand_id: f.brandId, _credential_id: c.credentialId, _reason: 'leaked' });
    const res = await handler(exchange(c));
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed.' });
  });
});

describe('rotation', () => {
  async function rotate(c: TestCredential): Promise<TestCredential> {
    const secret = generateClientSecret();
    const hash = await hashClientSecret(secret);
    await db.rpc(serviceCaller, 'rotate_api_credential_secret_record', {
      _brand_id: f.brandId, _credential_id: c.credentialId, _new_secret_hash: hash, _reason: 'routine',
    });
    return { ...c, secret, hash };
  }

  it('refuses the old secret right after it was cached, and accepts the new one', async () => {
    const { handler } = await buildHandlers(db);
    const old = await createCredential(db, f.brandId);
    expect((await handler(exchange(old))).status).toBe(200); // the old secret is now cached
    const rotated = await rotate(old);
    expect((await handler(exchange(old))).status).toBe(401);
    expect((await handler(exchange(rotated))).status).toBe(200);
  });

  it('keeps refusing the old secret after the new one was cached', async () => {
    const { handler } = await buildHandlers(db);
    const old = await createCredential(db, f.brandId);
    const rotated = await rotate(old);
    expect((await handler(exchange(rotated))).status).toBe(200);
    expect((await handler(exchange(old))).status).toBe(401);
    expect((await handler(exchange(rotated))).status).toBe(200);
  });
});

describe('expiry', () => {
  it('refuses a credential as soon as the database says it has expired, although its secret is cached', async () => {
    const { handler } = await buildHandlers(db);
    const c = await createCredential(db, f.brandId, { _expires_at: new Date(Date.now() + 3_600_000).toISOString() });
    expect((await handler(exchange(c))).status).toBe(200);
    // Time passing, without sleeping: the owner may move an active credential's expiry.
    await db.asOwner((tx) => tx`update mintid.api_credentials set expires_at = now() where id = ${c.credentialId}`);
    expect((await handler(exchange(c))).status).toBe(401);
  });

  it('never issues a token that outlives its credential: exp and expires_in stop at expires_at', async () => {
    const clock = manualClock();
    const { handler } = await buildHandlers(db, { clock });
    const expiresAt = new Date(clock.now() + 120_000);
    const c = await createCredential(db, f.brandId, { _expires_at: expiresAt.toISOString() });
    const res = await handler(exchange(c));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { access_token: string; expires_in: number };
    const claims = decodeJwt(body.access_token);
    expect(claims.exp).toBe(Math.floor(expiresAt.getTime() / 1000));
    expect(body.expires_in).toBe(claims.exp! - claims.iat!);
    expect(body.expires_in).toBeLessThanOrEqual(120);
  });

  it('refuses a credential whose expires_at has passed by the handler clock, whatever the lookup said', async () => {
    const clock = manualClock();
    const { handler } = await buildHandlers(db, { clock });
    const c = await createCredential(db, f.brandId, { _expires_at: new Date(Date.now() + 3_600_000).toISOString() });
    expect((await handler(exchange(c))).status).toBe(200);
    clock.advance(3_600_000 + 60_000); // well past the expiry, however long creating it took
    expect((await handler(exchange(c))).status).toBe(401);
  });
});

describe('last_used_at', () => {
  it('is not written per request, and is set by one batched flush', async () => {
    const store = sqlCredentialStore(db);
    const usage = createUsageRecorder({ store, intervalMs: 59_000, log: () => {} });
    const { handler } = await buildHandlers(db, { store, usage });
    const [a, b] = await Promise.all([createCredential(db, f.brandId), createCredential(db, f.brandId)]);
    for (const c of [a!, a!, b!, a!]) expect((await handler(exchange(c))).status).toBe(200);
    expect(store.recordCalls).toHaveLength(0);
    expect(await lastUsedAt(a!.credentialId)).toBeNull();
    await usage.flush();
    expect(store.recordCalls).toHaveLength(1);
    expect([...store.recordCalls[0]!].sort()).toEqual([a!.credentialId, b!.credentialId].sort());
    expect(await lastUsedAt(a!.credentialId)).toBeInstanceOf(Date);
    expect(await lastUsedAt(b!.credentialId)).toBeInstanceOf(Date);
    await usage.close();
    expect(store.recordCalls).toHaveLength(1); // nothing pending, nothing written
  });

  it('records each use at the time of its request, so a use before a revocation never reads as after it', async () => {
    const store = sqlCredentialStore(db);
    const usage = createUsageRecorder({ store, intervalMs: 59_000, log: () => {} });
    const { handler } = await buildHandlers(db, { store, usage });
    const c = await createCredential(db, f.brandId);
    const before = Date.now();
    expect((await handler(exchange(c))).status).toBe(200);
    const after = Date.now();
    await db.rpc(serviceCaller, 'revoke_api_credential_record', { _brand_id: f.brandId, _credential_id: c.credentialId, _reason: 'leaked' });
    expect((await handler(exchange(c))).status).toBe(401); // the correct secret of a revoked credential: a rejected use
    await usage.flush();
    const [row] = await db.admin<{ revoked_at: Date; last_used_at: Date; last_rejected_use_at: Date; rejected_use_count: string }[]>`
      select c.revoked_at, u.last_used_at, u.last_rejected_use_at, u.rejected_use_count
      from mintid.api_credentials c join mintid.api_credential_usage u on u.credential_id = c.id where c.id = ${c.credentialId}`;
    expect(row!.last_used_at.getTime()).toBeGreaterThanOrEqual(before - 1);
    expect(row!.last_used_at.getTime()).toBeLessThanOrEqual(after + 1);
    expect(row!.last_used_at.getTime()).toBeLessThan(row!.revoked_at.getTime());
    expect(row!.last_rejected_use_at.getTime()).toBeGreaterThanOrEqual(row!.revoked_at.getTime());
    expect(Number(row!.rejected_use_count)).toBe(1);
    await usage.close();
  });

  it('is flushed by the timer without any call from the caller', async () => {
    const store = sqlCredentialStore(db);
    const usage = createUsageRecorder({ store, intervalMs: 100, log: () => {} });
    const { handler } = await buildHandlers(db, { store, usage });
    const c = await createCredential(db, f.brandId);
    await handler(exchange(c));
    await expect.poll(() => lastUsedAt(c.credentialId), { timeout: 5_000 }).toBeInstanceOf(Date);
    await usage.close();
  });

  it('is flushed on close()', async () => {
    const store = sqlCredentialStore(db);
    const usage = createUsageRecorder({ store, intervalMs: 59_000, log: () => {} });
    const { handler } = await buildHandlers(db, { store, usage });
    const c = await createCredential(db, f.brandId);
    await handler(exchange(c));
    await usage.close();
    expect(await lastUsedAt(c.credentialId)).toBeInstanceOf(Date);
  });

  it('is not recorded for failed exchanges', async () => {
    const store = sqlCredentialStore(db);
    const usage = createUsageRecorder({ store, intervalMs: 59_000, log: () => {} });
    const { handler } = await buildHandlers(db, { store, usage });
    const c = await createCredential(db, f.brandId);
    await handler(exchange({ clientId: c.clientId, secret: generateClientSecret() }));
    await usage.close();
    expect(store.recordCalls).toHaveLength(0);
    expect(await lastUsedAt(c.credentialId)).toBeNull();
  });
});

describe('failures of the store', () => {
  it('answers 503 temporarily_unavailable when the lookup fails, and logs without the secret or client id', async () => {
    const logs: string[] = [];
    const failing: CredentialStore = {
      lookup: async () => { throw Object.assign(new Error('connection refused to the secret database'), { code: 'ECONNREFUSED' }); },
      recordUses: async () => {},
    };
    const { handler } = await buildHandlers(db, { store: failing, log: (l) => logs.push(l) });
    const c = { clientId: 'mintid_ci_someone', secret: generateClientSecret() };
    const res = await handler(exchange(c));
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: string }).error).toBe('temporarily_unavailable');
    expect(logs).toHaveLength(1);
    expect(logs[0]).not.toContain(c.secret);
    expect(logs[0]).not.toContain(c.clientId);
  });

  it('answers 500 server_error when the store refuses (e.g. a wrong service key): retrying would not help', async () => {
    const refusing: CredentialStore = {
      lookup: async () => { throw new StoreError('lookup_api_credential_for_token failed (PGRST301)', { transient: false }); },
      recordUses: async () => {},
    };
    const { handler } = await buildHandlers(db, { store: refusing, log: () => {} });
    const res = await handler(exchange({ clientId: 'mintid_ci_someone', secret: generateClientSecret() }));
    expect(res.status).toBe(500);
    expect(res.headers.get('retry-after')).toBeNull();
    expect(((await res.json()) as { error: string }).error).toBe('server_error');
  });

  it('answers 503 with Retry-After when the store reports a transient failure', async () => {
    const down: CredentialStore = {
      lookup: async () => { throw new StoreError('lookup_api_credential_for_token failed (PGRST000)', { transient: true }); },
      recordUses: async () => {},
    };
    const { handler } = await buildHandlers(db, { store: down, log: () => {} });
    const res = await handler(exchange({ clientId: 'mintid_ci_someone', secret: generateClientSecret() }));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
  });

  it('swallows a failed flush after one log line without secrets, and retries the ids next time', async () => {
    const logs: string[] = [];
    const store = sqlCredentialStore(db);
    let fail = true;
    const flaky: CredentialStore = {
      lookup: (id) => store.lookup(id),
      recordUses: async (ids) => {
        if (fail) throw new Error('database is down');
        return store.recordUses(ids);
      },
    };
    const usage = createUsageRecorder({ store: flaky, intervalMs: 59_000, log: (l) => logs.push(l) });
    const { handler } = await buildHandlers(db, { store: flaky, usage, log: (l) => logs.push(l) });
    const c = await createCredential(db, f.brandId);
    await handler(exchange(c));
    await expect(usage.flush()).resolves.toBeUndefined();
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/^mintid token: recording last_used_at for 1 credential\(s\) failed/);
    for (const leak of [c.secret, c.hash, c.clientId]) expect(logs[0]).not.toContain(leak);
    fail = false;
    await usage.close();
    expect(await lastUsedAt(c.credentialId)).toBeInstanceOf(Date);
  });

  it('answers 500 server_error when the verifier rejects, logging the credential id only', async () => {
    const logs: string[] = [];
    const { handler } = await buildHandlers(db, {
      verifySecret: async () => { throw new Error('cannot verify $argon2id$v=19$leaked'); },
      log: (l) => logs.push(l),
    });
    const c = await createCredential(db, f.brandId);
    const res = await handler(exchange(c));
    expect(res.status).toBe(500);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toContain(c.credentialId);
    for (const leak of [c.secret, c.hash, '$argon2id$']) expect(logs[0]).not.toContain(leak);
  });
});
