import { z } from 'zod';

/** An edge-function handler as Supabase's runtime calls it. */
export type EdgeHandler = (req: Request) => Promise<Response>;

/** A mounted edge function: its handler and whether the gateway demands a Supabase JWT first. */
export interface EdgeFunction {
  handler: EdgeHandler;
  verifyJwt: boolean;
}

const identifier = z.string().min(1).max(63);

/**
 * The gateway's options, validated once at start-up so that a misconfiguration fails loudly
 * before the first request (PostgREST refuses a JWT secret shorter than 32 characters, too).
 */
export const gatewayOptionsSchema = z.object({
  databaseUrl: z.string().min(1),
  jwtSecret: z.string().min(32, 'jwtSecret must be at least 32 characters'),
  jwks: z.object({ keys: z.array(z.looseObject({ kty: z.string() })) }).optional(),
  apiKeys: z.array(z.string().min(1)).min(1, 'apiKeys must list at least one accepted key'),
  schemas: z.array(identifier).min(1).default(['public', 'graphql_public']),
  extraSearchPath: z.array(identifier).default(['public', 'extensions']),
  anonRole: identifier.default('anon'),
  maxRows: z.number().int().positive().default(1000),
  poolSize: z.number().int().positive().max(200).default(10),
  functions: z.record(
    z.string().regex(/^[A-Za-z0-9_-]+$/, 'function names are URL path segments'),
    z.object({ handler: z.custom<EdgeHandler>((v) => typeof v === 'function', 'handler must be a function'), verifyJwt: z.boolean() }),
  ).default({}),
  routes: z.record(
    z.string().regex(/^(\/[A-Za-z0-9._-]+)+$/, 'route prefixes are paths like /auth/v1 or /.well-known'),
    z.custom<EdgeHandler>((v) => typeof v === 'function', 'a route must be a function'),
  ).default({}),
});

/** Options after validation and defaults. */
export type GatewayConfig = z.output<typeof gatewayOptionsSchema>;

/** Validates options, naming the offending field without echoing any value (they hold secrets). */
export function parseGatewayOptions(input: unknown): GatewayConfig {
  const result = gatewayOptionsSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`);
    throw new Error(`Invalid gateway options: ${problems.join('; ')}`);
  }
  return result.data;
}
