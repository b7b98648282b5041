import { availableParallelism } from 'node:os';
import {
  createIntrospectFunction, createJwksFunction, createTokenFunction, verifySlotsFor, type TokenFunction,
} from '../../supabase/functions/_shared/functions.js';
import type { VerifySlots } from '../../supabase/functions/_shared/verify-slots.js';
import { createGateway, type Gateway } from '../gateway/index.js';
import { verifyClientSecret } from '../secrets/hash.js';
import { createAuthRoutes, type AuthRoutes } from './auth/routes.js';
import { createConsoleHandler, type ConsoleRuntimeConfig } from './console-files.js';
import { localKeys, type LocalKeys } from './keys.js';

export interface ApiOptions {
  /** URL of the `authenticator` login the gateway connects as. */
  authenticatorUrl: string;
  /** HS256 secret of the anon/service/user JWTs. */
  jwtSecret: string;
  /** JSON array of private signing JWKs (MINTID_SIGNING_KEYS). */
  signingKeys: string;
  /** Base URL clients use (SUPABASE_URL; the token issuer derives from it). */
  publicUrl: string;
  /** Further edge-function environment (MINTID_TOKEN_TTL_SECONDS, …). */
  env?: Record<string, string | undefined>;
  /** URL of the `supabase_auth_admin` login: serves local sign-in at /auth/v1 (SPEC §10) when given. */
  authDatabaseUrl?: string;
  /** Where the API reports start-up facts, e.g. "local sign-in unavailable: …" (default: console.error). */
  log?: (line: string) => void;
  /** Serve the built console at /console/ (SPEC §11) from this folder, with a generated config.json. */
  console?: { distDir: string } & Pick<ConsoleRuntimeConfig, 'signUp' | 'demoAccounts'>;
}

export interface Api {
  gateway: Gateway;
  keys: LocalKeys;
  token: TokenFunction;
  /** The process's argon2 verification budget, shared by the token and introspection functions. */
  slots: VerifySlots;
  /** The local /auth/v1 routes, when mounted. */
  auth: AuthRoutes | undefined;
  /** Flushes the token function's pending uses through the gateway, then closes the gateway. */
  close(): Promise<void>;
}

/**
 * The API of the local stack: the gateway serving `/rest/v1/rpc/*`, with the `token`, `jwks` and
 * `introspect` edge functions mounted at `/functions/v1/*` and the token function's RFC 8414
 * metadata at `/.well-known/oauth-authorization-server/functions/v1/token`. The token function reaches PostgREST through the
 * gateway in-process, with the service key, exactly as it would over HTTP.
 */
export async function startApi(options: ApiOptions): Promise<Api> {
  const keys = await localKeys(options.jwtSecret);
  let gateway: Gateway | undefined;
  const inProcessFetch: typeof fetch = (input, init) => gateway!.fetch(new Request(input, init));
  const env = {
    ...options.env,
    SUPABASE_URL: options.publicUrl,
    SUPABASE_SERVICE_ROLE_KEY: keys.serviceRoleKey,
    MINTID_SIGNING_KEYS: options.signingKeys,
  };
  // @node-rs/argon2, WebCrypto signing and the verify cache's HMACs all run on libuv's pool, one per
  // process: the two functions that verify secrets share one budget of argon2 work, so that
  // together they never take more than the pool minus one thread (nor more of the cores).
  const slots = verifySlotsFor({ env, cpus: availableParallelism(), threadPool: Number(process.env.UV_THREADPOOL_SIZE) || 4 });
  const token = await createTokenFunction({ env, verifySecret: verifyClientSecret, fetch: inProcessFetch, slots });
  const introspect = await createIntrospectFunction({ env, verifySecret: verifyClientSecret, fetch: inProcessFetch, slots });
  // RFC 8414 §3: the metadata of issuer <base>/functions/v1/token also lives at
  // <base>/.well-known/oauth-authorization-server/functions/v1/token.
  const metadataPath = `/.well-known/oauth-authorization-server${new URL(token.config.issuer).pathname.replace(/\/+$/, '')}`;
  const wellKnown = async (req: Request) => (new URL(req.url).pathname === metadataPath
    ? token.discovery(req)
    : new Response(JSON.stringify({ message: 'no Route matched with those values' }), {
      status: 404, headers: { 'Content-Type': 'application/json; charset=utf-8' },
    }));
  const apiKeys = [keys.anonKey, keys.serviceRoleKey];
  const auth = options.authDatabaseUrl
    ? createAuthRoutes({ databaseUrl: options.authDatabaseUrl, jwtSecret: options.jwtSecret, publicUrl: options.publicUrl, apiKeys,
      ...(options.log ? { log: options.log } : {}) })
    : undefined;
  try {
    const jwks = await createJwksFunction({ env });
    gateway = await createGateway({
      databaseUrl: options.authenticatorUrl,
      jwtSecret: options.jwtSecret,
      apiKeys,
      functions: {
        token: { handler: token.handler, verifyJwt: false },
        jwks: { handler: jwks.handler, verifyJwt: false },
        introspect: { handler: introspect.handler, verifyJwt: false },
      },
      routes: {
        ...(auth ? { '/auth/v1': auth.handler } : {}),
        '/.well-known': wellKnown,
        ...(options.console ? { '/console': consoleRoute(options.console, options.publicUrl, keys.anonKey) } : {}),
      },
    });
  } catch (error) {
    await Promise.all([token.close(), introspect.close()]);
    await auth?.close();
    throw error;
  }
  const ready = gateway;
  return {
    gateway: ready, keys, token, slots, auth,
    close: async () => {
      await Promise.all([token.close(), introspect.close()]);
      await ready.close();
      await auth?.close();
    },
  };
}

/** The console's files and its config.json (this stack's URL and anon key). */
function consoleRoute(options: NonNullable<ApiOptions['console']>, publicUrl: string, anonKey: string) {
  const serve = createConsoleHandler({
    distDir: options.distDir,
    config: { supabaseUrl: publicUrl, anonKey, signUp: options.signUp, demoAccounts: options.demoAccounts },
  });
  return async (req: Request) => (await serve(req)) ?? new Response('Not Found', { status: 404 });
}
