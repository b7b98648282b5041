// The local stack's API exactly as `npm start` wires it (src/local/api.ts), over a fresh test
// database and a real HTTP port, with the test brands and their users' tokens. For end-to-end
// tests through supabase-js, the typed client and the token endpoint.
import '../../src/node-websocket.js';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { startApi, type Api } from '../../src/local/api.js';
import { signHs256, userClaims, type LocalKeys } from '../../src/local/keys.js';
import { generateSigningKey } from '../../src/secrets/signing-key.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { seedBrands, type BrandFixture } from './fixtures.js';
import { freePort } from './urls.js';

/** HS256 secret of the end-to-end tests' anon/service/user JWTs (a local test value). */
export const TEST_JWT_SECRET = 'mintid-e2e-test-jwt-secret-0123456789abcdef';

/** Seconds since the epoch. */
export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Signs claims as HS256 with the given secret (default: the test secret), as Supabase Auth does. */
export function signJwt(claims: Record<string, unknown>, secret: string = TEST_JWT_SECRET): Promise<string> {
  return signHs256(secret, claims);
}

/** A signed-in user's access token (role authenticated, one hour). */
export function userToken(userId: string, options: { exp?: number; secret?: string } = {}): Promise<string> {
  return signJwt({ ...userClaims({ id: userId, email: `${userId}@example.test` }), exp: options.exp ?? nowSeconds() + 3600 },
    options.secret);
}

export type TestUser = keyof BrandFixture['users'];

export interface SupabaseOptions {
  /** The `apikey` (default: the anon key). */
  apiKey?: string;
  /** fetch used by supabase-js (e.g. a recording wrapper). */
  fetch?: typeof fetch;
  /** Base URL (default: the API's URL). */
  url?: string;
}

export interface TestApi {
  /** Base URL, e.g. http://127.0.0.1:12345 (also the token issuer's base). */
  url: string;
  api: Api;
  db: TestDatabase;
  keys: LocalKeys;
  brands: BrandFixture;
  brandId: string;
  otherBrandId: string;
  /** Access tokens of the fixture's users. */
  tokens: Record<TestUser, string>;
  /** The `kid` of the signing key. */
  kid: string;
  /** supabase-js with the anon key as apikey and `Authorization: Bearer <token>` (none when undefined). */
  supabaseAs(token: string | undefined, options?: SupabaseOptions): SupabaseClient;
  close(): Promise<void>;
}

/** Creates supabase-js for a base URL and API key; never persists a session, never opens realtime. */
export function supabaseClient(url: string, apiKey: string, token: string | undefined, fetchImpl?: typeof fetch): SupabaseClient {
  return createClient(url, apiKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    global: {
      ...(token === undefined ? {} : { headers: { Authorization: `Bearer ${token}` } }),
      ...(fetchImpl ? { fetch: fetchImpl } : {}),
    },
  });
}

/**
 * Starts `startApi` (the local stack's wiring) over a fresh migrated test database with seeded
 * brands, listening on 127.0.0.1:<free port>. `env` adds edge-function variables.
 */
export async function startTestApi(options: {
  env?: Record<string, string>;
  /** Runs on the fresh database before the API starts (and loads its schema cache). */
  prepareDatabase?: (db: TestDatabase) => Promise<unknown>;
  /** The login /auth/v1 uses (default: the test database's supabase_auth_admin). */
  authDatabaseUrl?: (db: TestDatabase) => string;
  /** startApi's log (default: console.error). */
  log?: (line: string) => void;
} = {}): Promise<TestApi> {
  const db = await createTestDatabase();
  try {
    const brands = await seedBrands(db);
    await options.prepareDatabase?.(db);
    const key = await generateSigningKey();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const api = await startApi({
      authenticatorUrl: db.urls.authenticator,
      jwtSecret: TEST_JWT_SECRET,
      signingKeys: JSON.stringify([key]),
      publicUrl: url,
      env: { MINTID_USAGE_FLUSH_SECONDS: '1', ...options.env },
      authDatabaseUrl: options.authDatabaseUrl?.(db) ?? db.urls.authAdmin,
      ...(options.log ? { log: options.log } : {}),
    });
    try {
      await api.gateway.listen(port, '127.0.0.1');
    } catch (error) {
      await api.close();
      throw error;
    }
    const entries = await Promise.all(Object.entries(brands.users).map(async ([name, id]) => [name, await userToken(id)] as const));
    const tokens = Object.fromEntries(entries) as Record<TestUser, string>;
    return {
      url, api, db, keys: api.keys, brands, brandId: brands.brandId, otherBrandId: brands.otherBrandId, tokens, kid: key.kid,
      supabaseAs: (token, o = {}) => supabaseClient(o.url ?? url, o.apiKey ?? api.keys.anonKey, token, o.fetch),
      close: async () => {
        try {
          await api.close();
        } finally {
          await db.close();
        }
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}
