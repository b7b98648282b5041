// Server-side use of brand secrets (SPEC §12): an edge function or backend reads a secret's value
// by id with the service key, through read_brand_secret. Runs in Deno and Node. References are
// by id, so a rename or a replaced value never changes what the caller holds.
import { createClient } from '@supabase/supabase-js';
import { z } from 'zod';

const resultSchema = z.object({ ok: z.literal(true), secret_id: z.guid(), name: z.string(), value: z.string() });
const uuid = z.guid();

/** Where a step keeps a secret it needs: the brand and the secret's id (never its name). */
export interface BrandSecretRef {
  brandId: string;
  secretId: string;
}

/**
 * A secret's value as read. `value` is a non-enumerable property: `JSON.stringify`, `console.log`
 * and spreading show only the id and the name, so logging the object by mistake leaks nothing.
 */
export interface BrandSecretValue {
  readonly secretId: string;
  readonly name: string;
  readonly value: string;
}

/** Reading failed. The message names the RPC and the reason, never the value or the key. */
export class BrandSecretError extends Error {
  override readonly name = 'BrandSecretError';
  /** HTTP status of the answer (0 when none arrived). */
  readonly status: number;
  /** The database's machine reason (e.g. `secret_not_found`), or null. */
  readonly reason: string | null;
  /** True when retrying may help (no answer, or a 5xx). */
  readonly transient: boolean;

  constructor(message: string, init: { status: number; reason?: string | null }) {
    super(message);
    this.status = init.status;
    this.reason = init.reason ?? null;
    this.transient = init.status === 0 || init.status >= 500;
  }
}

export interface BrandSecretReaderOptions {
  /** The project URL (SUPABASE_URL). */
  supabaseUrl: string;
  /** The service role key (SUPABASE_SERVICE_ROLE_KEY): only the service role may read values. */
  serviceRoleKey: string;
  fetch?: typeof fetch;
}

export interface BrandSecretReader {
  /** Reads the current value of a brand secret; stamps its last_accessed_at. */
  read(ref: BrandSecretRef): Promise<BrandSecretValue>;
}

/** Wraps a value so that it does not show up in logs or JSON by accident. */
function sealed(secretId: string, name: string, value: string): BrandSecretValue {
  const result = { secretId, name } as BrandSecretValue;
  Object.defineProperty(result, 'value', { value, enumerable: false });
  return result;
}

/** The reader over supabase-js with the service key, as an edge function holds it. */
export function createBrandSecretReader(options: BrandSecretReaderOptions): BrandSecretReader {
  const supabase = createClient(options.supabaseUrl, options.serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    ...(options.fetch ? { global: { fetch: options.fetch } } : {}),
  });
  return {
    async read(ref) {
      if (!uuid.safeParse(ref.brandId).success || !uuid.safeParse(ref.secretId).success) {
        throw new BrandSecretError('read_brand_secret needs a brand id and a secret id', { status: 0, reason: 'client_validation' });
      }
      let response: Awaited<ReturnType<typeof supabase.rpc>>;
      try {
        response = await supabase.rpc('read_brand_secret', { _brand_id: ref.brandId, _secret_id: ref.secretId });
      } catch {
        throw new BrandSecretError('read_brand_secret failed: no answer', { status: 0 });
      }
      const { data, error, status } = response;
      if (error) {
        // supabase-js puts a stack trace in `details` on network failures (status 0): not a reason.
        const reason = status === 0 ? null : error.details || null;
        throw new BrandSecretError(`read_brand_secret failed (${status} ${error.code || 'no code'}${reason ? ` ${reason}` : ''})`,
          { status, reason });
      }
      const parsed = resultSchema.safeParse(data);
      if (!parsed.success) throw new BrandSecretError('read_brand_secret returned an unexpected shape', { status });
      return sealed(parsed.data.secret_id, parsed.data.name, parsed.data.value);
    },
  };
}

/** The reader from an edge function's environment (SUPABASE_URL, SUPABASE_SERVICE_ROLE_KEY). */
export function brandSecretReaderFromEnv(env: Record<string, string | undefined>, fetchImpl?: typeof fetch): BrandSecretReader {
  const parsed = z.object({ SUPABASE_URL: z.url(), SUPABASE_SERVICE_ROLE_KEY: z.string().min(1) }).safeParse(env);
  if (!parsed.success) {
    throw new Error(`brand secrets need ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')} in the environment`);
  }
  return createBrandSecretReader({
    supabaseUrl: parsed.data.SUPABASE_URL, serviceRoleKey: parsed.data.SUPABASE_SERVICE_ROLE_KEY,
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  });
}
