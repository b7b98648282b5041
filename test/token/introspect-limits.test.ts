// SPEC §14's limits before argon2 hold at the introspection endpoint too: a caller authenticating
// with a client secret spends argon2 exactly as at the token endpoint, so without the same limits
// /functions/v1/introspect would be an unlimited argon2 lever (and a way around the token
// endpoint's failure count). The failure count per client_id is the same one, shared in the database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../support/database.js';
import { openSeededDatabase, type BrandFixture } from '../support/fixtures.js';
import { verifyClientSecret } from '../../src/secrets/hash.js';
import { VerifySlots } from '../../supabase/functions/_shared/verify-slots.ts';
import { sqlFailureStore } from '../abuse/helpers.js';
import { basic, buildHandlers, buildIntrospect, createCredential, introspectRequest, tokenRequest } from './helpers.js';

let db: TestDatabase;
let f: BrandFixture;
beforeAll(async () => ({ db, f } = await openSeededDatabase()));
afterAll(() => db.close());

const WRONG = 'mintid_wrong-secret-of-the-right-shape';
const asBasic = (clientId: string, secret: string) =>
  introspectRequest({ token: 'not-a-token' }, { Authorization: basic(clientId, secret), 'X-Forwarded-For': '198.51.100.7' });

/** The introspection handler with the shared failure counters (limit 10), counting argon2 runs per hash. */
async function limited(extra: { slots?: VerifySlots; verifySecret?: typeof verifyClientSecret } = {}) {
  const runs: string[] = [];
  const verify = extra.verifySecret ?? verifyClientSecret;
  const { handler } = await buildIntrospect(db, {
    verifySecret: async (hash, secret) => {
      runs.push(hash);
      return verify(hash, secret);
    },
    limits: { failures: sqlFailureStore(db), failuresPerMinute: 10, ...(extra.slots ? { slots: extra.slots } : {}) },
  });
  return { handler, runs };
}

describe('introspection callers under the limits before argon2', () => {
  it('answers 429 with Retry-After after 10 failed authentications of a client_id, without running argon2', async () => {
    const { handler, runs } = await limited();
    const c = await createCredential(db, f.brandId, { _scopes: ['mintid:introspect'] });
    for (let i = 0; i < 10; i += 1) expect((await handler(asBasic(c.clientId, WRONG))).status).toBe(401);
    const before = runs.filter((h) => h === c.hash).length;
    const blocked = await handler(asBasic(c.clientId, WRONG));
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(runs.filter((h) => h === c.hash).length).toBe(before);
  });

  it('shares the count with the token endpoint: failures there block the client here', async () => {
    const { handler: token } = await buildHandlers(db, { limits: { failures: sqlFailureStore(db), failuresPerMinute: 10 } });
    const { handler } = await limited();
    const c = await createCredential(db, f.brandId, { _scopes: ['mintid:introspect'] });
    for (let i = 0; i < 10; i += 1) {
      expect((await token(tokenRequest({ grant_type: 'client_credentials' }, { Authorization: basic(c.clientId, WRONG) }))).status).toBe(401);
    }
    expect((await handler(asBasic(c.clientId, c.secret))).status).toBe(429);
  });

  it('answers 503 with Retry-After when no verification slot frees within the wait', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const holding = new Promise<void>((resolve) => (entered = resolve));
    const slow = async (hash: string, secret: string) => {
      entered(); // the first caller holds the only slot from here on
      await gate;
      return verifyClientSecret(hash, secret);
    };
    const { handler } = await limited({ slots: new VerifySlots({ max: 1, waitMs: 200 }), verifySecret: slow });
    const [a, b] = await Promise.all([
      createCredential(db, f.brandId, { _scopes: ['mintid:introspect'] }),
      createCredential(db, f.brandId, { _scopes: ['mintid:introspect'] }),
    ]);
    const first = handler(asBasic(a.clientId, a.secret));
    await holding; // else the second could take the slot first and wait on the gate itself
    try {
      const second = await handler(asBasic(b.clientId, b.secret));
      expect(second.status).toBe(503);
      expect(second.headers.get('retry-after')).not.toBeNull();
    } finally {
      release();
    }
    expect((await first).status).toBe(200);
  });

  it('still answers a correct caller within the limit', async () => {
    const { handler } = await limited();
    const c = await createCredential(db, f.brandId, { _scopes: ['mintid:introspect'] });
    const res = await handler(asBasic(c.clientId, c.secret));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ active: false });
  });
});
