// Where the token endpoint reads credentials and records their use: the two service-only RPCs of
// supabase/migrations/20261123000900_token_support.sql. The production store calls them through
// supabase-js with the service role key; tests plug in a store over SQL.
import { createClient } from '@supabase/supabase-js';
import { z } from 'zod';

const uuid = z.guid();

const lookupResultSchema = z.object({
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
    })
    .nullable(),
});

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
}

export interface CredentialStore {
  /** The credential with this client_id, or null. Reads the current status every time. */
  lookup(clientId: string): Promise<Credential | null>;
  /** Sets last_used_at = now() on these credentials (at most 1000 per call). */
  recordUses(credentialIds: string[]): Promise<void>;
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

/** Validates lookup_api_credential_for_token's JSON and maps it to a Credential. */
export function parseLookupResult(json: unknown): Credential | null {
  const parsed = lookupResultSchema.safeParse(json);
  if (!parsed.success) throw new StoreError('lookup_api_credential_for_token returned an unexpected shape');
  const c = parsed.data.credential;
  if (!c) return null;
  return {
    credentialId: c.credential_id,
    brandId: c.brand_id,
    clientId: c.client_id,
    secretHash: c.client_secret_hash,
    scopes: c.scopes,
    status: c.status,
    expiresAt: c.expires_at,
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
    async recordUses(credentialIds) {
      const { data, error, status } = await supabase.rpc('record_api_credential_use', { _credential_ids: credentialIds });
      if (error) {
        throw new StoreError(`record_api_credential_use failed (${error.code || 'no code'})`, { transient: status === 0 || status >= 500 });
      }
      parseRecordResult(data);
    },
  };
}
