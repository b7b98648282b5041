// argon2id hashing in Node (@node-rs/argon2) and in the browser path (hash-wasm): same PHC format,
// each verifies the other's hashes, and the database accepts both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodeArgon2 from 'argon2';
import type { TestDatabase } from '../support/database.js';
import { createArgs, serviceCaller, type BrandFixture, openSeededDatabase } from '../support/fixtures.js';
import { generateClientSecret } from '../../src/secrets/generate.js';
import { hashClientSecret, verifyClientSecret } from '../../src/secrets/hash.js';
import { constantTimeEqual, hashClientSecretInBrowser, verifyClientSecretInBrowser } from '../../src/secrets/browser.js';
import { PhcError, argon2idPhcProblem } from '../../src/secrets/phc.js';

const DEFAULT_PREFIX = /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/;
const secret = generateClientSecret();
let nodeHash: string;
let wasmHash: string;

beforeAll(async () => {
  [nodeHash, wasmHash] = await Promise.all([hashClientSecret(secret), hashClientSecretInBrowser(secret)]);
});

describe('hashClientSecret (Node)', () => {
  it('produces an argon2id PHC string with the default parameters that passes the database rules', () => {
    expect(nodeHash).toMatch(DEFAULT_PREFIX);
    expect(argon2idPhcProblem(nodeHash)).toBeNull();
  });

  it('salts every hash', async () => {
    expect(await hashClientSecret(secret)).not.toBe(nodeHash);
  });

  it('honours parameters inside the window', async () => {
    const phc = await hashClientSecret(secret, { memoryCost: 38912, timeCost: 1, parallelism: 2, saltLength: 24, hashLength: 48 });
    expect(phc).toMatch(/^\$argon2id\$v=19\$m=38912,t=1,p=2\$[A-Za-z0-9+/]{32}\$[A-Za-z0-9+/]{64}$/);
    expect(await verifyClientSecret(phc, secret)).toBe(true);
  });

  it('refuses parameters outside the window', async () => {
    await expect(hashClientSecret(secret, { memoryCost: 4096 })).rejects.toThrow(RangeError);
    await expect(hashClientSecret(secret, { saltLength: 8 })).rejects.toThrow(RangeError);
  });

  it('refuses an empty secret', async () => {
    await expect(hashClientSecret('')).rejects.toThrow(TypeError);
  });
});

describe('verifyClientSecret (Node)', () => {
  it('accepts the right secret', async () => {
    expect(await verifyClientSecret(nodeHash, secret)).toBe(true);
  });

  it('refuses a secret with one character changed', async () => {
    const changed = secret.slice(0, -1) + (secret.endsWith('a') ? 'b' : 'a');
    expect(await verifyClientSecret(nodeHash, changed)).toBe(false);
  });

  it('refuses another secret, an empty secret, and the hash itself as the secret', async () => {
    expect(await verifyClientSecret(nodeHash, generateClientSecret())).toBe(false);
    expect(await verifyClientSecret(nodeHash, '')).toBe(false);
    expect(await verifyClientSecret(nodeHash, nodeHash)).toBe(false);
  });

  it('throws a PhcError with the reason, not the string, for a PHC string the database refuses', async () => {
    const error = await verifyClientSecret(secret, secret).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PhcError);
    expect((error as PhcError).code).toBe('hash_not_argon2id');
    expect(String(error)).not.toContain(secret);
  });

  it('refuses to verify against parameters outside the window (no unbounded cost)', async () => {
    const costly = nodeHash.replace('m=19456,t=2', 'm=1048576,t=2');
    await expect(verifyClientSecret(costly, secret)).rejects.toMatchObject({ code: 'hash_params_out_of_range' });
  });

  it('refuses hashes made by node-argon2 0.45, which orders the parameters m,p,t (the database refuses them too)', async () => {
    const other = await nodeArgon2.hash(secret, { type: nodeArgon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 });
    expect(other).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    await expect(verifyClientSecret(other, secret)).rejects.toMatchObject({ code: 'hash_malformed' });
  });
});

describe('the browser path (hash-wasm)', () => {
  it('produces the same PHC format as the Node path', () => {
    expect(wasmHash).toMatch(DEFAULT_PREFIX);
    expect(argon2idPhcProblem(wasmHash)).toBeNull();
  });

  it('the Node verifier accepts WASM hashes and refuses a wrong secret against them', async () => {
    expect(await verifyClientSecret(wasmHash, secret)).toBe(true);
    expect(await verifyClientSecret(wasmHash, generateClientSecret())).toBe(false);
  });

  it('the WASM verifier accepts Node hashes and refuses a wrong secret against them', async () => {
    expect(await verifyClientSecretInBrowser(nodeHash, secret)).toBe(true);
    expect(await verifyClientSecretInBrowser(nodeHash, generateClientSecret())).toBe(false);
  });

  it('the WASM verifier refuses an empty secret and throws PhcError for a refused PHC string', async () => {
    expect(await verifyClientSecretInBrowser(wasmHash, '')).toBe(false);
    await expect(verifyClientSecretInBrowser('$2b$12$abc', secret)).rejects.toBeInstanceOf(PhcError);
  });

  it('the WASM path honours a longer hash', async () => {
    const phc = await hashClientSecretInBrowser(secret, { hashLength: 64, saltLength: 64, memoryCost: 19456, timeCost: 2 });
    expect(argon2idPhcProblem(phc)).toBeNull();
    expect(await verifyClientSecret(phc, secret)).toBe(true);
  });

  it('constantTimeEqual compares content and length', () => {
    expect(constantTimeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 3))).toBe(true);
    expect(constantTimeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 4))).toBe(false);
    expect(constantTimeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 3, 0))).toBe(false);
  });
});

describe('the database accepts these hashes', () => {
  let db: TestDatabase;
  let f: BrandFixture;
  beforeAll(async () => ({ db, f } = await openSeededDatabase()));
  afterAll(() => db.close());

  it('create_api_credential_record succeeds with a hash from hashClientSecret', async () => {
    const result = await db.rpc(serviceCaller, 'create_api_credential_record', createArgs(f.brandId, { _client_secret_hash: nodeHash }));
    expect(result).toMatchObject({ ok: true });
  });

  it('create_api_credential_record succeeds with a hash from the browser path', async () => {
    const result = await db.rpc(serviceCaller, 'create_api_credential_record', createArgs(f.brandId, { _client_secret_hash: wasmHash }));
    expect(result).toMatchObject({ ok: true });
  });

  it('create_api_credential_record refuses node-argon2 0.45 output (parameters out of order)', async () => {
    const other = await nodeArgon2.hash(secret, { type: nodeArgon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 });
    const error = await db.rpc(serviceCaller, 'create_api_credential_record', createArgs(f.brandId, { _client_secret_hash: other }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: '22023', detail: 'hash_malformed' });
  });
});
