// Issue 10 items 1, 3 and 4 / SPEC §14: the token endpoint's limits before argon2, the status
// checked before the verify cache and read again before signing, and an impossible client_id
// treated as an unknown client. Real database, real argon2, the handler in-process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../support/database.js';
import { openSeededDatabase, serviceCaller, type BrandFixture } from '../support/fixtures.js';
import { verifyClientSecret } from '../../src/secrets/hash.js';
import { generateClientId } from '../../src/secrets/generate.js';
import { BlockList, SuccessLimiter, withLocalBlocks } from '../../supabase/functions/_shared/rate-limits.ts';
import { DUMMY_SECRET_HASH, type TokenHandlerDeps } from '../../supabase/functions/_shared/token-handler.ts';
import { defaultVerifyConcurrency, VerifySlots } from '../../supabase/functions/_shared/verify-slots.ts';
import { basic, buildHandlers, createCredential, tokenRequest, type TestCredential } from '../token/helpers.js';
import { sqlFailureStore } from './helpers.js';

let db: TestDatabase;
let f: BrandFixture;

beforeAll(async () => ({ db, f } = await openSeededDatabase()));
afterAll(() => db.close());

const GRANT = { grant_type: 'client_credentials' };
const exchange = (clientId: string, secret: string, address = '198.51.100.1') =>
  tokenRequest(GRANT, { Authorization: basic(clientId, secret), 'X-Forwarded-For': address });
const WRONG = 'mintid_wrong-secret-of-the-right-shape';

/** A handler with the shared failure counters (limit 10) and whatever else the test adds. */
async function limited(overrides: Partial<TokenHandlerDeps> = {}) {
  const failures = sqlFailureStore(db);
  const built = await buildHandlers(db, { ...overrides, limits: { failures, failuresPerMinute: 10, ...overrides.limits } });
  return { ...built, failures };
}

const hashRuns = (verifications: string[], c: TestCredential) => verifications.filter((h) => h === c.hash).length;

describe('failed authentications per client_id (shared in the database)', () => {
  it('answers 429 with Retry-After after 10 failures, without running argon2', async () => {
    const { handler, verifications } = await limited();
    const c = await createCredential(db, f.brandId);
    for (let i = 0; i < 10; i += 1) expect((await handler(exchange(c.clientId, WRONG))).status).toBe(401);
    expect(hashRuns(verifications, c)).toBe(10);
    const blocked = await handler(exchange(c.clientId, WRONG));
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(blocked.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(await blocked.json()).toEqual({ error: 'too_many_requests', error_description: expect.any(String) });
    expect(hashRuns(verifications, c)).toBe(10);
  });

  it('also holds back the correct secret when the verify cache does not know it', async () => {
    const { handler, verifications } = await limited();
    const c = await createCredential(db, f.brandId);
    for (let i = 0; i < 10; i += 1) await handler(exchange(c.clientId, WRONG));
    expect((await handler(exchange(c.clientId, c.secret))).status).toBe(429);
    expect(hashRuns(verifications, c)).toBe(10);
  });

  it('shares the count between instances (two handlers, one database)', async () => {
    const a = await limited();
    const b = await limited();
    const c = await createCredential(db, f.brandId);
    for (let i = 0; i < 5; i += 1) expect((await a.handler(exchange(c.clientId, WRONG))).status).toBe(401);
    for (let i = 0; i < 5; i += 1) expect((await b.handler(exchange(c.clientId, WRONG))).status).toBe(401);
    expect((await a.handler(exchange(c.clientId, WRONG))).status).toBe(429);
    expect((await b.handler(exchange(c.clientId, WRONG))).status).toBe(429);
  });

  it('counts failures of a revoked credential\'s correct secret too', async () => {
    const { handler } = await limited();
    const c = await createCredential(db, f.brandId);
    await db.rpc(serviceCaller, 'revoke_api_credential_record', { _brand_id: f.brandId, _credential_id: c.credentialId, _reason: 'test' });
    for (let i = 0; i < 10; i += 1) expect((await handler(exchange(c.clientId, c.secret))).status).toBe(401);
    expect((await handler(exchange(c.clientId, c.secret))).status).toBe(429);
  });

  it('keeps answering a secret that matches the verify cache while its client_id is flooded', async () => {
    const { handler, verifications, failures } = await limited();
    const c = await createCredential(db, f.brandId);
    expect((await handler(exchange(c.clientId, c.secret))).status).toBe(200);
    for (let i = 0; i < 12; i += 1) await handler(exchange(c.clientId, WRONG, '203.0.113.66'));
    const checksBefore = failures.checks;
    for (let i = 0; i < 3; i += 1) expect((await handler(exchange(c.clientId, c.secret))).status).toBe(200);
    // The warm path never reads the failure counters and never runs argon2.
    expect(failures.checks).toBe(checksBefore);
    expect(hashRuns(verifications, c)).toBe(11);
  });

  it('counts unknown client_ids against the source address, not against real clients', async () => {
    const { handler } = await limited();
    const c = await createCredential(db, f.brandId);
    for (let i = 0; i < 10; i += 1) expect((await handler(exchange(generateClientId(), WRONG, '203.0.113.5'))).status).toBe(401);
    expect((await handler(exchange(generateClientId(), WRONG, '203.0.113.5'))).status).toBe(429);
    expect((await handler(exchange(generateClientId(), WRONG, '203.0.113.6'))).status).toBe(401);
    // A real client calling from the flooding address is not held back by it.
    expect((await handler(exchange(c.clientId, c.secret, '203.0.113.5'))).status).toBe(200);
  });

  it('uses the last X-Forwarded-For entry (the nearest proxy\'s), so a client cannot pick its own address', async () => {
    const { handler } = await limited();
    for (let i = 0; i < 10; i += 1) {
      await handler(tokenRequest(GRANT, { Authorization: basic(generateClientId(), WRONG), 'X-Forwarded-For': `10.0.0.${i}, 203.0.113.9` }));
    }
    const res = await handler(tokenRequest(GRANT, { Authorization: basic(generateClientId(), WRONG), 'X-Forwarded-For': '10.9.9.9, 203.0.113.9' }));
    expect(res.status).toBe(429);
  });

  it('refuses rate-limit keys that the endpoint would never build', async () => {
    for (const keys of [[], ['client_id:abc'], ['address:a b'], ['credential:not-a-uuid'], Array(5).fill('address:1.2.3.4')]) {
      await expect(db.rpc(serviceCaller, 'record_token_auth_failure', { _keys: keys })).rejects.toMatchObject({ code: '22023' });
    }
  });
});

describe('this instance\'s knowledge of blocked keys', () => {
  async function withBlocks(failureDelayMs = 0) {
    const failures = sqlFailureStore(db);
    const blocks = new BlockList();
    const built = await buildHandlers(db, { limits: { failures: withLocalBlocks(failures, blocks), blocks, failuresPerMinute: 10, failureDelayMs } });
    return { ...built, failures };
  }

  it('answers a flood of a blocked client_id with 429 before looking it up or reading the counters', async () => {
    const { handler, store, failures } = await withBlocks();
    const c = await createCredential(db, f.brandId);
    expect((await handler(exchange(c.clientId, c.secret))).status).toBe(200);
    for (let i = 0; i < 11; i += 1) await handler(exchange(c.clientId, WRONG));
    const [lookups, checks] = [store.lookups, failures.checks];
    for (let i = 0; i < 5; i += 1) expect((await handler(exchange(c.clientId, WRONG))).status).toBe(429);
    expect([store.lookups, failures.checks]).toEqual([lookups, checks]);
    // The working client still takes the normal path: looked up (status read), answered from the cache.
    expect((await handler(exchange(c.clientId, c.secret))).status).toBe(200);
    expect(store.lookups).toBe(lookups + 1);
  });

  it('answers made-up client_ids from a blocked address before looking them up', async () => {
    const { handler, store } = await withBlocks();
    for (let i = 0; i < 11; i += 1) await handler(exchange(generateClientId(), WRONG, '203.0.113.77'));
    const lookups = store.lookups;
    expect((await handler(exchange(generateClientId(), WRONG, '203.0.113.77'))).status).toBe(429);
    expect(store.lookups).toBe(lookups);
  });

  it('holds a 429 for too many failures for the tarpit delay', async () => {
    const { handler } = await withBlocks(300);
    const c = await createCredential(db, f.brandId);
    for (let i = 0; i < 10; i += 1) await handler(exchange(c.clientId, WRONG));
    const started = Date.now();
    expect((await handler(exchange(c.clientId, WRONG))).status).toBe(429);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });
});

describe('an impossible client_id', () => {
  it.each([
    ['a NUL byte', 'client\u0000id'],
    ['500 characters', 'x'.repeat(500)],
    ['a space', 'my client'],
    ['non-ASCII', 'clïent'],
  ])('with %s is an unknown client: invalid_client after the dummy verification, never looked up', async (_, clientId) => {
    const { handler, verifications, store } = await limited();
    const res = await handler(exchange(clientId, WRONG, '198.51.100.77'));
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed.' });
    expect(verifications).toEqual([DUMMY_SECRET_HASH]);
    expect(store.lookups).toBe(0);
  });

  it('with a NUL byte in the body form is invalid_client too', async () => {
    const { handler } = await limited();
    const res = await handler(tokenRequest({ ...GRANT, client_id: 'abc\u0000def', client_secret: WRONG }));
    expect(res.status).toBe(401);
  });
});

describe('argon2 verifications in flight', () => {
  it('answers 503 with Retry-After when no verification slot frees up within 1 s', async () => {
    // The verification holding the one slot finishes only once the other request has answered:
    // however late that one reaches the slot, no slot frees up while it waits.
    let oneAnswered!: () => void;
    const answered = new Promise<void>((resolve) => { oneAnswered = resolve; });
    const slow = async (phc: string, secret: string) => {
      await answered;
      return verifyClientSecret(phc, secret);
    };
    const { handler } = await limited({ verifySecret: slow, limits: { slots: new VerifySlots({ max: 1, waitMs: 1000 }) } });
    const c = await createCredential(db, f.brandId);
    const requests = [handler(exchange(c.clientId, c.secret)), handler(exchange(c.clientId, c.secret))] as const;
    for (const request of requests) void request.then(oneAnswered, oneAnswered);
    const [first, second] = await Promise.all(requests);
    expect([first.status, second.status].sort()).toEqual([200, 503]);
    const busy = first.status === 503 ? first : second;
    expect(busy.headers.get('retry-after')).toBe('1');
    expect(await busy.json()).toMatchObject({ error: 'temporarily_unavailable' });
  });

  it('lets a request wait for a slot that frees up in time', async () => {
    const { handler } = await limited({ limits: { slots: new VerifySlots({ max: 1, waitMs: 1000 }) } });
    const c = await createCredential(db, f.brandId);
    const other = await createCredential(db, f.brandId);
    const results = await Promise.all([handler(exchange(c.clientId, c.secret)), handler(exchange(other.clientId, other.secret))]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
  });

  it('defaults to 2 × the CPUs', () => {
    expect(new VerifySlots().max).toBeGreaterThanOrEqual(2);
    expect(defaultVerifyConcurrency(2)).toBe(4);
    expect(defaultVerifyConcurrency(2, 4)).toBe(3);
    expect(defaultVerifyConcurrency(8, 4)).toBe(3);
  });
});

describe('successful exchanges per client', () => {
  it('answers 429 with Retry-After and RateLimit headers past the limit, for that client only', async () => {
    const { handler } = await limited({ limits: { successes: new SuccessLimiter({ perMinute: 3 }) } });
    const c = await createCredential(db, f.brandId);
    const other = await createCredential(db, f.brandId);
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 3; i += 1) {
      const res = await handler(exchange(c.clientId, c.secret));
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-limit')).toBe('3');
      remaining.push(res.headers.get('ratelimit-remaining'));
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const refused = await handler(exchange(c.clientId, c.secret));
    expect(refused.status).toBe(429);
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    expect(Number(refused.headers.get('ratelimit-reset'))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get('retry-after')).toBe(refused.headers.get('ratelimit-reset'));
    expect((await handler(exchange(other.clientId, other.secret))).status).toBe(200);
  });

  it('does not count failures against the success budget', async () => {
    const { handler } = await limited({ limits: { successes: new SuccessLimiter({ perMinute: 1 }) } });
    const c = await createCredential(db, f.brandId);
    for (let i = 0; i < 3; i += 1) expect((await handler(exchange(c.clientId, WRONG))).status).toBe(401);
    expect((await handler(exchange(c.clientId, c.secret))).status).toBe(200);
  });
});

describe('status and the verify cache (issue 10 item 4)', () => {
  it('issues no token when the credential is revoked while argon2 runs (status read again before signing)', async () => {
    const c = await createCredential(db, f.brandId);
    const revokingVerifier = async (phc: string, secret: string) => {
      const ok = await verifyClientSecret(phc, secret);
      if (phc === c.hash) {
        await db.rpc(serviceCaller, 'revoke_api_credential_record', { _brand_id: f.brandId, _credential_id: c.credentialId, _reason: 'race' });
      }
      return ok;
    };
    const { handler } = await limited({ verifySecret: revokingVerifier });
    expect((await handler(exchange(c.clientId, c.secret))).status).toBe(401);
  });

  it('issues no token when the secret is rotated while argon2 runs', async () => {
    const c = await createCredential(db, f.brandId);
    const { hashClientSecret } = await import('../../src/secrets/hash.js');
    const next = await hashClientSecret('mintid_another-secret-entirely-0000');
    const rotatingVerifier = async (phc: string, secret: string) => {
      const ok = await verifyClientSecret(phc, secret);
      if (phc === c.hash) {
        await db.rpc(serviceCaller, 'rotate_api_credential_secret_record',
          { _brand_id: f.brandId, _credential_id: c.credentialId, _new_secret_hash: next, _reason: 'race' });
      }
      return ok;
    };
    const { handler } = await limited({ verifySecret: rotatingVerifier });
    expect((await handler(exchange(c.clientId, c.secret))).status).toBe(401);
  });

  it('runs argon2 for the correct cached secret of a revoked credential, as for a wrong one', async () => {
    const { handler, verifications } = await limited();
    const c = await createCredential(db, f.brandId);
    expect((await handler(exchange(c.clientId, c.secret))).status).toBe(200);
    await db.rpc(serviceCaller, 'revoke_api_credential_record', { _brand_id: f.brandId, _credential_id: c.credentialId, _reason: 'test' });
    expect((await handler(exchange(c.clientId, c.secret))).status).toBe(401);
    expect((await handler(exchange(c.clientId, WRONG))).status).toBe(401);
    expect(hashRuns(verifications, c)).toBe(3);
  });

  it('runs argon2 for the correct cached secret of an expired credential', async () => {
    const { handler, verifications } = await limited();
    const c = await createCredential(db, f.brandId);
    expect((await handler(exchange(c.clientId, c.secret))).status).toBe(200);
    await db.operator`update mintid.api_credentials set expires_at = now() - interval '1 second' where id = ${c.credentialId}`;
    expect((await handler(exchange(c.clientId, c.secret))).status).toBe(401);
    expect(hashRuns(verifications, c)).toBe(2);
  });

  it('answers a repeating active client from the cache with one lookup per request', async () => {
    const { handler, verifications, store } = await limited();
    const c = await createCredential(db, f.brandId);
    for (let i = 0; i < 3; i += 1) expect((await handler(exchange(c.clientId, c.secret))).status).toBe(200);
    expect(hashRuns(verifications, c)).toBe(1);
    expect(store.lookups).toBe(2 + 2); // cold: lookup + re-check; then one per warm request
  });
});
