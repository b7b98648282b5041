import { readFile } from 'node:fs/promises';
import { SignJWT } from 'jose';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/gateway/index.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/** The HS256 secret of the gateway tests (local test value, never a real one). */
export const JWT_SECRET = 'gateway-test-secret-with-at-least-32-characters';
const secretKey = new TextEncoder().encode(JWT_SECRET);

/** Seconds since the epoch. */
export const now = () => Math.floor(Date.now() / 1000);

/** Signs claims with the test secret (HS256), as Supabase Auth and the key tooling do. */
export function sign(claims: Record<string, unknown>, key: Uint8Array | CryptoKey = secretKey, header: Record<string, unknown> = {}): Promise<string> {
  const alg = key instanceof Uint8Array ? 'HS256' : 'ES256';
  return new SignJWT(claims).setProtectedHeader({ alg, ...header }).sign(key);
}

export interface GatewayFixture {
  db: TestDatabase;
  gateway: Gateway;
  anonKey: string;
  serviceKey: string;
  /** A signed-in user's token (role authenticated, sub = userId). */
  userToken: string;
  userId: string;
  /** Calls `/rest/v1<path>` in-process with the anon key (override headers per call). */
  rest(path: string, init?: RequestInit & { headers?: Record<string, string> }): Promise<Response>;
  close(): Promise<void>;
}

/** The fixture schema's SQL. */
export const fixtureSql = () => readFile(new URL('./fixture.sql', import.meta.url), 'utf8');

/**
 * A fresh test database with the fixture schema and a gateway over it exposing `test_api`
 * (default profile) and `public`.
 */
export async function startGatewayFixture(extra: Partial<GatewayOptions> = {}): Promise<GatewayFixture> {
  const db = await createTestDatabase();
  await db.admin.unsafe(await fixtureSql());
  const anonKey = await sign({ role: 'anon', iss: 'supabase' });
  const serviceKey = await sign({ role: 'service_role', iss: 'supabase' });
  const userId = '7a6b1c2d-0000-4000-8000-000000000001';
  const userToken = await sign({ sub: userId, role: 'authenticated', aud: 'authenticated', exp: now() + 3600 });
  const gateway = await createGateway({
    databaseUrl: db.urls.authenticator,
    jwtSecret: JWT_SECRET,
    apiKeys: [anonKey, serviceKey],
    schemas: ['test_api', 'public'],
    poolSize: 4,
    ...extra,
  });
  const rest: GatewayFixture['rest'] = (path, init = {}) =>
    gateway.fetch(new Request(`http://localhost/rest/v1${path}`, { ...init, headers: { apikey: anonKey, ...init.headers } }));
  return {
    db, gateway, anonKey, serviceKey, userToken, userId, rest,
    close: async () => {
      await gateway.close();
      await db.close();
    },
  };
}

/** POST JSON helper. */
export const post = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST',
  body: typeof body === 'string' ? body : JSON.stringify(body),
  headers: { 'Content-Type': 'application/json', ...headers },
});

/** Polls until check() is true (a bounded wait for asynchronous effects, not a timing assertion). */
export async function eventually(check: () => Promise<boolean>, attempts = 100): Promise<void> {
  for (let i = 0; i < attempts; i += 1) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('condition not met');
}
