// The token endpoint and rotation grace (SPEC §13): the previous secret works inside its window
// only — the verify cache never stretches it — and correct but refused secrets are counted as
// rejected uses, in batches.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../support/database.js';
import { openSeededDatabase, serviceCaller, type BrandFixture } from '../support/fixtures.js';
import { generateClientSecret } from '../../src/secrets/generate.js';
import { hashClientSecret } from '../../src/secrets/hash.js';
import { createUsageRecorder } from '../../supabase/functions/_shared/usage-recorder.ts';
import { VerifyCache } from '../../supabase/functions/_shared/verify-cache.ts';
import { basic, buildHandlers, createCredential, manualClock, sqlCredentialStore, tokenRequest, type TestCredential } from './helpers.js';

let db: TestDatabase;
let f: BrandFixture;
beforeAll(async () => ({ db, f } = await openSeededDatabase()));
afterAll(() => db.close());

const exchange = (c: { clientId: string; secret: string }) =>
  tokenRequest({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.secret });

async function rotate(c: TestCredential, graceSeconds = 0): Promise<TestCredential> {
  const secret = generateClientSecret();
  const hash = await hashClientSecret(secret);
  await db.rpc(serviceCaller, 'rotate_api_credential_secret_record', {
    _brand_id: f.brandId, _credential_id: c.credentialId, _new_secret_hash: hash, _reason: 'routine', _grace_seconds: graceSeconds,
  });
  return { ...c, secret, hash };
}
const endGrace = (c: TestCredential) =>
  db.rpc(serviceCaller, 'end_api_credential_rotation_grace', { _brand_id: f.brandId, _credential_id: c.credentialId, _reason: 'cut over' });
const revoke = (c: TestCredential) =>
  db.rpc(serviceCaller, 'revoke_api_credential_record', { _brand_id: f.brandId, _credential_id: c.credentialId, _reason: 'leaked' });

/** Handlers with a recorder that flushes only when asked. */
async function setup(overrides: Parameters<typeof buildHandlers>[1] = {}) {
  const store = sqlCredentialStore(db);
  const usage = createUsageRecorder({ store, intervalMs: 59_000, log: () => {} });
  const built = await buildHandlers(db, { store, usage, ...overrides });
  return { ...built, usage };
}
async function usageOf(id: string) {
  const [row] = await db.admin<{ last_used_at: Date | null; previous_secret_last_used_at: Date | null; last_rejected_use_at: Date | null; rejected_use_count: string }[]>`
    select last_used_at, previous_secret_last_used_at, last_rejected_use_at, rejected_use_count from mintid.api_credential_usage where credential_id = ${id}`;
  return row ? { ...row, rejected_use_count: Number(row.rejected_use_count) } : undefined;
}

describe('inside the grace', () => {
  it('accepts the previous and the new secret, over the body and over Basic', async () => {
    const { handler } = await setup();
    const old = await createCredential(db, f.brandId);
    const next = await rotate(old, 3600);
    expect((await handler(exchange(old))).status).toBe(200);
    expect((await handler(tokenRequest({ grant_type: 'client_credentials' }, { Authorization: basic(old.clientId, old.secret) }))).status).toBe(200);
    expect((await handler(exchange(next))).status).toBe(200);
  });

  it('records a use of the previous secret as previous_secret_last_used_at, and of the new one as a plain use', async () => {
    const { handler, usage } = await setup();
    const old = await createCredential(db, f.brandId);
    await rotate(old, 3600);
    await handler(exchange(old));
    await usage.flush();
    const u = await usageOf(old.credentialId);
    expect(u?.previous_secret_last_used_at).toBeInstanceOf(Date);
    expect(u?.last_used_at).toBeInstanceOf(Date);
    expect(u?.rejected_use_count).toBe(0);
  });

  it('answers a repeated previous secret from the cache (one argon2 run for it)', async () => {
    const { handler, verifications } = await setup();
    const old = await createCredential(db, f.brandId);
    await rotate(old, 3600);
    for (let i = 0; i < 3; i += 1) expect((await handler(exchange(old))).status).toBe(200);
    expect(verifications.filter((h) => h === old.hash)).toHaveLength(1);
  });
});

describe('the window is never stretched', () => {
  it('refuses the previous secret once the handler clock passes the grace, although it is cached and the database still says open', async () => {
    const clock = manualClock();
    const cache = new VerifyCache({ clock, ttlMs: 3_600_000 });
    const { handler } = await setup({ clock, cache });
    const old = await createCredential(db, f.brandId);
    await rotate(old, 60);
    expect((await handler(exchange(old))).status).toBe(200); // now cached
    clock.advance(61_000);
    expect((await handler(exchange(old))).status).toBe(401);
  });

  it('refuses the previous secret on the first request after the grace was ended early, although it is cached', async () => {
    const { handler, usage } = await setup();
    const old = await createCredential(db, f.brandId);
    const next = await rotate(old, 3600);
    expect((await handler(exchange(old))).status).toBe(200);
    await endGrace(next);
    const res = await handler(exchange(old));
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed.' });
    expect((await handler(exchange(next))).status).toBe(200);
    await usage.flush();
    expect((await usageOf(old.credentialId))?.rejected_use_count).toBe(1);
  });

  it('refuses the first grace\'s secret after a second rotation (one previous secret at most)', async () => {
    const { handler } = await setup();
    const first = await createCredential(db, f.brandId);
    const second = await rotate(first, 3600);
    expect((await handler(exchange(first))).status).toBe(200);
    const third = await rotate(second, 3600);
    expect((await handler(exchange(first))).status).toBe(401);
    expect((await handler(exchange(second))).status).toBe(200);
    expect((await handler(exchange(third))).status).toBe(200);
  });

  it('refuses both secrets at once when the credential is revoked during the grace', async () => {
    const { handler } = await setup();
    const old = await createCredential(db, f.brandId);
    const next = await rotate(old, 3600);
    expect((await handler(exchange(old))).status).toBe(200);
    expect((await handler(exchange(next))).status).toBe(200);
    await revoke(next);
    expect((await handler(exchange(old))).status).toBe(401);
    expect((await handler(exchange(next))).status).toBe(401);
  });

  it('ends the grace with the credential\'s expiry', async () => {
    const clock = manualClock();
    const { handler } = await setup({ clock, cache: new VerifyCache({ clock }) });
    const old = await createCredential(db, f.brandId, { _expires_at: new Date(clock.now() + 120_000).toISOString() });
    await rotate(old, 604_800);
    expect((await handler(exchange(old))).status).toBe(200);
    clock.advance(121_000);
    expect((await handler(exchange(old))).status).toBe(401);
  });

  it('keeps a cache entry of the previous secret no longer than the grace (VerifyCache notAfter)', async () => {
    const clock = manualClock();
    const cache = new VerifyCache({ clock, ttlMs: 300_000 });
    await cache.remember('c', 'old-hash', 's', clock.now() + 10_000);
    expect(await cache.matches('c', 'old-hash', 's')).toBe(true);
    clock.advance(10_000);
    expect(await cache.matches('c', 'old-hash', 's')).toBe(false);
    await cache.remember('c', 'old-hash', 's', clock.now() - 1); // a window already over is not remembered
    expect(cache.size).toBe(0);
  });

  it('keeps separate cache entries per stored hash, so current and previous secrets do not evict each other', async () => {
    const cache = new VerifyCache();
    await cache.remember('c', 'current-hash', 'new');
    await cache.remember('c', 'previous-hash', 'old');
    expect(await cache.matches('c', 'current-hash', 'new')).toBe(true);
    expect(await cache.matches('c', 'previous-hash', 'old')).toBe(true);
    expect(await cache.matches('c', 'current-hash', 'old')).toBe(false);
    cache.forget('c');
    expect(cache.size).toBe(0);
  });
});

describe('rejected uses', () => {
  it('counts the previous secret presented after a rotation without grace', async () => {
    const { handler, usage } = await setup();
    const old = await createCredential(db, f.brandId);
    await rotate(old);
    expect((await handler(exchange(old))).status).toBe(401);
    expect((await handler(exchange(old))).status).toBe(401);
    await usage.flush();
    const u = await usageOf(old.credentialId);
    expect(u?.rejected_use_count).toBe(2);
    expect(u?.last_rejected_use_at).toBeInstanceOf(Date);
    expect(u?.last_used_at).toBeNull();
  });

  it('counts the correct secret of a revoked credential, and shows it in the list item', async () => {
    const { handler, usage } = await setup();
    const c = await createCredential(db, f.brandId);
    await revoke(c);
    for (let i = 0; i < 3; i += 1) expect((await handler(exchange(c))).status).toBe(401);
    await usage.flush();
    const page = await db.rpc<{ items: { id: string; rejected_use_count: number; last_rejected_use_at: string | null }[] }>(serviceCaller,
      'list_api_credential_records', { _brand_id: f.brandId, _status: 'revoked' });
    expect(page.items.find((i) => i.id === c.credentialId)).toMatchObject({ rejected_use_count: 3, last_rejected_use_at: expect.any(String) });
  });

  it('counts the correct secret of an expired credential', async () => {
    const { handler, usage } = await setup();
    const c = await createCredential(db, f.brandId, { _expires_at: new Date(Date.now() + 3_600_000).toISOString() });
    await db.asOwner((tx) => tx`update mintid.api_credentials set expires_at = now() where id = ${c.credentialId}`);
    expect((await handler(exchange(c))).status).toBe(401);
    await usage.flush();
    expect((await usageOf(c.credentialId))?.rejected_use_count).toBe(1);
  });

  it('does not count a wrong secret, for an active or a revoked credential', async () => {
    const { handler, usage, store } = await setup();
    const active = await createCredential(db, f.brandId);
    const dead = await createCredential(db, f.brandId);
    await revoke(dead);
    expect((await handler(exchange({ clientId: active.clientId, secret: generateClientSecret() }))).status).toBe(401);
    expect((await handler(exchange({ clientId: dead.clientId, secret: generateClientSecret() }))).status).toBe(401);
    await usage.flush();
    expect(store.recordCalls).toHaveLength(0);
    expect(await usageOf(active.credentialId)).toBeUndefined();
    expect(await usageOf(dead.credentialId)).toBeUndefined();
  });

  it('does not count an unknown client', async () => {
    const { handler, usage, store } = await setup();
    expect((await handler(exchange({ clientId: 'mintid_ci_nobody_here', secret: generateClientSecret() }))).status).toBe(401);
    await usage.flush();
    expect(store.recordCalls).toHaveLength(0);
  });

  it('answers a rejected use exactly like a wrong secret (same bytes)', async () => {
    const { handler } = await setup();
    const c = await createCredential(db, f.brandId);
    await revoke(c);
    const rejected = await handler(exchange(c));
    const wrong = await handler(exchange({ clientId: c.clientId, secret: generateClientSecret() }));
    expect([rejected.status, await rejected.text()]).toEqual([wrong.status, await wrong.text()]);
  });
});
