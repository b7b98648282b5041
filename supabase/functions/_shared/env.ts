// The token and JWKS functions' configuration (SPEC §7), parsed once at start-up with zod. Errors
// name the variable and the rule, never the value: MINTID_SIGNING_KEYS holds private keys.
import { z } from 'zod';

/** A private ES256 JWK as MINTID_SIGNING_KEYS holds it. */
const privateJwkSchema = z.looseObject({
  kty: z.literal('EC', { error: 'kty must be "EC"' }),
  crv: z.literal('P-256', { error: 'crv must be "P-256"' }),
  x: z.string({ error: 'x is required' }).min(1, { error: 'x is required' }),
  y: z.string({ error: 'y is required' }).min(1, { error: 'y is required' }),
  d: z.string({ error: 'd is required (a private key)' }).min(1, { error: 'd is required (a private key)' }),
  kid: z.string({ error: 'kid is required' }).min(1, { error: 'kid is required' }).max(256, { error: 'kid is too long' }),
  alg: z.literal('ES256', { error: 'alg must be "ES256" when present' }).optional(),
  use: z.literal('sig', { error: 'use must be "sig" when present' }).optional(),
});
export type PrivateSigningJwk = z.infer<typeof privateJwkSchema>;

const signingKeysSchema = z
  .string({ error: 'is required' })
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of private JWKs' });
      return z.NEVER;
    }
  })
  .pipe(z.array(privateJwkSchema, { error: 'must be a JSON array of private JWKs' }).min(1, { error: 'must hold at least one key' }))
  .superRefine((keys, ctx) => {
    const kids = keys.map((k) => k.kid);
    if (new Set(kids).size !== kids.length) ctx.addIssue({ code: 'custom', message: 'every key needs its own kid' });
  });

const integer = (name: string, min: number, max: number, fallback: number) =>
  z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined) return fallback;
      const value = /^[0-9]{1,6}$/.test(text) ? Number(text) : NaN;
      if (!(value >= min && value <= max)) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      return value;
    });

const httpUrl = (message: string) =>
  z.string({ error: 'is required' }).refine((text) => /^https?:\/\//.test(text) && URL.canParse(text), { error: message });

const tokenEnvSchema = z
  .object({
    SUPABASE_URL: httpUrl('must be an http(s) URL'),
    SUPABASE_SERVICE_ROLE_KEY: z.string({ error: 'is required' }).min(1, { error: 'is required' }),
    // Where the function may reach Postgres directly (Supabase sets it): credentials are then read
    // with one prepared statement instead of an HTTP hop (postgres-store.ts).
    SUPABASE_DB_URL: z.string().refine((text) => /^postgres(ql)?:\/\//.test(text) && URL.canParse(text), { error: 'must be a postgres:// URL' }).optional(),
    MINTID_SIGNING_KEYS: signingKeysSchema,
    MINTID_TOKEN_ISSUER: httpUrl('must be an http(s) URL').optional(),
    MINTID_TOKEN_AUDIENCE: z.string().min(1).max(256, { error: 'is too long' }).optional(),
    MINTID_TOKEN_TTL_SECONDS: integer('the token lifetime', 60, 3600, 600),
    MINTID_USAGE_FLUSH_SECONDS: integer('the usage flush interval', 1, 59, 10),
    // The limits of SPEC §14 (docs/limits.md).
    MINTID_TOKEN_FAILURES_PER_MINUTE: integer('the failed authentications per minute', 1, 50, 10),
    MINTID_TOKEN_EXCHANGES_PER_MINUTE: integer('the successful exchanges per client per minute', 1, 999_999, 600),
    MINTID_TOKEN_VERIFY_CONCURRENCY: integer('the argon2 work in flight (units of one default verification)', 1, 1024, 0),
  })
  .transform((env) => ({
    supabaseUrl: env.SUPABASE_URL.replace(/\/+$/, ''),
    serviceRoleKey: env.SUPABASE_SERVICE_ROLE_KEY,
    databaseUrl: env.SUPABASE_DB_URL ?? null,
    signingKeys: env.MINTID_SIGNING_KEYS,
    issuer: env.MINTID_TOKEN_ISSUER ?? `${env.SUPABASE_URL.replace(/\/+$/, '')}/functions/v1/token`,
    audience: env.MINTID_TOKEN_AUDIENCE ?? 'mintid',
    ttlSeconds: env.MINTID_TOKEN_TTL_SECONDS,
    usageFlushSeconds: env.MINTID_USAGE_FLUSH_SECONDS,
    failuresPerMinute: env.MINTID_TOKEN_FAILURES_PER_MINUTE,
    exchangesPerMinute: env.MINTID_TOKEN_EXCHANGES_PER_MINUTE,
    /** 0 = the default, 2 × CPUs. */
    verifyConcurrency: env.MINTID_TOKEN_VERIFY_CONCURRENCY,
  }));
export type TokenEnv = z.infer<typeof tokenEnvSchema>;

const jwksEnvSchema = z
  .object({ MINTID_SIGNING_KEYS: signingKeysSchema })
  .transform((env) => ({ signingKeys: env.MINTID_SIGNING_KEYS }));
export type JwksEnv = z.infer<typeof jwksEnvSchema>;

export type RawEnv = Record<string, string | undefined>;

/** The configuration is unusable. `problems` name variables and rules, never values. */
export class EnvError extends Error {
  override readonly name = 'EnvError';
  constructor(readonly problems: string[]) {
    super(`MintID token configuration is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parses the token function's environment, or throws an EnvError. */
export function parseTokenEnv(raw: RawEnv): TokenEnv {
  return parseWith(tokenEnvSchema, raw);
}

/** Parses the JWKS function's environment (only MINTID_SIGNING_KEYS), or throws an EnvError. */
export function parseJwksEnv(raw: RawEnv): JwksEnv {
  return parseWith(jwksEnvSchema, raw);
}

function parseWith<T>(schema: z.ZodType<T>, raw: RawEnv): T {
  // An empty variable counts as unset (containers often pass VAR= for "not configured").
  const env = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== undefined && value !== ''));
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new EnvError(result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`));
}

function formatPath(path: PropertyKey[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`)).join('');
}
