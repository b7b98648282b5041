// The small interfaces the token function is built from, so Deno, Node and tests can each plug
// in their own: a clock, a log line sink and a secret verifier.

/** Milliseconds since the epoch; tests freeze it. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Receives one log line. Callers never put a secret, a hash or a key in it. */
export type Logger = (line: string) => void;

export const consoleLogger: Logger = (line) => console.error(line);

/**
 * Verifies a client secret against its stored argon2id PHC string. Resolves false for a wrong
 * secret; rejects only when the PHC string itself is unusable.
 */
export type VerifySecret = (phc: string, secret: string) => Promise<boolean>;

/** Compares two byte strings without an early exit. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}
