// Browser-safe argon2id for client secrets with hash-wasm (WASM): a dashboard can hash a new
// secret before it ever leaves the browser. Produces and accepts exactly the PHC strings the Node
// path (hash.ts) and the database use. No Node APIs: crypto.getRandomValues and WASM only.
import { argon2id } from 'hash-wasm';
import { ARGON2_PARAMS, assertArgon2Params, formatArgon2idPhc, parseArgon2idPhcOrThrow, type Argon2Params } from './phc.js';

/** Hashes a client secret into an argon2id PHC string the database accepts (WASM). */
export async function hashClientSecretInBrowser(secret: string, params: Partial<Argon2Params> = {}): Promise<string> {
  if (typeof secret !== 'string' || secret.length === 0) throw new TypeError('the client secret must be a non-empty string');
  const p: Argon2Params = { ...ARGON2_PARAMS, ...params };
  assertArgon2Params(p);
  const salt = crypto.getRandomValues(new Uint8Array(p.saltLength));
  const hash = await argon2id({
    password: secret, salt, iterations: p.timeCost, parallelism: p.parallelism, memorySize: p.memoryCost,
    hashLength: p.hashLength, outputType: 'binary',
  });
  return formatArgon2idPhc({ memoryCost: p.memoryCost, timeCost: p.timeCost, parallelism: p.parallelism, salt, hash });
}

/**
 * True when the secret matches the PHC string (WASM). Recomputes the tag and compares it in
 * constant time (hash-wasm's own argon2Verify compares strings). Throws a PhcError only for a PHC
 * string the database would refuse.
 */
export async function verifyClientSecretInBrowser(phc: string, secret: string): Promise<boolean> {
  const parsed = parseArgon2idPhcOrThrow(phc);
  if (typeof secret !== 'string' || secret.length === 0) return false;
  const computed = await argon2id({
    password: secret, salt: parsed.salt, iterations: parsed.timeCost, parallelism: parsed.parallelism,
    memorySize: parsed.memoryCost, hashLength: parsed.hash.length, outputType: 'binary',
  });
  return constantTimeEqual(computed, parsed.hash);
}

/** Compares two byte strings without an early exit. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}
