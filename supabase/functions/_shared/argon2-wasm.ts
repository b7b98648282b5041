// The Deno-side secret verifier: argon2id in WASM (hash-wasm), with a constant-time comparison
// (hash-wasm's own argon2Verify compares strings). The database only ever stores PHC strings
// inside the accepted window; this re-checks the window so a verification's cost stays bounded.
import { argon2id } from 'hash-wasm';
import { constantTimeEqual } from './ports.ts';

const PHC = /^\$argon2id\$v=19\$m=([1-9][0-9]{0,8}),t=([1-9][0-9]{0,8}),p=([1-9][0-9]{0,8})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/** Verifies a secret against an argon2id PHC string; rejects (without quoting it) an unusable one. */
export async function verifySecretWasm(phc: string, secret: string): Promise<boolean> {
  const match = PHC.exec(phc);
  const m = Number(match?.[1]);
  const t = Number(match?.[2]);
  const p = Number(match?.[3]);
  const salt = match ? decode(match[4]!) : null;
  const hash = match ? decode(match[5]!) : null;
  if (!(m >= 19456 && m <= 65536 && t >= 1 && t <= 4 && m * t >= 38912 && m * t <= 196608 && p >= 1 && p <= 4) ||
    !salt || salt.length < 16 || salt.length > 64 || !hash || hash.length < 32 || hash.length > 64) {
    throw new Error('the stored secret hash is not an acceptable argon2id PHC string');
  }
  if (secret.length === 0) return false;
  const computed = await argon2id({
    password: secret, salt, iterations: t, parallelism: p, memorySize: m, hashLength: hash.length, outputType: 'binary',
  });
  return constantTimeEqual(computed, hash);
}

function decode(b64: string): Uint8Array | null {
  if (b64.length % 4 === 1) return null;
  try {
    return Uint8Array.from(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}
