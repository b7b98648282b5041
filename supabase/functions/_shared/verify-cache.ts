// Skips argon2 for a client repeating an exchange within a short window. An entry is an HMAC
// (random per-process key) of the secret together with the stored hash string, keyed by
// credential id and that hash: it matches only while the stored hash is the very same string, so
// after a rotation the old secret can never be answered from the current hash's entry. During a
// rotation grace a credential has two entries (current and previous secret); the previous one's
// entry lives no longer than the grace (`notAfter`). The status is not cached: the handlers look
// it up on every request. Bounded: least recently used entries go first.
import { constantTimeEqual, systemClock, type Clock } from './ports.ts';

export interface VerifyCacheOptions {
  /** How long a successful argon2 verification is reused. Default 5 minutes. */
  ttlMs?: number;
  /** At most this many credentials are remembered. Default 10 000. */
  maxEntries?: number;
  clock?: Clock;
}

interface Entry {
  digest: Uint8Array;
  expiresAt: number;
}

export class VerifyCache {
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #clock: Clock;
  readonly #entries = new Map<string, Entry>();
  readonly #key: Promise<CryptoKey>;

  constructor(options: VerifyCacheOptions = {}) {
    this.#ttlMs = options.ttlMs ?? 5 * 60_000;
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#clock = options.clock ?? systemClock;
    if (!(this.#ttlMs > 0) || !(this.#maxEntries >= 1)) throw new RangeError('VerifyCache needs a positive ttlMs and maxEntries');
    this.#key = crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']) as Promise<CryptoKey>;
  }

  /** True when this secret was verified against exactly this stored hash within the window. */
  async matches(credentialId: string, storedHash: string, secret: string): Promise<boolean> {
    const key = entryKey(credentialId, storedHash);
    const entry = this.#entries.get(key);
    if (!entry) return false;
    if (entry.expiresAt <= this.#clock.now()) {
      this.#entries.delete(key);
      return false;
    }
    const hit = constantTimeEqual(await this.#digest(storedHash, secret), entry.digest);
    if (hit) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    return hit;
  }

  /**
   * Whether there is a live entry for this credential and stored hash (whatever secret it is for):
   * a request for it will probably be answered without argon2. Computes no HMAC.
   */
  has(credentialId: string, storedHash: string): boolean {
    const entry = this.#entries.get(entryKey(credentialId, storedHash));
    return entry !== undefined && entry.expiresAt > this.#clock.now();
  }

  /**
   * Records a successful argon2 verification against this stored hash, for the cache window or
   * until `notAfter` (ms since the epoch; a rotation grace's end), whichever comes first.
   */
  async remember(credentialId: string, storedHash: string, secret: string, notAfter = Infinity): Promise<void> {
    const expiresAt = Math.min(this.#clock.now() + this.#ttlMs, notAfter);
    if (!(expiresAt > this.#clock.now())) return;
    const digest = await this.#digest(storedHash, secret);
    const key = entryKey(credentialId, storedHash);
    this.#entries.delete(key);
    this.#entries.set(key, { digest, expiresAt });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }

  /** Drops every entry of the credential. */
  forget(credentialId: string): void {
    for (const key of [...this.#entries.keys()]) if (key.startsWith(`${credentialId}\n`)) this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }

  async #digest(storedHash: string, secret: string): Promise<Uint8Array> {
    const data = new TextEncoder().encode(JSON.stringify([secret, storedHash]));
    return new Uint8Array(await crypto.subtle.sign('HMAC', await this.#key, data));
  }
}

/** One entry per credential and stored hash string (both are in memory for the lookup anyway). */
function entryKey(credentialId: string, storedHash: string): string {
  return `${credentialId}\n${storedHash}`;
}
