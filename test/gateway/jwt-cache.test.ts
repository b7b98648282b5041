// PostgREST's JWT cache (src/gateway/jwt-cache.ts) and how the verifier uses it: a cached token
// still meets every time check, only the exact verified bytes hit, and the cache stays bounded.
import { describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { ApiError } from '../../src/gateway/errors.js';
import { JwtCache } from '../../src/gateway/jwt-cache.js';
import { createJwtVerifier } from '../../src/gateway/jwt.js';

const SECRET = 'jwt-cache-test-secret-0123456789abcdef';
const sign = (claims: Record<string, unknown>, secret = SECRET) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));

async function verifier(clock: { now: number }) {
  return createJwtVerifier({ secret: SECRET, anonRole: 'anon', now: () => clock.now });
}

async function refusal(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe('the verifier with its cache', () => {
  it('answers a repeated token with the same identity', async () => {
    const clock = { now: 1_800_000_000 };
    const verify = await verifier(clock);
    const token = await sign({ role: 'authenticated', sub: 'u1', exp: clock.now + 600 });
    const first = await verify(token);
    const second = await verify(token);
    expect(second).toBe(first);
    expect(JSON.parse(second.claimsJson)).toEqual({ role: 'authenticated', sub: 'u1', exp: clock.now + 600 });
  });

  it('refuses a cached token once it has expired (exp checked on every request, 30 s leeway)', async () => {
    const clock = { now: 1_800_000_000 };
    const verify = await verifier(clock);
    const token = await sign({ role: 'authenticated', exp: clock.now + 60 });
    await verify(token);
    clock.now += 60 + 30;
    expect((await verify(token)).role).toBe('authenticated');
    clock.now += 1;
    const error = await refusal(verify(token));
    expect(error.status).toBe(401);
    expect(error.body).toMatchObject({ code: 'PGRST303', message: 'JWT expired' });
  });

  it('refuses a token whose signature differs from a cached one with the same claims', async () => {
    const clock = { now: 1_800_000_000 };
    const verify = await verifier(clock);
    const claims = { role: 'authenticated', exp: clock.now + 600 };
    await verify(await sign(claims));
    const forged = await sign(claims, 'another-secret-that-is-long-enough-000');
    const error = await refusal(verify(forged));
    expect(error.body.code).toBe('PGRST301');
  });

  it('refuses a tampered payload behind a cached token\'s signature', async () => {
    const clock = { now: 1_800_000_000 };
    const verify = await verifier(clock);
    const token = await sign({ role: 'authenticated', exp: clock.now + 600 });
    await verify(token);
    const [header, , signature] = token.split('.');
    const payload = Buffer.from(JSON.stringify({ role: 'service_role', exp: clock.now + 600 })).toString('base64url');
    const error = await refusal(verify(`${header}.${payload}.${signature}`));
    expect(error.body.code).toBe('PGRST301');
  });

  it('does not cache failures: a token refused as not yet valid is accepted once it is', async () => {
    const clock = { now: 1_800_000_000 };
    const verify = await verifier(clock);
    const token = await sign({ role: 'authenticated', nbf: clock.now + 100, exp: clock.now + 600 });
    expect((await refusal(verify(token))).body.message).toBe('JWT not yet valid');
    clock.now += 100;
    expect((await verify(token)).role).toBe('authenticated');
  });
});

describe('JwtCache', () => {
  it('keeps at most maxEntries, dropping the least recently used', () => {
    const cache = new JwtCache<number>({ maxEntries: 2 });
    cache.set('a', 1, undefined, 0, 30);
    cache.set('b', 2, undefined, 0, 30);
    expect(cache.get('a', 0)).toBe(1); // a is now the most recent
    cache.set('c', 3, undefined, 0, 30);
    expect(cache.size).toBe(2);
    expect(cache.get('b', 0)).toBeUndefined();
    expect(cache.get('a', 0)).toBe(1);
    expect(cache.get('c', 0)).toBe(3);
  });

  it('drops an entry after exp plus the leeway, and a token without exp after the lifetime cap', () => {
    const cache = new JwtCache<string>({ maxLifetimeSeconds: 100 });
    cache.set('with-exp', 'x', 50, 0, 30);
    cache.set('without-exp', 'y', undefined, 0, 30);
    expect(cache.get('with-exp', 80)).toBe('x');
    expect(cache.get('with-exp', 81)).toBeUndefined();
    expect(cache.get('without-exp', 100)).toBe('y');
    expect(cache.get('without-exp', 101)).toBeUndefined();
  });

  it('never stores an already expired token, an oversized one, or accepts a non-positive size', () => {
    const cache = new JwtCache<string>({ maxTokenLength: 10 });
    cache.set('old', 'x', 10, 100, 30);
    cache.set('x'.repeat(11), 'y', undefined, 0, 30);
    expect(cache.size).toBe(0);
    expect(() => new JwtCache({ maxEntries: 0 })).toThrow(RangeError);
  });
});
