// Where the token endpoint reads credentials and records their use: the two service-only RPCs of
// supabase/migrations/20261123000900_token_support.sql. The production store calls them through
// supabase-js with the service role key; tests plug in a store over SQL.
import { createClient } from '@supabase/supabase-js';
import { z } from 'zod';

const uuid = z.guid();

/**
 * The one shape of `lookup_api_credential_for_token`'s answer, shared by every store (the
 * supabase-js one here, a direct-Postgres one) so they all hand the handlers the same data.
 * `previous_secret_*`: the secret replaced by the last rotation (SPEC §13); `previous_secret_active`
 * is the database's verdict at lookup time on whether its grace is still open.
 */
export const lookupResultSchema = z.object({
  ok: z.literal(true),
  credential: z
    .object({
      credential_id: uuid,
      brand_id: uuid,
      client_id: z.string(),
      client_secret_hash: z.string(),
      scopes: z.array(z.string()),
      status: z.enum(['active', 'expired', 'revoked']),
      expires_at: z.string().nullable(),
      previous_secret_hash: z.string().nullable(),
      previous_secret_expires_at: z.string().nullable(),
      previous_secret_active: z.boolean(),
    })
    .nullable(),
});
export type LookupResult = z.infer<typeof lookupResultSchema>;

const recordResultSchema = z.object({ ok: z.literal(true), updated: z.number().int() });

/** What verifying a client and issuing its token needs. */
export interface Credential {
  credentialId: string;
  brandId: string;
  clientId: string;
  /** The stored argon2id PHC string. Never logged, never answered. */
  secretHash: string;
  scopes: string[];
  /** Computed by the database at lookup time. */
  status: 'active' | 'expired' | 'revoked';
  expiresAt: string | null;
  /**
   * The secret the last rotation replaced, kept after its grace too (so a late use of it can be
   * told from a wrong secret and counted as a rejected use); null when never rotated.
   */
  previousSecret: {
    /** argon2id PHC string. Never logged, never answered. */
    hash: string;
    /** End of its grace; null when the rotation had none. */
    expiresAt: string | null;
    /** The database's verdict at lookup time: the grace is open now. */
    open: boolean;
  } | null;
}

export interface CredentialStore {
  /** The credential with this client_id, or null. Reads the current status every time. */
  lookup(clientId: string): Promise<Credential | null>;
  /**
   * Sets last_used_at = now() on these credentials (at most 1000 ids per call, all lists together);
   * `more` adds uses of previous secrets during their grace and rejected uses (SPEC §13).
   */
  recordUses(credentialIds: string[], more?: UsageExtras): Promise<void>;
  /**
   * Optional: the lookup and the failure check of the limits before argon2 (rate-limits.ts) in one
   * round trip, for a request that will probably need argon2 (the cold path). `addressKey` is the
   * key an unknown client_id counts against (`address:<ip>`); a known one counts against
   * `credential:<its id>`, as failureKeys builds them.
   */
  lookupWithFailures?(clientId: string, addressKey: string, limit: number): Promise<LookupWithFailures>;
}

/** A lookup together with the failure count of the key its cold path would use. */
export interface LookupWithFailures {
  credential: Credential | null;
  failures: { blocked: boolean; retryAfterSeconds: number };
}

/** The parameter of record_api_credential_use that carries each kind's use times. */
export const USE_TIME_PARAMETERS = [['current', '_used_at'], ['previous', '_previous_used_at'], ['rejected', '_rejected_at']] as const;

/** record_api_credential_use's named arguments for one batch; what is empty is left out. */
export function recordUseArgs(credentialIds: string[], more: UsageExtras = {}): Record<string, unknown> {
  const args: Record<string, unknown> = { _credential_ids: credentialIds };
  if (more.previous?.length) args._previous_secret_ids = more.previous;
  if (more.rejected && Object.keys(more.rejected).length > 0) args._rejected = more.rejected;
  for (const [kind, name] of USE_TIME_PARAMETERS) {
    const times = more.usedAt?.[kind];
    if (times && Object.keys(times).length > 0) args[name] = times;
  }
  return args;
}

/** Uses beyond plain successful exchanges, batched like them. */
export interface UsageExtras {
  /** Credentials whose previous secret authenticated during its grace. */
  previous?: string[];
  /** Correct secrets of inactive credentials (or previous secrets after their grace): count per credential id. */
  rejected?: Record<string, number>;
  /**
   * When each use of the batch happened (ISO 8601, per kind and credential id), so the record says
   * the request's time, not the flush's: current → _used_at, previous → _previous_used_at,
   * rejected → _rejected_at.
   */
  usedAt?: { current?: Record<string, string>; previous?: Record<string, string>; rejected?: Record<string, string> };
}

/** A store call failed. The message names the RPC and the error code, nothing from the request. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  /** True when retrying may help (no answer, or a 5xx); false for a refusal or a broken answer. */
  readonly transient: boolean;

  constructor(message: string, options: { transient?: boolean } = {}) {
    super(message);
    this.transient = options.transient ?? false;
  }
}

/** An error's class and code for a log line; never a foreign message, which might quote input. */
export function describeError(error: unknown): string {
  if (error instanceof StoreError) return `${error.name}: ${error.message}`; // our own text: RPC name and code
  if (!(error instanceof Error)) return 'unknown error';
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${error.name} ${code}` : error.name;
}

/** Validates lookup_api_credential_for_token's JSON and maps it to a Credential. */
export function parseLookupResult(json: unknown): Credential | null {
  const parsed = lookupResultSchema.safeParse(json);
  if (!parsed.success) throw new StoreError('lookup_api_credential_for_token returned an unexpected shape');
  return credentialFromLookup(parsed.data);
}

/** Maps a validated lookup answer to a Credential. */
export function credentialFromLookup(result: LookupResult): Credential | null {
  const c = result.credential;
  if (!c) return null;
  return {
    credentialId: c.credential_id,
    brandId: c.brand_id,
    clientId: c.client_id,
    secretHash: c.client_secret_hash,
    scopes: c.scopes,
    status: c.status,
    expiresAt: c.expires_at,
    previousSecret: c.previous_secret_hash
      ? { hash: c.previous_secret_hash, expiresAt: c.previous_secret_expires_at, open: c.previous_secret_active }
      : null,
  };
}

/** Validates record_api_credential_use's JSON. */
export function parseRecordResult(json: unknown): number {
  const parsed = recordResultSchema.safeParse(json);
  if (!parsed.success) throw new StoreError('record_api_credential_use returned an unexpected shape');
  return parsed.data.updated;
}

export interface SupabaseStoreOptions {
  supabaseUrl: string;
  serviceRoleKey: string;
  fetch?: typeof fetch;
}

/** The production store: the two RPCs through supabase-js as service_role. */
export function createSupabaseCredentialStore(options: SupabaseStoreOptions): CredentialStore {
  const supabase = createClient(options.supabaseUrl, options.serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    ...(options.fetch ? { global: { fetch: options.fetch } } : {}),
  });
  return {
    async lookup(clientId) {
      const { data, error, status } = await supabase.rpc('lookup_api_credential_for_token', { _client_id: clientId });
      if (error) {
        throw new StoreError(`lookup_api_credential_for_token failed (${error.code || 'no code'})`, { transient: status === 0 || status >= 500 });
      }
      return parseLookupResult(data);
    },
    async recordUses(credentialIds, more = {}) {
      const { data, error, status } = await supabase.rpc('record_api_credential_use', recordUseArgs(credentialIds, more));
      if (error) {
        throw new StoreError(`record_api_credential_use failed (${error.code || 'no code'})`, { transient: status === 0 || status >= 500 });
      }
      parseRecordResult(data);
    },
  };
}
