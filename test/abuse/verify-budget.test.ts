// Issue 10 item 1 / SPEC §14: the instance's budget of argon2 verifications is counted in units of
// work (argon2Units: m×t relative to the default, and the lanes p that run at once), not in
// verifications, so hashes at the top of the cost window cannot together occupy every core; the
// token and introspection functions of one process share that budget. The gate per key (one at a
// time), 503 after `waitMs` and the failure limit are unchanged (token-limits.test.ts). Tests
// assert on counts, order and states, never on durations: verifications are held open by hand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../support/database.js';
import { openSeededDatabase, createArgs, serviceCaller, type BrandFixture } from '../support/fixtures.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { generateClientId, generateClientSecret } from '../../src/secrets/generate.js';
import { hashClientSecret, verifyClientSecret } from '../../src/secrets/hash.js';
import { credentialUnits } from '../../supabase/functions/_shared/cold-path.ts';
import { DUMMY_SECRET_HASH } from '../../supabase/functions/_shared/client-secret.ts';
import { argon2Units, VerifySlots, type VerifySlot } from '../../supabase/functions/_shared/verify-slots.ts';
import { basic, buildHandlers, buildIntrospect, introspectRequest, tokenRequest, type TestCredential } from '../token/helpers.js';

const TOP_OF_WINDOW = { memoryCost: 65536, timeCost: 3, parallelism: 4 };
const FAKE_TAIL = 'c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';
const phc = (m: number, t: number, p: number) => `$argon2id$v=19$m=${m},t=${t},p=${p}$${FAKE_TAIL}`;

/** Takes a slot without waiting for it: resolves to the slot (or null) whenever it is granted. */
function take(slots: VerifySlots, key: string, units: number, order?: string[], name?: string): Promise<VerifySlot | null> {
  return slots.acquire(key, units).then((slot) => {
    if (slot && order && name) order.push(name);
    return slot;
  });
}

/** Lets pending promise callbacks run (grants are promise resolutions, no timers involved). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** Polls a condition on the event loop (no time limit asserted: the test's own timeout bounds it). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('what a verification weighs', () => {
  it('weighs the default cost one unit, the top of the window five, four lanes four', () => {
    expect(argon2Units(DUMMY_SECRET_HASH)).toBe(1);
    expect(argon2Units(phc(19456, 2, 1))).toBe(1);
    expect(argon2Units(phc(65536, 3, 4))).toBe(5);
    expect(argon2Units(phc(65536, 3, 1))).toBe(5);
    expect(argon2Units(phc(19456, 2, 4))).toBe(4);
    expect(argon2Units(phc(49152, 4, 2))).toBe(5);
  });

  it('weighs a string it cannot read as one unit (the verifier refuses it at once)', () => {
    for (const value of ['', 'not a hash', '$argon2i$v=19$m=65536,t=3,p=4$x$y', '$argon2id$v=19$m=abc,t=3,p=4$x$y', phc(65536, 3, 4).slice(1)]) {
      expect(argon2Units(value)).toBe(1);
    }
  });

  it('weighs a credential by its heaviest hash, the previous secret included, and an unknown client as the dummy hash', () => {
    const light = phc(19456, 2, 1);
    const heavy = phc(65536, 3, 4);
    expect(credentialUnits(null)).toBe(1);
    expect(credentialUnits({ secretHash: light, previousSecret: null })).toBe(1);
    expect(credentialUnits({ secretHash: light, previousSecret: { hash: heavy, expiresAt: null, open: false } })).toBe(5);
    expect(credentialUnits({ secretHash: heavy, previousSecret: { hash: light, expiresAt: null, open: true } })).toBe(5);
  });

  it('refuses a weight below one unit or not a whole number', async () => {
    const slots = new VerifySlots({ max: 4 });
    for (const units of [0, -1, 1.5, Number.NaN]) await expect(slots.acquire('credential:a', units)).rejects.toBeInstanceOf(RangeError);
    expect(slots.inFlight).toBe(0);
  });
});

describe('the budget in units', () => {
  it('lets light verifications of different keys run side by side up to the budget', async () => {
    const slots = new VerifySlots({ max: 3, waitMs: 10_000 });
    const held = await Promise.all(['a', 'b', 'c'].map((k) => slots.acquire(`credential:${k}`, 1)));
    expect(held.every((s) => s !== null && !s.waited)).toBe(true);
    expect(slots.inFlight).toBe(3);
    held.forEach((s) => s!.release());
    expect(slots.inFlight).toBe(0);
  });

  it('queues a light verification once the budget is full, and serves it when one ends', async () => {
    const slots = new VerifySlots({ max: 2, waitMs: 10_000 });
    const [a, b] = await Promise.all([slots.acquire('credential:a'), slots.acquire('credential:b')]);
    const order: string[] = [];
    const third = take(slots, 'credential:c', 1, order, 'c');
    await settle();
    expect(order).toEqual([]);
    expect(slots.queued).toBe(1);
    a!.release();
    const c = await third;
    expect(order).toEqual(['c']);
    expect(c).toMatchObject({ waited: true, waitedForKey: false, units: 1 });
    expect(slots.inFlight).toBe(2);
    b!.release();
    c!.release();
    expect(slots.inFlight).toBe(0);
  });

  it('lets a heavy verification take several units: a second heavy one waits while light ones pass', async () => {
    const slots = new VerifySlots({ max: 8, waitMs: 10_000 });
    const order: string[] = [];
    const heavy1 = await take(slots, 'credential:h1', 5, order, 'heavy1');
    const light1 = await take(slots, 'credential:l1', 1, order, 'light1');
    const light2 = await take(slots, 'credential:l2', 1, order, 'light2');
    expect(slots.inFlight).toBe(7);
    const heavy2 = take(slots, 'credential:h2', 5, order, 'heavy2');
    await settle();
    expect(order).toEqual(['heavy1', 'light1', 'light2']);
    expect(slots.queued).toBe(1);
    light1!.release(); // 6 of 8 in flight: still no room for five units
    await settle();
    expect(order).toEqual(['heavy1', 'light1', 'light2']);
    heavy1!.release();
    const second = await heavy2;
    expect(order).toEqual(['heavy1', 'light1', 'light2', 'heavy2']);
    expect(second).toMatchObject({ units: 5, waited: true });
    expect(slots.inFlight).toBe(6);
    light2!.release();
    second!.release();
    expect(slots.inFlight).toBe(0);
  });

  it('serves waiters in order: a light one that comes after a waiting heavy one waits too', async () => {
    const slots = new VerifySlots({ max: 6, waitMs: 10_000 });
    const order: string[] = [];
    const heavy1 = await take(slots, 'credential:h1', 5, order, 'heavy1');
    const heavy2 = take(slots, 'credential:h2', 5, order, 'heavy2');
    const light = take(slots, 'credential:l', 1, order, 'light');
    await settle();
    expect(order).toEqual(['heavy1']); // one unit is free, but the light one does not jump the queue
    expect(slots.queued).toBe(2);
    heavy1!.release();
    const [h2, l] = await Promise.all([heavy2, light]);
    expect(order).toEqual(['heavy1', 'heavy2', 'light']);
    h2!.release();
    l!.release();
    expect(slots.inFlight).toBe(0);
  });

  it('runs a verification heavier than the whole budget alone', async () => {
    const slots = new VerifySlots({ max: 3, waitMs: 10_000 });
    const order: string[] = [];
    const light = await take(slots, 'credential:l1', 1, order, 'light1');
    const heavy = take(slots, 'credential:h', 5, order, 'heavy');
    const after = take(slots, 'credential:l2', 1, order, 'light2');
    await settle();
    expect(order).toEqual(['light1']);
    light!.release();
    const h = await heavy;
    await settle();
    expect(order).toEqual(['light1', 'heavy']);
    expect(h!.units).toBe(3);
    expect(slots.inFlight).toBe(3);
    h!.release();
    (await after)!.release();
    expect(order).toEqual(['light1', 'heavy', 'light2']);
    expect(slots.inFlight).toBe(0);
  });

  it('answers null to a heavy waiter after the wait, and serves the light ones queued behind it', async () => {
    const slots = new VerifySlots({ max: 6, waitMs: 50 });
    const order: string[] = [];
    const heavy1 = await take(slots, 'credential:h1', 5, order, 'heavy1');
    const heavy2 = take(slots, 'credential:h2', 5, order, 'heavy2');
    const light = take(slots, 'credential:l', 1, order, 'light');
    expect(await heavy2).toBeNull();
    const l = await light;
    expect(order).toEqual(['heavy1', 'light']);
    expect(slots.inFlight).toBe(6);
    heavy1!.release();
    l!.release();
    expect(slots.inFlight).toBe(0);
    expect(slots.queued).toBe(0);
  });

  it('keeps one verification per key at a time whatever the budget, and says the second one queued for its key', async () => {
    const slots = new VerifySlots({ max: 100, waitMs: 10_000 });
    const order: string[] = [];
    const first = await take(slots, 'credential:k', 1, order, 'first');
    const second = take(slots, 'credential:k', 1, order, 'second');
    await settle();
    expect(order).toEqual(['first']);
    expect(slots.inFlight).toBe(1);
    first!.release();
    const s = await second;
    expect(s).toMatchObject({ waitedForKey: true, waited: true });
    s!.release();
    s!.release(); // a second release does nothing
    expect(slots.inFlight).toBe(0);
  });
});

describe('the budget at the endpoints (real database, real argon2)', () => {
  let db: TestDatabase;
  let f: BrandFixture;
  beforeAll(async () => ({ db, f } = await openSeededDatabase()));
  afterAll(() => db.close());

  async function credential(params: Partial<typeof TOP_OF_WINDOW> = {}, scopes?: string[]): Promise<TestCredential> {
    const secret = generateClientSecret();
    const hash = await hashClientSecret(secret, params);
    const clientId = generateClientId();
    const created = await db.rpc<{ credential_id: string }>(serviceCaller, 'create_api_credential_record',
      createArgs(f.brandId, { _client_id: clientId, _client_secret_hash: hash, ...(scopes ? { _scopes: scopes } : {}) }));
    return { credentialId: created.credential_id, clientId, secret, hash };
  }

  /** A verifier that records which hashes entered and holds each one until the test lets it go. */
  function heldVerifier() {
    const entered: string[] = [];
    const gates: (() => void)[] = [];
    const verifySecret = async (hash: string, secret: string) => {
      entered.push(hash);
      await new Promise<void>((resolve) => gates.push(resolve));
      return verifyClientSecret(hash, secret);
    };
    return { entered, verifySecret, releaseAll: () => gates.splice(0).forEach((go) => go()) };
  }

  const exchange = (c: TestCredential, address: string) =>
    tokenRequest({ grant_type: 'client_credentials' }, { Authorization: basic(c.clientId, c.secret), 'X-Forwarded-For': address });

  it('verifies two credentials at the top of the window one after the other, and three light ones side by side', async () => {
    const slots = new VerifySlots({ max: 5, waitMs: 30_000 });
    const held = heldVerifier();
    const { handler } = await buildHandlers(db, { verifySecret: held.verifySecret, limits: { slots } });
    const [h1, h2] = await Promise.all([credential(TOP_OF_WINDOW), credential(TOP_OF_WINDOW)]);
    const heavy = [handler(exchange(h1, '198.51.100.21')), handler(exchange(h2, '198.51.100.22'))];
    await until(() => held.entered.length === 1 && slots.queued === 1);
    expect(slots.inFlight).toBe(5);
    held.releaseAll();
    await until(() => held.entered.length === 2);
    held.releaseAll();
    expect((await Promise.all(heavy)).map((r) => r.status)).toEqual([200, 200]);

    const lights = await Promise.all([credential(), credential(), credential()]);
    const light = lights.map((c, i) => handler(exchange(c, `198.51.100.3${i}`)));
    await until(() => held.entered.length === 5);
    expect(slots.inFlight).toBe(3);
    expect(slots.queued).toBe(0);
    held.releaseAll();
    expect((await Promise.all(light)).map((r) => r.status)).toEqual([200, 200, 200]);
    expect(slots.inFlight).toBe(0);
  });

  it('answers 503 to a second heavy credential that gets no units within the wait, while a light one still runs', async () => {
    const slots = new VerifySlots({ max: 6, waitMs: 200 });
    const held = heldVerifier();
    const { handler } = await buildHandlers(db, { verifySecret: held.verifySecret, limits: { slots } });
    const [h1, h2, light] = await Promise.all([credential(TOP_OF_WINDOW), credential(TOP_OF_WINDOW), credential()]);
    const first = handler(exchange(h1, '198.51.100.41'));
    await until(() => held.entered.length === 1);
    try {
      const busy = await handler(exchange(h2, '198.51.100.42'));
      expect(busy.status).toBe(503);
      expect(busy.headers.get('retry-after')).toBe('1');
      expect(await busy.json()).toMatchObject({ error: 'temporarily_unavailable' });
      const lightAnswer = handler(exchange(light, '198.51.100.43'));
      await until(() => held.entered.length === 2);
      expect(slots.inFlight).toBe(6);
      held.releaseAll();
      expect((await lightAnswer).status).toBe(200);
    } finally {
      held.releaseAll();
    }
    expect((await first).status).toBe(200);
    expect(held.entered).not.toContain(h2.hash); // the refused one never ran argon2
  });

  it('makes an introspection caller wait for units the token endpoint holds when both share one budget', async () => {
    const slots = new VerifySlots({ max: 5, waitMs: 30_000 });
    const held = heldVerifier();
    const { handler: token } = await buildHandlers(db, { verifySecret: held.verifySecret, limits: { slots } });
    const { handler: introspect } = await buildIntrospect(db, { verifySecret: held.verifySecret, limits: { slots } });
    const [heavy, caller] = await Promise.all([credential(TOP_OF_WINDOW), credential({}, ['mintid:introspect'])]);
    const exchanged = token(exchange(heavy, '198.51.100.51'));
    await until(() => held.entered.length === 1);
    const introspected = introspect(introspectRequest({ token: 'not-a-token' }, { Authorization: basic(caller.clientId, caller.secret) }));
    await until(() => slots.queued === 1);
    expect(held.entered).toEqual([heavy.hash]);
    held.releaseAll();
    await until(() => held.entered.length === 2);
    held.releaseAll();
    expect((await exchanged).status).toBe(200);
    expect((await introspected).status).toBe(200);
    expect(held.entered).toEqual([heavy.hash, caller.hash]);
  });
});

describe('the local stack', () => {
  let t: TestApi;
  beforeAll(async () => { t = await startTestApi({ env: { MINTID_TOKEN_VERIFY_CONCURRENCY: '3' } }); }, 60_000);
  afterAll(() => t?.close());

  it('gives the token and introspection functions one budget per process: both wait while it is taken', async () => {
    expect(t.api.slots.max).toBe(3);
    const create = async (scopes: string[]) => {
      const secret = generateClientSecret();
      const clientId = generateClientId();
      await t.db.rpc(serviceCaller, 'create_api_credential_record',
        createArgs(t.brandId, { _client_id: clientId, _client_secret_hash: await hashClientSecret(secret), _scopes: scopes }));
      return { clientId, secret };
    };
    const [a, b] = await Promise.all([create(['products:read']), create(['mintid:introspect'])]);
    const all = await t.api.slots.acquire('test:holder', 3);
    expect(all).not.toBeNull();
    const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
    let exchanged: Promise<Response>;
    let introspected: Promise<Response>;
    try {
      exchanged = fetch(`${t.url}/functions/v1/token`, {
        method: 'POST', headers: { ...form, Authorization: basic(a.clientId, a.secret) }, body: 'grant_type=client_credentials',
      });
      introspected = fetch(`${t.url}/functions/v1/introspect`, {
        method: 'POST', headers: { ...form, Authorization: basic(b.clientId, b.secret) }, body: 'token=not-a-token',
      });
      await until(() => t.api.slots.queued === 2);
    } finally {
      all!.release();
    }
    expect((await exchanged).status).toBe(200);
    expect((await introspected).status).toBe(200);
    expect(t.api.slots.inFlight).toBe(0);
  });

  it('refuses a budget outside 1–1024 units at start-up', async () => {
    await expect(startTestApi({ env: { MINTID_TOKEN_VERIFY_CONCURRENCY: '0' } }).then((x) => x.close())).rejects.toThrow(/MINTID_TOKEN_VERIFY_CONCURRENCY/);
  });
});
