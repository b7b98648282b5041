// Node-side argon2id hashing and verification of client secrets with @node-rs/argon2, the faster
// native binding here (see bench/argon2.ts and the README's figures). Every PHC string produced or
// verified is held to the database's rules first (phc.ts), which also bounds verification cost.
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { ARGON2_PARAMS, assertArgon2Params, parseArgon2idPhcOrThrow, type Argon2Params } from './phc.js';

/** @node-rs/argon2's Algorithm.Argon2id (a const enum, which isolatedModules cannot inline). */
const ARGON2ID = 2;
/** @node-rs/argon2's Version.V0x13, i.e. v=19. */
const VERSION_19 = 1;

/**
 * Hashes a client secret into an argon2id PHC string the database accepts
 * (`$argon2id$v=19$m=19456,t=2,p=1$<16-byte salt>$<32-byte hash>` by default).
 * Throws a RangeError for parameters outside the accepted window and a TypeError for an empty secret.
 */
export async function hashClientSecret(secret: string, params: Partial<Argon2Params> = {}): Promise<string> {
  if (typeof secret !== 'string' || secret.length === 0) throw new TypeError('the client secret must be a non-empty string');
  const p: Argon2Params = { ...ARGON2_PARAMS, ...params };
  assertArgon2Params(p);
  const phc = await argon2Hash(secret, {
    algorithm: ARGON2ID,
    version: VERSION_19,
    memoryCost: p.memoryCost,
    timeCost: p.timeCost,
    parallelism: p.parallelism,
    outputLen: p.hashLength,
    salt: crypto.getRandomValues(new Uint8Array(p.saltLength)),
  });
  parseArgon2idPhcOrThrow(phc);
  return phc;
}

/**
 * True when the secret matches the PHC string (constant-time comparison inside the binding).
 * A wrong or empty secret resolves to false; only a PHC string the database would refuse throws
 * (a PhcError carrying the reason code, never the string).
 */
export async function verifyClientSecret(phc: string, secret: string): Promise<boolean> {
  parseArgon2idPhcOrThrow(phc);
  if (typeof secret !== 'string' || secret.length === 0) return false;
  return argon2Verify(phc, secret);
}
