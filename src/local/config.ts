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
  MINTID_JWT_SECRET: z.string().min(32, 'MINTID_JWT_SECRET must be at least 32 characters').default(LOCAL_DEFAULTS.jwtSecret),
  MINTID_STATE_DIR: z.string().min(1).default(LOCAL_DEFAULTS.stateDir),
});

export type LocalEnv = z.infer<typeof envSchema> & { stateDir: string };

/** Parses the local stack's environment once; throws a readable error naming the bad variable. */
export function parseLocalEnv(env: NodeJS.ProcessEnv = process.env): LocalEnv {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid environment: ${problems}`);
  }
  return { ...parsed.data, stateDir: path.resolve(parsed.data.MINTID_STATE_DIR) };
}
