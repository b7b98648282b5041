import postgres from 'postgres';
import { createJwtVerifier } from './jwt.js';
import { parseGatewayOptions, type EdgeFunction, type EdgeHandler } from './options.js';
import { createRpcHandler } from './rpc.js';
import { SchemaCache } from './schema-cache.js';
import { createApp, listenHttp } from './server.js';

export type { EdgeFunction, EdgeHandler } from './options.js';
export { ApiError, statusForSqlState, type ErrorBody } from './errors.js';
export { JWT_LEEWAY_SECONDS } from './jwt.js';

/** Configuration of the local Supabase-style gateway (validated at start-up). */
export interface GatewayOptions {
  /** URL of the `authenticator` login. */
  databaseUrl: string;
  /** HS256 secret, ≥ 32 characters. */
  jwtSecret: string;
  /** Optional extra public keys (ES256/RS256) accepted for user JWTs. */
  jwks?: { keys: JsonWebKey[] };
  /** Accepted `apikey` values (the anon and service JWTs). */
  apiKeys: string[];
  /** Exposed schemas; the first is the default profile. Default `['public', 'graphql_public']`. */
  schemas?: string[];
  /** Appended to the search_path after the selected schema. Default `['public', 'extensions']`. */
  extraSearchPath?: string[];
  /** Role of requests without a token role. Default `anon`. */
  anonRole?: string;
  /** Cap on rows of set-returning functions. Default 1000. */
  maxRows?: number;
  /** Connections of the request pool. Default 10. */
  poolSize?: number;
  /** Edge functions mounted at `/functions/v1/<name>`. */
  functions?: Record<string, EdgeFunction>;
  /** Further handlers by path prefix (e.g. `/auth/v1`), each answering everything under it itself. */
  routes?: Record<string, EdgeHandler>;
}

/** A running gateway: one fetch handler for `/rest/v1/...` and `/functions/v1/...`. */
export interface Gateway {
  /** The whole app, in-process. */
  fetch(req: Request): Promise<Response>;
  /** A real HTTP server on the port (0 = any free one); resolves with its base URL. */
  listen(port: number, host?: string): Promise<{ url: string }>;
  /** Stops the HTTP server(s), the LISTEN connection and the pool. */
  close(): Promise<void>;
}

/**
 * Starts the gateway: validates the options, opens the `authenticator` pool, loads the schema
 * cache (rejects if the database cannot be read now) and starts listening for
 * `NOTIFY pgrst, 'reload schema'`. Later database outages are answered with 503 and healed
 * without a restart.
 */
export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const config = parseGatewayOptions(options);
  const verify = await createJwtVerifier({ secret: config.jwtSecret, jwks: config.jwks as GatewayOptions['jwks'], anonRole: config.anonRole });
  // prepare: each statement text is parsed once per connection, then only bound (src/gateway/
  // transaction.ts pipelines a whole call). fetch_types stays on: postgres.js's reserve() never
  // resolves on a connection it has to open first when the type fetch is off (3.4.9), which
  // would hang every call after a database restart.
  const sql = postgres(config.databaseUrl, {
    max: config.poolSize, fetch_types: true, prepare: true, connect_timeout: 5, idle_timeout: 60,
    onnotice: () => {}, connection: { application_name: 'mintid-gateway' },
  });
  const cache = new SchemaCache({ sql, databaseUrl: config.databaseUrl, schemas: config.schemas });
  try {
    await cache.start();
  } catch (error) {
    await cache.close().catch(() => {});
    await sql.end({ timeout: 1 });
    throw new Error(`The gateway could not load its schema cache: ${(error as Error).message}`);
  }
  const rpc = createRpcHandler({
    sql, cache, schemas: config.schemas, extraSearchPath: config.extraSearchPath, anonRole: config.anonRole, maxRows: config.maxRows,
  });
  const app = createApp({ verify, apiKeys: config.apiKeys, rpc, functions: config.functions, routes: config.routes });
  const fetch = async (req: Request) => app.fetch(req);
  const servers: { close: () => Promise<void> }[] = [];
  return {
    fetch,
    async listen(port, host = '127.0.0.1') {
      const server = await listenHttp(fetch, port, host);
      servers.push(server);
      return { url: server.url };
    },
    async close() {
      await Promise.all(servers.splice(0).map((s) => s.close()));
      await cache.close();
      await sql.end({ timeout: 5 });
    },
  };
}
