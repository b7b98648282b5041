// Environment parsing, signing keys and the JWKS handler; the verify cache and usage recorder in isolation.
import { describe, expect, it } from 'vitest';
import { EnvError, parseJwksEnv, parseTokenEnv } from '../../supabase/functions/_shared/env.ts';
import { importSigningKeys } from '../../supabase/functions/_shared/keys.ts';
import { createJwksFunction, createTokenFunction } from '../../supabase/functions/_shared/functions.ts';
import { createUsageRecorder } from '../../supabase/functions/_shared/usage-recorder.ts';
import { VerifyCache } from '../../supabase/functions/_shared/verify-cache.ts';
import { verifySecretWasm } from '../../supabase/functions/_shared/argon2-wasm.ts';
import { readClientAuthentication } from '../../supabase/functions/_shared/client-auth.ts';
import { generateSigningKey } from '../../src/secrets/signing-key.js';
import { hashClientSecret, verifyClientSecret } from '../../src/secrets/hash.js';
import { hashClientSecretInBrowser } from '../../src/secrets/browser.js';
import { manualClock, testKeys } from './helpers.js';

const base = async () => {
  const { jwks } = await testKeys();
  return {
    SUPABASE_URL: 'http://127.0.0.1:54321/',
    SUPABASE_SERVICE_ROLE_KEY: 'service-role-key-value',
    MINTID_SIGNING_KEYS: JSON.stringify(jwks),
  } as Record<string, string | undefined>;
};

/** The EnvError thrown, after checking that its text quotes no key material. */
async function envError(env: Record<string, string | undefined>): Promise<EnvError> {
  let caught: unknown;
  try {
    parseTokenEnv(env);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(EnvError);
  const { jwks } = await testKeys();
  const text = `${(caught as Error).message} ${JSON.stringify(caught)}`;
  for (const jwk of jwks) for (const part of [jwk.d, jwk.x, jwk.y]) expect(text).not.toContain(part);
  expect(text).not.toContain('service-role-key-value');
  return caught as EnvError;
}

describe('parseTokenEnv', () => {
  it('applies the defaults: issuer from SUPABASE_URL, audience mintid, 600 s, flush every 10 s', async () => {
    const env = parseTokenEnv(await base());
    expect(env).toMatchObject({
      supabaseUrl: 'http://127.0.0.1:54321', issuer: 'http://127.0.0.1:54321/functions/v1/token', audience: 'mintid',
      ttlSeconds: 600, usageFlushSeconds: 10,
    });
    expect(env.signingKeys).toHaveLength(2);
  });

  it('honours explicit issuer, audience, lifetime at both bounds, and treats empty variables as unset', async () => {
    const env = { ...(await base()), MINTID_TOKEN_ISSUER: 'https://id.example/token', MINTID_TOKEN_AUDIENCE: 'api', MINTID_TOKEN_TTL_SECONDS: '60' };
    expect(parseTokenEnv(env)).toMatchObject({ issuer: 'https://id.example/token', audience: 'api', ttlSeconds: 60 });
    expect(parseTokenEnv({ ...env, MINTID_TOKEN_TTL_SECONDS: '3600' }).ttlSeconds).toBe(3600);
    expect(parseTokenEnv({ ...(await base()), MINTID_TOKEN_TTL_SECONDS: '', MINTID_TOKEN_AUDIENCE: '' })).toMatchObject({ ttlSeconds: 600, audience: 'mintid' });
  });

  it.each(['59', '3601', '0', '-600', '600.5', '10m', ' 600', '1e3'])('refuses MINTID_TOKEN_TTL_SECONDS=%s', async (ttl) => {
    const error = await envError({ ...(await base()), MINTID_TOKEN_TTL_SECONDS: ttl });
    expect(error.problems).toEqual(['MINTID_TOKEN_TTL_SECONDS: the token lifetime must be a whole number from 60 to 3600']);
  });

  it.each(['0', '60', 'soon'])('refuses MINTID_USAGE_FLUSH_SECONDS=%s', async (value) => {
    const error = await envError({ ...(await base()), MINTID_USAGE_FLUSH_SECONDS: value });
    expect(error.problems[0]).toMatch(/^MINTID_USAGE_FLUSH_SECONDS: /);
  });

  it('names every missing variable at once', async () => {
    const error = await envError({});
    expect(error.problems.map((p) => p.split(':')[0])).toEqual(['SUPABASE_URL', 'SUPABASE_SERVICE_ROLE_KEY', 'MINTID_SIGNING_KEYS']);
  });

  it('refuses a SUPABASE_URL that is not http(s)', async () => {
    const error = await envError({ ...(await base()), SUPABASE_URL: 'localhost:54321' });
    expect(error.problems).toEqual(['SUPABASE_URL: must be an http(s) URL']);
  });

  it('refuses MINTID_SIGNING_KEYS that is not JSON, without quoting it', async () => {
    const { jwks } = await testKeys();
    const error = await envError({ ...(await base()), MINTID_SIGNING_KEYS: `{"d":"${jwks[0]!.d}"` });
    expect(error.problems).toEqual(['MINTID_SIGNING_KEYS: must be a JSON array of private JWKs']);
  });

  it('refuses an empty key list and a single object instead of an array', async () => {
    const { jwks } = await testKeys();
    expect((await envError({ ...(await base()), MINTID_SIGNING_KEYS: '[]' })).problems).toEqual(['MINTID_SIGNING_KEYS: must hold at least one key']);
    expect((await envError({ ...(await base()), MINTID_SIGNING_KEYS: JSON.stringify(jwks[0]) })).problems)
      .toEqual(['MINTID_SIGNING_KEYS: must be a JSON array of private JWKs']);
  });

  it('refuses a key without kid, naming its position and not its value', async () => {
    const { jwks } = await testKeys();
    const { kid: _kid, ...withoutKid } = jwks[1]!;
    const error = await envError({ ...(await base()), MINTID_SIGNING_KEYS: JSON.stringify([jwks[0], withoutKid]) });
    expect(error.problems).toEqual(['MINTID_SIGNING_KEYS[1].kid: kid is required']);
  });

  it('refuses a public key (no d), an RSA key and two keys with one kid', async () => {
    const { jwks } = await testKeys();
    const { d: _d, ...publicOnly } = jwks[0]!;
    expect((await envError({ ...(await base()), MINTID_SIGNING_KEYS: JSON.stringify([publicOnly]) })).problems)
      .toEqual(['MINTID_SIGNING_KEYS[0].d: d is required (a private key)']);
    expect((await envError({ ...(await base()), MINTID_SIGNING_KEYS: JSON.stringify([{ ...jwks[0], kty: 'RSA' }]) })).problems)
      .toEqual(['MINTID_SIGNING_KEYS[0].kty: kty must be "EC"']);
    expect((await envError({ ...(await base()), MINTID_SIGNING_KEYS: JSON.stringify([jwks[0], { ...jwks[1], kid: jwks[0]!.kid }]) })).problems)
      .toEqual(['MINTID_SIGNING_KEYS: every key needs its own kid']);
  });

  it('parseJwksEnv needs only MINTID_SIGNING_KEYS', async () => {
    const { MINTID_SIGNING_KEYS } = await base();
    expect(parseJwksEnv({ MINTID_SIGNING_KEYS }).signingKeys).toHaveLength(2);
    expect(() => parseJwksEnv({})).toThrow(EnvError);
  });
});

describe('signing keys', () => {
  it('generateSigningKey gives a private P-256 JWK with a thumbprint kid', async () => {
    const jwk = await generateSigningKey();
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(jwk.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(jwk.d).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses a key whose point is not on the curve, naming the kid and not the key', async () => {
    const jwk = await generateSigningKey();
    const broken = { ...jwk, x: jwk.y };
    const error = await importSigningKeys([broken]).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(jwk.kid);
    for (const part of [jwk.d, jwk.x, jwk.y]) expect((error as Error).message).not.toContain(part);
  });
});

describe('the JWKS handler', () => {
  it('serves the public half of every configured key, signer first, cacheable', async () => {
    const { jwks } = await testKeys();
    const { handler } = await createJwksFunction({ env: { MINTID_SIGNING_KEYS: JSON.stringify(jwks) } });
    const res = await handler(new Request('http://127.0.0.1/functions/v1/jwks'));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/);
    const body = (await res.json()) as { keys: Record<string, string>[] };
    expect(body.keys.map((k) => k.kid)).toEqual(jwks.map((k) => k.kid));
    for (const key of body.keys) {
      expect(Object.keys(key).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
      expect(key).toMatchObject({ alg: 'ES256', use: 'sig', kty: 'EC', crv: 'P-256' });
    }
    expect(JSON.stringify(body)).not.toContain(jwks[0]!.d);
  });

  it.each(['POST', 'PUT', 'DELETE'])('answers %s with 405', async (method) => {
    const { jwks } = await testKeys();
    const { handler } = await createJwksFunction({ env: { MINTID_SIGNING_KEYS: JSON.stringify(jwks) } });
    const res = await handler(new Request('http://127.0.0.1/functions/v1/jwks', { method }));
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
  });
});

describe('createTokenFunction', () => {
  it('refuses a bad environment before serving anything', async () => {
    await expect(createTokenFunction({ env: { ...(await base()), MINTID_TOKEN_TTL_SECONDS: '59' }, verifySecret: verifyClientSecret }))
      .rejects.toBeInstanceOf(EnvError);
  });

  it('exposes its configuration without the keys or the service role key', async () => {
    const fn = await createTokenFunction({ env: await base(), verifySecret: verifyClientSecret, store: { lookup: async () => null, recordUses: async () => {} } });
    expect(JSON.stringify(fn.config)).not.toContain('service-role-key-value');
    expect(fn.config).not.toHaveProperty('signingKeys');
    await fn.close();
  });
});

describe('readClientAuthentication', () => {
  const form = (params: Record<string, string>) => new URLSearchParams(params);

  it('decodes + as a space and %XX escapes in Basic credentials', () => {
    const header = `Basic ${Buffer.from('my+client%2Eid:s%2Bcr+t%3A').toString('base64')}`;
    expect(readClientAuthentication(header, form({}))).toEqual({ ok: true, method: 'basic', clientId: 'my client.id', secret: 's+cr t:' });
  });

  it('splits Basic credentials at the first colon (a client id cannot contain one unencoded)', () => {
    const header = `Basic ${Buffer.from('id:se:cret').toString('base64')}`;
    expect(readClientAuthentication(header, form({}))).toMatchObject({ ok: true, clientId: 'id', secret: 'se:cret' });
  });

  it('refuses a client_secret without a client_id in the body', () => {
    expect(readClientAuthentication(null, form({ client_secret: 'x' }))).toEqual({ ok: false, error: 'invalid_client', basicUsed: false });
  });

  it('refuses a bare "Basic" with no credentials', () => {
    expect(readClientAuthentication('Basic', form({}))).toEqual({ ok: false, error: 'invalid_client', basicUsed: true });
  });
});

describe('VerifyCache', () => {
  it('matches only the same credential, stored hash and secret', async () => {
    const cache = new VerifyCache();
    await cache.remember('c1', 'hash-a', 'secret');
    expect(await cache.matches('c1', 'hash-a', 'secret')).toBe(true);
    expect(await cache.matches('c1', 'hash-b', 'secret')).toBe(false);
    expect(await cache.matches('c1', 'hash-a', 'secret2')).toBe(false);
    expect(await cache.matches('c2', 'hash-a', 'secret')).toBe(false);
  });

  it('cannot be fooled by moving characters between secret and hash', async () => {
    const cache = new VerifyCache();
    await cache.remember('c1', 'bc', 'a');
    expect(await cache.matches('c1', 'c', 'ab')).toBe(false);
  });

  it('expires entries after the window', async () => {
    const clock = manualClock(0);
    const cache = new VerifyCache({ clock, ttlMs: 1000 });
    await cache.remember('c1', 'h', 's');
    clock.advance(1000);
    expect(await cache.matches('c1', 'h', 's')).toBe(false);
    expect(cache.size).toBe(0);
  });

  it('evicts the least recently used credential beyond its bound', async () => {
    const cache = new VerifyCache({ maxEntries: 2 });
    await cache.remember('a', 'h', 's');
    await cache.remember('b', 'h', 's');
    expect(await cache.matches('a', 'h', 's')).toBe(true); // a is now the most recent
    await cache.remember('c', 'h', 's');
    expect(cache.size).toBe(2);
    expect(await cache.matches('b', 'h', 's')).toBe(false);
    expect(await cache.matches('a', 'h', 's')).toBe(true);
    expect(await cache.matches('c', 'h', 's')).toBe(true);
  });

  it('keeps no secret in readable form', async () => {
    const cache = new VerifyCache();
    await cache.remember('c1', 'stored-hash', 'the-secret');
    expect(JSON.stringify(cache)).not.toContain('the-secret');
  });
});

describe('createUsageRecorder', () => {
  it.each([0, 60_000, 120_000])('refuses a flush interval of %i ms', (intervalMs) => {
    expect(() => createUsageRecorder({ store: { recordUses: async () => {} }, intervalMs })).toThrow(RangeError);
  });

  it('writes in batches of at most 1000 ids', async () => {
    const calls: number[] = [];
    const usage = createUsageRecorder({ store: { recordUses: async (ids) => { calls.push(ids.length); } }, intervalMs: 59_000 });
    for (let i = 0; i < 2500; i += 1) usage.record(`id-${i}`);
    await usage.close();
    expect(calls).toEqual([1000, 1000, 500]);
  });

  it('ignores records after close', async () => {
    const calls: string[][] = [];
    const usage = createUsageRecorder({ store: { recordUses: async (ids) => { calls.push(ids); } }, intervalMs: 59_000 });
    await usage.close();
    usage.record('late');
    await usage.flush();
    expect(calls).toEqual([]);
  });
});

describe('the WASM verifier of the Deno function', () => {
  it('accepts Node and WASM hashes of the right secret and refuses a wrong one', async () => {
    const secret = 'mintid_wasm-check';
    const [nodeHash, wasmHash] = await Promise.all([hashClientSecret(secret), hashClientSecretInBrowser(secret)]);
    expect(await verifySecretWasm(nodeHash, secret)).toBe(true);
    expect(await verifySecretWasm(wasmHash, secret)).toBe(true);
    expect(await verifySecretWasm(nodeHash, `${secret}x`)).toBe(false);
    expect(await verifySecretWasm(nodeHash, '')).toBe(false);
  });

  it('refuses a hash outside the window without quoting it', async () => {
    const phc = (await hashClientSecret('s')).replace('m=19456', 'm=2097152');
    const error = await verifySecretWasm(phc, 's').catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).not.toContain(phc);
    await expect(verifySecretWasm('plaintext', 's')).rejects.toThrow();
  });
});
