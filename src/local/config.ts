import path from 'node:path';
import { z } from 'zod';

/** Local defaults, documented in the README: demo values for a developer machine only. */
export const LOCAL_DEFAULTS = {
  port: 54321,
  databasePort: 54322,
  /** HS256 secret of the local anon/service/user JWTs (like `supabase start`'s fixed secret). */
  jwtSecret: 'mintid-local-jwt-secret-change-me-in-production-000',
  stateDir: '.mintid',
} as const;

const envSchema = z.object({
  DATABASE_URL: z.string().url().optional(),
  MINTID_PORT: z.coerce.number().int().min(1).max(65535).default(LOCAL_DEFAULTS.port),
  MINTID_DB_PORT: z.coerce.number().int().min(1).max(65535).default(LOCAL_DEFAULTS.databasePort),
  MINTID_JWT_SECRET: z.string().min(32, 'MINTID_JWT_SECRET must be at least 32 characters').optional(),
  MINTID_STATE_DIR: z.string().min(1).default(LOCAL_DEFAULTS.stateDir),
});

export type LocalEnv = Omit<z.infer<typeof envSchema>, 'MINTID_JWT_SECRET'> & {
  MINTID_JWT_SECRET: string;
  stateDir: string;
  /** True when the JWT secret is the documented demo value (its keys are public knowledge). */
  demoJwtSecret: boolean;
  /** Whether MINTID_JWT_SECRET was set (rather than defaulted). */
  jwtSecretExplicit: boolean;
};

/** How to make a JWT secret, for the error that asks for one. */
export const JWT_SECRET_ADVICE = 'Make one with `openssl rand -base64 48` (or '
  + '`node -e "console.log(require(\'crypto\').randomBytes(48).toString(\'base64\'))"`) and set MINTID_JWT_SECRET; '
  + 'keep it as secret as the database password. To use the documented demo secret anyway, set it explicitly: '
  + `MINTID_JWT_SECRET=${LOCAL_DEFAULTS.jwtSecret}`;

/** Parses the local stack's environment once; throws a readable error naming the bad variable. */
export function parseLocalEnv(env: NodeJS.ProcessEnv = process.env): LocalEnv {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid environment: ${problems}`);
  }
  const secret = parsed.data.MINTID_JWT_SECRET ?? LOCAL_DEFAULTS.jwtSecret;
  return {
    ...parsed.data, MINTID_JWT_SECRET: secret, demoJwtSecret: secret === LOCAL_DEFAULTS.jwtSecret,
    jwtSecretExplicit: parsed.data.MINTID_JWT_SECRET !== undefined, stateDir: path.resolve(parsed.data.MINTID_STATE_DIR),
  };
}

/**
 * With a database of your own, the demo secret (printed in the README) would sign keys anyone can
 * make: the stack refuses it unless MINTID_JWT_SECRET is set explicitly (SPEC §8, round 2).
 */
export function assertJwtSecretFor(env: LocalEnv): void {
  if (env.DATABASE_URL && !env.jwtSecretExplicit) {
    throw new Error(`With DATABASE_URL, MINTID_JWT_SECRET must be set: the local default is a documented demo value. ${JWT_SECRET_ADVICE}`);
  }
}
