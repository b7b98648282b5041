// The token endpoint's limits before argon2 (SPEC §14), apart from the verification slots
// (verify-slots.ts):
// - failed authentications: at most `failuresPerMinute` per known client_id (its credential),
//   over a sliding minute, shared by every instance through the database (FailureStore); an
//   unknown client_id counts against the source address instead. Read only on the cold path
//   (the verify cache did not answer), before argon2; each failure is one write. Past the
//   limit: 429 with Retry-After, without running argon2. A known client is never held back by
//   its caller's address, so a flood of made-up client_ids cannot lock out real clients.
// - successful exchanges: `successesPerMinute` per credential per instance (fixed one-minute
//   windows in memory), answered with RateLimit-Limit / -Remaining / -Reset; past it, 429.
import { createClient } from '@supabase/supabase-js';
import { z } from 'zod';
import { oauthError } from './oauth-errors.ts';
import { systemClock, type Clock } from './ports.ts';
import { StoreError } from './store.ts';
import type { VerifySlots } from './verify-slots.ts';

/** The shared failure counters: public.check_token_auth_failures / record_token_auth_failure. */
export interface FailureStore {
  /** Whether any key has `limit` or more failures in the last minute, and for how long still. */
  check(keys: string[], limit: number): Promise<{ blocked: boolean; retryAfterSeconds: number }>;
  /** One failure for each key. */
  record(keys: string[]): Promise<void>;
}

const checkResultSchema = z.object({ ok: z.literal(true), blocked: z.boolean(), retry_after_seconds: z.number().int().min(0) });

/** Validates check_token_auth_failures' JSON. */
export function parseFailureCheck(json: unknown): { blocked: boolean; retryAfterSeconds: number } {
  const parsed = checkResultSchema.safeParse(json);
  if (!parsed.success) throw new StoreError('check_token_auth_failures returned an unexpected shape');
  return { blocked: parsed.data.blocked, retryAfterSeconds: parsed.data.retry_after_seconds };
}

/** The production failure store: the two RPCs through supabase-js as service_role. */
export function createSupabaseFailureStore(options: { supabaseUrl: string; serviceRoleKey: string; fetch?: typeof fetch }): FailureStore {
  const connect = () => createClient(options.supabaseUrl, options.serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    ...(options.fetch ? { global: { fetch: options.fetch } } : {}),
  });
  // Created on first use: a handler whose tests never reach the cold path needs no client.
  let client: ReturnType<typeof connect> | undefined;
  const supabase = () => (client ??= connect());
  const fail = (rpc: string, error: { code?: string }, status: number) =>
    new StoreError(`${rpc} failed (${error.code || 'no code'})`, { transient: status === 0 || status >= 500 });
  return {
    async check(keys, limit) {
      const { data, error, status } = await supabase().rpc('check_token_auth_failures', { _keys: keys, _limit: limit });
      if (error) throw fail('check_token_auth_failures', error, status);
      return parseFailureCheck(data);
    },
    async record(keys) {
      const { error, status } = await supabase().rpc('record_token_auth_failure', { _keys: keys });
      if (error) throw fail('record_token_auth_failure', error, status);
    },
  };
}

/**
 * What this instance knows without asking the database: the keys the shared store answered
 * "blocked" for, until their Retry-After (a block cannot end early: failures are never forgotten
 * before their minute is over), and which credential a client_id names (from its lookups). A
 * flood of a blocked key is then answered 429 before the credential lookup — except a secret
 * that matches the verify cache, which takes the normal path (its client keeps its tokens).
 */
export class BlockList {
  readonly #until = new Map<string, number>();
  readonly #credentials = new Map<string, { credentialId: string; secretHash: string }>();
  readonly #maxEntries: number;

  constructor(options: { maxEntries?: number } = {}) {
    this.#maxEntries = options.maxEntries ?? 10_000;
  }

  /** Seconds the longest-blocked of the keys stays blocked, or 0. */
  blockedSeconds(keys: string[], now: number): number {
    let latest = 0;
    for (const key of keys) {
      const end = this.#until.get(key);
      if (end !== undefined && end <= now) this.#until.delete(key);
      else if (end !== undefined) latest = Math.max(latest, end);
    }
    return latest > 0 ? Math.max(1, Math.ceil((latest - now) / 1000)) : 0;
  }

  block(keys: string[], retryAfterSeconds: number, now: number): void {
    for (const key of keys) bounded(this.#until, key, now + retryAfterSeconds * 1000, this.#maxEntries);
  }

  /** Notes the credential a lookup of this client_id returned. */
  noteCredential(clientId: string, credentialId: string, secretHash: string): void {
    bounded(this.#credentials, clientId, { credentialId, secretHash }, this.#maxEntries);
  }

  credentialOf(clientId: string): { credentialId: string; secretHash: string } | undefined {
    return this.#credentials.get(clientId);
  }
}

/** Sets a map entry as the newest, dropping the oldest beyond `max`. */
function bounded<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > max) {
    const oldest = map.keys().next().value;
    if (oldest === undefined) break;
    map.delete(oldest);
  }
}

/** A FailureStore that answers from the BlockList while a key is known to be blocked. */
export function withLocalBlocks(store: FailureStore, blocks: BlockList, clock: Clock = systemClock): FailureStore {
  return {
    async check(keys, limit) {
      const now = clock.now();
      const seconds = blocks.blockedSeconds(keys, now);
      if (seconds > 0) return { blocked: true, retryAfterSeconds: seconds };
      const state = await store.check(keys, limit);
      if (state.blocked) blocks.block(keys, state.retryAfterSeconds, now);
      return state;
    },
    record: (keys) => store.record(keys),
  };
}

/**
 * The caller's address: the last X-Forwarded-For entry, i.e. the one the nearest proxy (Supabase's
 * gateway, or the local gateway, which sets it from the socket) added — a client cannot forge it
 * by sending its own header. Anything that is not an IP-looking token counts as 'unknown'.
 */
export function clientAddress(req: Request): string {
  const forwarded = req.headers.get('x-forwarded-for');
  const last = forwarded?.split(',').at(-1)?.trim() ?? '';
  return /^[0-9A-Fa-f.:]{2,45}$/.test(last) ? last : 'unknown';
}

/** The rate-limit key of an authentication attempt: its credential when known, else its address. */
export function failureKeys(credentialId: string | null, address: string): string[] {
  return credentialId === null ? [`address:${address}`] : [`credential:${credentialId}`];
}

/**
 * 429 for too many failed authentications: RFC 6749-shaped, Retry-After in seconds, answered
 * after `delayMs` (a tarpit: a client that retries as soon as it is answered — a script, a
 * misconfigured retry loop — then sends a few requests per second instead of hundreds, and the
 * CPU stays with the clients that authenticate; the wait itself costs nothing).
 */
export async function tooManyFailures(retryAfterSeconds: number, delayMs = 0): Promise<Response> {
  if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
  return oauthError('too_many_requests', 'Too many failed client authentications; retry later.', {
    'Retry-After': String(Math.max(1, retryAfterSeconds)),
  });
}

/** 503 when no argon2 verification slot freed up in time. */
export function verifierBusy(): Response {
  return oauthError('temporarily_unavailable', 'The token service is busy; retry later.', { 'Retry-After': '1' });
}

export interface SuccessLimiterOptions {
  /** Successful exchanges per credential per minute. Default 600. */
  perMinute?: number;
  /** Credentials tracked at once (oldest windows dropped first). Default 100 000. */
  maxEntries?: number;
  clock?: Clock;
}

/** The outcome of counting one successful exchange. */
export interface SuccessDecision {
  allowed: boolean;
  /** RateLimit-Limit / -Remaining / -Reset (and Retry-After when refused). */
  headers: Record<string, string>;
}

/** Successful exchanges per credential, in fixed one-minute windows, in this instance's memory. */
export class SuccessLimiter {
  readonly perMinute: number;
  readonly #maxEntries: number;
  readonly #clock: Clock;
  readonly #windows = new Map<string, { start: number; count: number }>();

  constructor(options: SuccessLimiterOptions = {}) {
    this.perMinute = options.perMinute ?? 600;
    this.#maxEntries = options.maxEntries ?? 100_000;
    this.#clock = options.clock ?? systemClock;
    if (!(Number.isInteger(this.perMinute) && this.perMinute >= 1)) throw new RangeError('SuccessLimiter needs perMinute >= 1');
  }

  /** Counts one exchange of this credential; refused (not counted) once the window is full. */
  take(credentialId: string): SuccessDecision {
    const now = this.#clock.now();
    let window = this.#windows.get(credentialId);
    if (!window || now - window.start >= 60_000) {
      this.#windows.delete(credentialId);
      window = { start: now, count: 0 };
      this.#windows.set(credentialId, window);
      while (this.#windows.size > this.#maxEntries) {
        const oldest = this.#windows.keys().next().value;
        if (oldest === undefined) break;
        this.#windows.delete(oldest);
      }
    }
    const reset = String(Math.max(1, Math.ceil((window.start + 60_000 - now) / 1000)));
    const allowed = window.count < this.perMinute;
    if (allowed) window.count += 1;
    const headers: Record<string, string> = {
      'RateLimit-Limit': String(this.perMinute),
      'RateLimit-Remaining': String(this.perMinute - window.count),
      'RateLimit-Reset': reset,
    };
    if (!allowed) headers['Retry-After'] = reset;
    return { allowed, headers };
  }
}

/** 429 for a client over its successful-exchange rate. */
export function tooManyExchanges(headers: Record<string, string>): Response {
  return oauthError('too_many_requests', 'Too many token requests for this client; retry later.', headers);
}

/** Everything the token handler limits with; all optional, so tests can switch each off. */
export interface TokenLimits {
  /** Failed authentications per key per minute. Default 10. */
  failuresPerMinute?: number;
  /** How long a 429 for too many failures is held before it is sent (a tarpit). Default 0. */
  failureDelayMs?: number;
  /** The shared failure counters. Without one, failures are not limited. */
  failures?: FailureStore;
  /** Without one, successful exchanges are not limited. */
  successes?: SuccessLimiter;
  /** Without one, argon2 work in flight is not capped (verify-slots.ts: a budget in units of work). */
  slots?: VerifySlots;
  /** Local knowledge of blocked keys (with `failures` wrapped by withLocalBlocks over the same list). */
  blocks?: BlockList;
}
