// Ready-made token and JWKS functions: parse the environment once, import the keys, wire the
// parts. The Deno adapters (../token, ../jwks) and the Node local stack both build on these.
import { parseJwksEnv, parseTokenEnv, type RawEnv, type TokenEnv } from './env.ts';
import { createJwksHandler } from './jwks-handler.ts';
import { importSigningKeys } from './keys.ts';
import { consoleLogger, systemClock, type Clock, type Logger, type VerifySecret } from './ports.ts';
import { createSupabaseCredentialStore, type CredentialStore } from './store.ts';
import { createTokenHandler } from './token-handler.ts';
import { createUsageRecorder } from './usage-recorder.ts';
import { VerifyCache } from './verify-cache.ts';

export type Handler = (req: Request) => Promise<Response>;

export interface TokenFunctionOptions {
  /** The raw environment (Deno.env.toObject(), process.env). Parsed here, once. */
  env: RawEnv;
  /** Deno: verifySecretWasm; Node: verifyClientSecret from src/secrets. */
  verifySecret: VerifySecret;
  /** Default: the supabase-js store over SUPABASE_URL with the service role key. */
  store?: CredentialStore;
  clock?: Clock;
  log?: Logger;
  /** fetch for the default store. */
  fetch?: typeof fetch;
}

export interface TokenFunction {
  handler: Handler;
  /** Flushes pending last_used_at updates and stops the flush timer. */
  close(): Promise<void>;
  config: Omit<TokenEnv, 'signingKeys' | 'serviceRoleKey'>;
}

/** The token function. Throws EnvError (naming variables, never values) on a bad environment. */
export async function createTokenFunction(options: TokenFunctionOptions): Promise<TokenFunction> {
  const env = parseTokenEnv(options.env);
  const keys = await importSigningKeys(env.signingKeys);
  const clock = options.clock ?? systemClock;
  const log = options.log ?? consoleLogger;
  const store = options.store ??
    createSupabaseCredentialStore({ supabaseUrl: env.supabaseUrl, serviceRoleKey: env.serviceRoleKey, fetch: options.fetch });
  const usage = createUsageRecorder({ store, intervalMs: env.usageFlushSeconds * 1000, log });
  const handler = createTokenHandler({
    config: { issuer: env.issuer, audience: env.audience, ttlSeconds: env.ttlSeconds },
    keys, store, verifySecret: options.verifySecret, usage, cache: new VerifyCache({ clock }), clock, log,
  });
  const { signingKeys: _keys, serviceRoleKey: _key, ...config } = env;
  return { handler, close: () => usage.close(), config };
}

/** The JWKS function. Needs only MINTID_SIGNING_KEYS. */
export async function createJwksFunction(options: { env: RawEnv; maxAgeSeconds?: number }): Promise<{ handler: Handler }> {
  const env = parseJwksEnv(options.env);
  const keys = await importSigningKeys(env.signingKeys);
  return { handler: createJwksHandler({ jwks: keys.jwks, maxAgeSeconds: options.maxAgeSeconds }) };
}
