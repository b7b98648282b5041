/**
 * Verified tokens, as PostgREST's JWT cache keeps them (v14: bounded, default 1000 entries): a
 * token string seen before skips the signature check and the JSON parse, never the time checks,
 * which run on every request. Keyed by the whole compact token, signature included, so only the
 * very bytes that were verified hit. An entry lives until its `exp` (plus the leeway) or, for a
 * token without `exp`, for `maxLifetimeSeconds`; least recently used entries go first.
 */
export interface JwtCacheOptions {
  /** Default 1000, PostgREST's jwt-cache-max-entries. */
  maxEntries?: number;
  /** Cap for tokens without `exp`, seconds. Default 300. */
  maxLifetimeSeconds?: number;
  /** Longer tokens are not cached (they are rare and would crowd the cache). Default 8192. */
  maxTokenLength?: number;
}

interface Entry<T> {
  value: T;
  /** Seconds since the epoch after which the entry is dropped. */
  until: number;
}

export class JwtCache<T> {
  readonly #entries = new Map<string, Entry<T>>();
  readonly #maxEntries: number;
  readonly #maxLifetime: number;
  readonly #maxTokenLength: number;

  constructor(options: JwtCacheOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 1000;
    this.#maxLifetime = options.maxLifetimeSeconds ?? 300;
    this.#maxTokenLength = options.maxTokenLength ?? 8192;
    if (!(this.#maxEntries >= 1) || !(this.#maxLifetime > 0)) throw new RangeError('JwtCache needs positive maxEntries and maxLifetimeSeconds');
  }

  /** The cached value of this token, if it was verified and has not outlived its entry. */
  get(token: string, now: number): T | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    if (entry.until < now) {
      this.#entries.delete(token);
      return undefined;
    }
    // Most recently used last: Map keeps insertion order.
    this.#entries.delete(token);
    this.#entries.set(token, entry);
    return entry.value;
  }

  /** Remembers a verified token until `exp + leewaySeconds` (or the lifetime cap, whichever is first). */
  set(token: string, value: T, exp: number | undefined, now: number, leewaySeconds: number): void {
    if (token.length > this.#maxTokenLength) return;
    const cap = now + this.#maxLifetime;
    const until = exp === undefined ? cap : Math.min(exp + leewaySeconds, cap);
    if (until < now) return;
    this.#entries.delete(token);
    this.#entries.set(token, { value, until });
    if (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}
