import { createJwksFunction, createTokenFunction, type TokenFunction } from '../../supabase/functions/_shared/functions.ts';
import { createGateway, type Gateway } from '../gateway/index.js';
import { listenHttp } from '../gateway/server.js';
import { createConsoleHandler, type ConsoleRuntimeConfig } from './console-files.js';
import { verifyClientSecret } from '../secrets/hash.js';
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
  /** Serve the built console at /console/ (SPEC §11) from this folder, with a generated config.json. */
  console?: { distDir: string } & Pick<ConsoleRuntimeConfig, 'signUp' | 'demoAccounts'>;
}

export interface Api {
  gateway: Gateway;
  keys: LocalKeys;
  token: TokenFunction;
  /** Flushes the token function's pending uses through the gateway, then closes the gateway. */
  close(): Promise<void>;
}

/**
 * The API of the local stack: the gateway serving `/rest/v1/rpc/*`, with the `token` and `jwks`
 * edge functions mounted at `/functions/v1/*`. The token function reaches PostgREST through the
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
  const token = await createTokenFunction({ env, verifySecret: verifyClientSecret, fetch: inProcessFetch });
  try {
    const jwks = await createJwksFunction({ env });
    gateway = await createGateway({
      databaseUrl: options.authenticatorUrl,
      jwtSecret: options.jwtSecret,
      apiKeys: [keys.anonKey, keys.serviceRoleKey],
      functions: { token: { handler: token.handler, verifyJwt: false }, jwks: { handler: jwks.handler, verifyJwt: false } },
    });
  } catch (error) {
    await token.close();
    throw error;
  }
  const ready = options.console ? withConsole(gateway, createConsoleHandler({
    distDir: options.console.distDir,
    config: { supabaseUrl: options.publicUrl, anonKey: keys.anonKey, signUp: options.console.signUp, demoAccounts: options.console.demoAccounts },
  })) : gateway;
  return {
    gateway: ready, keys, token,
    close: async () => {
      await token.close();
      await ready.close();
    },
  };
}

/** The gateway with the console's static files in front of it (same server, same port). */
function withConsole(gateway: Gateway, serveConsole: (req: Request) => Promise<Response | undefined>): Gateway {
  const fetch = async (req: Request) => (await serveConsole(req)) ?? gateway.fetch(req);
  const servers: { close: () => Promise<void> }[] = [];
  return {
    fetch,
    async listen(port, host = '127.0.0.1') {
      const server = await listenHttp(fetch, port, host);
      servers.push(server);
      return { url: server.url };
    },
    async close() {
      await Promise.all(servers.map((s) => s.close()));
      await gateway.close();
    },
  };
}
