// Skips argon2 for a client repeating an exchange within a short window. An entry is an HMAC
// (random per-process key) of the secret together with the stored hash string, keyed by
// credential id: it matches only while the stored hash is the very same string, so after a
// rotation the old secret can never be answered from the cache. The status is not cached: the
// token handler looks it up on every request. Bounded: least recently used entries go first.
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
    const entry = this.#entries.get(credentialId);
    if (!entry) return false;
    if (entry.expiresAt <= this.#clock.now()) {
      this.#entries.delete(credentialId);
      return false;
    }
    const hit = constantTimeEqual(await this.#digest(storedHash, secret), entry.digest);
    if (hit) {
      this.#entries.delete(credentialId);
      this.#entries.set(credentialId, entry);
    }
    return hit;
  }

  /** Records a successful argon2 verification. */
  async remember(credentialId: string, storedHash: string, secret: string): Promise<void> {
    const digest = await this.#digest(storedHash, secret);
    this.#entries.delete(credentialId);
    this.#entries.set(credentialId, { digest, expiresAt: this.#clock.now() + this.#ttlMs });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }

  forget(credentialId: string): void {
    this.#entries.delete(credentialId);
  }

  get size(): number {
    return this.#entries.size;
  }

  async #digest(storedHash: string, secret: string): Promise<Uint8Array> {
    const data = new TextEncoder().encode(JSON.stringify([secret, storedHash]));
    return new Uint8Array(await crypto.subtle.sign('HMAC', await this.#key, data));
  }
}
