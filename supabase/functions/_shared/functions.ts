// Ready-made token, JWKS and introspection functions: parse the environment once, import the keys,
// wire the parts. The Deno adapters (../token, ../jwks, ../introspect) and the Node local stack
// both build on these.
import { createDiscoveryHandler, isDiscoveryPath } from './discovery.ts';
import { parseJwksEnv, parseTokenEnv, type RawEnv, type TokenEnv } from './env.ts';
import { createIntrospectHandler } from './introspect-handler.ts';
import { createJwksHandler } from './jwks-handler.ts';
import { importSigningKeys } from './keys.ts';
import { consoleLogger, systemClock, type Clock, type Logger, type VerifySecret } from './ports.ts';
import { createPostgresCredentialStore } from './postgres-store.ts';
import { createSupabaseCredentialStore, type CredentialStore } from './store.ts';
import { createTokenHandler } from './token-handler.ts';
import { createUsageRecorder } from './usage-recorder.ts';
import { VerifyCache } from './verify-cache.ts';
import { BlockList, createSupabaseFailureStore, SuccessLimiter, withLocalBlocks, type FailureStore } from './rate-limits.ts';
import { defaultVerifyConcurrency, VerifySlots } from './verify-slots.ts';

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
  /** Shared failure counters. Default: the supabase-js store over the same project. */
  failures?: FailureStore;
  /** CPUs of this instance, for the default verification cap (Deno: navigator.hardwareConcurrency). */
  cpus?: number;
  /** Threads of the pool argon2 runs on, if it shares one (Node: libuv's, UV_THREADPOOL_SIZE, default 4). */
  threadPool?: number;
  /**
   * The process's argon2 budget, when several functions run in one process (the local stack: token
   * and introspection share one, as they share the cores). Default: a budget of this function's own
   * (a Supabase edge function is a process of its own), sized by verifySlotsFor.
   */
  slots?: VerifySlots;
}

/** The verification budget of one process: MINTID_TOKEN_VERIFY_CONCURRENCY units, else defaultVerifyConcurrency. */
export function verifySlotsFor(options: Pick<TokenFunctionOptions, 'env' | 'cpus' | 'threadPool'>): VerifySlots {
  const env = parseTokenEnv(options.env);
  return new VerifySlots({ max: env.verifyConcurrency || defaultVerifyConcurrency(options.cpus, options.threadPool) });
}

export interface TokenFunction {
  /** POST: the grant; GET `…/.well-known/openid-configuration`: the RFC 8414 metadata. */
  handler: Handler;
  /** The metadata alone (the local stack also serves it at `/.well-known/oauth-authorization-server/…`). */
  discovery: Handler;
  /** Flushes pending last_used_at updates and stops the flush timer. */
  close(): Promise<void>;
  config: Omit<TokenEnv, 'signingKeys' | 'serviceRoleKey' | 'databaseUrl'>;
  /** Which credential store it uses: direct SQL (SUPABASE_DB_URL), supabase-js, or one passed in. */
  store: 'postgres' | 'supabase-js' | 'custom';
}

/**
 * Where the token and introspection functions read credentials and keep failure counts: what the
 * caller passed in, else a direct connection (SUPABASE_DB_URL), else supabase-js with the service key.
 */
function createStores(env: TokenEnv, options: TokenFunctionOptions) {
  const direct = options.store || !env.databaseUrl ? null : createPostgresCredentialStore({ databaseUrl: env.databaseUrl });
  const viaApi = { supabaseUrl: env.supabaseUrl, serviceRoleKey: env.serviceRoleKey, fetch: options.fetch };
  const store: CredentialStore = options.store ?? direct ?? createSupabaseCredentialStore(viaApi);
  const failures: FailureStore = options.failures ?? direct?.failures ?? createSupabaseFailureStore(viaApi);
  return { direct, store, failures };
}

/** The token function. Throws EnvError (naming variables, never values) on a bad environment. */
export async function createTokenFunction(options: TokenFunctionOptions): Promise<TokenFunction> {
  const env = parseTokenEnv(options.env);
  const keys = await importSigningKeys(env.signingKeys);
  const clock = options.clock ?? systemClock;
  const log = options.log ?? consoleLogger;
  const { direct, store, failures } = createStores(env, options);
  const blocks = new BlockList();
  const usage = createUsageRecorder({ store, intervalMs: env.usageFlushSeconds * 1000, log });
  const token = createTokenHandler({
    config: { issuer: env.issuer, audience: env.audience, ttlSeconds: env.ttlSeconds },
    keys, store, verifySecret: options.verifySecret, usage, cache: new VerifyCache({ clock }), clock, log,
    limits: {
      failuresPerMinute: env.failuresPerMinute,
      failureDelayMs: 250,
      failures: withLocalBlocks(failures, blocks, clock),
      blocks,
      successes: new SuccessLimiter({ perMinute: env.exchangesPerMinute, clock }),
      slots: options.slots ?? verifySlotsFor(options),
    },
  });
  const discovery = createDiscoveryHandler({ issuer: env.issuer, baseUrl: env.supabaseUrl });
  const handler: Handler = (req) => (isDiscoveryPath(new URL(req.url).pathname) ? discovery(req) : token(req));
  const { signingKeys: _keys, serviceRoleKey: _key, databaseUrl: _url, ...config } = env;
  return {
    handler, discovery, close: () => usage.close().finally(() => direct?.close()), config,
    store: direct ? 'postgres' : options.store ? 'custom' : 'supabase-js',
  };
}

/**
 * The introspection function (RFC 7662): the token function's environment, the public halves of
 * its keys, the same lookup. Uses of a caller credential are batched like the token function's.
 */
export async function createIntrospectFunction(options: TokenFunctionOptions): Promise<{ handler: Handler; close(): Promise<void> }> {
  const env = parseTokenEnv(options.env);
  const keys = await importSigningKeys(env.signingKeys);
  const clock = options.clock ?? systemClock;
  const log = options.log ?? consoleLogger;
  const { direct, store, failures } = createStores(env, options);
  const usage = createUsageRecorder({ store, intervalMs: env.usageFlushSeconds * 1000, log });
  const handler = createIntrospectHandler({
    config: { issuer: env.issuer, audience: env.audience }, jwks: keys.jwks, serviceRoleKey: env.serviceRoleKey,
    store, verifySecret: options.verifySecret, usage, cache: new VerifyCache({ clock }), clock, log,
    // The token endpoint's limits before argon2: the same failure count per client_id (in the
    // database, so failures at either endpoint count at both), and the process's argon2 budget.
    limits: {
      failuresPerMinute: env.failuresPerMinute,
      failureDelayMs: 250,
      failures,
      slots: options.slots ?? verifySlotsFor(options),
    },
  });
  return { handler, close: () => usage.close().finally(() => direct?.close()) };
}

/** The JWKS function. Needs only MINTID_SIGNING_KEYS. */
export async function createJwksFunction(options: { env: RawEnv; maxAgeSeconds?: number }): Promise<{ handler: Handler }> {
  const env = parseJwksEnv(options.env);
  const keys = await importSigningKeys(env.signingKeys);
  return { handler: createJwksHandler({ jwks: keys.jwks, maxAgeSeconds: options.maxAgeSeconds }) };
}
